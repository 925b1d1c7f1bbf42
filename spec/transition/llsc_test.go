package transition_test

import (
	"testing"

	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// LL/SC (opcodes 0x30 ll, 0x34 lld, 0x38 sc, 0x3C scd) and reservation
// invalidation by ordinary stores. The current thread has id llTID; base =
// r4 = dataAddr, rt = r5.

const (
	opLL, opLLD, opSC, opSCD = 0x30, 0x34, 0x38, 0x3C
	llTID                    = 3
)

// reservation is the three LL fields of the state.
type reservation struct {
	status        uint8
	addr, ownerID uint64
}

func withReservation(s state.State, r reservation) state.State {
	s.LLReservationStatus, s.LLAddress, s.LLOwnerThread = r.status, r.addr, r.ownerID
	return s
}

func assertReservation(t *testing.T, s state.State, want reservation) {
	t.Helper()
	got := reservation{s.LLReservationStatus, s.LLAddress, s.LLOwnerThread}
	if got != want {
		t.Fatalf("reservation (status, address, owner) = (%d, %#x, %d), want (%d, %#x, %d)",
			got.status, got.addr, got.ownerID, want.status, want.addr, want.ownerID)
	}
}

// llPre returns a pre-state for op rt=r5, off(r4) run by thread llTID with
// memWord at dataAddr and the reservation res.
func llPre(t *testing.T, op uint32, off uint16, rt uint64, res reservation) state.State {
	t.Helper()
	pre := newPre(t, encI(op, 4, 5, off), regs{4: dataAddr, 5: rt})
	pre = editTop(t, pre, func(th *state.Thread) { th.ID = llTID })
	pre = setWord(t, pre, dataAddr, memWord)
	return withReservation(pre, res)
}

// TestLLSC_LoadLinked: ll/lld load (ll sign-extends a 4-byte value from the
// aligned container) and take the reservation at the exact, unmasked vaddr,
// replacing any earlier one.
func TestLLSC_LoadLinked(t *testing.T) {
	old := reservation{2, 0x30000, 9}
	for _, tc := range []struct {
		name   string
		op     uint32
		off    uint16
		wantRt uint64
		want   reservation
	}{
		{"ll +4", opLL, 4, 0xFFFF_FFFF_CCDD_EEFF, reservation{1, 0x20004, llTID}},
		{"ll +0", opLL, 0, 0xFFFF_FFFF_8899_AABB, reservation{1, 0x20000, llTID}},
		{"ll +5 keeps the exact address", opLL, 5, 0xFFFF_FFFF_CCDD_EEFF, reservation{1, 0x20005, llTID}},
		{"lld +0", opLLD, 0, memWord, reservation{2, 0x20000, llTID}},
		{"lld +3 keeps the exact address", opLLD, 3, memWord, reservation{2, 0x20003, llTID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := llPre(t, tc.op, tc.off, 0, old)
			want := withReservation(expectNext(t, pre, func(th *state.Thread) { th.CPU.Regs[5] = tc.wantRt }), tc.want)
			got := checkStep(t, pre, want, transition.Data{})
			assertReservation(t, got, tc.want)
		})
	}
	t.Run("ll rt=0 reserves without a register write", func(t *testing.T) {
		pre := newPre(t, encI(opLL, 4, 0, 0), regs{4: dataAddr})
		want := withReservation(expectNext(t, pre, nil), reservation{1, dataAddr, 0})
		checkStep(t, pre, want, transition.Data{})
	})
}

// TestLLSC_EXCLUSIVE_Success: sc/scd with a matching reservation (width,
// owner, exact address) clear it, store the low 4/8 bytes of rt into the
// aligned container and set rt = 1.
func TestLLSC_EXCLUSIVE_Success(t *testing.T) {
	for _, tc := range []struct {
		name    string
		op      uint32
		off     uint16
		res     reservation
		wantMem uint64
	}{
		{"sc +4", opSC, 4, reservation{1, 0x20004, llTID}, 0x8899_AABB_89AB_CDEF},
		{"sc +0", opSC, 0, reservation{1, 0x20000, llTID}, 0x89AB_CDEF_CCDD_EEFF},
		{"sc +6 at the exact address", opSC, 6, reservation{1, 0x20006, llTID}, 0x8899_AABB_89AB_CDEF},
		{"scd +0", opSCD, 0, reservation{2, 0x20000, llTID}, rtWord},
		{"scd +3 at the exact address", opSCD, 3, reservation{2, 0x20003, llTID}, rtWord},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := llPre(t, tc.op, tc.off, rtWord, tc.res)
			want := expectNext(t, pre, func(th *state.Thread) { th.CPU.Regs[5] = 1 })
			want = setWord(t, withReservation(want, reservation{}), dataAddr, tc.wantMem)
			got := checkStep(t, pre, want, transition.Data{})
			assertWord(t, got, dataAddr, tc.wantMem)
			assertReservation(t, got, reservation{})
		})
	}
}

