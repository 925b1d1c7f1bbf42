// Package evm runs the released MIPS64.sol, Cannon's on-chain step verifier,
// in go-ethereum's in-memory EVM, with StepOracle (contracts/src) as its
// preimage oracle. The contracts are compiled by contracts/compile.js (make
// contracts) into artifacts/, which this package embeds; artifacts_test.go
// holds the MIPS64 artifact to the release (its init-code hash equals the one
// in the optimism module's snapshots/semver-lock.json).
package evm

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
)

//go:embed artifacts/*.json
var artifactFiles embed.FS

// Artifact is one compiled contract as contracts/compile.js writes it.
type Artifact struct {
	ContractName string `json:"contractName"`
	// SourceUnit is the compiler's name of the source file (MIPS64.sol's
	// is src/cannon/MIPS64.sol, relative to contracts-bedrock).
	SourceUnit string `json:"sourceUnit"`
	// Source says where the source came from: the module path and version
	// of the optimism module, or this repository's path.
	Source           string          `json:"source"`
	Compiler         string          `json:"compiler"`
	Settings         json.RawMessage `json:"settings"`
	ABI              json.RawMessage `json:"abi"`
	Bytecode         hexutil.Bytes   `json:"bytecode"`
	DeployedBytecode hexutil.Bytes   `json:"deployedBytecode"`
}

// InitCodeHash returns keccak256 of the init code without constructor
// arguments: what the optimism repository's semver-lock.json records as
// initCodeHash (scripts/autogen/generate-semver-lock hashes the artifact's
// bytecode object).
func (a Artifact) InitCodeHash() [32]byte { return crypto.Keccak256Hash(a.Bytecode) }

// ParsedABI returns the artifact's ABI.
func (a Artifact) ParsedABI() (abi.ABI, error) {
	return abi.JSON(strings.NewReader(string(a.ABI)))
}

// LoadArtifact reads the embedded artifact of contract name ("MIPS64" or
// "StepOracle").
func LoadArtifact(name string) (Artifact, error) {
	var a Artifact
	raw, err := artifactFiles.ReadFile("artifacts/" + name + ".json")
	if err != nil {
		return a, err
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return a, fmt.Errorf("artifact %s: %v", name, err)
	}
	if a.ContractName != name || len(a.Bytecode) == 0 {
		return a, fmt.Errorf("artifact %s: names %q, %d bytes of init code", name, a.ContractName, len(a.Bytecode))
	}
	return a, nil
}
