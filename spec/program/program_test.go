package program_test

import (
	"testing"

	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/program"
	"github.com/opcity-spec/opcity/spec/state"
)

// TestPROG_STACK_CannonVector: CreateInitialState(0x10000, HEAP_START) and
// PatchStack without an ELF give Cannon's state hash: the hash Cannon
// v1.19.6's own functions return for the same calls
// (cannon/mipsevm/multithreaded/state.go:98-106, CreateInitialState;
// cannon/mipsevm/program/patch.go:16-59, PatchStack; hashed by
// multithreaded/state.go:201-225, 429-439). The stack words are those
// patch.go:47-56 stores.
func TestPROG_STACK_CannonVector(t *testing.T) {
	s := program.PatchStack(state.NewInitial(0x10000, 0x1000_0000_0000))
	const want = "0x035777420b2796c6d8a98632daebd7679dcafa9b335eab65d62a3bdd3690f203"
	if got := s.Hash().String(); got != want {
		t.Fatalf("hash %s, want %s", got, want)
	}
	mem := s.Memory.(memory.Memory)
	wantWords := []uint64{1, 0x7ffffffff080, 0, 0x7ffffffff060, 0, 6, 0x1000, 0x19, 0x7ffffffff050, 0}
	for i, w := range wantWords {
		got, _ := mem.Word(program.StackTop + 8*uint64(i))
		if got != w {
			t.Errorf("word sp+%d = %#x, want %#x", 8*i, got, w)
		}
	}
	if got := string(mem.Bytes(program.StackTop+0x50, 16)); got != "4;byfairdiceroll" {
		t.Errorf("AT_RANDOM bytes %q", got)
	}
}
