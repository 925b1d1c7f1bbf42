package memory_test

import (
	"testing"

	"github.com/opcity-spec/opcity/spec/memory"
)

// TestVER_STATELESS_Recorder: the recorder logs the fetch, then each
// distinct data word once, with its proof as memory was at first touch, and
// writes through.
func TestVER_STATELESS_Recorder(t *testing.T) {
	m, _ := memory.Memory{}.SetWord(0x100, 7)
	r := memory.NewRecorder(m)
	if _, err := r.Word(0x100); err != nil { // the fetch
		t.Fatal(err)
	}
	before := m.Proof(0x100)
	s, err := r.WithWord(0x100, 9) // a data access to the fetched word: recorded again
	if err != nil {
		t.Fatal(err)
	}
	r2 := s.(memory.Recorder)
	if _, err := r2.Word(0x100); err != nil { // same data word: not recorded again
		t.Fatal(err)
	}
	if _, err := r2.Word(0x108); err != nil { // a second data word
		t.Fatal(err)
	}
	acc := r2.Accesses()
	if len(acc) != 3 || acc[0].Addr != 0x100 || acc[1].Addr != 0x100 || acc[2].Addr != 0x108 {
		t.Fatalf("accesses %+v", acc)
	}
	if acc[1].Proof != before {
		t.Fatal("the data proof must be taken before the write")
	}
	if acc[2].Proof != r2.Mem.Proof(0x108) || r2.Root() != r2.Mem.Root() {
		t.Fatal("the second proof is taken against the written memory")
	}
	if v, _ := r2.Mem.Word(0x100); v != 9 {
		t.Fatalf("write-through: %d", v)
	}
}
