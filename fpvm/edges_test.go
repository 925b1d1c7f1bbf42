package fpvm_test

import (
	"encoding/binary"
	"testing"

	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

const codeAt = 0x10000

// guest returns a state running words at codeAt with the given registers.
func guest(regs map[int]uint64, words ...uint32) state.State {
	s := state.NewInitial(codeAt, transition.HeapStart)
	m := memory.Memory{}
	for i, w := range words {
		m = m.SetBytes(codeAt+4*uint64(i), binary.BigEndian.AppendUint32(nil, w))
	}
	m, _ = m.SetWord(0x20000, 0x1122334455667788)
	s.Memory = m
	t, _ := s.CurrentThread()
	for r, v := range regs {
		t.CPU.Regs[r] = v
	}
	active, _ := s.ActiveStack().ReplaceTop(t)
	return s.WithStacks(active, s.InactiveStack())
}

// TestFPVM_WITNESS_Edges checks fpvm against the spec, step by step with
// witnesses and as one Run of 8 steps, on the cases random programs rarely reach:
// a load from the instruction's own word (the fetch slot and the data slot
// prove the same word), self-modifying code (the decoded-instruction cache
// must see the store), clock_gettime writing two words across a leaf and a
// page boundary, the step before and at preemption, an exited thread popped,
// an exited VM, and an empty active stack.
func TestFPVM_WITNESS_Edges(t *testing.T) {
	const (
		ld4     = 0xDC810000 // ld r1, 0(r4)
		sw0     = 0xAC850000 // sw r5, 0(r4): overwrites the instruction at r4
		beqBack = 0x1000FFFD // beq r0, r0, -3: back to the first instruction
		nop     = 0x00000000
		addiu   = 0x24210001 // addiu r1, r1, 1
		syscall = 0x0000000C
	)
	exitedThread := guest(nil, nop)
	th, _ := exitedThread.CurrentThread()
	th.Exited = true
	left := state.NewThreadStack(state.Thread{ID: 7, CPU: state.CPU{PC: codeAt, NextPC: codeAt + 4}}, th)
	exitedThread.LeftThreads = left
	lastThreadExited := guest(nil, nop)
	th, _ = lastThreadExited.CurrentThread()
	th.Exited = true
	lastThreadExited.LeftThreads = state.NewThreadStack(th)
	quantum := guest(nil, addiu, addiu, addiu)
	quantum.StepsSinceLastContextSwitch = transition.SchedQuantum - 1
	exited := guest(nil, nop)
	exited.Exited, exited.ExitCode = true, 3
	empty := guest(nil, nop)
	empty.LeftThreads = state.NewThreadStack()
	cases := map[string]state.State{
		"self-load":          guest(map[int]uint64{4: codeAt}, ld4),
		"self-modifying":     guest(map[int]uint64{4: codeAt, 5: 0x24210005}, addiu, sw0, beqBack, nop),
		"clock-leaf":         guest(map[int]uint64{2: transition.SysClockGetTime, 4: 1, 5: 0x20018}, syscall),
		"clock-page":         guest(map[int]uint64{2: transition.SysClockGetTime, 4: 1, 5: 0x20FF8}, syscall),
		"getrandom":          guest(map[int]uint64{2: transition.SysGetRandom, 4: 0x20003, 5: 3}, syscall),
		"quantum":            quantum,
		"exited-thread":      exitedThread,
		"last-thread-exited": lastThreadExited,
		"exited-vm":          exited,
		"empty-stack":        empty,
		"unaligned-pc":       guest(map[int]uint64{4: codeAt + 2}, 0x00800008, nop), // jr r4
	}
	const steps = 8
	for name, pre := range cases {
		t.Run(name, func(t *testing.T) {
			s := pre
			for i := range steps {
				if err := properties.CheckFPVMWitness(s, spec.Data{}); err != nil {
					t.Fatalf("step %d: %v", i+1, err)
				}
				next, err := spec.Step(s, spec.Data{})
				if err != nil {
					break
				}
				s = next
			}
			if err := properties.CheckFPVMRun(pre, spec.Data{}, steps); err != nil {
				t.Fatal(err)
			}
		})
	}
}
