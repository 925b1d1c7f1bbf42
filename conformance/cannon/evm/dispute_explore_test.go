package evm

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
)

// exhaustiveEVM selects the exhaustive checker's whole CI-sized run
// (make check-dispute-evm); without it the test replays the smallest
// geometry.
var exhaustiveEVM = flag.Bool("evm.dispute-exhaustive", false, "replay every search of the exhaustive checker's CI run against the contract (make check-dispute-evm)")

// exhaustiveCases returns the searches to replay: the CI run's
// (disputetest.ExploreCases(false)) with the flag, else those on its
// smallest geometry (2 blocks, 2 nodes, 4 VM steps) with the lie in the
// last block (at either node), both roots: 4 searches, about 20,000
// states, under a minute.
func exhaustiveCases() []disputetest.ExploreCase {
	cases := disputetest.ExploreCases(false)
	if *exhaustiveEVM {
		return cases
	}
	var out []disputetest.ExploreCase
	for _, c := range cases {
		if c.Geo == cases[0].Geo && c.Block == 1<<c.Geo.Blocks-1 {
			out = append(out, c)
		}
	}
	return out
}

// TestEVM_DISPUTE_EXHAUSTIVE: every sequence of the exhaustive checker's
// searches replayed against OPcityDisputeGame.sol in the EVM: the same
// accept or reject (Code) for every adversary action tried and every
// honest answer, the same full state (claims, clocks, counters, status,
// credits) at every state the search reaches, and at every leaf the
// honest completion replayed on chain to the same resolution and credits,
// each paid through the vault. The search's own figures must be the ones
// it has without the replay.
func TestEVM_DISPUTE_EXHAUSTIVE(t *testing.T) {
	cases := exhaustiveCases()
	start := time.Now()
	worlds := map[disputetest.TinyGeometry]*trace.World{}
	for _, c := range cases {
		if worlds[c.Geo] == nil {
			worlds[c.Geo] = disputetest.TinyWorld(t, c.Geo)
		}
	}
	var mu sync.Mutex
	var sum ExploreReplay
	sum.Rejected = map[dispute.Code]int{}
	work := make(chan disputetest.ExploreCase)
	var wg sync.WaitGroup
	for range 2 {
		h, err := New()
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				cs := time.Now()
				o := c.Options()
				want, err := c.Explorer(t, worlds[c.Geo]).Explore(o)
				if err != nil {
					t.Errorf("%v: %v", c, err)
					continue
				}
				r, err := ReplayExplore(h, c.Explorer(t, worlds[c.Geo]), o, ExploreReplayOptions{})
				mu.Lock()
				reportExplore(t, c, r, err)
				switch {
				case err != nil:
				case r.Search != want:
					t.Errorf("%v: the search under the replay %+v, alone %+v", c, r.Search, want)
				case r.Accepted != want.Transitions || r.Visits != want.Transitions+1 || r.Completions == 0:
					t.Errorf("%v: replayed %d accepted edges, %d visits, %d completions; the search has %d transitions", c, r.Accepted, r.Visits, r.Completions, want.Transitions)
				}
				addReplay(&sum, r)
				t.Logf("%v: %d states, %d visits, %d edges (%d accepted), %d actions sent, %d completions, %d restores, %.1f s",
					c, r.Search.States, r.Visits, r.Edges, r.Accepted, r.Actions, r.Completions, r.Restores, time.Since(cs).Seconds())
				mu.Unlock()
			}
		}()
	}
	for _, c := range cases {
		work <- c
	}
	close(work)
	wg.Wait()
	codes := slices.Sorted(maps.Keys(sum.Rejected))
	var rejected []string
	for _, code := range codes {
		rejected = append(rejected, fmt.Sprintf("%v %d", code, sum.Rejected[code]))
	}
	fmt.Printf("exhaustive checker against the contract: %d searches, %d distinct states, %d transitions; %d states compared, %d edges tried, %d actions replayed (rejected by code: %v), %d honest completions paid out, %d restores; %.0f s; differences: %d\n",
		len(cases), sum.Search.States, sum.Search.Transitions, sum.Visits, sum.Edges, sum.Actions, rejected, sum.Completions, sum.Restores, time.Since(start).Seconds(), failures(t))
}

// failures is 0 for a test that has not failed, else 1 (the replay stops
// at a search's first difference).
func failures(t *testing.T) int {
	if t.Failed() {
		return 1
	}
	return 0
}

func addReplay(sum *ExploreReplay, r ExploreReplay) {
	sum.Search.States += r.Search.States
	sum.Search.Transitions += r.Search.Transitions
	sum.Visits += r.Visits
	sum.Edges += r.Edges
	sum.Accepted += r.Accepted
	sum.Actions += r.Actions
	sum.Completions += r.Completions
	sum.Restores += r.Restores
	for code, n := range r.Rejected {
		sum.Rejected[code] += n
	}
}

// reportExplore fails t with the difference and the command that replays it.
func reportExplore(t *testing.T, c disputetest.ExploreCase, r ExploreReplay, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var m *ExploreMismatch
	kind := "error"
	if errors.As(err, &m) {
		kind = "DIFFERENCE"
	}
	t.Errorf("%v: %s after %d states, %d actions: %v\nreplay: cd conformance/cannon && go test ./evm -run 'TestEVM_DISPUTE_EXHAUSTIVE$' -evm.dispute-exhaustive -v", c, kind, r.Search.States, r.Actions, err)
}

// TestEVM_DISPUTE_EXHAUSTIVE_FindsPlanted: the replay can fail. A fault
// planted on the contract's side only, on the smallest search, is flagged
// as an *ExploreMismatch: the adversary's first move sent with
// another value (the Go rules keep the original), and a game type whose
// clock extension is one second longer than the Go rules'.
func TestEVM_DISPUTE_EXHAUSTIVE_FindsPlanted(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	c := disputetest.ExploreCases(false)[0]
	w := disputetest.TinyWorld(t, c.Geo)
	mutated := false
	mutate := func(a dispute.Action) dispute.Action {
		if !mutated && a.Kind == dispute.ActMove && a.Party == sim.Adversary {
			mutated = true
			a.Move.Value[1] ^= 1
		}
		return a
	}
	for _, tc := range []struct {
		name string
		ro   ExploreReplayOptions
	}{
		{"the first adversary move's value changed on chain", ExploreReplayOptions{Mutate: mutate}},
		{"clock extension + 1 s", ExploreReplayOptions{TweakType: func(t *abiGameType) { t.ClockExtension++ }}},
	} {
		_, err := ReplayExplore(h, c.Explorer(t, w), c.Options(), tc.ro)
		var m *ExploreMismatch
		if !errors.As(err, &m) {
			t.Fatalf("%s: not flagged: %v", tc.name, err)
		}
		t.Logf("%s: flagged: %v", tc.name, m)
	}
	if !mutated {
		t.Fatal("no adversary move was mutated")
	}
}