// TestLLSC_EXCLUSIVE_Failure: an sc/scd whose reservation does not match
// stores nothing, sets rt = 0 and keeps the reservation
// (cannon/mipsevm/multithreaded/mips.go:403-419; Cannon v1.19.6's Go VM gives
// sc with reservation at 0x20004 and address 0x20000 → rt = 0, reservation
// kept).
func TestLLSC_EXCLUSIVE_Failure(t *testing.T) {
	for _, tc := range []struct {
		name string
		op   uint32
		off  uint16
		res  reservation
	}{
		{"sc at 0x20000, reserved 0x20004", opSC, 0, reservation{1, 0x20004, llTID}},
		{"sc at 0x20001, reserved 0x20000 (same word, other address)", opSC, 1, reservation{1, 0x20000, llTID}},
		{"sc after lld", opSC, 0, reservation{2, 0x20000, llTID}},
		{"scd after ll", opSCD, 0, reservation{1, 0x20000, llTID}},
		{"sc by another thread", opSC, 0, reservation{1, 0x20000, 7}},
		{"sc without reservation", opSC, 0, reservation{0, 0x20000, llTID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := llPre(t, tc.op, tc.off, rtWord, tc.res)
			want := expectNext(t, pre, func(th *state.Thread) { th.CPU.Regs[5] = 0 })
			got := checkStep(t, pre, want, transition.Data{})
			assertWord(t, got, dataAddr, memWord)
			assertReservation(t, got, tc.res)
		})
	}
}

// TestMEM_LL_INVALIDATE_Store: every store to the word holding LLAddress
// clears all three reservation fields, whatever the writer, width or status;
// a store to another word does not (cannon/mipsevm/multithreaded/
// mips.go:354-373; Cannon v1.19.6's Go VM gives sw to 0x20000 with
// reservation (2, 0x20005, owner 7) → cleared).
func TestMEM_LL_INVALIDATE_Store(t *testing.T) {
	const sb, sw, sd = 0x28, 0x2B, 0x3F
	for _, tc := range []struct {
		name    string
		op      uint32
		off     uint16
		res     reservation
		cleared bool
	}{
		{"sw 0x20000, reserved (2, 0x20005, 7)", sw, 0, reservation{2, 0x20005, 7}, true},
		{"sb 0x20007, reserved (1, 0x20000, 0)", sb, 7, reservation{1, 0x20000, 0}, true},
		{"sd 0x20000, status 0 at 0x20000", sd, 0, reservation{0, 0x20000, 5}, true},
		{"sw 0x20008, reserved 0x20004", sw, 8, reservation{1, 0x20004, llTID}, false},
		{"sb 0x1ffff, reserved 0x20000", sb, 0xFFFF, reservation{1, 0x20000, llTID}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := llPre(t, tc.op, tc.off, rtWord, tc.res)
			got := mustStep(t, pre, transition.Data{})
			want := tc.res
			if tc.cleared {
				want = reservation{}
			}
			assertReservation(t, got, want)
		})
	}
}

// TestLLSC_SequenceLLThenSC: ll followed by sc of the same thread at the same
// address succeeds; the reservation is gone afterwards.
func TestLLSC_SequenceLLThenSC(t *testing.T) {
	pre := newPre(t, encI(opLL, 4, 5, 4), regs{4: dataAddr, 6: 0x4242})
	pre = storeInsn(t, pre, basePC+4, encI(opSC, 4, 6, 4))
	pre = setWord(t, pre, dataAddr, memWord)
	s := mustStep(t, pre, transition.Data{})
	assertReservation(t, s, reservation{1, 0x20004, 0})
	s = mustStep(t, s, transition.Data{})
	assertReservation(t, s, reservation{})
	assertReg(t, top(t, s), 6, 1)
	assertReg(t, top(t, s), 5, 0xFFFF_FFFF_CCDD_EEFF)
	assertWord(t, s, dataAddr, 0x8899_AABB_0000_4242)
}
