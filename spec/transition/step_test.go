package transition_test

import (
	stderrors "errors"
	"sort"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Step as a whole: the exited check, fetch, the instruction classes Cannon
// accepts, and the purity of Step.

// TestINV_EXITED_ABSORBING: a state with exited = 1 is returned unchanged,
// without a step increment and without an error, whatever else it holds
// (cannon/mipsevm/multithreaded/mips.go:289-291;
// packages/contracts-bedrock/src/cannon/MIPS64.sol:220-223; Cannon's Go VM
// leaves an exited state at step 10 with its hash unchanged).
func TestINV_EXITED_ABSORBING(t *testing.T) {
	for _, tc := range []struct {
		name string
		pre  func(t *testing.T) state.State
	}{
		{"runnable thread", func(t *testing.T) state.State { return newPre(t, adduInsn, regs{4: 1, 5: 2}) }},
		{"invalid instruction", func(t *testing.T) state.State { return newPre(t, 0x7000_0003, nil) }},
		{"empty stacks", func(t *testing.T) state.State {
			s := state.NewEmpty()
			s.LeftThreads = state.NewThreadStack()
			return s
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := tc.pre(t)
			pre.Exited, pre.ExitCode, pre.Step = true, 1, 10
			got, err := transition.Step(pre, transition.Data{})
			if err != nil {
				t.Fatalf("Step on an exited state: %v", err)
			}
			assertState(t, got, pre)
			if got.Step != 10 || got.Hash() != pre.Hash() {
				t.Fatalf("step %d hash %s, want 10 and %s", got.Step, got.Hash(), pre.Hash())
			}
		})
	}
}

// TestSTEP_Counters: an executed instruction adds one to Step and to
// StepsSinceLastContextSwitch.
func TestSTEP_Counters(t *testing.T) {
	pre := newPre(t, adduInsn, regs{4: 1, 5: 2})
	pre.Step, pre.StepsSinceLastContextSwitch = 41, 7
	got := mustStep(t, pre, transition.Data{})
	if got.Step != 42 || got.StepsSinceLastContextSwitch != 8 {
		t.Fatalf("step, ssc = %d, %d, want 42, 8", got.Step, got.StepsSinceLastContextSwitch)
	}
}

// TestDEC_FETCH_HalfOfWord: the instruction at PC is the upper half of the
// word at PC&^7 when PC&4 == 0 and the lower half otherwise. The other half
// holds an invalid word, so fetching the wrong half fails.
func TestDEC_FETCH_HalfOfWord(t *testing.T) {
	bad := encI(0x1D, 0, 0, 0) // opcode 0x1D is not implemented
	t.Run("upper half", func(t *testing.T) {
		pre := newPre(t, adduInsn, regs{4: 1, 5: 2})
		pre = storeInsn(t, pre, basePC+4, bad)
		want := expectNext(t, pre, func(th *state.Thread) { th.CPU.Regs[6] = 3 })
		checkStep(t, pre, want, transition.Data{})
	})
	t.Run("lower half", func(t *testing.T) {
		pre := newPre(t, bad, regs{4: 1, 5: 2})
		pre = storeInsn(t, pre, basePC+4, adduInsn)
		pre = editTop(t, pre, func(th *state.Thread) { th.CPU.PC, th.CPU.NextPC = basePC+4, basePC+8 })
		want := expectNext(t, pre, func(th *state.Thread) { th.CPU.Regs[6] = 3 })
		checkStep(t, pre, want, transition.Data{})
	})
}

// TestERR_UNALIGNED_PC: PC & 3 != 0 at fetch has no post-state
// (CodeUnalignedFetch); the step counter is not advanced.
func TestERR_UNALIGNED_PC(t *testing.T) {
	for _, pc := range []uint64{basePC + 1, basePC + 2, basePC + 3, basePC + 5, maxWord} {
		pre := editTop(t, newPre(t, adduInsn, nil), func(th *state.Thread) { th.CPU.PC, th.CPU.NextPC = pc, pc+4 })
		e := mustFail(t, pre, transition.Data{}, errors.CodeUnalignedFetch)
		if got := errors.OutcomeOf(e); got != errors.OutcomeNoPostState {
			t.Fatalf("PC %#x: OutcomeOf = %v, want %v", pc, got, errors.OutcomeNoPostState)
		}
	}
}

// TestERR_INVALID_INSN: SPECIAL2 funct 3 (word 0x70000003), opcode 0x2F
// cache (word 0xbc000000) and other unimplemented encodings have no
// post-state; the error names the instruction word, as Cannon's panic does
// (cannon/mipsevm/exec/mips_instructions.go:476 for SPECIAL2 funct 3 and 473
// for opcode 0x2F; its Go VM panics "invalid instruction: 70000003" and
// "invalid instruction: bc000000").
func TestERR_INVALID_INSN(t *testing.T) {
	for _, tc := range []struct {
		name string
		word uint32
	}{
		{"SPECIAL2 funct 3", 0x7000_0003},
		{"cache (opcode 0x2F)", 0xBC00_0000},
		{"break", encR(0, 0, 0, 0, 0, 0x0D)},
		{"tge", encR(0, 4, 5, 0, 0, 0x30)},
		{"movci", encR(0, 4, 0, 6, 0, 0x01)},
		{"SPECIAL funct 0x15", encR(0, 4, 5, 6, 0, 0x15)},
		{"SPECIAL funct 0x39", encR(0, 4, 5, 6, 0, 0x39)},
		{"COP0", encI(0x10, 0, 0, 0)},
		{"COP1", encI(0x11, 0, 0, 0)},
		{"beql", encI(0x14, 0, 0, 4)},
		{"opcode 0x1F", encI(0x1F, 0, 0, 0)},
		{"lwc1", encI(0x31, 4, 5, 0)},
		{"pref", encI(0x33, 4, 5, 0)},
		{"sdc1", encI(0x3D, 4, 5, 0)},
		{"opcode 0x3E", encI(0x3E, 4, 5, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := newPre(t, tc.word, regs{4: dataAddr})
			e := mustFail(t, pre, transition.Data{}, errors.CodeInvalidInstruction)
			if !strings.Contains(e.Error(), strings.TrimPrefix(hex32(tc.word), "0x")) {
				t.Fatalf("error %q does not name the word %s", e.Error(), hex32(tc.word))
			}
			if !stderrors.Is(e, errors.ErrInvalidInstruction) {
				t.Fatalf("errors.Is(%v, ErrInvalidInstruction) = false", e)
			}
		})
	}
}

func hex32(w uint32) string {
	const digits = "0123456789abcdef"
	b := []byte("0x00000000")
	for i := 9; i >= 2; i-- {
		b[i] = digits[w&0xF]
		w >>= 4
	}
	return string(b)
}

// TestINV_TOTAL_EncodingClasses sweeps every opcode, every SPECIAL and
// SPECIAL2 funct and every REGIMM rt, and requires that exactly the
// encodings Cannon implements execute (cannon/mipsevm/exec/mips_instructions.go:
// 185-477 by opcode and funct, 490-536 the REGIMM rt values, 41-53 j/jal;
// multithreaded/mips.go:332-347 syscall and LL/SC), and that every other one
// fails with CodeInvalidInstruction. The operands make every implemented
// instruction well defined: r4 = dataAddr (base, jump target), r5 = 3
// (divisor), r2 = getpid (syscall number).
func TestINV_TOTAL_EncodingClasses(t *testing.T) {
	valid := func(set ...uint32) map[uint32]bool {
		m := map[uint32]bool{}
		for _, v := range set {
			m[v] = true
		}
		return m
	}
	specialOK := valid(0x00, 0x02, 0x03, 0x04, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0F,
		0x10, 0x11, 0x12, 0x13, 0x14, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F,
		0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F,
		0x38, 0x3A, 0x3B, 0x3C, 0x3E, 0x3F)
	special2OK := valid(0x02, 0x20, 0x21, 0x24, 0x25)
	opcodeOK := valid(0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D,
		0x0E, 0x0F, 0x18, 0x19, 0x1A, 0x1B, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,
		0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x30, 0x34, 0x37, 0x38, 0x3C, 0x3F)

	check := func(t *testing.T, word uint32, ok bool) {
		t.Helper()
		pre := newPre(t, word, regs{2: 5038, 4: dataAddr, 5: 3})
		_, err := transition.Step(pre, transition.Data{})
		switch {
		case ok && err != nil:
			t.Errorf("word %s: Step failed with %v, want a post-state", hex32(word), err)
		case !ok:
			var e *errors.Error
			if !stderrors.As(err, &e) || e.Code != errors.CodeInvalidInstruction {
				t.Errorf("word %s: Step returned %v, want CodeInvalidInstruction", hex32(word), err)
			}
		}
	}
	for fn := uint32(0); fn < 64; fn++ {
		check(t, encR(0, 4, 5, 6, 1, fn), specialOK[fn])
		check(t, encR(0x1C, 4, 5, 6, 1, fn), special2OK[fn])
	}
	for rt := uint32(0); rt < 32; rt++ {
		check(t, encI(0x01, 4, rt, 4), true)
	}
	for op := uint32(1); op < 64; op++ {
		if op == 0x1C {
			continue
		}
		check(t, encI(op, 4, 5, 8), opcodeOK[op])
	}
}

// TestINV_DETERMINISM_PreUnchanged: Step never changes its argument: after
// a store, a clone (which pushes a thread) and a yield (which moves one),
// the pre-state still has its hash, memory word and thread stacks, and a
// second Step from it gives the same post-state.
func TestINV_DETERMINISM_PreUnchanged(t *testing.T) {
	for _, tc := range []struct {
		name string
		pre  func(t *testing.T) state.State
	}{
		{"sd", func(t *testing.T) state.State {
			return newPre(t, encI(0x3F, 4, 5, 0), regs{4: dataAddr, 5: rtWord})
		}},
		{"clone", func(t *testing.T) state.State {
			return newPre(t, syscallInsn, regs{2: sysClone, 4: 0x50F00, 5: 0x8000})
		}},
		{"sched_yield with two threads", func(t *testing.T) state.State {
			s := newPre(t, syscallInsn, regs{2: sysSchedYield})
			s.LeftThreads = state.NewThreadStack(state.Thread{ID: 9}, s.LeftThreads.Threads[0])
			return s
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := tc.pre(t)
			hash, word := pre.Hash(), wordAt(t, pre, dataAddr)
			left := append([]state.Thread(nil), pre.LeftThreads.Threads...)
			right := append([]state.Thread(nil), pre.RightThreads.Threads...)
			first := mustStep(t, pre, transition.Data{})
			if pre.Hash() != hash || wordAt(t, pre, dataAddr) != word {
				t.Fatalf("Step changed its pre-state: hash %s → %s", hash, pre.Hash())
			}
			assertState(t, pre, withThreads(pre, left, right))
			second := mustStep(t, pre, transition.Data{})
			assertState(t, second, first)
		})
	}
}

// withThreads returns s with fully known stacks holding left and right.
func withThreads(s state.State, left, right []state.Thread) state.State {
	s.LeftThreads, s.RightThreads = state.NewThreadStack(left...), state.NewThreadStack(right...)
	return s
}

// TestST_TRANSIENT_MatchesPersistent: stepping a transient state
// (state.State.Transient, used by runners) produces, step by step, the same
// states as stepping the ordinary persistent value, and the state that was
// made transient is not changed.
func TestST_TRANSIENT_MatchesPersistent(t *testing.T) {
	reload := encI(0x19, 0, 2, sysSchedYield) // daddiu r2, r0, sched_yield
	for _, tc := range []struct {
		name  string
		steps int
		pre   func(t *testing.T) state.State
	}{
		{"stores and loads", 4, func(t *testing.T) state.State {
			s := newPre(t, encI(0x3F, 4, 5, 0), regs{4: dataAddr, 5: rtWord}) // sd r5, 0(r4)
			s = storeInsn(t, s, basePC+4, encI(0x3F, 4, 5, 8))                // sd r5, 8(r4)
			s = storeInsn(t, s, basePC+8, encI(0x28, 4, 0, 3))                // sb r0, 3(r4)
			s = storeInsn(t, s, basePC+12, encI(0x37, 4, 6, 0))               // ld r6, 0(r4)
			return s
		}},
		{"clone and yields", 6, func(t *testing.T) state.State {
			s := newPre(t, syscallInsn, regs{2: sysClone, 4: 0x50F00, 5: 0x8000})
			s = storeInsn(t, s, basePC+4, reload)
			return storeInsn(t, s, basePC+8, syscallInsn)
		}},
		{"exit then pop", 3, func(t *testing.T) state.State {
			s := newPre(t, syscallInsn, regs{2: sysExit, 4: 7})
			other := thread(5)
			other.CPU.Regs[2] = sysGetpid
			s.LeftThreads = state.NewThreadStack(other, s.LeftThreads.Threads[0])
			return s
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := tc.pre(t)
			hash := pre.Hash()
			left := append([]state.Thread(nil), pre.LeftThreads.Threads...)
			persistent, transient := pre, pre.Transient(&memory.Edit{})
			for i := 0; i < tc.steps; i++ {
				persistent = mustStep(t, persistent, transition.Data{})
				transient = mustStep(t, transient, transition.Data{})
				if d := diffState(transient.Persistent(), persistent); len(d) > 0 {
					t.Fatalf("step %d: transient state differs from persistent: %v", i+1, d)
				}
			}
			if pre.Hash() != hash {
				t.Fatalf("the state made transient changed: hash %s, was %s", pre.Hash(), hash)
			}
			assertState(t, pre, withThreads(pre, left, nil))
		})
	}
}

// TestDEC_Mnemonics: the implemented instruction set is exactly Cannon's
// (the cases of cannon/mipsevm/exec/mips_instructions.go:185-477 and 490-536,
// j/jal at 41-53, syscall and ll/sc/lld/scd at multithreaded/mips.go:332-347),
// 95 mnemonics, sorted.
func TestDEC_Mnemonics(t *testing.T) {
	want := strings.Fields(`
		sll srl sra sllv srlv srav jr jalr movz movn syscall sync
		mfhi mthi mflo mtlo dsllv dsrlv dsrav mult multu div divu dmult dmultu ddiv ddivu
		add addu sub subu and or xor nor slt sltu dadd daddu dsub dsubu
		dsll dsrl dsra dsll32 dsrl32 dsra32
		bltz bgez bltzal bgezal j jal beq bne blez bgtz
		addi addiu slti sltiu andi ori xori lui daddi daddiu
		mul clz clo dclz dclo
		ldl ldr lb lh lwl lw lbu lhu lwr lwu ld
		sb sh swl sw sdl sdr swr sd ll lld sc scd`)
	sort.Strings(want)
	got := transition.Mnemonics()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("Mnemonics() =\n%v\nwant (%d)\n%v", got, len(want), want)
	}
}
