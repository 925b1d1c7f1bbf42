package transition

import (
	"slices"

	"github.com/opcity-spec/opcity/spec/errors"
)

// Syscalls: the MIPS64 n64 numbers Cannon v5 implements.
// Cannon: multithreaded/mips.go:20-269, exec/mips_syscalls.go, arch/arch64.go.
//
// The number is in v0 (r2), arguments in a0..a2 (r4..r6). A returning
// syscall sets r2 = v0 and r7 = v1 (a3) and advances; no other register
// changes. Errors return v0 = errno, a3 = 0xFFFF_FFFF_FFFF_FFFF
// (SYS-ERRNO). A number outside the table has no post-state
// (ERR-UNKNOWN-SYSCALL). The OPcity profile adds two numbers to the table,
// tensor_map and tensor_root (syscall_tensor.go); under the base profile they
// are unknown like any other (PROF-BASE-UNKNOWN).

// Syscall numbers (5000 + n64 index).
const (
	SysRead         = 5000
	SysWrite        = 5001
	SysOpen         = 5002
	SysMmap         = 5009
	SysBrk          = 5012
	SysSchedYield   = 5023
	SysNanosleep    = 5034
	SysGetpid       = 5038
	SysClone        = 5055
	SysExit         = 5058
	SysFcntl        = 5070
	SysGetTID       = 5178
	SysFutex        = 5194
	SysExitGroup    = 5205
	SysClockGetTime = 5222
	SysEventFd2     = 5284
	SysGetRandom    = 5313
)

// noopSyscalls are the numbers that only return v0 = 0, a3 = 0 and
// advance; they write no output buffer. Unexported so no importer can
// change the spec: IsNoopSyscall and NoopSyscalls read it.
var noopSyscalls = map[uint64]string{
	5003: "close", 5004: "stat", 5005: "fstat", 5008: "lseek", 5010: "mprotect",
	5011: "munmap", 5013: "rt_sigaction", 5014: "rt_sigprocmask", 5015: "ioctl",
	5016: "pread64", 5026: "mincore", 5027: "madvise", 5036: "setitimer",
	5061: "uname", 5087: "readlink", 5095: "getrlimit", 5100: "getuid",
	5102: "getgid", 5129: "sigaltstack", 5196: "sched_getaffinity",
	5208: "epoll_ctl", 5216: "timer_create", 5217: "timer_settime",
	5220: "timer_delete", 5225: "tgkill", 5247: "openat", 5257: "readlinkat",
	5272: "epoll_pwait", 5285: "epoll_create1", 5287: "pipe2", 5297: "prlimit64",
}

// IsNoopSyscall reports whether syscall num only returns v0 = 0, a3 = 0
// and advances, and returns its Linux name.
func IsNoopSyscall(num uint64) (name string, ok bool) {
	name, ok = noopSyscalls[num]
	return name, ok
}

// NoopSyscalls returns the no-op syscall numbers in ascending order.
func NoopSyscalls() []uint64 {
	out := make([]uint64, 0, len(noopSyscalls))
	for n := range noopSyscalls {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// sysArgs are a syscall's number and arguments.
type sysArgs struct {
	num, a0, a1, a2 uint64
}

// execSyscall executes the syscall instruction; its code field is ignored.
func (m *machine) execSyscall() error {
	a := sysArgs{num: m.reg(2), a0: m.reg(4), a1: m.reg(5), a2: m.reg(6)}
	switch a.num {
	case SysRead:
		return m.sysRead(a)
	case SysWrite:
		return m.sysWrite(a)
	case SysOpen:
		return m.returnErrno(errors.EBADF)
	case SysMmap:
		return m.sysMmap(a)
	case SysBrk:
		return m.returnValue(ProgramBreak)
	case SysSchedYield, SysNanosleep:
		return m.sysYield(a)
	case SysGetpid:
		return m.returnValue(0)
	case SysClone:
		return m.sysClone(a)
	case SysExit:
		return m.sysExit(a)
	case SysFcntl:
		return m.sysFcntl(a)
	case SysGetTID:
		return m.returnValue(m.t.ID)
	case SysFutex:
		return m.sysFutex(a)
	case SysExitGroup:
		return m.sysExitGroup(a)
	case SysClockGetTime:
		return m.sysClockGetTime(a)
	case SysEventFd2:
		return m.sysEventFd2(a)
	case SysGetRandom:
		return m.sysGetRandom(a)
	}
	if _, ok := noopSyscalls[a.num]; ok {
		return m.returnValue(0)
	}
	if m.p == ProfileOPcity {
		switch a.num {
		case SysTensorMap:
			return m.sysTensorMap(a)
		case SysTensorRoot:
			return m.sysTensorRoot(a)
		}
	}
	return errors.New(errors.CodeUnknownSyscall, "%d", a.num)
}

// returnFromSyscall sets r2 = v0, r7 = v1 and advances.
func (m *machine) returnFromSyscall(v0, v1 uint64) error {
	m.setReg(2, v0)
	m.setReg(7, v1)
	m.advance()
	return nil
}

// returnValue is a successful return: v0 = v, a3 = 0.
func (m *machine) returnValue(v uint64) error { return m.returnFromSyscall(v, 0) }

// returnErrno is a failed return: v0 = errno, a3 = -1.
func (m *machine) returnErrno(e errors.Errno) error {
	return m.returnFromSyscall(uint64(e), errors.ErrorSignal)
}
