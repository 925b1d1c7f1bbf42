package program_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	stderrors "errors"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/internal/alloc"
	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/program"
	"github.com/opcity-spec/opcity/spec/state"
)

const heapStart = 0x1000_0000_0000

// mapWholeFile returns an ELF of n program headers, each a PT_LOAD of the
// whole file at vaddr: the 168 KB file (n = 3000) that took 1.57 GB.
func mapWholeFile(n int, vaddr uint64) []byte {
	b := properties.MinimalELF(vaddr, make([]properties.Segment, n)...)
	for i := range n {
		ph := b[64+56*i:]
		binary.BigEndian.PutUint32(ph[0:], uint32(elf.PT_LOAD))
		binary.BigEndian.PutUint64(ph[8:], 0)
		binary.BigEndian.PutUint64(ph[16:], vaddr)
		binary.BigEndian.PutUint64(ph[32:], uint64(len(b)))
		binary.BigEndian.PutUint64(ph[40:], uint64(len(b)))
	}
	return b
}

// badProgram fails t unless err is CodeBadProgram.
func badProgram(t *testing.T, what string, err error) {
	t.Helper()
	var e *errors.Error
	if !stderrors.As(err, &e) || e.Code != errors.CodeBadProgram {
		t.Fatalf("%s: Load = %v, want CodeBadProgram", what, err)
	}
}

// TestPROG_LOAD_LINEAR_ManyHeaders: 3,000 program headers, each mapping
// the whole file, are refused (over MaxProgramHeaders) after parsing only;
// MaxProgramHeaders headers that each map the whole file are refused by
// MaxLoadFactor; both allocate a small multiple of the file's size.
func TestPROG_LOAD_LINEAR_ManyHeaders(t *testing.T) {
	for _, n := range []int{3000, program.MaxProgramHeaders} {
		data := mapWholeFile(n, 0x10000)
		var err error
		alloc := alloc.Bytes(func() { _, err = program.Load(data) })
		badProgram(t, "whole-file headers", err)
		if limit := 8*uint64(len(data)) + 1<<20; alloc > limit {
			t.Errorf("%d headers in %d bytes: Load allocated %d bytes, want at most %d", n, len(data), alloc, limit)
		}
		t.Logf("%d headers in %d bytes: refused, %d bytes allocated", n, len(data), alloc)
	}
	// Exactly MaxLoadFactor times the file is still accepted.
	data := mapWholeFile(program.MaxLoadFactor, 0x10000)
	if _, err := program.Load(data); err != nil {
		t.Fatalf("%d headers mapping the whole file: %v", program.MaxLoadFactor, err)
	}
	badProgram(t, "MaxLoadFactor+1 whole-file headers", func() error {
		_, err := program.Load(mapWholeFile(program.MaxLoadFactor+1, 0x10000))
		return err
	}())
}

// TestPROG_LOAD_LINEAR_ZeroFill: a 1 MiB segment followed by 255 segments
// that each zero-fill from one page further up to the heap (2^44 bytes
// each) loads with allocations linear in the file and with the memory the
// zero fills leave: only the first page of the data survives.
func TestPROG_LOAD_LINEAR_ZeroFill(t *testing.T) {
	load := uint32(elf.PT_LOAD)
	data := bytes.Repeat([]byte{0xA5}, 1<<20)
	segs := []properties.Segment{{Type: load, Vaddr: 0x10000, Data: data}}
	for k := range program.MaxProgramHeaders - 1 {
		v := uint64(0x10000 + 4096*(program.MaxProgramHeaders-k))
		segs = append(segs, properties.Segment{Type: load, Vaddr: v, Memsz: heapStart - v, Offset: 1})
	}
	elfData := properties.MinimalELF(0x10000, segs...)
	var s state.State
	var err error
	alloc := alloc.Bytes(func() { s, err = program.Load(elfData) })
	if err != nil {
		t.Fatal(err)
	}
	if limit := 4*uint64(len(elfData)) + 1<<20; alloc > limit {
		t.Errorf("Load of %d bytes allocated %d bytes, want at most %d", len(elfData), alloc, limit)
	}
	t.Logf("%d bytes, %d zero fills of up to 2^44 bytes: %d bytes allocated", len(elfData), len(segs)-1, alloc)
	// The lowest zero fill starts at 0x10000 + 2·4096: two pages survive.
	want := properties.MinimalELF(0x10000, properties.Segment{Type: load, Vaddr: 0x10000, Data: data[:2*4096]})
	ws, err := program.Load(want)
	if err != nil {
		t.Fatal(err)
	}
	if s.Hash() != ws.Hash() {
		t.Fatalf("state %s, want %s (the data below the lowest zero fill, nothing above)", s.Hash(), ws.Hash())
	}
}

// TestPROG_LOAD_LINEAR_PaintEqualsInOrder: for random overlapping segments
// with zero fills, the loaded memory equals writing each segment in header
// order, file bytes then explicit zeros, as Cannon does.
func TestPROG_LOAD_LINEAR_PaintEqualsInOrder(t *testing.T) {
	load := uint32(elf.PT_LOAD)
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 8).Draw(t, "segments")
		var segs []properties.Segment
		for i := range n {
			d := rapid.SliceOfN(rapid.Byte(), 0, 3*4096).Draw(t, "data")
			seg := properties.Segment{Type: load, Data: d, Vaddr: 0x10000 + rapid.Uint64Range(0, 4*4096).Draw(t, "vaddr")}
			seg.Memsz = uint64(len(d)) + rapid.Uint64Range(0, 2*4096).Draw(t, "fill")
			if seg.Memsz == 0 {
				seg.Memsz = 1 // MinimalELF reads 0 as len(Data)
			}
			if i > 0 && rapid.Bool().Draw(t, "non-load") {
				seg.Type, seg.Memsz = uint32(elf.PT_NOTE), uint64(len(d))
			}
			segs = append(segs, seg)
		}
		data := properties.MinimalELF(0x10000, segs...)
		s, err := program.LoadELF(data)
		if err != nil {
			t.Fatal(err)
		}
		var want memory.Memory
		for _, seg := range segs {
			memsz := seg.Memsz
			if memsz == 0 {
				memsz = uint64(len(seg.Data))
			}
			fill := append(bytes.Clone(seg.Data), make([]byte, memsz-uint64(len(seg.Data)))...)
			want = want.SetBytes(seg.Vaddr, fill)
		}
		if got := s.Memory.Root(); got != want.Root() {
			t.Fatalf("root %s, in-order writes give %s", got, want.Root())
		}
	})
}
