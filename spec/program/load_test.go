package program_test

import (
	"debug/elf"
	stderrors "errors"
	"testing"

	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/program"
)

var code = []byte{0x24, 0x02, 0x13, 0x8d, 0, 0, 0, 0x0c}

func TestPROG_LOAD_Segments(t *testing.T) {
	load := uint32(elf.PT_LOAD)
	data := properties.MinimalELF(0x10000,
		properties.Segment{Type: load, Vaddr: 0x10000, Data: code},
		properties.Segment{Type: load, Vaddr: 0x10004, Data: []byte{0xAA}, Memsz: 0x10})
	s, err := program.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	mem := s.Memory.(memory.Memory)
	if got := mem.Bytes(0x10000, 8); string(got) != string([]byte{0x24, 0x02, 0x13, 0x8d, 0xAA, 0, 0, 0}) {
		t.Fatalf("memory at 0x10000 = %x: the second segment must overwrite and zero-fill the first", got)
	}
	th, _ := s.CurrentThread()
	if th.CPU.PC != 0x10000 || th.CPU.NextPC != 0x10004 || s.Heap != 0x1000_0000_0000 {
		t.Fatalf("PC %#x nextPC %#x heap %#x", th.CPU.PC, th.CPU.NextPC, s.Heap)
	}
}

func TestPROG_LOAD_Rejects(t *testing.T) {
	load := uint32(elf.PT_LOAD)
	cases := map[string][]byte{
		"empty":          nil,
		"not ELF":        []byte("hello"),
		"overlaps heap":  properties.MinimalELF(0, properties.Segment{Type: load, Vaddr: 0x1000_0000_0000 - 4, Data: code}),
		"past 48 bits":   properties.MinimalELF(0, properties.Segment{Type: load, Vaddr: 1 << 48, Data: code}),
		"wraps":          properties.MinimalELF(0, properties.Segment{Type: load, Vaddr: ^uint64(0) - 2, Data: code}),
		"TLS zero fill":  properties.MinimalELF(0, properties.Segment{Type: uint32(elf.PT_TLS), Vaddr: 0x20000, Data: code, Memsz: 64}),
		"truncated":      properties.MinimalELF(0, properties.Segment{Type: load, Vaddr: 0x10000, Data: code, Offset: 1 << 20}),
		"little-endian":  littleEndian(properties.MinimalELF(0, properties.Segment{Type: load, Vaddr: 0x10000, Data: code})),
		"wrong machine":  withByte(properties.MinimalELF(0), 19, 62), // EM_X86_64
		"32-bit class":   withByte(properties.MinimalELF(0), 4, 1),
		"filesz > memsz": withMemsz(properties.MinimalELF(0, properties.Segment{Type: load, Vaddr: 0x10000, Data: code}), 4),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := program.Load(data)
			var e *errors.Error
			if !stderrors.As(err, &e) || e.Code != errors.CodeBadProgram {
				t.Fatalf("Load = %v, want CodeBadProgram", err)
			}
		})
	}
}

func withByte(b []byte, i int, v byte) []byte { b[i] = v; return b }

// littleEndian flips the EI_DATA byte; the header no longer parses as the
// same file, and the loader must reject it either way.
func littleEndian(b []byte) []byte { return withByte(b, 5, 1) }

// withMemsz sets the first program header's memsz.
func withMemsz(b []byte, memsz byte) []byte {
	for i := 64 + 40; i < 64+48; i++ {
		b[i] = 0
	}
	b[64+47] = memsz
	return b
}

// TestPROG_LOAD_Boundaries: a segment may end at HeapStart-1 but not at
// HeapStart; an empty file range at the very end of the file is fine; zero
// fill stops exactly at vaddr+memsz.
func TestPROG_LOAD_Boundaries(t *testing.T) {
	load := uint32(elf.PT_LOAD)
	const heap = 0x1000_0000_0000
	if _, err := program.Load(properties.MinimalELF(0, properties.Segment{Type: load, Vaddr: heap - 8, Data: code})); err != nil {
		t.Fatalf("a segment ending at HeapStart-1: %v", err)
	}
	if _, err := program.Load(properties.MinimalELF(0, properties.Segment{Type: load, Vaddr: heap - 7, Data: code})); err == nil {
		t.Fatal("a segment ending at HeapStart must be rejected")
	}
	if _, err := program.Load(properties.MinimalELF(0, properties.Segment{Type: load, Vaddr: 0x30000, Data: []byte{1}})); err != nil {
		t.Fatalf("a one-byte segment (last == vaddr): %v", err)
	}
	eof := properties.MinimalELF(0, properties.Segment{Type: load, Vaddr: 0x20000, Memsz: 16})
	if _, err := program.Load(eof); err != nil {
		t.Fatalf("an empty file range at the end of the file: %v", err)
	}
	data := properties.MinimalELF(0x10000,
		properties.Segment{Type: load, Vaddr: 0x10000, Data: []byte("abcdefghijklmnop")},
		properties.Segment{Type: load, Vaddr: 0x10002, Data: []byte("X"), Memsz: 4})
	s, err := program.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(s.Memory.(memory.Memory).Bytes(0x10000, 16)); got != "abX\x00\x00\x00ghijklmnop" {
		t.Fatalf("zero fill: %q", got)
	}
}
