package evm

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

const optimismModule = "github.com/ethereum-optimism/optimism"

// optimismDir returns the optimism module's folder in the module cache
// (downloaded by the go command if needed).
func optimismDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", optimismModule).Output()
	if err != nil {
		t.Fatalf("go list -m %s: %v", optimismModule, err)
	}
	return strings.TrimSpace(string(out))
}

// semverLock returns the entry of contract key in the release's
// snapshots/semver-lock.json.
func semverLock(t *testing.T, dir, key string) (initCode, source common.Hash) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "packages/contracts-bedrock/snapshots/semver-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	var lock map[string]struct {
		InitCodeHash   common.Hash `json:"initCodeHash"`
		SourceCodeHash common.Hash `json:"sourceCodeHash"`
	}
	if err := json.Unmarshal(raw, &lock); err != nil {
		t.Fatal(err)
	}
	e, ok := lock[key]
	if !ok {
		t.Fatalf("semver-lock.json has no %s", key)
	}
	return e.InitCodeHash, e.SourceCodeHash
}

// TestEVM_RELEASE_MIPS64 holds the committed MIPS64 artifact to the release:
// keccak256 of its init code equals initCodeHash of src/cannon/MIPS64.sol in
// the optimism module's snapshots/semver-lock.json, and the module's
// MIPS64.sol is the source the release hashed (sourceCodeHash: keccak256 of
// the file without its final newline). make contracts-check recompiles.
func TestEVM_RELEASE_MIPS64(t *testing.T) {
	a, err := LoadArtifact("MIPS64")
	if err != nil {
		t.Fatal(err)
	}
	dir := optimismDir(t)
	wantInit, wantSource := semverLock(t, dir, "src/cannon/MIPS64.sol:MIPS64")
	if got := common.Hash(a.InitCodeHash()); got != wantInit {
		t.Errorf("artifact init-code hash %s, semver-lock.json %s: run make contracts", got, wantInit)
	}
	src, err := os.ReadFile(filepath.Join(dir, "packages/contracts-bedrock", a.SourceUnit))
	if err != nil {
		t.Fatal(err)
	}
	if got := crypto.Keccak256Hash([]byte(strings.TrimSuffix(string(src), "\n"))); got != wantSource {
		t.Errorf("%s source hash %s, semver-lock.json %s", a.SourceUnit, got, wantSource)
	}
	if !strings.HasPrefix(a.Source, optimismModule+"@"+filepath.Base(dir)[len("optimism@"):]+"/") {
		t.Errorf("artifact source %q is not from %s", a.Source, filepath.Base(dir))
	}
	t.Logf("MIPS64 init-code hash %s equals the release's (semver-lock.json, %s)", wantInit, filepath.Base(dir))
}
