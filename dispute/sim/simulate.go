package sim

import (
	"encoding/binary"
	"maps"
	"runtime"
	"sync"
	"time"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/trace"
)

// MaxWorkers is the most games Simulate plays at once, whatever
// SimOptions.Workers asks for (requirement DISPUTE-SIM-STREAM).
const MaxWorkers = 256

// windowPerWorker sets the reorder window: at most windowPerWorker ×
// workers games are being played or wait, played, for an earlier one.
const windowPerWorker = 4

// SimOptions selects a batch of simulated games.
type SimOptions struct {
	Games     int
	Seed      uint64
	Scenarios []Scenario     // game i plays Scenarios[i mod len]
	Worlds    []*trace.World // game i is played on Worlds[(i / len(Scenarios)) mod len]
	Play      PlayConfig
	Workers   int // 0: GOMAXPROCS; Simulate uses Workers(Workers, Games)
	// Each, when set, receives every game's result in game order, on
	// Simulate's goroutine, as soon as the games before it have been
	// passed on; an error it returns stops the batch and is Simulate's.
	Each func(i int, r Result) error
}

// Report is a batch's aggregate and throughput. It holds no per-game
// result: those go to SimOptions.Each as the games complete.
type Report struct {
	Aggregate Aggregate
	Seconds   float64
	// GamesPerSecond and ClaimsPerSecond measure the simulator itself
	// (wall clock, all workers); PeakHeapBytes is the largest live heap
	// seen after a game (runtime.MemStats.HeapAlloc).
	GamesPerSecond, ClaimsPerSecond float64
	PeakHeapBytes                   uint64
	// Workers is the number of games played at once and Window the most
	// games played or waiting to be passed on at any time (the results
	// held in memory): windowPerWorker × Workers.
	Workers, Window int
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

// Workers returns the number of games a batch of games plays at once when
// asked for workers (0: GOMAXPROCS): at least 1, at most the games and
// MaxWorkers.
func Workers(workers, games int) int {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return max(1, min(workers, games, MaxWorkers))
}

// played is one game's outcome on its way from a worker to the collector.
type played struct {
	i   int
	r   Result
	err error
}

// Simulate plays the batch (requirements DISPUTE-SIM, DISPUTE-SIM-STREAM).
// Results are passed to o.Each in game order and depend only on the
// options, not on the number of workers; the memory Simulate holds does
// not grow with o.Games: a game is handed to a worker only when fewer
// than Report.Window games are being played or wait for an earlier one.
// The error is the first game's (in game order) that failed, or Each's.
func Simulate(o SimOptions) (Report, error) {
	start := time.Now()
	rep := Report{Workers: Workers(o.Workers, o.Games)}
	rep.Window = windowPerWorker * rep.Workers
	tokens := make(chan struct{}, rep.Window)
	for range rep.Window {
		tokens <- struct{}{}
	}
	next, done, out := make(chan int), make(chan struct{}), make(chan played, rep.Workers)
	go dispatch(max(o.Games, 0), tokens, next, done)
	var heap heapPeak
	var wg sync.WaitGroup
	for range rep.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r, err := o.play(i)
				out <- played{i, r, err}
				if i%16 == 0 {
					heap.sample()
				}
			}
		}()
	}
	go func() { wg.Wait(); close(out) }()
	sum, claims, err := o.collect(out, tokens, done, rep.Window)
	if err != nil {
		return Report{}, err
	}
	heap.sample()
	rep.Aggregate, rep.Seconds, rep.PeakHeapBytes = sum.Aggregate(), time.Since(start).Seconds(), heap.peak
	if rep.Seconds > 0 {
		rep.GamesPerSecond = float64(rep.Aggregate.Games) / rep.Seconds
		rep.ClaimsPerSecond = float64(claims) / rep.Seconds
	}
	return rep, nil
}

// play plays game i of the batch.
func (o SimOptions) play(i int) (Result, error) {
	s := o.Scenarios[i%len(o.Scenarios)]
	w := o.Worlds[(i/len(o.Scenarios))%len(o.Worlds)]
	return PlayScenario(w, s, GameSeed(o.Seed, i), o.Play)
}

// dispatch sends the game numbers 0..games-1 to next, each once it holds
// one of the window's tokens, until done is closed; then it closes next.
func dispatch(games int, tokens <-chan struct{}, next chan<- int, done <-chan struct{}) {
	defer close(next)
	for i := range games {
		select {
		case <-tokens:
		case <-done:
			return
		}
		select {
		case next <- i:
		case <-done:
			return
		}
	}
}

// collect receives the played games, puts them back in game order in a
// ring of window slots, and passes each on in order (to the summary and
// o.Each), returning its token. On the first error it closes done and
// drains out. A game i is dispatched only while i < passed + window, so
// its slot i mod window is free.
func (o SimOptions) collect(out <-chan played, tokens chan<- struct{}, done chan<- struct{}, window int) (*Summary, int, error) {
	ring, have := make([]played, window), make([]bool, window)
	sum := NewSummary(o.Play.GasPrice)
	passed, claims := 0, 0
	var firstErr error
	for p := range out {
		if firstErr != nil {
			continue
		}
		ring[p.i%window], have[p.i%window] = p, true
		for slot := passed % window; have[slot] && firstErr == nil; slot = passed % window {
			q := ring[slot]
			ring[slot], have[slot] = played{}, false
			if firstErr = q.err; firstErr == nil && o.Each != nil {
				firstErr = o.Each(q.i, q.r)
			}
			if firstErr != nil {
				close(done)
				break
			}
			sum.Add(q.r)
			claims += q.r.Claims
			passed++
			tokens <- struct{}{}
		}
	}
	return sum, claims, firstErr
}

// heapPeak is the largest live heap sampled.
type heapPeak struct {
	mu   sync.Mutex
	peak uint64
}

func (h *heapPeak) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h.mu.Lock()
	h.peak = max(h.peak, ms.HeapAlloc)
	h.mu.Unlock()
}

// Summary accumulates the Aggregate of results added one by one, in
// memory that does not grow with their number (a map of rejection codes
// aside, bounded by the codes). The aggregate depends on the order of the
// results (sums of floating-point means; the worst game is the first with
// the most honest claims countered); Simulate adds them in game order.
type Summary struct {
	a        Aggregate
	t        totals
	gasPrice uint64
}

// NewSummary returns an empty summary at a gas price (gwei per gas).
func NewSummary(gasPrice uint64) *Summary {
	return &Summary{a: Aggregate{Rejected: map[string]int{}, WorstGameScenario: "none"}, gasPrice: gasPrice}
}

// Add accumulates one result.
func (s *Summary) Add(r Result) { s.a.add(r, s.gasPrice, &s.t) }

// Aggregate returns the aggregate of the results added so far.
func (s *Summary) Aggregate() Aggregate {
	a := s.a
	a.Rejected = maps.Clone(s.a.Rejected)
	a.finish(s.t)
	return a
}
