package fpvm

import (
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Step executes one step with data d, exactly as spec.Advance: the state
// changes as spec.Step changes it, LastHint is updated for hint writes, and
// Observe sees output writes. On error the VM is unchanged and the error is
// the spec's *errors.Error (same Code) for the same step.
func (vm *VM) Step(d transition.Data) error {
	vm.data = d
	err := vm.stepOne()
	vm.data = transition.Data{}
	return err
}

// Run executes up to n steps with data d, stopping early when the VM exits,
// and returns the number of steps executed. On error the VM holds the state
// before the failing step, steps counts the successful ones, and err is the
// spec's error for the failing step (as spec.Run).
func (vm *VM) Run(d transition.Data, n uint64) (steps uint64, err error) {
	vm.data = d
	defer func() { vm.data = transition.Data{} }()
	for steps < n && !vm.Exited {
		t := vm.cur
		if t != nil && !t.Exited && vm.StepsSinceLastContextSwitch < transition.SchedQuantum {
			budget := min(n-steps, transition.SchedQuantum-vm.StepsSinceLastContextSwitch)
			k, err := vm.runBlock(t, budget)
			steps += k
			if err != nil || k == budget {
				if err != nil {
					return steps, err
				}
				continue
			}
		}
		// A syscall, a thread switch or an exit: one general step.
		if err := vm.stepOne(); err != nil {
			return steps, err
		}
		steps++
	}
	return steps, nil
}

// stepOne is one step in the spec's order (spec/transition/step.go Step):
// an exited VM does nothing; an empty active stack fails; Step += 1; an
// exited thread is popped; a thread at its quantum is preempted; otherwise
// the instruction at PC runs. On error the counters are restored, and
// nothing else has changed.
func (vm *VM) stepOne() error {
	if vm.Exited {
		return nil
	}
	t := vm.cur
	if t == nil {
		return errors.New(errors.CodeEmptyThreadStack, "step %d", vm.StepCount)
	}
	if t.Exited {
		if vm.threadCount() == 1 {
			return errors.New(errors.CodeEmptyPostStack, "step %d", vm.StepCount+1)
		}
		vm.StepCount++
		vm.popThread()
		return nil
	}
	vm.StepCount++
	if vm.StepsSinceLastContextSwitch >= transition.SchedQuantum {
		vm.preempt()
		return nil
	}
	vm.StepsSinceLastContextSwitch++
	if err := vm.execute(t); err != nil {
		vm.StepCount--
		vm.StepsSinceLastContextSwitch--
		vm.hasPending = false
		return err
	}
	if vm.hasPending {
		vm.applyEffects()
	}
	return nil
}

// execute fetches, decodes and executes the instruction at the PC of t.
func (vm *VM) execute(t *Thread) error {
	pc := t.CPU.PC
	if pc&3 != 0 {
		return errors.New(errors.CodeUnalignedFetch, "PC = 0x%x", pc)
	}
	if vm.rec != nil {
		vm.rec.note(vm, pc&^7)
	}
	in := vm.fetch(pc)
	if in.op == opSyscall {
		return vm.syscall(t)
	}
	return vm.exec(&t.CPU, in)
}

// applyEffects applies the effects of the output write just executed:
// LastHint for the hint fd, then Observe.
func (vm *VM) applyEffects() {
	e := vm.pending
	vm.pending, vm.hasPending = transition.Effects{}, false
	if e.Fd == transition.FdHintWrite {
		vm.LastHint = e.LastHint
	}
	if vm.Observe != nil {
		vm.Observe(e)
	}
}

// fetch returns the decoded instruction at the 4-aligned pc, decoding and
// caching it per page. A pc on an absent page reads as word 0 and is decoded
// into scratch space, so fetching never allocates a page.
func (vm *VM) fetch(pc uint64) *insn {
	p := vm.mem.lookup(pc)
	if p == nil {
		vm.scratch = decode(0)
		return &vm.scratch
	}
	if p.code == nil {
		p.code = new([insnPerPage]insn)
	}
	in := &p.code[(pc&pageMask)>>2]
	if in.op == opNone {
		*in = decode(vm.instructionWord(pc))
	}
	return in
}

// runBlock executes up to budget instructions of thread t, which is current,
// not exited and has at least budget steps left in its quantum. It stops
// before a syscall (the caller runs it with stepOne) and at the first
// failing instruction, whose step is not counted. It returns the number of
// instructions executed.
func (vm *VM) runBlock(t *Thread, budget uint64) (uint64, error) {
	c := &t.CPU
	var i uint64
	var err error
	var code *[insnPerPage]insn
	codePage := ^uint64(0)
	for i < budget {
		pc := c.PC
		if pc>>pageLog2 != codePage || pc&3 != 0 {
			if pc&3 != 0 {
				err = errors.New(errors.CodeUnalignedFetch, "PC = 0x%x", pc)
				break
			}
			p := vm.mem.lookup(pc)
			if p == nil {
				code, codePage = nil, ^uint64(0)
				if err = vm.exec(c, vm.fetch(pc)); err != nil {
					break
				}
				i++
				continue
			}
			if p.code == nil {
				p.code = new([insnPerPage]insn)
			}
			code, codePage = p.code, pc>>pageLog2
		}
		in := &code[(pc&pageMask)>>2]
		if in.op == opNone {
			*in = decode(vm.instructionWord(pc))
		}
		if in.op == opSyscall {
			break
		}
		if err = vm.exec(c, in); err != nil {
			break
		}
		i++
	}
	vm.StepCount += i
	vm.StepsSinceLastContextSwitch += i
	return i, err
}

// Current returns the current thread (the top of the active stack), or
// false when the active stack is empty.
func (vm *VM) Current() (state.Thread, bool) {
	if vm.cur == nil {
		return state.Thread{}, false
	}
	return vm.cur.Thread, true
}
