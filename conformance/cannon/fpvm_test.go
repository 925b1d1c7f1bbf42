package cannon

import (
	"bytes"
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum-optimism/optimism/cannon/mipsevm/arch"
	cannonmemory "github.com/ethereum-optimism/optimism/cannon/mipsevm/memory"
	"github.com/ethereum-optimism/optimism/cannon/mipsevm/multithreaded"
	cannonprogram "github.com/ethereum-optimism/optimism/cannon/mipsevm/program"

	"github.com/opcity-spec/opcity/conformance/cannon/internal/cannonvm"
	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/program"
	"github.com/opcity-spec/opcity/spec/transition"
)

// heavyExamples are the benchmark workloads of at least 50 million steps.
var heavyExamples = []string{"bench50", "mix"}

// TestConformance_CONF_CANNON_FPVM runs every example (and the heavy
// benchmark workloads) in fpvm and in Cannon side by side: the initial
// state, the state hash at every step up to -cannon.every-step, then every
// -cannon.checkpoint steps (fpvm's Run), and the final step count, exit code
// and hash must agree.
func TestConformance_CONF_CANNON_FPVM(t *testing.T) {
	dir := t.TempDir()
	type program struct{ name, preimages string }
	progs := make([]program, 0, len(examples)+len(heavyExamples))
	for _, ex := range examples {
		progs = append(progs, program{ex.name, ex.preimages})
	}
	for _, name := range heavyExamples {
		progs = append(progs, program{name, ""})
	}
	var total, checkpoints uint64
	var mu sync.Mutex
	t.Cleanup(func() {
		if !t.Failed() {
			t.Logf("compared %d programs: %d steps, %d state-hash checkpoints, 0 mismatches", len(progs), total, checkpoints)
		}
	})
	for _, p := range progs {
		if *programFilter != "" && !strings.Contains(","+*programFilter+",", ","+p.name+",") {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			path := buildExample(t, p.name, dir)
			n, c := runFPVMLockstep(t, path, readPreimages(t, p.preimages))
			mu.Lock()
			total, checkpoints = total+n, checkpoints+c
			mu.Unlock()
		})
	}
}

// runFPVMLockstep steps fpvm and Cannon to the end, comparing at every
// checkpoint the state hash, the hints delivered since the last one and
// LastHint, and returns the steps and checkpoints compared.
func runFPVMLockstep(t *testing.T, path string, po preimages) (uint64, uint64) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := program.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	vm, err := fpvm.FromState(s)
	if err != nil {
		t.Fatal(err)
	}
	var hints [][]byte // the hints fpvm completed since the last checkpoint
	vm.Observe = func(e transition.Effects) {
		if e.Fd == transition.FdHintWrite {
			hints = append(hints, e.Hints...)
		}
	}
	cs := loadCannon(t, path)
	oracle := cannonvm.NewOracle(po)
	cvm := cannonvm.NewVM(cs, oracle)
	d := spec.Data{Preimages: po}
	var checkpoints uint64
	compare := func() {
		checkpoints++
		if _, h := cs.EncodeWitness(); memory.Hash(h) != vm.Hash() {
			w, _ := cs.EncodeWitness()
			enc := vm.Witness().Encode()
			t.Fatalf("state hash differs at step %d: fpvm %s, cannon %x; %s\nreplay: cd conformance/cannon && go test -run 'TestConformance_CONF_CANNON_FPVM/%s$' .",
				vm.StepCount, vm.Hash(), h, firstWitnessDiff(enc[:], w), filepath.Base(strings.TrimSuffix(path, ".elf")))
		}
		if msg := cannonvm.DiffHints(hints, oracle.TakeHints(), vm.LastHint, cs.LastHint); msg != "" {
			t.Fatalf("step %d: fpvm and cannon: %s", vm.StepCount, msg)
		}
		hints = nil
	}
	compare()
	for !vm.Exited {
		n := uint64(1)
		if vm.StepCount >= *everyStepLimit {
			n = *checkpointGap - vm.StepCount%*checkpointGap
		}
		k, err := vm.Run(d, n)
		if err != nil {
			t.Fatalf("fpvm failed at step %d: %v", vm.StepCount+1, err)
		}
		for i := uint64(0); i < k; i++ {
			if _, msg := cannonvm.StepVM(cvm, false); msg != "" {
				t.Fatalf("cannon failed at step %d: %s", cs.Step, msg)
			}
		}
		compare()
	}
	if vm.StepCount != cs.Step || vm.ExitCode != cs.ExitCode || !cs.Exited {
		t.Fatalf("end: fpvm step %d exit %d, cannon step %d exit %d exited %v", vm.StepCount, vm.ExitCode, cs.Step, cs.ExitCode, cs.Exited)
	}
	t.Logf("%d steps, exit code %d, %d checkpoints, final hash %s", vm.StepCount, vm.ExitCode, checkpoints, vm.Hash())
	return vm.StepCount, checkpoints
}

