package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// chainGasFile is the figures `make gas-opcity` measures in the EVM
// (conformance/cannon/evm, TestEVM_OPCITY_GAS); the main module does not
// link go-ethereum, so the report reads them from the file.
const chainGasFile = "docs/report/opcity-gas.json"

// chainGas mirrors the file's schema (evm.ChainGas).
type chainGas struct {
	Command string `json:"command"`
	Steps   []struct {
		Kind          string `json:"kind"`
		Verifier      string `json:"verifier"`
		RegionBytes   uint64 `json:"region_bytes"`
		Gas           uint64 `json:"gas"`
		CalldataBytes int    `json:"calldata_bytes"`
		CalldataGas   uint64 `json:"calldata_gas"`
		FloorGas      uint64 `json:"calldata_floor_gas"`
		TxGas         uint64 `json:"tx_gas"`
	} `json:"steps"`
	Uploads []struct {
		Bytes         int    `json:"bytes"`
		Transactions  int    `json:"transactions"`
		CalldataBytes int    `json:"calldata_bytes"`
		TotalGas      uint64 `json:"total_gas"`
		MaxTxGas      uint64 `json:"max_tx_gas"`
	} `json:"uploads"`
}

// readChainGas reads root's chainGasFile. Errors: a missing or malformed
// file (run make gas-opcity).
func readChainGas(root string) (chainGas, error) {
	var g chainGas
	raw, err := os.ReadFile(filepath.Join(root, chainGasFile))
	if err != nil {
		return g, fmt.Errorf("%v (run make gas-opcity)", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil || len(g.Steps) == 0 || len(g.Uploads) == 0 {
		return g, fmt.Errorf("%s: malformed (%v): run make gas-opcity", chainGasFile, err)
	}
	return g, nil
}

// sizeName writes a byte count as B, KiB or MiB.
func sizeName(n uint64) string {
	switch {
	case n == 0:
		return "—"
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// writeChainGas writes the on-chain section of report.md from g.
func writeChainGas(w io.Writer, g chainGas) {
	fmt.Fprintf(w, `
## On chain: the OPcity profile's gas, measured

Measured by `+"`%s`"+` in go-ethereum's EVM (conformance/cannon/evm,
TestEVM_OPCITY_GAS; docs/evm.md, "OPcity on chain") and copied here by
`+"`make report`"+`: properties.TensorProgram maps a tensor of random bytes that
fills its region, then writes the region's root; each step's witness is
the spec's. Execution gas is the step call's own (MIPS64OPcity or MIPS64.sol
warm, TensorOracle cold, the tensor uploaded in earlier transactions);
transaction gas is 21,000 + max(calldata gas + execution gas, the EIP-7623
floor), which the floor decides for every step here.

| step | verifier | region | execution gas | calldata bytes | calldata gas | EIP-7623 floor | transaction gas |
|---|---|---|---:|---:|---:|---:|---:|
`, g.Command)
	for _, s := range g.Steps {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", s.Kind, s.Verifier, sizeName(s.RegionBytes),
			commas(s.Gas), commas(uint64(s.CalldataBytes)), commas(s.CalldataGas), commas(s.FloorGas), commas(s.TxGas))
	}
	fmt.Fprintf(w, `
A tensor step's execution gas does not grow with the region; it shrinks a
little with each doubling, because a region of 2^k bytes has 64 − k siblings
to fold (one level fewer per doubling in each fold: tensor_map folds twice,
the old node against the pre-state root and the tensor's root into the
post-state root; tensor_root once) and k − 5 zero padding entries to check
(one more per doubling). A base-profile step costs more
through MIPS64OPcity than through MIPS64.sol by the delegatecall to the
release (cold) and the checks of v0 and the claimed instruction word
(TestEVM_OPCITY_BASE holds the two to the same result on every base vector).

Making a tensor available: TensorOracle takes a bonded proposal, one
transaction per 64 KiB chunk (each checked against the tensor's root), and a
finalize after the window that marks the root at every size up to 2^30:

| tensor | transactions | calldata bytes | total gas | largest transaction |
|---|---:|---:|---:|---:|
`)
	for _, u := range g.Uploads {
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s |\n", sizeName(uint64(u.Bytes)), u.Transactions, commas(uint64(u.CalldataBytes)), commas(u.TotalGas), commas(u.MaxTxGas))
	}
	fmt.Fprintf(w, `
An upload's gas is the calldata's floor (40 gas per nonzero byte) plus the
chunks' hashing; finalize's storage writes (one per size from the tensor's
minimal one to 2^30) dominate small tensors. Once available, a tensor serves
every later step that maps it. Who uploads, when, and who loses when a tensor
never becomes available is the dispute game contract's rule, not measured
here.
`)
}
