package properties

import (
	"encoding/binary"
	"fmt"

	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// ChangedWords returns the 8-aligned addresses whose words differ between
// two full memories, in ascending order.
func ChangedWords(a, b memory.Memory) []uint64 {
	pages := map[uint64]bool{}
	for _, m := range []memory.Memory{a, b} {
		m.Pages(func(i uint64, _ *[4096]byte) bool { pages[i] = true; return true })
	}
	var out []uint64
	for i := range pages {
		base := i << 12
		pa, pb := a.Bytes(base, 4096), b.Bytes(base, 4096)
		for off := 0; off < 4096; off += 8 {
			if binary.BigEndian.Uint64(pa[off:]) != binary.BigEndian.Uint64(pb[off:]) {
				out = append(out, base+uint64(off))
			}
		}
	}
	sortUint64(out)
	return out
}

func sortUint64(s []uint64) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// CheckFrame checks INV-FRAME for a successful step: at most one memory word
// changed, or two adjacent words (clock_gettime); every thread other than
// the current one is unchanged (it may have moved between stacks), at most
// one new thread appeared (clone), and the current thread and the state
// changed only in the fields its instruction names (checkNamedFields).
func CheckFrame(pre, post state.State) error {
	changed := ChangedWords(pre.Memory.(memory.Memory), post.Memory.(memory.Memory))
	if len(changed) > 2 || len(changed) == 2 && changed[1]-changed[0] != 8 { // ascending: only the forward gap can be 8
		return fmt.Errorf("INV-FRAME: step changed memory words %#x", changed)
	}
	cur, err := pre.CurrentThread()
	if err != nil {
		return nil
	}
	before, after := threadsByID(pre), threadsByID(post)
	for id, t := range before {
		if id != cur.ID && after[id] != t {
			return fmt.Errorf("INV-FRAME: thread %d changed but was not current (current %d)", id, cur.ID)
		}
	}
	if len(after) > len(before)+1 {
		return fmt.Errorf("INV-FRAME: %d threads became %d", len(before), len(after))
	}
	if t, ok := after[cur.ID]; ok && t.CPU != cur.CPU {
		return checkNamedFields(pre, post, cur, t)
	}
	return nil
}

// checkNamedFields checks, for a step in which the current thread executed
// an instruction (its CPU changed from was to is), that only the fields
// the instruction names changed: a general register only if it is the
// instruction's rd or rt, or r31 (the link register); HI and LO only for
// SPECIAL functs 0x10–0x1F and SPECIAL2; and no field of the state outside
// the thread stacks, the step counters and the LL reservation. A syscall
// may write v0 (r2) and a3 (r7) and any state field (heap, preimage key and
// offset, hint, exit), and nothing else of the thread's registers.
func checkNamedFields(pre, post state.State, was, is state.Thread) error {
	insn := binary.BigEndian.Uint32(pre.Memory.(memory.Memory).Bytes(was.CPU.PC, 4))
	op, rt, rd, funct := insn>>26, insn>>16&31, insn>>11&31, insn&63
	syscall := op == 0 && funct == 0x0C
	allowed := map[int]bool{int(rd): true, int(rt): true, 31: true}
	if syscall {
		allowed = map[int]bool{2: true, 7: true}
	}
	for i := range is.CPU.Regs {
		if is.CPU.Regs[i] != was.CPU.Regs[i] && !allowed[i] {
			return fmt.Errorf("INV-FRAME: instruction %#08x changed r%d, which it does not name", insn, i)
		}
	}
	if (is.CPU.HI != was.CPU.HI || is.CPU.LO != was.CPU.LO) && !(op == 0 && funct >= 0x10 && funct <= 0x1F || op == 0x1C) {
		return fmt.Errorf("INV-FRAME: instruction %#08x changed HI/LO", insn)
	}
	if syscall {
		return nil
	}
	switch {
	case post.Heap != pre.Heap, post.PreimageKey != pre.PreimageKey, post.PreimageOffset != pre.PreimageOffset,
		string(post.LastHint) != string(pre.LastHint), post.Exited != pre.Exited, post.ExitCode != pre.ExitCode,
		post.NextThreadID != pre.NextThreadID, is.Exited != was.Exited, is.ExitCode != was.ExitCode:
		return fmt.Errorf("INV-FRAME: instruction %#08x changed a state field only a syscall may change", insn)
	}
	return nil
}

func threadsByID(s state.State) map[uint64]state.Thread {
	out := map[uint64]state.Thread{}
	for _, st := range []state.ThreadStack{s.LeftThreads, s.RightThreads} {
		for _, t := range st.Threads {
			out[t.ID] = t
		}
	}
	return out
}

// CheckR0 checks INV-R0: register 0 of every thread is zero.
func CheckR0(s state.State) error {
	for id, t := range threadsByID(s) {
		if t.CPU.Regs[0] != 0 {
			return fmt.Errorf("INV-R0: thread %d has r0 = %#x", id, t.CPU.Regs[0])
		}
	}
	return nil
}

// CheckStepCounter checks INV-STEP-COUNTER and INV-EXITED-ABSORBING for a
// successful step.
func CheckStepCounter(pre, post state.State) error {
	if pre.Exited {
		if post.Hash() != pre.Hash() || post.Step != pre.Step {
			return fmt.Errorf("INV-EXITED-ABSORBING: exited state changed (step %d -> %d)", pre.Step, post.Step)
		}
		return nil
	}
	if post.Step != pre.Step+1 {
		return fmt.Errorf("INV-STEP-COUNTER: step %d -> %d", pre.Step, post.Step)
	}
	return nil
}
