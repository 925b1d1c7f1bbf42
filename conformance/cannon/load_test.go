package cannon

import (
	"bytes"
	"debug/elf"
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ethereum-optimism/optimism/cannon/mipsevm/multithreaded"
	cannonprogram "github.com/ethereum-optimism/optimism/cannon/mipsevm/program"

	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/program"
)

var loadCases = flag.Int("cannon.loadcases", 2000, "random ELF files in TestConformance_CONF_CANNON_LOAD")

// TestConformance_CONF_CANNON_LOAD: random ELF files whose segments
// overlap, zero-fill over each other, alias the same file bytes, and mix
// PT_LOAD with other types (PT_NOTE, PT_MIPS_ABIFLAGS, with equal or unequal
// sizes) load in the spec exactly when Cannon's LoadELF and PatchStack
// accept them, to Cannon's state hash. The spec paints the segments last to
// first and never writes zeros (spec/program.paint); Cannon writes every
// byte in order.
func TestConformance_CONF_CANNON_LOAD(t *testing.T) {
	var accepted int
	for c := range *loadCases {
		rng := rand.New(rand.NewPCG(uint64(c), 0x10ad))
		data, desc := randomELF(rng)
		s, err := program.Load(data)
		cs, cerr := loadCannonBytes(data)
		switch {
		case (err == nil) != (cerr == nil):
			t.Fatalf("case %d (%s): spec %v, cannon %v", c, desc, err, cerr)
		case err != nil:
			continue
		}
		accepted++
		if _, h := cs.EncodeWitness(); memory.Hash(h) != s.Hash() {
			t.Fatalf("case %d (%s): spec state %s, cannon %x; replay: go test -run 'CONF_CANNON_LOAD' -cannon.loadcases=%d", c, desc, s.Hash(), h, c+1)
		}
	}
	if accepted < *loadCases/2 {
		t.Fatalf("only %d of %d random files loaded: the generator tests mostly rejections", accepted, *loadCases)
	}
	t.Logf("%d random ELF files, %d loaded to Cannon's state hash, %d rejected by both", *loadCases, accepted, *loadCases-accepted)
}

// randomELF returns an ELF of 1-8 segments within a few pages of 0x10000
// and a description of it.
func randomELF(rng *rand.Rand) ([]byte, string) {
	n := 1 + rng.IntN(8)
	segs := make([]properties.Segment, n)
	var desc bytes.Buffer
	for i := range segs {
		d := make([]byte, rng.IntN(3*4096))
		for j := range d {
			d[j] = byte(rng.Uint32())
		}
		s := properties.Segment{Type: uint32(elf.PT_LOAD), Vaddr: 0x10000 + rng.Uint64N(5*4096), Data: d}
		switch r := rng.IntN(10); {
		case r < 6: // zero fill of up to two pages
			s.Memsz = uint64(len(d)) + rng.Uint64N(2*4096) + 1
		case r < 7:
			s.Type = uint32(elf.PT_NOTE)
		case r < 8: // a non-PT_LOAD with memsz > filesz: rejected by both
			s.Type, s.Memsz = uint32(elf.PT_NOTE), uint64(len(d))+8
		case r < 9:
			s.Type = uint32(elf.PT_MIPS_ABIFLAGS)
		}
		segs[i] = s
		fmt.Fprintf(&desc, "%v@%#x+%d/%d ", elf.ProgType(s.Type), s.Vaddr, len(d), s.Memsz)
	}
	b := properties.MinimalELF(0x10000, segs...)
	// A third of the files alias: the last segment maps the first one's
	// file bytes again, elsewhere.
	if n > 1 && rng.IntN(3) == 0 {
		first, last := b[64:64+56], b[64+56*(n-1):64+56*n]
		copy(last[8:16], first[8:16])
		copy(last[32:40], first[32:40])
		copy(last[40:48], first[32:40])
		desc.WriteString("(last aliases first)")
	}
	return b, desc.String()
}

// loadCannonBytes loads an ELF image as `cannon load-elf` does, returning
// Cannon's error instead of failing.
func loadCannonBytes(data []byte) (*multithreaded.State, error) {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	st, err := cannonprogram.LoadELF(f, multithreaded.CreateInitialState)
	if err != nil {
		return nil, err
	}
	return st, cannonprogram.PatchStack(st)
}
