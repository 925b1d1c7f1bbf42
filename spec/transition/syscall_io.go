package transition

import (
	"encoding/binary"

	"github.com/opcity-spec/opcity/spec/errors"
)

// I/O, memory and clock syscalls. Cannon: exec/mips_syscalls.go:117-265,
// multithreaded/mips.go:129-160, 217-257.

// File descriptors Cannon knows.
const (
	FdStdin         = 0
	FdStdout        = 1
	FdStderr        = 2
	FdHintRead      = 3
	FdHintWrite     = 4
	FdPreimageRead  = 5
	FdPreimageWrite = 6
	FdEventFd       = 100
)

// Memory layout constants (Cannon: arch/arch64.go:12-24).
const (
	HeapStart    = 0x0000_1000_0000_0000
	HeapEnd      = 0x0000_6000_0000_0000
	ProgramBreak = 0x0000_4000_0000_0000
	PageSize     = 4096
)

// Clock ids and the clock rate of clock_gettime (Cannon: HZ).
const (
	ClockRealtime  = 0
	ClockMonotonic = 1
	ClockHz        = 10_000_000
)

// efdNonblock is EFD_NONBLOCK; eventfd2 requires it.
const efdNonblock = 0x80

// sysMmap allocates from the heap. a1 is rounded up to whole pages. With
// a0 != 0 the hint is returned unchanged and nothing is checked. With a0 == 0
// the old heap pointer is returned and the heap grows; the call fails with
// EINVAL, heap unchanged, if the new heap passes HeapEnd, wraps, or the
// rounding overflows (SYS-MMAP).
func (m *machine) sysMmap(a sysArgs) error {
	size := a.a1
	if rem := size % PageSize; rem != 0 {
		size += PageSize - rem
	}
	if a.a0 != 0 {
		return m.returnValue(a.a0)
	}
	heap := m.s.Heap
	next := heap + size
	if next > HeapEnd || next < heap || size < a.a1 {
		return m.returnErrno(errors.EINVAL)
	}
	m.s.Heap = next
	return m.returnValue(heap)
}

// sysFcntl answers F_GETFD (1) and F_GETFL (3) for fds 0-6; any other
// command is EINVAL (checked before the fd), any other fd EBADF.
func (m *machine) sysFcntl(a sysArgs) error {
	switch a.a1 {
	case 1:
		if a.a0 <= FdPreimageWrite {
			return m.returnValue(0)
		}
	case 3:
		switch a.a0 {
		case FdStdin, FdHintRead, FdPreimageRead:
			return m.returnValue(0) // O_RDONLY
		case FdStdout, FdStderr, FdHintWrite, FdPreimageWrite:
			return m.returnValue(1) // O_WRONLY
		}
	default:
		return m.returnErrno(errors.EINVAL)
	}
	return m.returnErrno(errors.EBADF)
}

// sysEventFd2 returns the fixed fd 100 when flags (a1) has EFD_NONBLOCK,
// else EINVAL. The initial value is ignored and no state is kept.
func (m *machine) sysEventFd2(a sysArgs) error {
	if a.a1&efdNonblock == 0 {
		return m.returnErrno(errors.EINVAL)
	}
	return m.returnValue(FdEventFd)
}

// sysClockGetTime writes (secs, nsecs) to the words at a1 & ^7 and the next
// word. MONOTONIC derives them from the incremented step (10 MHz); REALTIME
// writes zeros. Other clock ids return EINVAL. Both writes invalidate a
// matching LL reservation.
func (m *machine) sysClockGetTime(a sysArgs) error {
	if a.a0 != ClockRealtime && a.a0 != ClockMonotonic {
		return m.returnErrno(errors.EINVAL)
	}
	var secs, nsecs uint64
	if a.a0 == ClockMonotonic {
		secs = m.s.Step / ClockHz
		nsecs = (m.s.Step % ClockHz) * (1_000_000_000 / ClockHz)
	}
	addr := a.a1 &^ 7
	if err := m.writeWord(addr, secs); err != nil {
		return err
	}
	if err := m.writeWord(addr+8, nsecs); err != nil {
		return err
	}
	return m.returnValue(0)
}

// sysGetRandom replaces bytes [i, i+n) of the word at a0 & ^7, i = a0 & 7,
// n = min(a1, 8-i), with the same bytes of splitmix64(step) (step already
// incremented), and returns n. The word is written even when n = 0.
func (m *machine) sysGetRandom(a sysArgs) error {
	addr := a.a0 &^ 7
	mem, err := m.readWord(addr)
	if err != nil {
		return err
	}
	i := a.a0 & 7
	n := min(a.a1, 8-i)
	mask := byteMask(i, n)
	if err := m.writeWord(addr, mem&^mask|Splitmix64(m.s.Step)&mask); err != nil {
		return err
	}
	return m.returnValue(n)
}