// loadCannonLarge loads an ELF into Cannon's production memory layout: the
// large code and heap regions `cannon run` gets from
// versions.LoadStateFromFileWithLargeICache (State.UseLargeICache).
func loadCannonLarge(t testing.TB, data []byte) *multithreaded.State {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := cannonprogram.LoadELF(f, func(pc, heap arch.Word) *multithreaded.State {
		s := multithreaded.CreateInitialState(pc, heap)
		s.Memory = cannonmemory.NewMemoryWithLargeRegions()
		s.UseLargeICache = true
		return s
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := cannonprogram.PatchStack(st); err != nil {
		t.Fatal(err)
	}
	return st
}

// loadCannonDefault loads an ELF into Cannon's default memory layout, as
// `cannon load-elf` does.
func loadCannonDefault(t testing.TB, data []byte) *multithreaded.State {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := cannonprogram.LoadELF(f, multithreaded.CreateInitialState)
	if err != nil {
		t.Fatal(err)
	}
	if err := cannonprogram.PatchStack(st); err != nil {
		t.Fatal(err)
	}
	return st
}

// perfRun is one whole command: load the ELF, run to exit, final state hash.
type perfRun struct {
	steps               uint64
	load, loop, hashDur time.Duration
	hash                memory.Hash
}

// runFPVMCommand runs the whole command in fpvm.
func runFPVMCommand(b *testing.B, data []byte) perfRun {
	t0 := time.Now()
	s, err := program.Load(data)
	if err != nil {
		b.Fatal(err)
	}
	vm, err := fpvm.FromState(s)
	if err != nil {
		b.Fatal(err)
	}
	t1 := time.Now()
	n, err := vm.Run(spec.Data{}, 1<<62)
	if err != nil || !vm.Exited {
		b.Fatalf("fpvm run: %v", err)
	}
	t2 := time.Now()
	h := vm.Hash()
	return perfRun{steps: n, load: t1.Sub(t0), loop: t2.Sub(t1), hashDur: time.Since(t2), hash: h}
}

// runCannonCommand runs the whole command in Cannon with the given loader.
func runCannonCommand(b *testing.B, data []byte, load func(testing.TB, []byte) *multithreaded.State) perfRun {
	t0 := time.Now()
	cs := load(b, data)
	vm := cannonvm.NewVM(cs, cannonvm.NewOracle(nil))
	t1 := time.Now()
	for !cs.Exited {
		if _, err := vm.Step(false); err != nil {
			b.Fatal(err)
		}
	}
	t2 := time.Now()
	_, h := cs.EncodeWitness()
	return perfRun{steps: cs.Step, load: t1.Sub(t0), loop: t2.Sub(t1), hashDur: time.Since(t2), hash: memory.Hash(h)}
}

// BenchmarkFPVM_PERF runs the heavy workloads (each over 50 million steps)
// as one whole command — load the ELF, run to exit, compute the final state
// hash — in fpvm, in Cannon's production configuration (vm=cannon-large:
// the large i-cache memory layout `cannon run` uses) and in Cannon's default
// layout (vm=cannon), one after the other on the same ELF. ns/op is the
// whole-command wall time; steps/s counts the step loop only; load-ms and
// root-ms are the load and final-hash times; peak-heap-MiB is the largest
// live heap seen. All VMs must reach the same final state hash. Run with
// `make bench-fpvm`.
func BenchmarkFPVM_PERF(b *testing.B) {
	dir := b.TempDir()
	for _, name := range heavyExamples {
		data, err := os.ReadFile(buildExample(b, name, dir))
		if err != nil {
			b.Fatal(err)
		}
		var want memory.Hash
		vms := []struct {
			name string
			run  func(*testing.B) perfRun
		}{
			{"cannon-large", func(b *testing.B) perfRun { return runCannonCommand(b, data, loadCannonLarge) }},
			{"cannon", func(b *testing.B) perfRun { return runCannonCommand(b, data, loadCannonDefault) }},
			{"fpvm", func(b *testing.B) perfRun { return runFPVMCommand(b, data) }},
		}
		for _, v := range vms {
			b.Run("program="+name+"/vm="+v.name, func(b *testing.B) {
				var total perfRun
				stop := peakHeap()
				for i := 0; i < b.N; i++ {
					r := v.run(b)
					if want == (memory.Hash{}) {
						want = r.hash
					}
					if r.hash != want {
						b.Fatalf("%s: final state hash %s, another VM reached %s", v.name, r.hash, want)
					}
					total.steps += r.steps
					total.load += r.load
					total.loop += r.loop
					total.hashDur += r.hashDur
				}
				peak := stop()
				n := float64(b.N)
				b.ReportMetric(float64(total.steps)/total.loop.Seconds(), "steps/s")
				b.ReportMetric(float64(total.load.Milliseconds())/n, "load-ms")
				b.ReportMetric(float64(total.hashDur.Microseconds())/1000/n, "root-ms")
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
				b.ReportMetric(float64(total.steps)/n, "steps/op")
			})
		}
	}
}
