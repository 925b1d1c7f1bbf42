package transition_test

import (
	stderrors "errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Fixtures shared by the expected-state tests of every instruction family.
//
// Each test builds a small pre-state with newPre (one thread, id 0, at
// basePC with nextPC = basePC+4, the instruction word in memory), runs
// transition.Step and compares the result with a hand-built expected state.
// Expected values come from the MIPS64 manual and from Cannon's source in
// github.com/ethereum-optimism/optimism@v1.19.6 (each test names the file and
// lines), worked out by hand; where a test quotes an example with its
// result, running Cannon v1.19.6's Go VM on that example gives that result.
// No expected value is computed by a helper of the spec under test.

const (
	basePC   = 0x10000 // where every test places its instruction
	dataAddr = 0x20000 // the data word most tests load from or store to
	maxWord  = 0xFFFF_FFFF_FFFF_FFFF

	syscallInsn = 0x0000_000C // syscall, code field 0
)

// regs sets general-purpose registers by index.
type regs map[int]uint64

// encR encodes an R-type word from its fields in bit order.
func encR(op, rs, rt, rd, sa, fn uint32) uint32 {
	return op<<26 | rs<<21 | rt<<16 | rd<<11 | sa<<6 | fn
}

// encI encodes an I-type word: opcode, rs, rt and the 16-bit immediate.
func encI(op, rs, rt uint32, imm uint16) uint32 {
	return op<<26 | rs<<21 | rt<<16 | uint32(imm)
}

// encJ encodes a J-type word: opcode and the 26-bit target field.
func encJ(op, target uint32) uint32 { return op<<26 | target&0x03FF_FFFF }

// newPre returns a one-thread pre-state: thread 0 at basePC, nextPC =
// basePC+4, the registers r, and insn stored at basePC.
func newPre(t testing.TB, insn uint32, r regs) state.State {
	t.Helper()
	th := state.Thread{ID: 0}
	th.CPU.PC, th.CPU.NextPC = basePC, basePC+4
	for i, v := range r {
		th.CPU.Regs[i] = v
	}
	s := state.NewEmpty()
	s.LeftThreads = state.NewThreadStack(th)
	return storeInsn(t, s, basePC, insn)
}

// storeInsn returns s with insn at pc: the upper half of the word at pc&^7
// when pc&4 == 0, else the lower half.
func storeInsn(t testing.TB, s state.State, pc uint64, insn uint32) state.State {
	t.Helper()
	w := wordAt(t, s, pc&^7)
	if pc&4 == 0 {
		w = w&0xFFFF_FFFF | uint64(insn)<<32
	} else {
		w = w&^0xFFFF_FFFF | uint64(insn)
	}
	return setWord(t, s, pc&^7, w)
}

// setWord returns s with the aligned word at addr set to v.
func setWord(t testing.TB, s state.State, addr, v uint64) state.State {
	t.Helper()
	m, err := s.Memory.WithWord(addr, v)
	if err != nil {
		t.Fatalf("fixture: set word %#x: %v", addr, err)
	}
	s.Memory = m
	return s
}

// wordAt returns the aligned word at addr.
func wordAt(t testing.TB, s state.State, addr uint64) uint64 {
	t.Helper()
	w, err := s.Memory.Word(addr)
	if err != nil {
		t.Fatalf("read word %#x: %v", addr, err)
	}
	return w
}

// top returns the top thread of the active stack.
func top(t testing.TB, s state.State) state.Thread {
	t.Helper()
	ts := s.ActiveStack().Threads
	if len(ts) == 0 {
		t.Fatalf("active stack is empty")
	}
	return ts[len(ts)-1]
}

// replaceTop returns s with the top of the active stack replaced by th. It
// builds a fresh slice so that s is not aliased.
func replaceTop(t testing.TB, s state.State, th state.Thread) state.State {
	t.Helper()
	active := s.ActiveStack()
	ts := append([]state.Thread(nil), active.Threads...)
	if len(ts) == 0 {
		t.Fatalf("replaceTop: active stack is empty")
	}
	ts[len(ts)-1] = th
	active = state.ThreadStack{Base: active.Base, Threads: ts}
	if s.TraverseRight {
		s.RightThreads = active
	} else {
		s.LeftThreads = active
	}
	return s
}

// withStacks returns s with the active and inactive stacks set as
// s.TraverseRight selects them.
func withStacks(s state.State, active, inactive state.ThreadStack) state.State {
	if s.TraverseRight {
		s.RightThreads, s.LeftThreads = active, inactive
	} else {
		s.LeftThreads, s.RightThreads = active, inactive
	}
	return s
}

// editTop returns s with f applied to the top thread of the active stack.
func editTop(t testing.TB, s state.State, f func(th *state.Thread)) state.State {
	t.Helper()
	th := top(t, s)
	f(&th)
	return replaceTop(t, s, th)
}

// expectNext returns the state a step that executes one non-control
// instruction must produce from pre: Step+1, StepsSinceLastContextSwitch+1,
// PC = nextPC, nextPC += 4, then edit applied to the thread.
func expectNext(t testing.TB, pre state.State, edit func(th *state.Thread)) state.State {
	t.Helper()
	want := pre
	want.Step++
	want.StepsSinceLastContextSwitch++
	th := top(t, pre)
	th.CPU.PC = th.CPU.NextPC
	th.CPU.NextPC += 4
	if edit != nil {
		edit(&th)
	}
	return replaceTop(t, want, th)
}

// mustStep runs Step and fails the test if it returns an error.
func mustStep(t testing.TB, pre state.State, d transition.Data) state.State {
	t.Helper()
	post, err := transition.Step(pre, d)
	if err != nil {
		t.Fatalf("Step: unexpected error %v\n%s", err, describe(pre))
	}
	return post
}

// checkStep runs Step on pre and requires exactly the state want.
func checkStep(t testing.TB, pre, want state.State, d transition.Data) state.State {
	t.Helper()
	got := mustStep(t, pre, d)
	assertState(t, got, want)
	return got
}

// mustFail runs Step and requires an *errors.Error with the given code, and
// that Step returns the pre-state unchanged.
func mustFail(t testing.TB, pre state.State, d transition.Data, code errors.Code) *errors.Error {
	t.Helper()
	post, err := transition.Step(pre, d)
	var e *errors.Error
	if !stderrors.As(err, &e) {
		t.Fatalf("Step: error %v, want an *errors.Error with code %q\n%s", err, code, describe(pre))
	}
	if e.Code != code {
		t.Fatalf("Step: error code %q (%v), want %q\n%s", e.Code, err, code, describe(pre))
	}
	assertState(t, post, pre)
	return e
}

// describe prints what a reader needs to reproduce a failure: the pre-state
// hash, the current thread's PC and instruction, and the witness bytes.
func describe(s state.State) string {
	w := s.Witness().Encode()
	out := fmt.Sprintf("pre-state hash %s, witness %x", s.Hash(), w)
	if ts := s.ActiveStack().Threads; len(ts) > 0 {
		pc := ts[len(ts)-1].CPU.PC
		if word, err := s.Memory.Word(pc &^ 7); err == nil {
			insn := uint32(word >> 32)
			if pc&4 != 0 {
				insn = uint32(word)
			}
			out += fmt.Sprintf("\ncurrent thread PC %#x, instruction %#08x", pc, insn)
		}
	}
	return out
}

// assertState fails with every field in which got differs from want,
// naming each one.
func assertState(t testing.TB, got, want state.State) {
	t.Helper()
	if d := diffState(got, want); len(d) > 0 {
		msg := ""
		for _, line := range d {
			msg += "\n  " + line
		}
		t.Fatalf("post-state differs:%s\npre of the expected state: %s", msg, describe(want))
	}
}

// diffState lists the fields where got differs from want: every witness
// field, then every thread of both stacks field by field.
func diffState(got, want state.State) []string {
	var d []string
	gw, ww := reflect.ValueOf(got.Witness()), reflect.ValueOf(want.Witness())
	for i := 0; i < gw.NumField(); i++ {
		g, w := gw.Field(i).Interface(), ww.Field(i).Interface()
		if !reflect.DeepEqual(g, w) {
			d = append(d, fmt.Sprintf("%s = %s, want %s", gw.Type().Field(i).Name, fmtValue(g), fmtValue(w)))
		}
	}
	d = append(d, diffStack("left", got.LeftThreads, want.LeftThreads)...)
	d = append(d, diffStack("right", got.RightThreads, want.RightThreads)...)
	return d
}

func fmtValue(v any) string {
	switch x := v.(type) {
	case bool:
		return fmt.Sprint(x)
	case fmt.Stringer:
		return x.String()
	case [32]byte:
		return fmt.Sprintf("0x%x", x)
	}
	return fmt.Sprintf("%#x", v)
}

func diffStack(name string, got, want state.ThreadStack) []string {
	var d []string
	if got.Base != want.Base {
		d = append(d, fmt.Sprintf("%s.Base = %s, want %s", name, got.Base, want.Base))
	}
	if len(got.Threads) != len(want.Threads) {
		return append(d, fmt.Sprintf("%s stack holds %d threads, want %d", name, len(got.Threads), len(want.Threads)))
	}
	for i := range got.Threads {
		d = append(d, diffThread(fmt.Sprintf("%s[%d]", name, i), got.Threads[i], want.Threads[i])...)
	}
	return d
}

func diffThread(name string, got, want state.Thread) []string {
	var d []string
	field := func(f string, g, w any) {
		if g != w {
			d = append(d, fmt.Sprintf("%s.%s = %s, want %s", name, f, fmtValue(g), fmtValue(w)))
		}
	}
	field("ID", got.ID, want.ID)
	field("Exited", got.Exited, want.Exited)
	field("ExitCode", got.ExitCode, want.ExitCode)
	field("PC", got.CPU.PC, want.CPU.PC)
	field("NextPC", got.CPU.NextPC, want.CPU.NextPC)
	field("HI", got.CPU.HI, want.CPU.HI)
	field("LO", got.CPU.LO, want.CPU.LO)
	for r := range got.CPU.Regs {
		field(fmt.Sprintf("r%d", r), got.CPU.Regs[r], want.CPU.Regs[r])
	}
	return d
}

// assertWord fails unless the aligned word at addr in s is want.
func assertWord(t testing.TB, s state.State, addr, want uint64) {
	t.Helper()
	if got := wordAt(t, s, addr); got != want {
		t.Fatalf("M[%#x] = %#016x, want %#016x", addr, got, want)
	}
}

// assertReg fails unless register r of the thread is want.
func assertReg(t testing.TB, th state.Thread, r int, want uint64) {
	t.Helper()
	if got := th.CPU.Regs[r]; got != want {
		t.Fatalf("thread %d: r%d = %#x, want %#x", th.ID, r, got, want)
	}
}

// assertPCs fails unless the thread's PC and nextPC are as given.
func assertPCs(t testing.TB, th state.Thread, pc, nextPC uint64) {
	t.Helper()
	if th.CPU.PC != pc || th.CPU.NextPC != nextPC {
		t.Fatalf("thread %d: PC, nextPC = %#x, %#x, want %#x, %#x", th.ID, th.CPU.PC, th.CPU.NextPC, pc, nextPC)
	}
}
