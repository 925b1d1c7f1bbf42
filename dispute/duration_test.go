package dispute_test

import (
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/sim"
	"pgregory.net/rapid"
)

// documentedExtensions returns Σ_{k=1..depth} ext(k) with ext as
// docs/dispute.md §6 writes the rule: StepExtension for a move to
// MaxDepth−1, PhaseExtension for a move to Split1−1 or Split2−1,
// ClockExtension otherwise. It counts the depths of each kind in 1..depth
// (the three special depths are distinct: Validate has Split1 < Split2 <
// MaxDepth−1; Split1−1 is 0, outside the range, when Split1 = 1) instead
// of calling Config.Extension, so a fault in the code's rule shows as a
// difference.
func documentedExtensions(cfg *dispute.Config, depth int) uint64 {
	var step, phase uint64
	if cfg.MaxDepth-1 <= depth {
		step = 1
	}
	for _, d := range []int{cfg.Split1 - 1, cfg.Split2 - 1} {
		if d >= 1 && d <= depth {
			phase++
		}
	}
	clock := uint64(depth) - step - phase
	return clock*cfg.ClockExtension + phase*cfg.PhaseExtension + step*cfg.StepExtension
}

// documentedMaxDuration is docs/dispute.md §6.1's bound 2·MaxClock +
// Σ_{d=1..MaxDepth} ext(d), computed by documentedExtensions.
func documentedMaxDuration(cfg *dispute.Config) uint64 {
	return 2*cfg.MaxClock + documentedExtensions(cfg, cfg.MaxDepth)
}

// TestDISPUTE_DURATION_Bound: for every scenario of the adversary library,
// any seed and clocks drawn at random (MaxClock 1–7 days, extensions from
// one tick up to MaxClock/2), Config.MaxDuration is the bound of
// docs/dispute.md §6.1 computed independently (documentedMaxDuration),
// every move stores the duration the bound's recurrence says (the clamp
// to MaxClock − ext(depth) by the documented rule), every claim's
// challenger clock expires within 2·MaxClock plus the
// extensions of the moves on its branch (one per depth 1..its depth), and
// the game resolves within that bound plus one tick of the simulator's
// resolution latency. With the bundled clocks the bound is the hand
// computed 1,069,200 s.
func TestDISPUTE_DURATION_Bound(t *testing.T) {
	w := disputetest.SharedWorld(t)
	// The simulator's MLP geometry (Split1 2, Split2 5, MaxDepth 33) with
	// DefaultClocks: the moves to depths 1 and 4 (Split1−1, Split2−1) get
	// the phase extension, the move to 32 (MaxDepth−1) the step extension,
	// the other 30 the clock extension:
	// 2·302,400 + 97,200 + 2·21,600 + 30·10,800 = 604,800 + 97,200 + 43,200
	// + 324,000 = 1,069,200 s (12.375 days, docs/dispute.md §6.1).
	const bundledBound = 1069200
	if c := w.Cfg; c.Split1 != 2 || c.Split2 != 5 || c.MaxDepth != 33 || c.MaxClock != 302400 || c.ClockExtension != 10800 || c.PhaseExtension != 21600 || c.StepExtension != 97200 {
		t.Fatalf("the shared world's geometry %d/%d/%d and clocks %d/%d/%d/%d are not the ones bundledBound was computed for", c.Split1, c.Split2, c.MaxDepth, c.MaxClock, c.ClockExtension, c.PhaseExtension, c.StepExtension)
	}
	if got, doc := w.Cfg.MaxDuration(), documentedMaxDuration(w.Cfg); got != bundledBound || doc != bundledBound {
		t.Fatalf("bundled config: MaxDuration %d s, the documented rule %d s, by hand %d s", got, doc, bundledBound)
	}
	scen := sim.Scenarios()
	rapid.Check(t, func(rt *rapid.T) {
		s := scen[rapid.IntRange(0, len(scen)-1).Draw(rt, "scenario")]
		seed := rapid.Uint64().Draw(rt, "seed")
		cw := *w
		cfg := *w.Cfg
		if rapid.Bool().Draw(rt, "random clocks") {
			const tick = 3600
			cfg.MaxClock = tick * rapid.Uint64Range(24, 7*24).Draw(rt, "max clock hours")
			ext := func(name string) uint64 { return tick * rapid.Uint64Range(1, cfg.MaxClock/2/tick).Draw(rt, name) }
			cfg.ClockExtension, cfg.PhaseExtension, cfg.StepExtension = ext("clock ext"), ext("phase ext"), ext("step ext")
		}
		if err := cfg.Validate(); err != nil {
			rt.Fatal(err)
		}
		cw.Cfg = &cfg
		var final dispute.Game
		bound := documentedMaxDuration(&cfg)
		pc := sim.DefaultPlay
		pc.Observe = func(g dispute.Game, _ uint64) { final = g }
		// The simulator gives up at its deadline (60 days by default);
		// random clocks can bound a game beyond it, and the law is about
		// the game, not the simulator's patience.
		pc.Deadline = max(pc.Deadline, bound+2*pc.Tick)
		g, agents, _, err := sim.StartScenario(&cw, s, seed)
		if err != nil {
			rt.Fatal(err)
		}
		_, r := sim.Play(g, agents, pc)
		if got := cfg.MaxDuration(); got != bound {
			rt.Fatalf("MaxDuration %d s, the documented rule %d s (depths %d/%d/%d, MaxClock %d, ext %d/%d/%d)",
				got, bound, cfg.Split1, cfg.Split2, cfg.MaxDepth, cfg.MaxClock, cfg.ClockExtension, cfg.PhaseExtension, cfg.StepExtension)
		}
		if r.Status == dispute.InProgress || r.Resolved > bound+pc.Tick {
			rt.Fatalf("%s seed %d: resolved %v after %d s, bound %d s + tick (MaxClock %d, ext %d/%d/%d)",
				s.Name, seed, r.Status, r.Resolved, bound, cfg.MaxClock, cfg.ClockExtension, cfg.PhaseExtension, cfg.StepExtension)
		}
		for i, c := range final.Claims() {
			var parentDur uint64
			if c.Parent >= 0 {
				parentDur = final.Claim(c.Parent).Clock.Duration
			}
			k := c.Position.Depth()
			if c.Parent >= 0 {
				// The bound's premise (docs/dispute.md §6.1): the move to
				// depth k stores u_k = min(u_{k−2} + t_k − t_{k−1},
				// MaxClock − ext(k)), u_{−1} = 0.
				var grand uint64
				if p := final.Claim(c.Parent); p.Parent >= 0 {
					grand = final.Claim(p.Parent).Clock.Duration
				}
				ext := documentedExtensions(&cfg, k) - documentedExtensions(&cfg, k-1)
				if want := min(grand+c.Clock.Timestamp-final.Claim(c.Parent).Clock.Timestamp, cfg.MaxClock-ext); c.Clock.Duration != want {
					rt.Fatalf("%s seed %d: claim %d (depth %d) stores duration %d s, the documented rule %d s", s.Name, seed, i, k, c.Clock.Duration, want)
				}
			}
			exts := documentedExtensions(&cfg, k)
			if expiry := c.Clock.Timestamp + cfg.MaxClock - parentDur; expiry > 2*cfg.MaxClock+exts {
				rt.Fatalf("%s seed %d: claim %d (depth %d) expires at %d s, branch bound %d s", s.Name, seed, i, k, expiry, 2*cfg.MaxClock+exts)
			}
		}
	})
}

