package runner

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/program"
	"github.com/opcity-spec/opcity/spec/state"
	"pgregory.net/rapid"
)

// TestRUNNER_Chunk: the runner's chunk law. From any point of a run, the
// steps it takes before it next stops to check are 1 to progressChunk, run
// past neither --max-steps, nor a checkpoint, nor the snapshot's step
// counter value, and end only where one of them (or progressChunk) is.
func TestRUNNER_Chunk(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		o := Options{MaxSteps: rapid.Uint64Range(0, 1<<22).Draw(t, "max"), Every: rapid.Uint64Range(0, 1<<21).Draw(t, "every")}
		if rapid.Bool().Draw(t, "snapshot") {
			o.SnapshotOut, o.SnapshotAt = "snap", rapid.Uint64Range(0, 1<<22).Draw(t, "at")
		}
		done := rapid.Uint64Range(0, 1<<22).Draw(t, "done")
		if o.MaxSteps != 0 && done >= o.MaxSteps {
			done = o.MaxSteps - 1
		}
		step := done + rapid.Uint64Range(0, 1<<20).Draw(t, "start") // the state's counter: the run may start from a snapshot
		n := o.chunk(done, step)
		end := done + n
		if n < 1 || n > progressChunk {
			t.Fatalf("chunk(%d, %d) = %d with %+v: not in [1, %d]", done, step, n, o, progressChunk)
		}
		if o.MaxSteps != 0 && end > o.MaxSteps {
			t.Fatalf("chunk(%d, %d) = %d runs past --max-steps %d", done, step, n, o.MaxSteps)
		}
		if o.Every != 0 && (end-1)/o.Every != done/o.Every {
			t.Fatalf("chunk(%d, %d) = %d steps over a checkpoint (every %d)", done, step, n, o.Every)
		}
		if o.SnapshotOut != "" && step < o.SnapshotAt && step+n > o.SnapshotAt {
			t.Fatalf("chunk(%d, %d) = %d steps over the snapshot at %d", done, step, n, o.SnapshotAt)
		}
		// As long as allowed: it stops only where something must be checked.
		stops := n == progressChunk || (o.MaxSteps != 0 && end == o.MaxSteps) || (o.Every != 0 && end%o.Every == 0) ||
			(o.SnapshotOut != "" && step+n == o.SnapshotAt)
		if !stops {
			t.Fatalf("chunk(%d, %d) = %d with %+v stops where nothing is checked", done, step, n, o)
		}
	})
}

// loopProgram is a program that never exits: beq zero, zero, -1 and its
// delay slot, two steps per turn.
func loopProgram(t *testing.T) state.State {
	t.Helper()
	code := []byte{0x10, 0x00, 0xff, 0xff, 0, 0, 0, 0}
	s, err := program.Load(properties.MinimalELF(0x10000, properties.Segment{Type: uint32(elf.PT_LOAD), Vaddr: 0x10000, Data: code}))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRUN_STREAM_CheckpointsNotKept: a run with a checkpoint every step
// passes each to OnCheckpoint, in step order, and keeps none: the live
// heap after 200,000 checkpoints is within 1 MiB of that after 20,000
// (keeping them, as Result.Checkpoints once did, costs about 130 bytes
// each: 23 MiB more).
func TestRUN_STREAM_CheckpointsNotKept(t *testing.T) {
	const n = 200_000
	var heapAt20k, heapAtEnd uint64
	got := uint64(0)
	o := Options{VM: Fast, MaxSteps: n, Every: 1, OnCheckpoint: func(c Checkpoint) {
		got++
		if c.Step != got || len(c.StateHash) != 66 {
			t.Fatalf("checkpoint %d: %+v", got, c)
		}
		switch got {
		case n / 10:
			heapAt20k = liveHeap()
		case n:
			heapAtEnd = liveHeap()
		}
	}}
	res, err := Run(loopProgram(t), spec.Data{}, o)
	if err != nil || res.Steps != n || got != n || len(res.Checkpoints) != 0 {
		t.Fatalf("%d steps, %d checkpoints passed on, %d kept: %v", res.Steps, got, len(res.Checkpoints), err)
	}
	if heapAtEnd > heapAt20k+1<<20 {
		t.Fatalf("live heap %d bytes after %d checkpoints, %d after %d: checkpoints are kept", heapAtEnd, n, heapAt20k, n/10)
	}
	t.Logf("live heap %d bytes after %d checkpoints, %d after %d", heapAtEnd, n, heapAt20k, n/10)
}

// liveHeap returns the live heap after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestRUN_STREAM_JSONWriter: the object JSONWriter writes, checkpoint by
// checkpoint, is byte for byte the indented encoding of the Result holding
// them, with and without checkpoints; checkpoints follow the vm.
func TestRUN_STREAM_JSONWriter(t *testing.T) {
	for _, every := range []uint64{0, 3, 7} {
		var streamed bytes.Buffer
		jw := NewJSONWriter(&streamed, "loop <&>.elf", Spec)
		var kept []Checkpoint
		o := Options{VM: Spec, MaxSteps: 20, Every: every, OnCheckpoint: func(c Checkpoint) { jw.Checkpoint(c); kept = append(kept, c) }}
		res, err := Run(loopProgram(t), spec.Data{}, o)
		res.Program = "loop <&>.elf"
		if err != nil || jw.Finish(res) != nil {
			t.Fatal(err)
		}
		res.Checkpoints = kept
		var whole bytes.Buffer
		enc := json.NewEncoder(&whole)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
		if streamed.String() != whole.String() || (every != 0) != strings.Contains(whole.String(), "\"vm\": \"spec\",\n  \"checkpoints\": [\n    {\n      \"step\"") {
			t.Fatalf("every %d: streamed\n%s\nwhole\n%s", every, streamed.String(), whole.String())
		}
	}
}
