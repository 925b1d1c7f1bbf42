package dispute_test

import (
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/internal/disputetest"
	"github.com/opcity-spec/opcity/dispute/sim"
	"pgregory.net/rapid"
)

// TestDISPUTE_DURATION_Bound: for every scenario of the adversary library,
// any seed and clocks drawn at random (MaxClock 1–7 days, extensions from
// one tick up to MaxClock/2), every claim's challenger clock expires within
// 2·MaxClock plus the extensions of the moves on its branch, so the game
// resolves within Config.MaxDuration plus one tick of the simulator's
// resolution latency.
func TestDISPUTE_DURATION_Bound(t *testing.T) {
	w := disputetest.SharedWorld(t)
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
		pc := sim.DefaultPlay
		pc.Observe = func(g dispute.Game, _ uint64) { final = g }
		g, agents, _, err := sim.StartScenario(&cw, s, seed)
		if err != nil {
			rt.Fatal(err)
		}
		_, r := sim.Play(g, agents, pc)
		bound := cfg.MaxDuration()
		if r.Status == dispute.InProgress || r.Resolved > bound+pc.Tick {
			rt.Fatalf("%s seed %d: resolved %v after %d s, bound %d s + tick (MaxClock %d, ext %d/%d/%d)",
				s.Name, seed, r.Status, r.Resolved, bound, cfg.MaxClock, cfg.ClockExtension, cfg.PhaseExtension, cfg.StepExtension)
		}
		for i, c := range final.Claims() {
			var parentDur, exts uint64
			if c.Parent >= 0 {
				parentDur = final.Claim(c.Parent).Clock.Duration
			}
			for a := i; a > 0; a = final.Claim(a).Parent {
				exts += cfg.Extension(final.Claim(a).Position.Depth())
			}
			if expiry := c.Clock.Timestamp + cfg.MaxClock - parentDur; expiry > 2*cfg.MaxClock+exts {
				rt.Fatalf("%s seed %d: claim %d (depth %d) expires at %d s, branch bound %d s", s.Name, seed, i, c.Position.Depth(), expiry, 2*cfg.MaxClock+exts)
			}
		}
	})
}
