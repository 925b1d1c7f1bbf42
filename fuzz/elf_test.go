package fuzz

import (
	"debug/elf"
	"testing"

	"github.com/opcity-spec/opcity/properties"
)

// FuzzLoadELF: the ELF loader on arbitrary bytes (PROG-LOAD, ERR-DECODE).
func FuzzLoadELF(f *testing.F) {
	code := []byte{0x24, 0x02, 0x13, 0x8d, 0, 0, 0, 0x0c} // li v0, 5005; syscall
	load := uint32(elf.PT_LOAD)
	// A valid program: one PT_LOAD with code at 0x10000.
	f.Add(properties.MinimalELF(0x10000, properties.Segment{Type: load, Vaddr: 0x10000, Data: code}))
	// Zero fill (memsz > filesz) over an earlier segment's bytes.
	f.Add(properties.MinimalELF(0x10000,
		properties.Segment{Type: load, Vaddr: 0x10000, Data: code},
		properties.Segment{Type: load, Vaddr: 0x10004, Data: code[:2], Memsz: 0x2000}))
	// A segment that ends exactly at the heap start: rejected.
	f.Add(properties.MinimalELF(0, properties.Segment{Type: load, Vaddr: 0x1000_0000_0000 - 4, Data: code}))
	// A non-PT_LOAD segment whose file size differs from its memory size: rejected.
	f.Add(properties.MinimalELF(0, properties.Segment{Type: uint32(elf.PT_TLS), Vaddr: 0x20000, Data: code, Memsz: 64}))
	// A segment whose file range lies past the end of the file: truncated.
	f.Add(properties.MinimalELF(0, properties.Segment{Type: load, Vaddr: 0x10000, Data: code, Offset: 1 << 20}))
	// A segment that wraps the address space.
	f.Add(properties.MinimalELF(0, properties.Segment{Type: load, Vaddr: ^uint64(0) - 2, Data: code}))
	// Not an ELF file at all, and an empty file.
	f.Add([]byte("#!/bin/sh\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := properties.CheckLoadELF(data); err != nil {
			t.Fatal(err)
		}
	})
}
