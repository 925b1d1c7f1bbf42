package evm

import (
	"encoding/hex"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
)

// DecodeRevert names revert data: the message of Error(string), the
// signature of a custom error of one of the ABIs (InvalidMemoryProof()),
// Panic(0x..) with its code, "" for empty data, else 0x and the hex.
func DecodeRevert(data []byte, abis ...abi.ABI) string {
	if len(data) == 0 {
		return ""
	}
	if msg, err := abi.UnpackRevert(data); err == nil {
		return msg
	}
	if len(data) >= 4 {
		id := [4]byte(data[:4])
		if id == [4]byte{0x4e, 0x48, 0x7b, 0x71} && len(data) == 36 { // Panic(uint256)
			return fmt.Sprintf("Panic(0x%x)", new(big.Int).SetBytes(data[4:]))
		}
		for _, a := range abis {
			if e, err := a.ErrorByID(id); err == nil {
				return e.Sig
			}
		}
	}
	return "0x" + hex.EncodeToString(data)
}
