package play

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
)

const mnistData = "../../models/mnist"

// quartilesOfSorted is the reference the dists are held to: every value
// kept, sorted, the quartile of rank round(q·(n−1)), the mean summed in
// ascending order (what the batch computed before it streamed).
func quartilesOfSorted(v []float64) Quartiles {
	if len(v) == 0 {
		return Quartiles{}
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	at := func(q float64) float64 { return s[int(q*float64(len(s)-1)+0.5)] }
	var sum float64
	for _, x := range s {
		sum += x
	}
	return Quartiles{Min: s[0], Q1: at(0.25), Median: at(0.5), Q3: at(0.75), Max: s[len(s)-1], Mean: sum / float64(len(s))}
}

// TestDISPUTE_SIM_STREAM_QuartilesExact: while a figure has at most
// distCap distinct values, its dist gives exactly (bit for bit) the
// Quartiles and mean of all values kept and sorted, for any count and
// order of values; it holds one entry per distinct value.
func TestDISPUTE_SIM_STREAM_QuartilesExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		n := 1 + rng.IntN(3000)
		distinct := 1 + rng.IntN(distCap)
		pool := make([]float64, distinct)
		for i := range pool {
			pool[i] = float64(rng.Uint64N(1<<40)) / []float64{1, 86400, 1e9, 3}[trial%4]
		}
		d := newDist()
		var all []float64
		for range n {
			x := pool[rng.IntN(distinct)]
			all = append(all, x)
			d.add(x)
		}
		if got, want := d.Quartiles(), quartilesOfSorted(all); got != want || len(d.buckets) > distinct {
			t.Fatalf("trial %d (%d values, %d distinct): dist %+v (%d buckets), sorted %+v", trial, n, distinct, got, len(d.buckets), want)
		}
	}
	if (newDist()).Quartiles() != (Quartiles{}) {
		t.Fatal("an empty dist has Quartiles")
	}
}

// TestDISPUTE_SIM_STREAM_QuartilesCoarse: beyond distCap distinct values
// a dist holds at most distCap entries, min and max stay exact, each
// quartile is the exact one rounded toward zero within RelErr (at most
// 2^-8 for 20,000 exponentially distributed values), and the mean is
// within float rounding.
func TestDISPUTE_SIM_STREAM_QuartilesCoarse(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 20 {
		d := newDist()
		var all []float64
		for range 20_000 {
			x := rng.ExpFloat64() * math.Pow(10, float64(trial%12))
			all = append(all, x)
			d.add(x)
		}
		got, want := d.Quartiles(), quartilesOfSorted(all)
		t.Logf("trial %d: %d buckets, relative error %v", trial, len(d.buckets), got.RelErr)
		if len(d.buckets) > distCap || got.RelErr == 0 || got.RelErr > 1.0/256 || got.Min != want.Min || got.Max != want.Max {
			t.Fatalf("trial %d: %d buckets, %+v, want %+v", trial, len(d.buckets), got, want)
		}
		for _, p := range [][2]float64{{got.Q1, want.Q1}, {got.Median, want.Median}, {got.Q3, want.Q3}} {
			if p[0] > p[1] || p[0] < p[1]*(1-got.RelErr) {
				t.Fatalf("trial %d: quartile %v, exact %v, relative error %v", trial, p[0], p[1], got.RelErr)
			}
		}
		if math.Abs(got.Mean-want.Mean) > 1e-9*want.Mean {
			t.Fatalf("trial %d: mean %v, exact %v", trial, got.Mean, want.Mean)
		}
	}
}

// TestDISPUTE_SIM_STREAM_Outputs: the streamed outputs are the bytes of
// the whole ones: the games.json and games.csv BatchFiles writes are
// json.Marshal of all records and gamesCSV of them, and GameSpool's
// object is the indented encoding of the Output holding them; Commit
// writes every file of the folder and leaves no temporary one.
func TestDISPUTE_SIM_STREAM_Outputs(t *testing.T) {
	o := defaults
	o.Games, o.Data, o.Adversaries = 40, mnistData, "all"
	dir := t.TempDir()
	files, err := CreateBatchFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	spool, err := NewGameSpool()
	if err != nil {
		t.Fatal(err)
	}
	defer spool.Close()
	var games []Game
	out, err := RunBatch(o, "test", func(g Game) error {
		games = append(games, g)
		if err := files.Add(g); err != nil {
			return err
		}
		return spool.Add(g)
	})
	if err != nil || len(games) != 40 || files.Commit(out) != nil {
		t.Fatalf("%d games: %v", len(games), err)
	}
	var streamed, whole bytes.Buffer
	if err := spool.WriteOutput(&streamed, out); err != nil {
		t.Fatal(err)
	}
	out.GameResults = games
	enc := json.NewEncoder(&whole)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
	if streamed.String() != whole.String() {
		t.Fatalf("--json streamed differs from the whole encoding:\n%s\nvs\n%s", streamed.String(), whole.String())
	}
	gj, _ := json.Marshal(games)
	for name, want := range map[string][]byte{"games.json": append(gj, '\n'), "games.csv": wholeGamesCSV(games)} {
		if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: streamed file differs from the whole one (%v)", name, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 7 {
		t.Fatalf("the folder holds %v, want the 7 files and no temporary one", names)
	}
}

