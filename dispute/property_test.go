package dispute_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/disputetest"
	"pgregory.net/rapid"
)

// TestDISPUTE_ILLEGAL_Property: an action the game rejects returns the
// game unchanged (deeply equal), for random actions on random game states.
func TestDISPUTE_ILLEGAL_Property(t *testing.T) {
	w := disputetest.SharedWorld(t)
	hists := [][]snapshot{history(t, w, "wrong-node", 1), history(t, w, "wrong-challenge", 2), history(t, w, "flood", 3)}
	rapid.Check(t, func(rt *rapid.T) {
		h := hists[rapid.IntRange(0, len(hists)-1).Draw(rt, "history")]
		s := h[rapid.IntRange(0, len(h)-1).Draw(rt, "tick")]
		g := s.g
		i := rapid.IntRange(-1, g.Len()).Draw(rt, "claim")
		var v dispute.Hash
		copy(v[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(rt, "value"))
		disputed := v
		if i >= 0 && i < g.Len() && rapid.Bool().Draw(rt, "real disputed") {
			disputed = g.Claim(i).Value
		}
		a := dispute.Action{Kind: dispute.Kind(rapid.IntRange(0, int(dispute.ActResolve)).Draw(rt, "kind")), Party: "x", Claim: i,
			Attack: rapid.Bool().Draw(rt, "attack"), StateData: v[:],
			Move: dispute.Move{Parent: i, Disputed: disputed, Attack: rapid.Bool().Draw(rt, "move attack"), Value: v, Bond: rapid.Uint64Range(0, 1<<36).Draw(rt, "bond")}}
		if a.Kind == dispute.ActUploadPreimage || a.Kind == dispute.ActUploadTensor {
			return
		}
		now := s.now + rapid.Uint64Range(0, 40*86400).Draw(rt, "delay")
		if err := checkApply(g, now, a); err != nil {
			rt.Fatal(err)
		}
	})
}

// checkApply applies a and reports a rejection that changed the game or
// was not a typed *Error (DISPUTE-ILLEGAL).
func checkApply(g dispute.Game, now uint64, a dispute.Action) error {
	next, err := dispute.Apply(g, now, a)
	if err != nil && !reflect.DeepEqual(next, g) {
		return fmt.Errorf("rejected %v (%v) changed the game", a.Kind, err)
	}
	if err != nil && dispute.CodeOf(err) == 0 {
		return fmt.Errorf("untyped error %v", err)
	}
	return nil
}

var (
	fuzzOnce  sync.Once
	fuzzHists [][]snapshot
)

// FuzzDISPUTE_ILLEGAL is checkApply on actions decoded from bytes, against
// states of three recorded games.
func FuzzDISPUTE_ILLEGAL(f *testing.F) {
	f.Add(uint16(0), byte(0), int16(0), uint64(0), uint64(0), []byte{})       // a move on the root at t=0
	f.Add(uint16(40), byte(1), int16(33), uint64(0), uint64(0), []byte{1})    // a step on the max-depth claim
	f.Add(uint16(9), byte(2), int16(5), uint64(1), uint64(3600), []byte{})    // a transition step
	f.Add(uint16(200), byte(5), int16(0), uint64(0), uint64(1<<40), []byte{}) // resolution long after the end
	f.Add(uint16(3), byte(0), int16(-1), uint64(1<<63), uint64(1), []byte{})  // a negative index and a huge bond
	f.Fuzz(func(t *testing.T, tick uint16, kind byte, claim int16, bond, delay uint64, value []byte) {
		fuzzOnce.Do(func() {
			w := disputetest.SharedWorld(t)
			fuzzHists = [][]snapshot{history(t, w, "wrong-node", 1), history(t, w, "wrong-challenge", 2), history(t, w, "flood", 3)}
		})
		h := fuzzHists[int(tick)%len(fuzzHists)]
		s := h[int(tick)%len(h)]
		var v dispute.Hash
		copy(v[:], value)
		a := dispute.Action{Kind: dispute.Kind(kind % byte(dispute.ActResolve+1)), Party: "x", Claim: int(claim), Attack: kind&0x80 != 0, StateData: value,
			Move: dispute.Move{Parent: int(claim), Disputed: v, Attack: kind&0x40 != 0, Value: v, Bond: bond}}
		if int(claim) >= 0 && int(claim) < s.g.Len() && kind&0x20 != 0 {
			a.Move.Disputed = s.g.Claim(int(claim)).Value
		}
		if err := checkApply(s.g, s.now+delay%(1<<40), a); err != nil {
			t.Fatal(err)
		}
	})
}

// TestDISPUTE_RESOLVE_OrderIndependent: once every clock has expired,
// resolving the claims in any bottom-up order gives the same outcome and
// credits, and the credits sum to the bonds posted (DISPUTE-BOND).
func TestDISPUTE_RESOLVE_OrderIndependent(t *testing.T) {
	w := disputetest.SharedWorld(t)
	var games []dispute.Game
	for _, name := range []string{"wrong-node", "flood", "right-defense", "self-bait", "freeloader"} {
		h := history(t, w, name, 7)
		for k := len(h) - 1; k >= 0; k-- {
			if !h[k].g.Claim(h[k].g.Len()-1).Resolved && !h[k].g.Claim(0).Resolved {
				games = append(games, h[k].g)
				break
			}
		}
	}
	const late = 200 * 86400
	reference := make([]dispute.Game, len(games))
	for n, g := range games {
		for rs := g.Resolvable(late); len(rs) > 0; rs = g.Resolvable(late) {
			g, _ = g.ResolveClaim(late, rs[0])
		}
		reference[n], _ = g.Resolve()
	}
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(0, len(games)-1).Draw(rt, "game")
		g := games[n]
		for rs := g.Resolvable(late); len(rs) > 0; rs = g.Resolvable(late) {
			var err error
			if g, err = g.ResolveClaim(late, rs[rapid.IntRange(0, len(rs)-1).Draw(rt, "pick")]); err != nil {
				rt.Fatal(err)
			}
		}
		g, err := g.Resolve()
		if err != nil {
			rt.Fatal(err)
		}
		if g.Status() != reference[n].Status() || !reflect.DeepEqual(g.Credits(), reference[n].Credits()) {
			rt.Fatalf("order changed the outcome: %s %v vs %s %v", g.Status(), g.Credits(), reference[n].Status(), reference[n].Credits())
		}
		var sum uint64
		for _, c := range g.Credits() {
			sum += c
		}
		if sum != g.Posted() {
			rt.Fatalf("credits %d, posted %d", sum, g.Posted())
		}
	})
}
