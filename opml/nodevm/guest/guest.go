// Package guest is the side of the opML VM programs that runs inside the
// VM: it reads preimages through Cannon's preimage oracle (write the 32-byte
// key to fd 6, read an 8-byte big-endian length and the value from fd 5) and
// names the local keys and exit codes the host and the programs agree on
// (docs/opml.md §7). It builds natively too, so tests can compile it, but it
// only works inside the VM.
package guest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// The local keys (preimage key type 1) of the node program: the keccak256
// of the node descriptor, and the claimed output commitment. The whole
// inference program reads the keccak256 of the model file under
// LocalModel and of the input tensor's bytes under LocalInput.
const (
	LocalDescriptor = 1
	LocalClaim      = 2

	LocalModel = 1
	LocalInput = 2
)

// The node program's exit codes. A Go panic exits with 2, so bad input has
// its own code.
const (
	ExitClaimRight = 0 // the claimed commitment is the node output's
	ExitClaimWrong = 1 // it is not
	ExitBadInput   = 3 // the descriptor, an operand or the oracle is unusable
)

// LocalKey returns the local preimage key with identifier id:
// 0x01, 30 zero bytes, id.
func LocalKey(id byte) [32]byte {
	var k [32]byte
	k[0], k[31] = 1, id
	return k
}

// KeccakKey returns the keccak256 preimage key of a value whose keccak256
// is h: 0x02 followed by h's last 31 bytes.
func KeccakKey(h [32]byte) [32]byte {
	h[0] = 2
	return h
}

// The oracle's file descriptors.
const (
	fdPreimageRead  = 5
	fdPreimageWrite = 6
)

// Oracle reads preimages from the VM's oracle file descriptors with raw
// read and write syscalls: the VM returns at most 8 bytes per read, so a
// tensor takes one syscall per word, and skipping the os.File and poller
// layers keeps each one short.
type Oracle struct{}

// NewOracle returns the oracle on fds 5 (read) and 6 (write).
func NewOracle() *Oracle { return &Oracle{} }

// Get returns the value of key, read in full.
func (o *Oracle) Get(key [32]byte) ([]byte, error) {
	for off := 0; off < len(key); {
		n, err := rawIO(syscall.SYS_WRITE, fdPreimageWrite, key[off:])
		if err != nil {
			return nil, fmt.Errorf("writing key %x: %w", key, err)
		}
		off += n
	}
	var prefix [8]byte
	if err := o.readFull(prefix[:]); err != nil {
		return nil, fmt.Errorf("reading the length of %x: %w", key, err)
	}
	size := binary.BigEndian.Uint64(prefix[:])
	if size > 1<<30 {
		return nil, fmt.Errorf("preimage of %x: %d bytes", key, size)
	}
	value := make([]byte, size)
	if err := o.readFull(value); err != nil {
		return nil, fmt.Errorf("reading the value of %x: %w", key, err)
	}
	return value, nil
}

// Get32 returns the value of key, which must be exactly 32 bytes.
func (o *Oracle) Get32(key [32]byte) ([32]byte, error) {
	var out [32]byte
	v, err := o.Get(key)
	if err != nil {
		return out, err
	}
	if len(v) != 32 {
		return out, fmt.Errorf("preimage of %x: %d bytes, want 32", key, len(v))
	}
	copy(out[:], v)
	return out, nil
}

func (o *Oracle) readFull(b []byte) error {
	for off := 0; off < len(b); {
		n, err := rawIO(syscall.SYS_READ, fdPreimageRead, b[off:])
		if err != nil {
			return err
		}
		if n == 0 {
			return errors.New("oracle returned no bytes")
		}
		off += n
	}
	return nil
}

// rawIO makes one read or write syscall on fd over b.
func rawIO(trap, fd uintptr, b []byte) (int, error) {
	n, _, errno := syscall.RawSyscall(trap, fd, uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// Fail prints the error to stderr and exits with ExitBadInput.
func Fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
	os.Exit(ExitBadInput)
}
