package runner

import (
	"testing"

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
