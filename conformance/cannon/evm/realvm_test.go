package evm

import (
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/play"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

var (
	realOnce sync.Once
	realSet  *trace.MNISTSet
	realNV   map[spec.Profile]*trace.NodeVM
	realErr  error
)

// realImage is the disputed block's MNIST test image of the real games.
const realImage = 0

// realGameSet returns (once) the test images of a real game on realImage
// and the node program of each profile, built from the repository root as
// `opcity dispute` builds them (play.LoadSet).
func realGameSet(t testing.TB) (*trace.MNISTSet, map[spec.Profile]*trace.NodeVM) {
	t.Helper()
	realOnce.Do(func() {
		realNV = map[spec.Profile]*trace.NodeVM{}
		root := filepath.Join("..", "..", "..")
		for _, p := range []spec.Profile{spec.ProfileBase, spec.ProfileOPcity} {
			set, nv, err := play.LoadSet(disputeModels, root, realImage, p)
			if err != nil {
				realErr = err
				return
			}
			realSet, realNV[p] = set, nv
		}
	})
	if realErr != nil {
		t.Fatal(realErr)
	}
	return realSet, realNV
}

// realLie returns the proposer's fault of --lie s on the MLP model, as
// `opcity dispute` builds it (play.RealLieOf).
func realLie(t testing.TB, set *trace.MNISTSet, s string) *sim.RealLie {
	t.Helper()
	l, err := play.ParseLie(s)
	if err != nil {
		t.Fatal(err)
	}
	rl, err := play.RealLieOf(set, "mlp.opml", l, -1)
	if err != nil {
		t.Fatal(err)
	}
	return rl
}

func fatalReplay(t *testing.T, err error) {
	t.Helper()
	var m *Mismatch
	if errors.As(err, &m) {
		t.Fatalf("%v", m)
	}
	t.Fatal(err)
}

// TestEVM_DISPUTE_REALVM replays real games (the node program in phase 3,
// as `opcity dispute` plays them) against the contract with the profile's
// real on-chain VM as the game type's VM (MIPS64.sol under the base
// profile, MIPS64OPcity under the OPcity profile), the full states compared
// after every accepted action: a lie at node 1 of the MLP model reaches
// phase 3 and is defeated on chain by the honest challenger's VM step
// (accepted by the real VM), no honest claim countered, every credit paid
// out through the vault as the Go rules owe it (replay checks); the true
// root survives. The verdict and the claim count expected are sim.PlayReal's,
// the Go rules alone.
func TestEVM_DISPUTE_REALVM(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	set, nvs := realGameSet(t)
	for _, p := range []spec.Profile{spec.ProfileBase, spec.ProfileOPcity} {
		for _, lie := range []string{"node:1", "none"} {
			t.Run(p.String()+"/"+lie, func(t *testing.T) {
				want, err := sim.PlayReal(set, "mlp.opml", realImage, nvs[p], realLie(t, set, lie))
				if err != nil {
					t.Fatal(err)
				}
				wantStatus := dispute.ChallengerWins
				if lie == "none" {
					wantStatus = dispute.DefenderWins
				}
				if want.Result.Status != wantStatus {
					t.Fatalf("the Go game: %s, the truth requires %s", want.Result.Status, wantStatus)
				}
				r, err := ReplayReal(h, set, "mlp.opml", realImage, nvs[p], realLie(t, set, lie), ReplayOptions{CheckEvery: true})
				if err != nil {
					fatalReplay(t, err)
				}
				if r.Status != want.Result.Status || r.Claims != want.Result.Claims {
					t.Fatalf("replayed: %s with %d claims; sim.PlayReal: %s with %d", r.Status, r.Claims, want.Result.Status, want.Result.Claims)
				}
				if r.HonestCountered != 0 {
					t.Fatalf("%d honest claims countered on chain", r.HonestCountered)
				}
				steps := acceptedSteps(r.Gas)
				if lie == "none" {
					if len(steps) != 0 || r.Claims != 1 {
						t.Fatalf("the true root: %d claims, %d steps", r.Claims, len(steps))
					}
					return
				}
				if len(steps) != 1 || steps[0].Party != sim.Honest || steps[0].VMGas == 0 {
					t.Fatalf("accepted steps %+v: want one honest step through the VM", steps)
				}
				if len(want.Steps) != 1 || want.Game.Claim(want.Steps[0].Claim).CounteredBy != sim.Honest {
					t.Fatalf("the Go game's honest steps: %d", len(want.Steps))
				}
				if r.Paid[sim.Honest] == nil || r.Paid[sim.Honest].Sign() <= 0 {
					t.Fatalf("the challenger was paid %v", r.Paid[sim.Honest])
				}
				t.Logf("%s: %d actions, %d claims, %s; step tx gas %d, of which %d in the %s VM",
					r.Scenario, r.Actions, r.Claims, r.Status, steps[0].Tx(), steps[0].VMGas, p)
			})
		}
	}
}

// TestEVM_DISPUTE_REALVM_Planted plants a difference the replay must flag:
// the honest challenger's VM step reaches the contract with one byte of
// its proof (the first memory proof's last sibling) flipped, the Go rules
// seeing the original. The real VM must refuse it (StepFailed) where the
// Go rules accept it: a *Mismatch at the step.
func TestEVM_DISPUTE_REALVM_Planted(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	set, nvs := realGameSet(t)
	for _, p := range []spec.Profile{spec.ProfileBase, spec.ProfileOPcity} {
		t.Run(p.String(), func(t *testing.T) {
			tamper := func(_ int, a dispute.Action) dispute.Action {
				if a.Kind == dispute.ActStep {
					a.Proof = slices.Clone(a.Proof)
					a.Proof[state.ThreadWitnessSize+memory.ProofSize-1] ^= 1
				}
				return a
			}
			_, err := ReplayReal(h, set, "mlp.opml", realImage, nvs[p], realLie(t, set, "node:1"), ReplayOptions{Mutate: tamper})
			var m *Mismatch
			if !errors.As(err, &m) {
				t.Fatalf("a tampered step proof was not flagged: %v", err)
			}
			if m.Action.Kind != dispute.ActStep || m.Go != 0 || m.Chain != dispute.CodeStepFailed {
				t.Fatalf("flagged %v; want the step, accepted by Go, StepFailed on chain", m)
			}
			t.Logf("flagged: %v", m)
		})
	}
}

// acceptedSteps returns the accepted VM-step transactions of gas.
func acceptedSteps(gas []GasRecord) []GasRecord {
	var out []GasRecord
	for _, g := range gas {
		if g.Kind == "step" && g.Accepted {
			out = append(out, g)
		}
	}
	return out
}
