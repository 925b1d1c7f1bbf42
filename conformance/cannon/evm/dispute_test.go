package evm

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/spec"
)

// disputeModels is the bundled models and MNIST test set of the repository.
var disputeModels = filepath.Join("..", "..", "..", "models", "mnist")

var (
	mnistOnce sync.Once
	mnistSet  *trace.MNISTSet
	mnistErr  error
	worldMu   sync.Mutex
	worlds    = map[string]*trace.World{}
)

// disputeWorld returns (once) the simulator's world of model under profile
// p, as dispute/sim's tests build it: four blocks on test images 0..3 and
// the model's VM depth, with the synthetic VM.
func disputeWorld(t testing.TB, model string, p spec.Profile) *trace.World {
	t.Helper()
	mnistOnce.Do(func() { mnistSet, mnistErr = trace.LoadMNIST(disputeModels, 4) })
	if mnistErr != nil {
		t.Fatal(mnistErr)
	}
	worldMu.Lock()
	defer worldMu.Unlock()
	key := model + string(rune('0'+p))
	if w := worlds[key]; w != nil {
		return w
	}
	w, err := mnistSet.NewWorld(trace.WorldConfig{ModelsDir: disputeModels, Model: model, Split1: 2,
		VMDepth: mnistSet.Model(model).VMDepth(p), Images: []int{0, 1, 2, 3}, Profile: p})
	if err != nil {
		t.Fatal(err)
	}
	worlds[key] = w
	return w
}

func scenario(t testing.TB, name string) sim.Scenario {
	for _, s := range sim.Scenarios() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no scenario %q", name)
	return sim.Scenario{}
}

// TestEVM_DISPUTE_DIFF_Small replays the smallest games end to end, with
// the states compared after every accepted action: an honest root with no
// adversary, and a wrong root defeated by the honest challenger.
func TestEVM_DISPUTE_DIFF_Small(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	w := disputeWorld(t, "mlp.opml", spec.ProfileBase)
	for _, name := range []string{"none", "wrong-node"} {
		r, err := ReplayScenario(h, w, scenario(t, name), 1, ReplayOptions{CheckEvery: true})
		if err != nil {
			var m *Mismatch
			if errors.As(err, &m) {
				t.Fatalf("%v", m)
			}
			t.Fatal(err)
		}
		t.Logf("%s: %d actions, %d accepted, %d claims, %s", name, r.Actions, r.Accepted, r.Claims, r.Status)
		want := dispute.DefenderWins
		if name != "none" {
			want = dispute.ChallengerWins
		}
		if r.Status != want {
			t.Errorf("%s: status %s, want %s", name, r.Status, want)
		}
	}
}
