package evm

import (
	"github.com/ethereum/go-ethereum/common"
)

// Report is the JSON object evmstep prints for one step (docs/evm.md).
type Report struct {
	// PostStateHash is step's return value, "" when the call reverted.
	PostStateHash string `json:"post_state_hash"`
	Reverted      bool   `json:"reverted"`
	RevertReason  string `json:"revert_reason"`
	// Gas is the execution gas of the step call (Result.Gas).
	Gas uint64 `json:"gas"`
	// CalldataBytes, CalldataGas (EIP-2028: 16 per nonzero byte, 4 per zero
	// byte) and CalldataFloorGas (EIP-7623: 10 per token) measure the step
	// call's calldata; TxGas is what a transaction calling step directly
	// uses: 21000 + max(calldata_gas + gas, calldata_floor_gas).
	CalldataBytes    int    `json:"calldata_bytes"`
	CalldataGas      uint64 `json:"calldata_gas"`
	CalldataFloorGas uint64 `json:"calldata_floor_gas"`
	TxGas            uint64 `json:"tx_gas"`
	// PreimageLoads lists the oracle loads made before the step.
	PreimageLoads []LoadReport `json:"preimage_loads"`
	// ClaimedPostStateHash is the witness file's post_state_hash, if any,
	// and MatchesClaim whether step returned it.
	ClaimedPostStateHash string `json:"claimed_post_state_hash,omitempty"`
	MatchesClaim         *bool  `json:"matches_claim,omitempty"`
}

// LoadReport is one Load in a Report.
type LoadReport struct {
	Key    string `json:"key"`
	Offset uint64 `json:"offset"`
	Loaded bool   `json:"loaded"`
	Reason string `json:"reason,omitempty"`
}

// Report returns r as evmstep prints it; claimed is the post-state hash the
// witness claims, or nil.
func (r Result) Report(claimed *[32]byte) Report {
	out := Report{
		Reverted: r.Reverted, RevertReason: r.RevertReason, Gas: r.Gas,
		CalldataBytes: r.Calldata.Bytes, CalldataGas: r.Calldata.Gas, CalldataFloorGas: r.Calldata.FloorGas,
		TxGas: r.TxGas(), PreimageLoads: []LoadReport{},
	}
	if !r.Reverted {
		out.PostStateHash = common.Hash(r.PostStateHash).Hex()
	}
	for _, l := range r.Loads {
		out.PreimageLoads = append(out.PreimageLoads, LoadReport{Key: common.Hash(l.Key).Hex(), Offset: l.Offset, Loaded: l.Loaded, Reason: l.Reason})
	}
	if claimed != nil {
		ok := !r.Reverted && *claimed == r.PostStateHash
		out.ClaimedPostStateHash, out.MatchesClaim = common.Hash(*claimed).Hex(), &ok
	}
	return out
}
