package sim_test

import (
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
)

// TestDISPUTE_SIM_STREAM_Workers: the games played at once are capped by
// the work there is: a million workers asked for 4 games start 4 (the
// goroutines alive while the games are passed on are counted), the
// default is GOMAXPROCS, and no batch plays more than MaxWorkers at once;
// the window of results held is 4 per worker.
func TestDISPUTE_SIM_STREAM_Workers(t *testing.T) {
	for _, c := range []struct{ asked, games, want int }{
		{1_000_000, 4, 4}, {0, 1, 1}, {-5, 3, min(runtime.GOMAXPROCS(0), 3)}, {1000, 1 << 30, sim.MaxWorkers}, {2, 0, 1},
	} {
		if got := sim.Workers(c.asked, c.games); got != c.want {
			t.Errorf("Workers(%d, %d) = %d, want %d", c.asked, c.games, got, c.want)
		}
	}
	w := disputetest.SharedWorld(t)
	base := runtime.NumGoroutine()
	most := 0
	none, _ := sim.ScenarioNamed("none")
	o := sim.SimOptions{Games: 4, Seed: 1, Scenarios: []sim.Scenario{none}, Worlds: []*trace.World{w}, Play: sim.DefaultPlay, Workers: 1_000_000,
		Each: func(int, sim.Result) error { most = max(most, runtime.NumGoroutine()); return nil }}
	rep, err := sim.Simulate(o)
	if err != nil || rep.Workers != 4 || rep.Window != 16 || rep.Aggregate.Games != 4 || most > base+4+2 {
		t.Fatalf("report %+v, %d goroutines at most (%d before): %v", rep, most, base, err)
	}
}

// TestDISPUTE_SIM_STREAM_Stop: an error from Each stops the batch: it is
// Simulate's error, no game after it is passed on, and the games still
// being played are drained (Simulate returns; no goroutine is left
// waiting).
func TestDISPUTE_SIM_STREAM_Stop(t *testing.T) {
	w := disputetest.SharedWorld(t)
	none, _ := sim.ScenarioNamed("none")
	stop := errors.New("stop")
	base := runtime.NumGoroutine()
	last := -1
	o := sim.SimOptions{Games: 1000, Seed: 1, Scenarios: []sim.Scenario{none}, Worlds: []*trace.World{w}, Play: sim.DefaultPlay, Workers: 3,
		Each: func(i int, _ sim.Result) error {
			if last = i; i == 10 {
				return stop
			}
			return nil
		}}
	if _, err := sim.Simulate(o); err != stop || last != 10 {
		t.Fatalf("error %v, last game passed on %d; want the stop error at game 10", err, last)
	}
	for range 1000 {
		if runtime.NumGoroutine() <= base {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("%d goroutines after the batch stopped, %d before", runtime.NumGoroutine(), base)
}
