package fpvm

import (
	"encoding/binary"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// syscall executes the syscall instruction of the current thread t with the
// spec's table and order (spec/transition/syscall*.go) for the VM's
// profile: the tensor syscalls exist only under transition.ProfileOPcity,
// elsewhere they are unknown syscalls (PROF-BASE-UNKNOWN). Every failure is
// returned before anything changes.
func (vm *VM) syscall(t *Thread) error {
	c := &t.CPU
	num, a0, a1, a2 := c.Regs[2], c.Regs[4], c.Regs[5], c.Regs[6]
	switch num {
	case transition.SysRead:
		return vm.sysRead(c, a0, a1, a2)
	case transition.SysWrite:
		return vm.sysWrite(c, a0, a1, a2)
	case transition.SysOpen:
		vm.returnErrno(c, errors.EBADF)
	case transition.SysMmap:
		vm.sysMmap(c, a0, a1)
	case transition.SysBrk:
		vm.returnValue(c, transition.ProgramBreak)
	case transition.SysSchedYield, transition.SysNanosleep:
		vm.sysYield(c)
	case transition.SysGetpid:
		vm.returnValue(c, 0)
	case transition.SysClone:
		vm.sysClone(t, a0, a1)
	case transition.SysExit:
		t.Exited, t.ExitCode = true, uint8(a0)
		if vm.threadCount() == 1 {
			vm.Exited, vm.ExitCode = true, uint8(a0)
		}
	case transition.SysFcntl:
		vm.sysFcntl(c, a0, a1)
	case transition.SysGetTID:
		vm.returnValue(c, t.ID)
	case transition.SysFutex:
		vm.sysFutex(c, a0, a1, a2)
	case transition.SysExitGroup:
		vm.Exited, vm.ExitCode = true, uint8(a0)
	case transition.SysClockGetTime:
		vm.sysClockGetTime(c, a0, a1)
	case transition.SysEventFd2:
		if a1&0x80 == 0 { // EFD_NONBLOCK
			vm.returnErrno(c, errors.EINVAL)
		} else {
			vm.returnValue(c, transition.FdEventFd)
		}
	case transition.SysGetRandom:
		vm.sysGetRandom(c, a0, a1)
	default:
		if vm.profile == transition.ProfileOPcity && (num == transition.SysTensorMap || num == transition.SysTensorRoot) {
			return vm.sysTensor(c, num, a0, a1, a2)
		}
		if _, ok := transition.IsNoopSyscall(num); !ok {
			return errors.New(errors.CodeUnknownSyscall, "%d", num)
		}
		vm.returnValue(c, 0)
	}
	return nil
}

// returnValue sets v0 = v, a3 = 0 and advances.
func (vm *VM) returnValue(c *state.CPU, v uint64) { vm.returnPair(c, v, 0) }

// returnErrno sets v0 = errno, a3 = -1 and advances (SYS-ERRNO).
func (vm *VM) returnErrno(c *state.CPU, e errors.Errno) {
	vm.returnPair(c, uint64(e), errors.ErrorSignal)
}

func (vm *VM) returnPair(c *state.CPU, v0, v1 uint64) {
	c.Regs[2], c.Regs[7] = v0, v1
	c.PC = c.NextPC
	c.NextPC += 4
}

// sysMmap grows the heap for a0 == 0 and returns a hint unchanged (SYS-MMAP).
func (vm *VM) sysMmap(c *state.CPU, a0, a1 uint64) {
	size := a1
	if rem := size % transition.PageSize; rem != 0 {
		size += transition.PageSize - rem
	}
	if a0 != 0 {
		vm.returnValue(c, a0)
		return
	}
	heap := vm.Heap
	next := heap + size
	if next > transition.HeapEnd || next < heap || size < a1 {
		vm.returnErrno(c, errors.EINVAL)
		return
	}
	vm.Heap = next
	vm.returnValue(c, heap)
}

// sysFcntl answers F_GETFD and F_GETFL for the fds Cannon knows.
func (vm *VM) sysFcntl(c *state.CPU, fd, cmd uint64) {
	switch cmd {
	case 1:
		if fd <= transition.FdPreimageWrite {
			vm.returnValue(c, 0)
			return
		}
	case 3:
		switch fd {
		case transition.FdStdin, transition.FdHintRead, transition.FdPreimageRead:
			vm.returnValue(c, 0)
			return
		case transition.FdStdout, transition.FdStderr, transition.FdHintWrite, transition.FdPreimageWrite:
			vm.returnValue(c, 1)
			return
		}
	default:
		vm.returnErrno(c, errors.EINVAL)
		return
	}
	vm.returnErrno(c, errors.EBADF)
}

// sysClockGetTime writes (secs, nsecs) of the step clock at a1 & ^7.
func (vm *VM) sysClockGetTime(c *state.CPU, clock, addr uint64) {
	if clock != transition.ClockRealtime && clock != transition.ClockMonotonic {
		vm.returnErrno(c, errors.EINVAL)
		return
	}
	var secs, nsecs uint64
	if clock == transition.ClockMonotonic {
		secs = vm.StepCount / transition.ClockHz
		nsecs = (vm.StepCount % transition.ClockHz) * (1_000_000_000 / transition.ClockHz)
	}
	addr &^= 7
	vm.write(addr, secs)
	vm.write(addr+8, nsecs)
	vm.returnValue(c, 0)
}

// sysGetRandom replaces up to 8 - (a0 & 7) bytes of the word at a0 with
// splitmix64(step) bytes.
func (vm *VM) sysGetRandom(c *state.CPU, a0, a1 uint64) {
	addr := a0 &^ 7
	mem := vm.read(addr)
	i := a0 & 7
	n := min(a1, 8-i)
	var mask uint64
	if n != 0 {
		mask = (^uint64(0) >> (64 - 8*n)) << (64 - 8*(i+n))
	}
	vm.write(addr, mem&^mask|transition.Splitmix64(vm.StepCount)&mask)
	vm.returnValue(c, n)
}

// sysRead serves stdin (empty), the hint fd, the preimage fd and the eventfd.
func (vm *VM) sysRead(c *state.CPU, fd, addr, n uint64) error {
	switch fd {
	case transition.FdStdin:
		vm.returnValue(c, 0)
	case transition.FdHintRead:
		vm.returnValue(c, n)
	case transition.FdPreimageRead:
		return vm.sysReadPreimage(c, addr, n)
	case transition.FdEventFd:
		vm.returnErrno(c, errors.EAGAIN)
	default:
		vm.returnErrno(c, errors.EBADF)
	}
	return nil
}

// sysWrite reports output writes as written (their bytes go to Observe and
// LastHint), shifts bytes into the preimage key for fd 6.
func (vm *VM) sysWrite(c *state.CPU, fd, addr, n uint64) error {
	switch fd {
	case transition.FdStdout, transition.FdStderr, transition.FdHintWrite:
		if fd == transition.FdHintWrite || vm.Observe != nil {
			vm.pending = vm.outputEffects(fd, addr, n)
			vm.hasPending = true
		}
		vm.returnValue(c, n)
	case transition.FdPreimageWrite:
		mem := vm.read(addr &^ 7)
		align := addr & 7
		cnt := min(n, 8-align)
		var word [8]byte
		binary.BigEndian.PutUint64(word[:], mem)
		key := vm.PreimageKey
		copy(key[:], key[cnt:])
		copy(key[32-cnt:], word[align:align+cnt])
		vm.PreimageKey, vm.PreimageOffset = key, 0
		vm.returnValue(c, cnt)
	case transition.FdEventFd:
		vm.returnErrno(c, errors.EAGAIN)
	default:
		vm.returnErrno(c, errors.EBADF)
	}
	return nil
}

// outputEffects builds the effects spec.Advance reports for write(fd, addr, n).
func (vm *VM) outputEffects(fd, addr, n uint64) transition.Effects {
	data := vm.mem.readBytes(addr, min(n, spec.MaxOutput))
	e := transition.Effects{Fd: fd, Data: data}
	if fd == transition.FdHintWrite {
		e.Hints, e.LastHint = transition.SplitHints(append(append([]byte(nil), vm.LastHint...), data...))
	}
	return e
}

// sysReadPreimage copies up to 8 bytes of the length-prefixed preimage stream
// into memory at addr. A missing key fails with CodeMissingPreimage, an
// offset past the stream with CodePreimageOffsetOOB, both before any write.
func (vm *VM) sysReadPreimage(c *state.CPU, addr, n uint64) error {
	mem := vm.read(addr &^ 7)
	key := vm.PreimageKey
	var value []byte
	ok := false
	if vm.data.Preimages != nil {
		value, ok = vm.data.Preimages.Preimage(key)
	}
	if !ok {
		return errors.New(errors.CodeMissingPreimage, "key 0x%x", key)
	}
	off, total := vm.PreimageOffset, 8+uint64(len(value))
	if off >= total {
		return errors.New(errors.CodePreimageOffsetOOB, "offset %d, stream length %d, key 0x%x", off, total, key)
	}
	align := addr & 7
	cnt := min(total-off, 8-align, n)
	var word [8]byte
	binary.BigEndian.PutUint64(word[:], mem)
	var prefix [8]byte
	binary.BigEndian.PutUint64(prefix[:], uint64(len(value)))
	for i := uint64(0); i < cnt; i++ {
		if p := off + i; p < 8 {
			word[align+i] = prefix[p]
		} else {
			word[align+i] = value[p-8]
		}
	}
	vm.write(addr&^7, binary.BigEndian.Uint64(word[:]))
	vm.PreimageOffset += cnt
	vm.returnValue(c, cnt)
	return nil
}

// sysYield returns 0 and preempts the current thread.
func (vm *VM) sysYield(c *state.CPU) {
	vm.returnValue(c, 0)
	vm.preempt()
}

// sysFutex implements FUTEX_WAIT_PRIVATE and FUTEX_WAKE_PRIVATE (SYS-FUTEX).
func (vm *VM) sysFutex(c *state.CPU, a0, op, val uint64) {
	addr := a0 &^ 3
	switch op {
	case transition.FutexWaitPrivate:
		mem := vm.read(addr &^ 7)
		if uint32(mem>>subShift(addr, 4)) != uint32(val) {
			vm.returnErrno(c, errors.EAGAIN)
			return
		}
		vm.sysYield(c)
	case transition.FutexWakePrivate:
		vm.sysYield(c)
	default:
		vm.returnErrno(c, errors.EINVAL)
	}
}

// sysClone pushes a child thread that starts at the parent's nextPC with
// sp = a1 (SYS-CLONE-FLAGS: other flags end the VM with exit code 2).
func (vm *VM) sysClone(t *Thread, flags, sp uint64) {
	if flags != transition.CloneFlags {
		vm.Exited, vm.ExitCode = true, transition.ExitCodeClonePanic
		return
	}
	child := &Thread{Thread: state.Thread{ID: vm.NextThreadID, CPU: t.CPU}}
	child.CPU.PC, child.CPU.NextPC = t.CPU.NextPC, t.CPU.NextPC+4
	child.CPU.Regs[29], child.CPU.Regs[2], child.CPU.Regs[7] = sp, 0, 0
	vm.NextThreadID++
	vm.returnValue(&t.CPU, child.ID)
	vm.pushThread(child)
}
