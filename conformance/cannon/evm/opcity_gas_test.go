package evm

import (
	"bytes"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/program"
	"github.com/opcity-spec/opcity/spec/state"
)

var opcityGasOut = flag.Bool("evm.opcity-gas", false, "write the OPcity gas figures to docs/report/opcity-gas.json instead of checking them")

// The committed figures that make report puts into docs/report.md.
const opcityGasFile = repoRoot + "/docs/report/opcity-gas.json"

// ChainGas is the file docs/report/opcity-gas.json: gas measured in the
// EVM for the OPcity profile's on-chain parts (docs/evm.md, "OPcity on
// chain").
type ChainGas struct {
	Command string `json:"command"`
	// Steps are single steps: tensor_map and tensor_root on regions of each
	// size (the region full of tensor bytes), and base-profile steps of the
	// same program through MIPS64.sol and through MIPS64OPcity.
	Steps []StepGas `json:"steps"`
	// Uploads are TensorOracle uploads of tensors of each size.
	Uploads []UploadGas `json:"uploads"`
}

// StepGas is one measured step call.
type StepGas struct {
	Kind          string `json:"kind"`
	Verifier      string `json:"verifier"`
	RegionBytes   uint64 `json:"region_bytes,omitempty"`
	Gas           uint64 `json:"gas"`
	CalldataBytes int    `json:"calldata_bytes"`
	CalldataGas   uint64 `json:"calldata_gas"`
	FloorGas      uint64 `json:"calldata_floor_gas"`
	TxGas         uint64 `json:"tx_gas"`
}

// UploadGas is one tensor's upload: every transaction's gas summed, the
// number of transactions, their calldata, and the largest one.
type UploadGas struct {
	Bytes         int    `json:"bytes"`
	Transactions  int    `json:"transactions"`
	CalldataBytes int    `json:"calldata_bytes"`
	TotalGas      uint64 `json:"total_gas"`
	MaxTxGas      uint64 `json:"max_tx_gas"`
}

// gasSizes are the region (and tensor) sizes measured: 64 B, 4 KiB, 1 MiB,
// 16 MiB.
var gasSizes = []uint{6, 12, 20, 24}

