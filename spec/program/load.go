// Package program turns a MIPS64 ELF executable into Cannon's initial state:
// segments loaded by Cannon's rules, thread 0 at the entry point, the heap at
// HeapStart, and the initial stack that Cannon's PatchStack lays out.
// Cannon: mipsevm/program/load.go:23-73, patch.go:16-68, cmd/load_elf.go.
package program

import (
	"bytes"
	"debug/elf"
	"io"

	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// AddressLimit is the last address a segment may touch (48-bit space).
const AddressLimit = 1<<48 - 1

// Load returns the initial state of the ELF image data: LoadELF followed by
// PatchStack, as `cannon load-elf` does. Requirement PROG-LOAD.
func Load(data []byte) (state.State, error) {
	s, err := LoadELF(data)
	if err != nil {
		return s, err
	}
	return PatchStack(s), nil
}

// LoadELF parses data as a big-endian 64-bit MIPS ELF executable and returns
// the state with its segments in memory and thread 0 at the entry point.
// Segments are loaded in program-header order, later ones overwriting earlier
// bytes; PT_MIPS_ABIFLAGS is skipped; every other type is loaded. It fails
// with CodeBadProgram when the file is truncated or malformed, is not
// ELFCLASS64/ELFDATA2MSB/EM_MIPS, a segment has filesz > memsz, a
// non-PT_LOAD segment has filesz != memsz, or a segment ends past the 48-bit
// space or at or after HeapStart.
func LoadELF(data []byte) (s state.State, err error) {
	f, err := parseELF(data)
	if err != nil {
		return state.State{}, err
	}
	s = state.NewInitial(f.Entry, transition.HeapStart)
	mem := memory.Memory{}
	for i, p := range f.Progs {
		mem, err = loadSegment(mem, i, p, uint64(len(data)))
		if err != nil {
			return state.State{}, err
		}
	}
	s.Memory = mem
	return s, nil
}

// parseELF opens the image and checks class, byte order and machine.
// debug/elf is hardened by the standard library's fuzzing, but a panic there
// on hostile input must still become an error, never a crash.
func parseELF(data []byte) (f *elf.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, bad("malformed ELF: %v", r)
		}
	}()
	f, err = elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, bad("not a readable ELF file: %v", err)
	}
	switch {
	case f.Class != elf.ELFCLASS64:
		return nil, bad("class %v, want ELFCLASS64", f.Class)
	case f.Data != elf.ELFDATA2MSB:
		return nil, bad("byte order %v, want ELFDATA2MSB", f.Data)
	case f.Machine != elf.EM_MIPS:
		return nil, bad("machine %v, want EM_MIPS", f.Machine)
	}
	return f, nil
}

func bad(format string, args ...any) error {
	return errors.New(errors.CodeBadProgram, format, args...)
}

// loadSegment writes segment i into mem by Cannon's rules. fileSize bounds
// the segment's file range before anything is allocated.
func loadSegment(mem memory.Memory, i int, p *elf.Prog, fileSize uint64) (memory.Memory, error) {
	if p.Type == elf.PT_MIPS_ABIFLAGS {
		return mem, nil
	}
	if p.Filesz > p.Memsz {
		return mem, bad("segment %d: file size %d > memory size %d", i, p.Filesz, p.Memsz)
	}
	if p.Filesz != p.Memsz && p.Type != elf.PT_LOAD {
		return mem, bad("segment %d (%v): file size %d != memory size %d and only PT_LOAD is zero-filled", i, p.Type, p.Filesz, p.Memsz)
	}
	if p.Memsz == 0 {
		return mem, nil
	}
	last := p.Vaddr + p.Memsz - 1
	if last > AddressLimit || last < p.Vaddr {
		return mem, bad("segment %d: 0x%x-0x%x outside the 48-bit address space", i, p.Vaddr, last)
	}
	if last >= transition.HeapStart {
		return mem, bad("segment %d: 0x%x-0x%x overlaps the heap at 0x%x", i, p.Vaddr, last, uint64(transition.HeapStart))
	}
	if p.Off > fileSize || p.Filesz > fileSize-p.Off {
		return mem, bad("segment %d: file range [0x%x, +0x%x) past the end of the %d-byte file", i, p.Off, p.Filesz, fileSize)
	}
	content := make([]byte, p.Filesz)
	if _, err := io.ReadFull(p.Open(), content); err != nil {
		return mem, bad("segment %d: %v (file truncated?)", i, err)
	}
	mem = mem.SetBytes(p.Vaddr, content)
	return zeroFill(mem, p.Vaddr+p.Filesz, p.Memsz-p.Filesz), nil
}

// zeroFill writes zeros over [addr, addr+n). Memory is zero by default, so
// only pages that already hold bytes (an earlier, overlapping segment) need
// writing; the root is the same as if every byte were written.
func zeroFill(mem memory.Memory, addr, n uint64) memory.Memory {
	if n == 0 {
		return mem
	}
	end := addr + n
	var spans [][2]uint64
	mem.Pages(func(index uint64, _ *[4096]byte) bool {
		lo, hi := max(index<<12, addr), min(index<<12+4096, end)
		if lo < hi {
			spans = append(spans, [2]uint64{lo, hi})
		}
		return true
	})
	for _, sp := range spans {
		mem = mem.SetBytes(sp[0], make([]byte, sp[1]-sp[0]))
	}
	return mem
}