// TestDISPUTE_DURATION_Geometries: over random valid geometries (Split1
// from 1, so Split1−1 = 0 is covered, up to MaxDepth 61) and clocks,
// Config.MaxDuration equals the bound of docs/dispute.md §6.1 computed
// from the written rule (documentedMaxDuration), and the per-depth rule
// itself matches: documentedExtensions(d) − documentedExtensions(d−1) is
// Config.Extension(d) at every depth 1..MaxDepth.
func TestDISPUTE_DURATION_Geometries(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		cfg := &dispute.Config{BaseFee: 200, BaseGas: 400000, HighGas: 300000000}
		cfg.Split1 = rapid.IntRange(1, 20).Draw(rt, "split1")
		cfg.Split2 = rapid.IntRange(cfg.Split1+1, 40).Draw(rt, "split2")
		cfg.MaxDepth = rapid.IntRange(cfg.Split2+2, 61).Draw(rt, "max depth")
		cfg.MaxClock = rapid.Uint64Range(2, 1<<40).Draw(rt, "max clock")
		ext := func(name string) uint64 { return rapid.Uint64Range(0, cfg.MaxClock/2).Draw(rt, name) }
		cfg.ClockExtension, cfg.PhaseExtension, cfg.StepExtension = ext("clock ext"), ext("phase ext"), ext("step ext")
		if err := cfg.Validate(); err != nil {
			rt.Fatal(err)
		}
		if got, want := cfg.MaxDuration(), documentedMaxDuration(cfg); got != want {
			rt.Fatalf("MaxDuration %d s, the documented rule %d s", got, want)
		}
		for d := 1; d <= cfg.MaxDepth; d++ {
			if got, want := cfg.Extension(d), documentedExtensions(cfg, d)-documentedExtensions(cfg, d-1); got != want {
				rt.Fatalf("depth %d: Extension %d s, the documented rule %d s", d, got, want)
			}
		}
	})
}
