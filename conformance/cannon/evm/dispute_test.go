package evm

import (
	"errors"
	"math/big"
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
// the states compared after every accepted action: on chain, an honest
// root with no adversary survives and a wrong root is defeated by the
// honest challenger, with no honest claim countered.
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
		if r.HonestCountered != 0 {
			t.Errorf("%s: %d honest claims countered on chain", name, r.HonestCountered)
		}
	}
}

// disputeSeeds is the number of games per scenario and world the library
// differential replays (seeds sim.GameSeed(1, i)); -short replays one.
func disputeSeeds() int {
	if testing.Short() {
		return 1
	}
	return 3
}

// TestEVM_DISPUTE_DIFF_Library replays every game of the simulator's
// adversary library (sim.Scenarios: every adversary class) on both bundled
// models (MLP, CNN) under both profiles against the contract: the same
// accept or reject for every action, then the same claims, clocks,
// contexts, resolution and credits, and every credit paid out through the
// vault; no honest claim ends countered on chain. Resolution is paginated
// two children per call.
func TestEVM_DISPUTE_DIFF_Library(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	total, actions, rejected := 0, 0, 0
	codes := map[dispute.Code]int{}
	for _, model := range []string{"mlp.opml", "cnn.opml"} {
		for _, p := range []spec.Profile{spec.ProfileBase, spec.ProfileOPcity} {
			w := disputeWorld(t, model, p)
			for _, s := range sim.Scenarios() {
				for i := range disputeSeeds() {
					seed := sim.GameSeed(1, i)
					r, err := ReplayScenario(h, w, s, seed, ReplayOptions{PageSize: 2})
					if err != nil {
						t.Errorf("%s profile %d: %v", model, p, err)
						continue
					}
					total++
					if r.HonestCountered != 0 {
						t.Errorf("%s profile %d %s seed %d: %d honest claims countered on chain", model, p, s.Name, seed, r.HonestCountered)
					}
					actions += r.Actions
					rejected += r.Actions - r.Accepted
					for c, n := range r.Rejected {
						codes[c] += n
					}
				}
			}
		}
	}
	t.Logf("%d games, %d actions (%d rejected by both), 0 differences; rejections by code: %v", total, actions, rejected, codes)
	if want := 4 * len(sim.Scenarios()) * disputeSeeds(); total != want {
		t.Errorf("%d games replayed, want %d", total, want)
	}
}

// TestEVM_DISPUTE_DIFF_PlantedFault shows the differential catches a
// fault on either side: a mutated action (the contract is sent a move
// whose claim value differs from the Go rules' in its last byte), and a
// contract whose game type has a clock extension one second longer (its
// clocks, not its answers, differ first, in a game whose adversary moves
// in the last tick of its clock), each flagged as a *Mismatch.
func TestEVM_DISPUTE_DIFF_PlantedFault(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	w := disputeWorld(t, "mlp.opml", spec.ProfileBase)
	mutated := -1
	mutate := func(i int, a dispute.Action) dispute.Action {
		if a.Kind == dispute.ActMove && a.Move.Parent > 0 && mutated < 0 {
			mutated = i
			a.Move.Value[31] ^= 1
		}
		return a
	}
	cases := []struct {
		name, scenario string
		o              ReplayOptions
	}{
		{"mutated move value", "wrong-node", ReplayOptions{Mutate: mutate, CheckEvery: true}},
		{"clock extension + 1 s", "last-second", ReplayOptions{TweakType: func(t *abiGameType) { t.ClockExtension++ }}},
	}
	for _, tc := range cases {
		_, err := ReplayScenario(h, w, scenario(t, tc.scenario), 1, tc.o)
		var m *Mismatch
		if !errors.As(err, &m) {
			t.Errorf("%s: replay returned %v, want a *Mismatch", tc.name, err)
			continue
		}
		t.Logf("%s: flagged: %v", tc.name, m)
	}
	if mutated < 0 {
		t.Error("no move was mutated")
	}
}

// TestEVM_DISPUTE_CUSTODY pays a game out of the vault in both modes: NORMAL
// pays each party its Go credit (ReplayScenario), REFUND (the factory's
// owner retired the game) each party the bonds it posted; a withdrawal one
// second before the vault's delay is refused.
func TestEVM_DISPUTE_CUSTODY(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	w := disputeWorld(t, "mlp.opml", spec.ProfileBase)
	for _, refund := range []bool{false, true} {
		r, err := ReplayScenario(h, w, scenario(t, "wrong-node"), 2, ReplayOptions{Refund: refund})
		if err != nil {
			t.Fatalf("refund %v: %v", refund, err)
		}
		total := new(big.Int)
		for _, v := range r.Paid {
			total.Add(total, v)
		}
		t.Logf("refund %v: paid %v wei to %d parties", refund, total, len(r.Paid))
		if len(r.Paid) == 0 {
			t.Errorf("refund %v: nothing paid", refund)
		}
	}
}