// wholeGamesCSV is games.csv written at once.
func wholeGamesCSV(games []Game) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(gamesCSVHeader)
	for _, g := range games {
		w.Write(gameCSVRow(g))
	}
	w.Flush()
	return b.Bytes()
}

// TestDISPUTE_SIM_STREAM_Memory: the memory a batch holds does not grow
// with its games. RunBatch plays 2,000 and then 20,000 games of the
// cheapest class, each written to an --out folder and a --json spool as
// in `opcity simulate`, and the live heap (after a collection, sampled ten
// times during each batch) of the large batch is within 2 MiB of the small
// one's: under 120 bytes per extra game, less than one kept result (a
// sim.Result with its five maps, and its Game record) takes.
func TestDISPUTE_SIM_STREAM_Memory(t *testing.T) {
	o := defaults
	o.Data, o.Adversaries, o.BlocksLog2, o.Workers = mnistData, "none", 1, 2
	peak := func(games int) uint64 {
		o.Games = games
		files, err := CreateBatchFiles(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		spool, err := NewGameSpool()
		if err != nil {
			t.Fatal(err)
		}
		defer spool.Close()
		var peak uint64
		n := 0
		out, err := RunBatch(o, "test", func(g Game) error {
			if n++; n%(games/10) == 0 {
				peak = max(peak, liveHeap())
			}
			if err := files.Add(g); err != nil {
				return err
			}
			return spool.Add(g)
		})
		if err != nil || n != games || out.Aggregate.Games != games || files.Commit(out) != nil || spool.WriteOutput(io.Discard, out) != nil {
			t.Fatalf("%d games: %d passed on, aggregate of %d: %v", games, n, out.Aggregate.Games, err)
		}
		return peak
	}
	small, large := peak(2_000), peak(20_000)
	t.Logf("peak live heap: %.2f MiB for 2,000 games, %.2f MiB for 20,000", float64(small)/(1<<20), float64(large)/(1<<20))
	if large > small+2<<20 {
		t.Fatalf("peak live heap %d bytes for 20,000 games, %d for 2,000: memory grows with the games", large, small)
	}
}

// liveHeap returns the live heap after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestDISPUTE_SIM_STREAM_FolderWhole: while a batch runs, and after it is
// aborted, the --out folder keeps the previous batch's files, whole, and
// no temporary file is left; Commit replaces them all, aggregate.json
// last.
func TestDISPUTE_SIM_STREAM_FolderWhole(t *testing.T) {
	dir := t.TempDir()
	old := map[string]string{"games.json": "[old]\n", "games.csv": "old\n", "aggregate.json": "{}\n"}
	for name, content := range old {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	unchanged := func(when string) {
		for name, content := range old {
			if got, _ := os.ReadFile(filepath.Join(dir, name)); string(got) != content {
				t.Fatalf("%s: %s holds %q, want the old %q", when, name, got, content)
			}
		}
	}
	f, err := CreateBatchFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		if err := f.Add(Game{Game: i, Scenario: "none"}); err != nil {
			t.Fatal(err)
		}
	}
	unchanged("during the batch")
	f.Abort()
	unchanged("after Abort")
	if names, _ := filepath.Glob(filepath.Join(dir, ".*")); len(names) != 0 {
		t.Fatalf("temporary files left behind: %v", names)
	}
	f, _ = CreateBatchFiles(dir)
	f.Add(Game{Game: 0, Scenario: "none"})
	if err := f.Commit(Output{Games: 1}); err != nil {
		t.Fatal(err)
	}
	var games []Game
	raw, _ := os.ReadFile(filepath.Join(dir, "games.json"))
	agg, _ := os.ReadFile(filepath.Join(dir, "aggregate.json"))
	if json.Unmarshal(raw, &games) != nil || len(games) != 1 || !bytes.Contains(agg, []byte(`"games": 1`)) {
		t.Fatalf("after Commit: games.json %q, aggregate.json %q", raw, agg)
	}
}