// TestEVM_OPCITY_GAS measures the OPcity profile's on-chain costs
// (measureChainGas) and holds them to the claim of docs/spec.md that a
// tensor syscall costs one path proof whatever the region's size: the
// execution gas of tensor_map, and of tensor_root, never grows from one
// measured size to the next (64 B, 4 KiB, 1 MiB, 16 MiB). It shrinks a
// little: a region of 2^k bytes has 64 - k siblings to fold, so each
// doubling saves one level of hashing in each fold. With -evm.opcity-gas it
// writes docs/report/opcity-gas.json (make gas-opcity); otherwise the
// committed file must equal the measurement, which is deterministic, so a
// change of the contracts that moves gas fails here until the figures are
// regenerated.
func TestEVM_OPCITY_GAS(t *testing.T) {
	g := measureChainGas(t)
	for _, kind := range []string{"tensor_map", "tensor_root"} {
		var last StepGas
		for _, s := range g.Steps {
			if s.Kind != kind {
				continue
			}
			if last.Gas != 0 && s.Gas > last.Gas {
				t.Errorf("%s: %d gas at %d bytes, more than %d at %d bytes", kind, s.Gas, s.RegionBytes, last.Gas, last.RegionBytes)
			}
			t.Logf("%s at %9d bytes: %d gas", kind, s.RegionBytes, s.Gas)
			last = s
		}
		if last.RegionBytes != 16<<20 {
			t.Errorf("%s: last size measured %d bytes, want 16 MiB", kind, last.RegionBytes)
		}
	}
	raw, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	raw = append(raw, '\n')
	if *opcityGasOut {
		if err := os.WriteFile(opcityGasFile, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile(opcityGasFile)
	if err != nil || !bytes.Equal(old, raw) {
		t.Errorf("%s differs from the measurement (%v): run make gas-opcity\nmeasured:\n%s", filepath.Base(opcityGasFile), err, raw)
	}
}

// measureChainGas runs properties.TensorProgram with a region-sized tensor
// of random bytes at each of gasSizes in the spec, and measures in the
// EVM: its tensor_map step (the tensor uploaded to TensorOracle in earlier
// transactions) and tensor_root step through MIPS64OPcity, and the upload.
// Beside them, at 64 B, the program's first step (an ALU instruction) and
// its mmap through MIPS64.sol and through MIPS64OPcity.
func measureChainGas(t *testing.T) ChainGas {
	h := newHarness(t)
	g := ChainGas{Command: "make gas-opcity"}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range gasSizes {
		data := make([]byte, 1<<k)
		for i := range data {
			data[i] = byte(rng.Uint32() | 1)
		}
		root, err := memory.ComputeRegionRoot(data, k)
		if err != nil {
			t.Fatal(err)
		}
		s, err := program.Load(properties.TensorProgram(root, k))
		if err != nil {
			t.Fatal(err)
		}
		d := spec.Data{Tensors: spec.NewTensors(data)}
		for !s.Exited {
			post, w, err := spec.StepWithWitnessIn(spec.ProfileOPcity, s, d)
			if err != nil {
				t.Fatal(err)
			}
			num, _, sys := NextSyscall(s)
			switch {
			case s.Step == 0 && k == gasSizes[0]:
				g.Steps = append(g.Steps, baseStepGas(t, h, "first step (ALU)", w, post)...)
			case sys && num == 5009 && k == gasSizes[0]:
				g.Steps = append(g.Steps, baseStepGas(t, h, "mmap", w, post)...)
			case sys && (num == 7000 || num == 7001) && w.SlotsUsed == 3:
				kind := map[uint64]string{7000: "tensor_map", 7001: "tensor_root"}[num]
				r := stepGas(t, h, tensorStepInput(w), post)
				g.Steps = append(g.Steps, gasOf(kind, "MIPS64OPcity", 1<<k, r))
				if num == 7000 {
					g.Uploads = append(g.Uploads, uploadGas(t, r))
				}
			}
			s = post
		}
	}
	return g
}

// stepGas runs in and requires it to return post's hash.
func stepGas(t *testing.T, h *Harness, in Input, post state.State) Result {
	t.Helper()
	r, err := h.Step(in)
	if err != nil {
		t.Fatal(err)
	}
	if r.Reverted || r.PostStateHash != [32]byte(post.Hash()) {
		t.Fatalf("step %x reverted=%v %q, want %s", r.PostStateHash, r.Reverted, r.RevertReason, post.Hash())
	}
	return r
}

// baseStepGas measures one base-profile step through both verifiers.
func baseStepGas(t *testing.T, h *Harness, kind string, w spec.Witness, post state.State) []StepGas {
	in := Input{State: w.State[:], Proof: w.Proof}
	trimmed := in
	trimmed.Proof = w.Proof[:state.ThreadWitnessSize+memory.ProofSize*max(1, w.SlotsUsed)]
	var out []StepGas
	for _, opcity := range []bool{false, true} {
		in.OPcity, trimmed.OPcity = opcity, opcity
		r := stepGas(t, h, trimmed, post)
		verifier := map[bool]string{false: "MIPS64.sol", true: "MIPS64OPcity"}[opcity]
		out = append(out, gasOf(kind, verifier, 0, r))
	}
	return out
}

func gasOf(kind, verifier string, region uint64, r Result) StepGas {
	return StepGas{Kind: kind, Verifier: verifier, RegionBytes: region, Gas: r.Gas, CalldataBytes: r.Calldata.Bytes,
		CalldataGas: r.Calldata.Gas, FloorGas: r.Calldata.FloorGas, TxGas: r.TxGas()}
}

func uploadGas(t *testing.T, r Result) UploadGas {
	t.Helper()
	if len(r.Uploads) != 1 {
		t.Fatalf("%d uploads before the tensor_map step, want 1", len(r.Uploads))
	}
	u := r.Uploads[0]
	out := UploadGas{Bytes: u.Length, Transactions: len(u.Txs), CalldataBytes: u.CalldataBytes(), TotalGas: u.TotalGas()}
	for _, tx := range u.Txs {
		out.MaxTxGas = max(out.MaxTxGas, tx.TxGas)
	}
	return out
}
