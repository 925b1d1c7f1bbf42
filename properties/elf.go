package properties

import (
	"encoding/binary"
	stderrors "errors"
	"fmt"

	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/program"
)

// Segment is one program header of a synthetic ELF file.
type Segment struct {
	Type   uint32
	Vaddr  uint64
	Data   []byte
	Memsz  uint64 // 0 means len(Data)
	Offset uint64 // 0 means "right after the previous data"
}

// MinimalELF returns a big-endian ELF64 MIPS executable with the given entry
// point and segments: a 64-byte header, the program headers, then the
// segment data. It is the seed generator of the loader's fuzz target and
// tests, so that no binary needs committing.
func MinimalELF(entry uint64, segs ...Segment) []byte {
	const ehsize, phsize = 64, 56
	be := binary.BigEndian
	b := make([]byte, ehsize+phsize*len(segs))
	copy(b, "\x7fELF")
	b[4], b[5], b[6] = 2, 2, 1 // ELFCLASS64, ELFDATA2MSB, EV_CURRENT
	be.PutUint16(b[16:], 2)    // ET_EXEC
	be.PutUint16(b[18:], 8)    // EM_MIPS
	be.PutUint32(b[20:], 1)
	be.PutUint64(b[24:], entry)
	be.PutUint64(b[32:], ehsize) // e_phoff
	be.PutUint16(b[52:], ehsize)
	be.PutUint16(b[54:], phsize)
	be.PutUint16(b[56:], uint16(len(segs)))
	for i, s := range segs {
		off := s.Offset
		if off == 0 {
			off = uint64(len(b))
		}
		memsz := s.Memsz
		if memsz == 0 {
			memsz = uint64(len(s.Data))
		}
		ph := b[ehsize+phsize*i:]
		be.PutUint32(ph[0:], s.Type)
		be.PutUint32(ph[4:], 5) // PF_R|PF_X
		be.PutUint64(ph[8:], off)
		be.PutUint64(ph[16:], s.Vaddr)
		be.PutUint64(ph[24:], s.Vaddr)
		be.PutUint64(ph[32:], uint64(len(s.Data)))
		be.PutUint64(ph[40:], memsz)
		be.PutUint64(ph[48:], 0x1000)
		if s.Offset == 0 {
			b = append(b, s.Data...)
		}
	}
	return b
}

// CheckLoadELF checks PROG-LOAD on arbitrary bytes: program.Load never
// panics; it fails with a rejected-input *errors.Error or returns a state
// whose current thread starts at the ELF entry point with sp = StackTop and
// whose hash can be computed.
func CheckLoadELF(data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("PROG-LOAD: Load panicked: %v", r)
		}
	}()
	s, err := program.Load(data)
	if err != nil {
		var e *errors.Error
		if !stderrors.As(err, &e) || errors.OutcomeOf(err) != errors.OutcomeRejected {
			return fmt.Errorf("PROG-LOAD: Load returned %T %v, want a rejected-input error", err, err)
		}
		return nil
	}
	t, err := s.CurrentThread()
	if err != nil {
		return fmt.Errorf("PROG-LOAD: loaded state has no thread: %v", err)
	}
	if t.CPU.NextPC != t.CPU.PC+4 || t.CPU.Regs[29] != program.StackTop {
		return fmt.Errorf("PROG-LOAD: thread starts at PC %#x nextPC %#x sp %#x", t.CPU.PC, t.CPU.NextPC, t.CPU.Regs[29])
	}
	_ = s.Hash()
	return nil
}
