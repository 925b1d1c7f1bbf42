package evm

import "github.com/ethereum/go-ethereum/params"

// Calldata is the size and the calldata gas of a call's input.
type Calldata struct {
	Bytes, ZeroBytes int
	// Gas is the EIP-2028 calldata cost: 16 gas per nonzero byte, 4 per
	// zero byte (4 per token, a nonzero byte counting 4 tokens, EIP-7623).
	Gas uint64
	// FloorGas is EIP-7623's floor on the same bytes: 10 gas per token.
	// A transaction pays 21000 + max(Gas + execution gas, FloorGas).
	FloorGas uint64
}

// MeasureCalldata returns the calldata cost of input.
func MeasureCalldata(input []byte) Calldata {
	c := Calldata{Bytes: len(input)}
	for _, b := range input {
		if b == 0 {
			c.ZeroBytes++
		}
	}
	tokens := uint64(c.ZeroBytes) + params.TxTokenPerNonZeroByte*uint64(c.Bytes-c.ZeroBytes)
	c.Gas = params.TxDataZeroGas * tokens
	c.FloorGas = params.TxCostFloorPerToken * tokens
	return c
}

// TxGas returns the gas a transaction that calls step directly uses under
// EIP-7623 (Prague and later): 21000 + max(calldata gas + execution gas,
// floor gas).
func (r Result) TxGas() uint64 {
	return params.TxGas + max(r.Calldata.Gas+r.Gas, r.Calldata.FloorGas)
}
