// Package program turns a MIPS64 ELF executable into Cannon's initial state:
// segments loaded by Cannon's rules, thread 0 at the entry point, the heap at
// HeapStart, and the initial stack that Cannon's PatchStack lays out.
// Cannon: mipsevm/program/load.go:23-73, patch.go:16-68, cmd/load_elf.go.
package program

import (
	"bytes"
	"debug/elf"
	"slices"
	"sort"

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

// The loader's own limits, beyond Cannon's rules (requirement
// PROG-LOAD-LINEAR): they bound its work and memory by the file's size.
// Ordinary executables are far within them: the Go programs the repository
// builds have 6 program headers whose file sizes sum to less than the file.
const (
	// MaxProgramHeaders is the most program headers a program may have.
	MaxProgramHeaders = 256
	// MaxLoadFactor bounds the bytes the segments copy from the file: their
	// file sizes sum to at most MaxLoadFactor times the file's size.
	MaxLoadFactor = 2
)

// LoadELF parses data as a big-endian 64-bit MIPS ELF executable and returns
// the state with its segments in memory and thread 0 at the entry point.
// Segments are loaded as Cannon loads them, in program-header order, later
// ones overwriting earlier bytes, zero fill included; PT_MIPS_ABIFLAGS is
// skipped; every other type is loaded. It fails with CodeBadProgram when the
// file is truncated or malformed, is not ELFCLASS64/ELFDATA2MSB/EM_MIPS, a
// segment has filesz > memsz, a non-PT_LOAD segment has filesz != memsz, a
// segment ends past the 48-bit space or at or after HeapStart, or the file
// exceeds MaxProgramHeaders or MaxLoadFactor.
//
// Work and memory are linear in len(data) (PROG-LOAD-LINEAR): the memory
// is written by paint, which writes each address at most once and never
// writes zeros, so a zero fill costs nothing however large, and overlapping
// segments cost no more than the bytes that survive.
func LoadELF(data []byte) (s state.State, err error) {
	f, err := parseELF(data)
	if err != nil {
		return state.State{}, err
	}
	if len(f.Progs) > MaxProgramHeaders {
		return state.State{}, bad("%d program headers, at most %d", len(f.Progs), MaxProgramHeaders)
	}
	var segs []*elf.Prog
	var fileBytes uint64
	for i, p := range f.Progs {
		load, err := checkSegment(i, p, uint64(len(data)))
		if err != nil {
			return state.State{}, err
		}
		if load {
			segs = append(segs, p)
			if fileBytes += p.Filesz; fileBytes > MaxLoadFactor*uint64(len(data)) {
				return state.State{}, bad("segments 0-%d copy %d bytes from a %d-byte file, at most %d times its size", i, fileBytes, len(data), MaxLoadFactor)
			}
		}
	}
	s = state.NewInitial(f.Entry, transition.HeapStart)
	s.Memory = paint(data, segs)
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

// checkSegment checks segment i by Cannon's rules and reports whether it
// writes memory. fileSize bounds the segment's file range.
func checkSegment(i int, p *elf.Prog, fileSize uint64) (bool, error) {
	if p.Type == elf.PT_MIPS_ABIFLAGS {
		return false, nil
	}
	if p.Filesz > p.Memsz {
		return false, bad("segment %d: file size %d > memory size %d", i, p.Filesz, p.Memsz)
	}
	if p.Filesz != p.Memsz && p.Type != elf.PT_LOAD {
		return false, bad("segment %d (%v): file size %d != memory size %d and only PT_LOAD is zero-filled", i, p.Type, p.Filesz, p.Memsz)
	}
	if p.Memsz == 0 {
		return false, nil
	}
	last := p.Vaddr + p.Memsz - 1
	if last > AddressLimit || last < p.Vaddr {
		return false, bad("segment %d: 0x%x-0x%x outside the 48-bit address space", i, p.Vaddr, last)
	}
	if last >= transition.HeapStart {
		return false, bad("segment %d: 0x%x-0x%x overlaps the heap at 0x%x", i, p.Vaddr, last, uint64(transition.HeapStart))
	}
	if p.Off > fileSize || p.Filesz > fileSize-p.Off {
		return false, bad("segment %d: file range [0x%x, +0x%x) past the end of the %d-byte file (file truncated?)", i, p.Off, p.Filesz, fileSize)
	}
	return true, nil
}

// paint returns the memory that writing segs in order leaves, each segment
// its file bytes at [Vaddr, Vaddr+Filesz) and zeros up to Vaddr+Memsz: an
// address holds the bytes of the last segment that covers it. It walks the
// segments last to first and writes only the file bytes no later segment
// covers, so each address is written at most once; zeros are not written,
// since memory is zero already, and a zero fill allocates no page (Cannon's
// allocates them; the root is the same, MEM-ZERO-PAGE). segs are checked
// (checkSegment): in the address space and in the file.
func paint(data []byte, segs []*elf.Prog) memory.Memory {
	mem := memory.Memory{}.Transient(&memory.Edit{})
	var covered spans
	for i := len(segs) - 1; i >= 0; i-- {
		p := segs[i]
		for _, g := range covered.gaps(p.Vaddr, p.Vaddr+p.Filesz) {
			mem = mem.SetBytes(g.lo, data[p.Off+(g.lo-p.Vaddr):p.Off+(g.hi-p.Vaddr)])
		}
		covered = covered.add(span{p.Vaddr, p.Vaddr + p.Memsz})
	}
	return mem.Persistent()
}

// span is the address range [lo, hi).
type span struct{ lo, hi uint64 }

// spans is a set of addresses: disjoint, non-adjacent spans in increasing
// order.
type spans []span

// gaps returns the parts of [lo, hi) outside the set, in increasing order.
func (c spans) gaps(lo, hi uint64) []span {
	var out []span
	for _, s := range c {
		if lo >= hi || s.lo >= hi {
			break
		}
		if s.hi <= lo {
			continue
		}
		if s.lo > lo {
			out = append(out, span{lo, s.lo})
		}
		lo = s.hi
	}
	if lo < hi {
		out = append(out, span{lo, hi})
	}
	return out
}

// add returns the set with n's addresses added: n replaces the spans it
// overlaps or touches, merged with them. c is reused.
func (c spans) add(n span) spans {
	i := sort.Search(len(c), func(i int) bool { return c[i].hi >= n.lo })
	j := i
	for ; j < len(c) && c[j].lo <= n.hi; j++ {
		n = span{min(n.lo, c[j].lo), max(n.hi, c[j].hi)}
	}
	return slices.Replace(c, i, j, n)
}
