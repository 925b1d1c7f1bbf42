package sim

import (
	"encoding/binary"
	"runtime"
	"sync"
	"time"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/trace"
)

// SimOptions selects a batch of simulated games.
type SimOptions struct {
	Games     int
	Seed      uint64
	Scenarios []Scenario     // game i plays Scenarios[i mod len]
	Worlds    []*trace.World // game i is played on Worlds[(i / len(Scenarios)) mod len]
	Play      PlayConfig
	Workers   int // 0: GOMAXPROCS
}

// Report is a batch's results, aggregate and throughput.
type Report struct {
	Results   []Result
	Aggregate Aggregate
	Seconds   float64
	// GamesPerSecond and ClaimsPerSecond measure the simulator itself
	// (wall clock, all workers); PeakHeapBytes is the largest live heap
	// seen after a game (runtime.MemStats.HeapAlloc).
	GamesPerSecond, ClaimsPerSecond float64
	PeakHeapBytes                   uint64
}

// GameSeed returns the seed of game i of a batch: the first 8 bytes of
// keccak256(seed ‖ i), big-endian.
func GameSeed(seed uint64, i int) uint64 {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], seed)
	binary.BigEndian.PutUint64(b[8:], uint64(i))
	h := dispute.Keccak(b[:])
	return binary.BigEndian.Uint64(h[:8])
}

// Simulate plays the batch (requirement DISPUTE-SIM). Results are in game
// order and depend only on the options, not on the number of workers.
func Simulate(o SimOptions) (Report, error) {
	start := time.Now()
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	res := make([]Result, o.Games)
	errs := make([]error, o.Games)
	var wg sync.WaitGroup
	var heapMu sync.Mutex
	var peak uint64
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heapMu.Lock()
		peak = max(peak, ms.HeapAlloc)
		heapMu.Unlock()
	}
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				s := o.Scenarios[i%len(o.Scenarios)]
				w := o.Worlds[(i/len(o.Scenarios))%len(o.Worlds)]
				res[i], errs[i] = PlayScenario(w, s, GameSeed(o.Seed, i), o.Play)
				if i%16 == 0 {
					sample()
				}
			}
		}()
	}
	for i := range o.Games {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return Report{}, err
		}
	}
	sample()
	r := Report{Results: res, Aggregate: Summarize(res, o.Play.GasPrice), Seconds: time.Since(start).Seconds(), PeakHeapBytes: peak}
	var claims int
	for _, x := range res {
		claims += x.Claims
	}
	if r.Seconds > 0 {
		r.GamesPerSecond = float64(o.Games) / r.Seconds
		r.ClaimsPerSecond = float64(claims) / r.Seconds
	}
	return r, nil
}
