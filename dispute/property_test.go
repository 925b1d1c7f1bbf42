package dispute

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"pgregory.net/rapid"
)

var (
	propOnce  sync.Once
	propWorld *World
)

func sharedWorld(t testing.TB) *World {
	propOnce.Do(func() { propWorld = testWorld(t, "mlp.opml", 2, 0) })
	return propWorld
}

// TestDISPUTE_HONEST_Property: whatever scenario of the adversary library
// and seed, the game's outcome is the truth, bonds are conserved (paid out
// == posted), and per claim, for every honest party (IsHonest: "honest"
// and the two-honest scenario's "honest-2"): no honest claim counters
// another honest claim, no honest claim is countered, and every honest
// claim resolves with its bond returned to its claimant. The check is per
// claim, not net: bonds won elsewhere must not hide a countered claim.
func TestDISPUTE_HONEST_Property(t *testing.T) {
	w := sharedWorld(t)
	scen := Scenarios()
	rapid.Check(t, func(rt *rapid.T) {
		s := scen[rapid.IntRange(0, len(scen)-1).Draw(rt, "scenario")]
		seed := rapid.Uint64().Draw(rt, "seed")
		var final Game
		pc := DefaultPlay
		pc.Observe = func(g Game, _ uint64) { final = g }
		rng := newRng(seed)
		root, prop, agents, correct, err := s.Build(w, rng)
		if err != nil {
			rt.Fatal(err)
		}
		g, _ := NewGame(w.Cfg, root, prop, 0)
		_, r := Play(g, agents, pc)
		r.RootCorrect = correct
		replay := fmt.Sprintf("replay: go run ./cmd/opcity dispute simulate --adversary %s --game-seed %016x", s.Name, seed)
		if !r.Correct() || !r.Conserved {
			rt.Fatalf("%s seed %016x: status %s (root correct %v), conserved %v, %s; %s", s.Name, seed, r.Status, correct, r.Conserved, r.HonestAccount(), replay)
		}
		if r.HonestCountered != 0 || r.HonestReturned != r.HonestBonds {
			rt.Fatalf("%s seed %016x: %s; %s", s.Name, seed, r.HonestAccount(), replay)
		}
		var claims int
		var bonds uint64
		for i, c := range final.Claims() {
			if !IsHonest(c.Claimant) {
				continue
			}
			claims++
			bonds += c.Bond
			if c.Parent >= 0 && IsHonest(final.Claim(c.Parent).Claimant) {
				rt.Fatalf("%s seed %016x: %s's claim %d counters %s's claim %d; %s", s.Name, seed, c.Claimant, i, final.Claim(c.Parent).Claimant, c.Parent, replay)
			}
			if c.CounteredBy != "" {
				rt.Fatalf("%s seed %016x: %s's claim %d countered by %s; %s", s.Name, seed, c.Claimant, i, c.CounteredBy, replay)
			}
			if !c.Resolved {
				rt.Fatalf("%s seed %016x: %s's claim %d unresolved; %s", s.Name, seed, c.Claimant, i, replay)
			}
		}
		if claims != r.HonestClaims || bonds != r.HonestBonds {
			rt.Fatalf("%s seed %016x: the final game has %d honest claims (%d gwei), the result %d (%d gwei)", s.Name, seed, claims, bonds, r.HonestClaims, r.HonestBonds)
		}
	})
}

// TestDISPUTE_ILLEGAL_Property: an action the game rejects returns the
// game unchanged (deeply equal), for random actions on random game states.
func TestDISPUTE_ILLEGAL_Property(t *testing.T) {
	w := sharedWorld(t)
	hists := [][]snapshot{history(t, w, "wrong-node", 1), history(t, w, "wrong-challenge", 2), history(t, w, "flood", 3)}
	rapid.Check(t, func(rt *rapid.T) {
		h := hists[rapid.IntRange(0, len(hists)-1).Draw(rt, "history")]
		s := h[rapid.IntRange(0, len(h)-1).Draw(rt, "tick")]
		g := s.g
		i := rapid.IntRange(-1, g.Len()).Draw(rt, "claim")
		var v Hash
		copy(v[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(rt, "value"))
		disputed := v
		if i >= 0 && i < g.Len() && rapid.Bool().Draw(rt, "real disputed") {
			disputed = g.Claim(i).Value
		}
		a := Action{Kind: Kind(rapid.IntRange(0, int(ActResolve)).Draw(rt, "kind")), Party: "x", Claim: i,
			Attack: rapid.Bool().Draw(rt, "attack"), StateData: v[:],
			Move: Move{Parent: i, Disputed: disputed, Attack: rapid.Bool().Draw(rt, "move attack"), Value: v, Bond: rapid.Uint64Range(0, 1<<36).Draw(rt, "bond")}}
		if a.Kind == ActUploadPreimage || a.Kind == ActUploadTensor {
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
func checkApply(g Game, now uint64, a Action) error {
	next, err := Apply(g, now, a)
	if err != nil && !reflect.DeepEqual(next, g) {
		return fmt.Errorf("rejected %v (%v) changed the game", a.Kind, err)
	}
	if err != nil && CodeOf(err) == 0 {
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
			w := sharedWorld(t)
			fuzzHists = [][]snapshot{history(t, w, "wrong-node", 1), history(t, w, "wrong-challenge", 2), history(t, w, "flood", 3)}
		})
		h := fuzzHists[int(tick)%len(fuzzHists)]
		s := h[int(tick)%len(h)]
		var v Hash
		copy(v[:], value)
		a := Action{Kind: Kind(kind % byte(ActResolve+1)), Party: "x", Claim: int(claim), Attack: kind&0x80 != 0, StateData: value,
			Move: Move{Parent: int(claim), Disputed: v, Attack: kind&0x40 != 0, Value: v, Bond: bond}}
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
	w := sharedWorld(t)
	var games []Game
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
	reference := make([]Game, len(games))
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
		if g.Status() != reference[n].Status() || !reflect.DeepEqual(g.credit, reference[n].credit) {
			rt.Fatalf("order changed the outcome: %s %v vs %s %v", g.Status(), g.credit, reference[n].Status(), reference[n].credit)
		}
		var sum uint64
		for _, c := range g.credit {
			sum += c
		}
		if sum != g.Posted() {
			rt.Fatalf("credits %d, posted %d", sum, g.Posted())
		}
	})
}

// TestDISPUTE_SIM_Deterministic: the same seed gives the same results.
func TestDISPUTE_SIM_Deterministic(t *testing.T) {
	w := sharedWorld(t)
	for _, s := range Scenarios() {
		a, err1 := PlayScenario(w, s, 42, DefaultPlay)
		b, err2 := PlayScenario(w, s, 42, DefaultPlay)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: runs differ (%v %v)", s.Name, err1, err2)
		}
	}
}

// TestDISPUTE_SIM_Workers: a batch's results do not depend on the number
// of workers.
func TestDISPUTE_SIM_Workers(t *testing.T) {
	w := sharedWorld(t)
	o := SimOptions{Games: 24, Seed: 9, Scenarios: Scenarios(), Worlds: []*World{w}, Play: DefaultPlay, Workers: 1}
	a, err := Simulate(o)
	if err != nil {
		t.Fatal(err)
	}
	o.Workers = 3
	b, err := Simulate(o)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Results, b.Results) || !reflect.DeepEqual(a.Aggregate, b.Aggregate) {
		t.Fatal("results depend on the worker count")
	}
	if a.Aggregate.Correct != 24 {
		t.Fatalf("aggregate %+v", a.Aggregate)
	}
}