// byteMask returns a mask of big-endian bytes [i, i+n) of a word; i+n <= 8.
func byteMask(i, n uint64) uint64 {
	if n == 0 {
		return 0
	}
	return (^uint64(0) >> (64 - 8*n)) << (64 - 8*(i+n))
}

// Splitmix64 is the splitmix64 output function for seed x.
func Splitmix64(x uint64) uint64 {
	z := x + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// sysRead: stdin reads nothing; the hint fd reports a2 bytes read without
// writing memory; fd 5 reads the preimage; the eventfd returns EAGAIN; any
// other fd EBADF (SYS-READ).
func (m *machine) sysRead(a sysArgs) error {
	switch a.a0 {
	case FdStdin:
		return m.returnValue(0)
	case FdHintRead:
		return m.returnValue(a.a2)
	case FdPreimageRead:
		return m.sysReadPreimage(a)
	case FdEventFd:
		return m.returnErrno(errors.EAGAIN)
	}
	return m.returnErrno(errors.EBADF)
}

// sysWrite: stdout, stderr and the hint fd report a2 bytes written and change
// nothing the state commits to; their bytes, and the LastHint buffer, are
// effects runners apply from outside the step (PendingEffects); fd 6 writes to
// the preimage key; the eventfd returns EAGAIN; any other fd EBADF.
func (m *machine) sysWrite(a sysArgs) error {
	switch a.a0 {
	case FdStdout, FdStderr, FdHintWrite:
		return m.returnValue(a.a2)
	case FdPreimageWrite:
		return m.sysWritePreimageKey(a)
	case FdEventFd:
		return m.returnErrno(errors.EAGAIN)
	}
	return m.returnErrno(errors.EBADF)
}

// sysWritePreimageKey shifts n = min(a2, 8 - (a1 & 7)) bytes from memory at
// a1 into the low end of the 32-byte key, resets the preimage offset to 0
// and returns n (PRE-KEY-FIFO).
func (m *machine) sysWritePreimageKey(a sysArgs) error {
	mem, err := m.readWord(a.a1)
	if err != nil {
		return err
	}
	align := a.a1 & 7
	n := min(a.a2, 8-align)
	var word [8]byte
	binary.BigEndian.PutUint64(word[:], mem)
	key := m.s.PreimageKey
	copy(key[:], key[n:])
	copy(key[32-n:], word[align:align+n])
	m.s.PreimageKey, m.s.PreimageOffset = key, 0
	return m.returnValue(n)
}

// sysReadPreimage copies up to min(a2, 8 - (a1 & 7), 32) bytes of the stream
// len(preimage) as 8 big-endian bytes ‖ preimage, from PreimageOffset, into
// memory at a1; advances the offset and returns the count. The word is
// written even for a count of 0. A key D cannot serve fails with
// CodeMissingPreimage; an offset at or past the end of the stream has no
// post-state (ERR-PREIMAGE-OOB).
func (m *machine) sysReadPreimage(a sysArgs) error {
	mem, err := m.readWord(a.a1)
	if err != nil {
		return err
	}
	chunk, err := m.readPreimageStream()
	if err != nil {
		return err
	}
	align := a.a1 & 7
	n := min(uint64(len(chunk)), 8-align, a.a2)
	var word [8]byte
	binary.BigEndian.PutUint64(word[:], mem)
	copy(word[align:], chunk[:n])
	if err := m.writeWord(a.a1, binary.BigEndian.Uint64(word[:])); err != nil {
		return err
	}
	m.s.PreimageOffset += n
	return m.returnValue(n)
}

// readPreimageStream returns up to 32 bytes of the length-prefixed preimage
// stream from the current offset.
func (m *machine) readPreimageStream() ([]byte, error) {
	key := m.s.PreimageKey
	var value []byte
	ok := false
	if m.d.Preimages != nil {
		value, ok = m.d.Preimages.Preimage(key)
	}
	if !ok {
		return nil, errors.New(errors.CodeMissingPreimage, "key 0x%x", key)
	}
	n := 8 + uint64(len(value))
	off := m.s.PreimageOffset
	if off >= n {
		return nil, errors.New(errors.CodePreimageOffsetOOB, "offset %d, stream length %d, key 0x%x", off, n, key)
	}
	// Only the 32 bytes from off are built, not the whole stream: a program
	// reads a long preimage 8 bytes at a time.
	var prefix [8]byte
	binary.BigEndian.PutUint64(prefix[:], uint64(len(value)))
	chunk := make([]byte, 0, 32)
	if off < 8 {
		chunk = append(chunk, prefix[off:]...)
	}
	start := max(off, 8) - 8
	return append(chunk, value[start:min(start+32-uint64(len(chunk)), uint64(len(value)))]...), nil
}
