package guest

import (
	"fmt"
	"syscall"
	"unsafe"
)

// The OPcity profile's tensor syscalls (docs/spec.md, "OPcity profile"):
// tensor_map(addr, log2size, root_ptr) binds the 2^log2size-aligned region
// at addr to the tensor whose commitment is the 32 bytes at root_ptr;
// tensor_root(addr, log2size, out_ptr) writes the region's root to out_ptr.
// Under the base profile both are unknown syscalls.
const (
	SysTensorMap  = 7000
	SysTensorRoot = 7001
)

// Linux n64 mmap arguments for an anonymous private mapping.
const (
	sysMmap     = 5009
	protRW      = 0x3
	mapPrivAnon = 0x802 // MAP_PRIVATE | MAP_ANONYMOUS (mips: 0x800)
	leafSize    = 32
)

// Region is 2^Log2 bytes of memory at an address aligned to 2^Log2, in the
// VM's heap, outside the Go heap: a place tensor_map can bind and
// tensor_root can commit. Its bytes start zero.
type Region struct {
	Addr uintptr
	Log2 uint
}

// Bytes returns the region's bytes. The memory was mapped by the VM outside
// the Go heap, so the slice is built from its address the way the standard
// library's syscall.Mmap builds one.
func (r Region) Bytes() []byte {
	n := 1 << r.Log2
	header := struct {
		addr     uintptr
		len, cap int
	}{r.Addr, n, n}
	return *(*[]byte)(unsafe.Pointer(&header))
}

// NewRegion maps a fresh region of 2^log2 bytes aligned to its size (it maps
// twice the size and uses the aligned half).
func NewRegion(log2 uint) (Region, error) {
	size := uintptr(1) << log2
	addr, _, errno := syscall.RawSyscall6(sysMmap, 0, 2*size, protRW, mapPrivAnon, ^uintptr(0), 0)
	if errno != 0 {
		return Region{}, fmt.Errorf("mmap %d bytes: %v", 2*size, errno)
	}
	return Region{Addr: (addr + size - 1) &^ (size - 1), Log2: log2}, nil
}

// leaf is a 32-byte-aligned 32-byte buffer for tensor roots, one per
// program, in its own page.
var leaf Region

func rootBuffer() ([]byte, error) {
	if leaf.Addr == 0 {
		r, err := NewRegion(12)
		if err != nil {
			return nil, err
		}
		leaf = r
	}
	return leaf.Bytes()[:leafSize], nil
}

// MapTensor binds r to the tensor committed to by root (at size 2^r.Log2).
func MapTensor(r Region, root [32]byte) error {
	buf, err := rootBuffer()
	if err != nil {
		return err
	}
	copy(buf, root[:])
	_, _, errno := syscall.RawSyscall(SysTensorMap, r.Addr, uintptr(r.Log2), uintptr(unsafe.Pointer(&buf[0])))
	if errno != 0 {
		return fmt.Errorf("tensor_map(%#x, %d): %v", r.Addr, r.Log2, errno)
	}
	return nil
}

// RootOf returns the region's root, computed by the VM.
func RootOf(r Region) ([32]byte, error) {
	var out [32]byte
	buf, err := rootBuffer()
	if err != nil {
		return out, err
	}
	_, _, errno := syscall.RawSyscall(SysTensorRoot, r.Addr, uintptr(r.Log2), uintptr(unsafe.Pointer(&buf[0])))
	if errno != 0 {
		return out, fmt.Errorf("tensor_root(%#x, %d): %v", r.Addr, r.Log2, errno)
	}
	copy(out[:], buf)
	return out, nil
}
