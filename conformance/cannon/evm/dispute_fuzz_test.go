package evm

import (
	"errors"
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/spec"
)

// rewriteAction changes action a by the mutation op (0..7): keep it, flip
// its direction, shift its claim or parent index, add a gwei to a move's
// bond, flip a bit of a move's disputed value, turn a claim resolution
// into the game's resolve, turn a step into a transition step (and a
// transition step or move into a resolution of its claim), or drop a
// move's opening.
func rewriteAction(op byte, a dispute.Action) dispute.Action {
	switch op % 8 {
	case 1:
		a.Attack, a.Move.Attack = !a.Attack, !a.Move.Attack
	case 2:
		a.Claim++
		a.Move.Parent++
	case 3:
		a.Move.Bond++
	case 4:
		a.Move.Disputed[31] ^= 1
	case 5:
		if a.Kind == dispute.ActResolveClaim {
			a.Kind = dispute.ActResolve
		}
	case 6:
		switch a.Kind {
		case dispute.ActStep:
			a.Kind = dispute.ActStepTransition
		case dispute.ActStepTransition:
			a.Kind = dispute.ActResolveClaim
		case dispute.ActMove:
			a.Kind, a.Claim = dispute.ActResolveClaim, a.Move.Parent
		}
	case 7:
		if a.Kind == dispute.ActMove {
			a.Move.Opening, a.Move.Operands = nil, nil
		}
	}
	return a
}

// checkDisputeSequence is the fuzz check: data[0] picks the world (model
// and profile), data[1] the scenario of the library, and data[2:] the
// mutation of each submitted action in turn (cyclically); the mutated
// actions go to both the Go rules and the contract, which must agree. A
// game stops after 3,000 submitted actions (a mutation that keeps a game
// from resolving would otherwise run to the 60-day deadline).
func checkDisputeSequence(t *testing.T, h *Harness, data []byte) (Replay, error) {
	if len(data) < 3 {
		return Replay{}, nil
	}
	model := []string{"mlp.opml", "cnn.opml"}[data[0]&1]
	p := []spec.Profile{spec.ProfileBase, spec.ProfileOPcity}[data[0]>>1&1]
	ss := sim.Scenarios()
	s := ss[int(data[1])%len(ss)]
	ops := data[2:]
	rw := func(i int, a dispute.Action) dispute.Action { return rewriteAction(ops[i%len(ops)], a) }
	return ReplayScenario(h, disputeWorld(t, model, p), s, sim.GameSeed(uint64(data[0]), int(data[1])), ReplayOptions{Rewrite: rw, PageSize: 1 + int(data[0]>>2&3), MaxActions: 3000})
}

// disputeFuzzSeeds are the committed seeds, each a world, a scenario and
// a mutation pattern: every mutation alone on wrong-node (MLP, base), and
// mixed patterns on other scenarios and worlds.
var disputeFuzzSeeds = [][]byte{
	{0, 1, 1}, {0, 1, 2}, {0, 1, 3}, {0, 1, 4}, {0, 1, 5}, {0, 1, 6}, {0, 1, 7},
	{0, 1, 0, 0, 0, 6}, {0, 1, 0, 0, 0, 0, 0, 0, 0, 5}, {3, 2, 0, 2, 0, 7}, {1, 8, 0, 0, 6, 0, 1},
	{2, 10, 0, 0, 0, 0, 2, 0, 0, 4}, {1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6},
	// A fuzz finding (testdata/fuzz/.../2850ea7c504b36d1): flood on MLP,
	// resolution one child per call, every fourth action's claim shifted.
	// A resolution the Go rules refuse (a child unresolved) leaves the
	// contract's checkpoint past the pages it scanned; the replay must
	// resume there, not from the first child.
	[]byte("\x00Z0200"),
}

// FuzzEVM_DISPUTE_FUZZ_Actions is the native fuzz target over action
// sequences (requirement EVM-DISPUTE-FUZZ): the library's games with their
// actions mutated, replayed on the Go rules and the contract.
func FuzzEVM_DISPUTE_FUZZ_Actions(f *testing.F) {
	for _, s := range disputeFuzzSeeds {
		f.Add(s)
	}
	h, err := New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64 {
			return
		}
		if _, err := checkDisputeSequence(t, h, data); err != nil {
			t.Fatalf("data %x: %v", data, err)
		}
	})
}

// TestEVM_DISPUTE_FUZZ_Reach replays the committed seeds and requires them
// to agree and, together with the library, to reach the rejections the
// library alone does not: an unbound phase root, a resolution before the
// clock, out of order, or of an unresolved game, a finished game, a step
// that cannot execute.
func TestEVM_DISPUTE_FUZZ_Reach(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	codes := map[dispute.Code]int{}
	for _, s := range disputeFuzzSeeds {
		r, err := checkDisputeSequence(t, h, s)
		var m *Mismatch
		if errors.As(err, &m) || err != nil {
			t.Errorf("seed %x: %v", s, err)
			continue
		}
		for c, n := range r.Rejected {
			codes[c] += n
		}
	}
	t.Logf("rejections by code: %v", codes)
	for _, c := range []dispute.Code{dispute.CodeClockNotExpired, dispute.CodeNotResolved, dispute.CodeOutOfOrder, dispute.CodeBadOpening, dispute.CodeWrongBond, dispute.CodeBadIndex} {
		if codes[c] == 0 {
			t.Errorf("no %s rejection reached", c)
		}
	}
}
