package fuzz

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// FuzzDecodeWitness: DecodeWitness on arbitrary bytes (ENC-STATE, ERR-DECODE).
func FuzzDecodeWitness(f *testing.F) {
	empty := state.NewEmpty().Witness().Encode()
	f.Add(empty[:])            // the empty state: a valid, canonical witness
	f.Add(empty[:187])         // one byte short: CodeWrongLength
	f.Add(append(empty[:], 0)) // one byte long: CodeWrongLength
	f.Add([]byte{})            // nothing at all
	bad := empty
	bad[98] = 2 // exited = 2: CodeInvalidField (MIPS64.sol reverts InvalidExitedValue)
	f.Add(bad[:])
	bad = empty
	bad[80] = 3 // llReservationStatus = 3: outside {0, 1, 2}
	f.Add(bad[:])
	bad = empty
	bad[115] = 0xFF // traverseRight not a bool
	f.Add(bad[:])
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := properties.CheckDecodeWitness(b); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzDecodeThread: DecodeThread on arbitrary bytes (ENC-THREAD, ERR-DECODE).
func FuzzDecodeThread(f *testing.F) {
	th := state.Thread{ID: 7, ExitCode: 3, Exited: true}
	th.CPU.PC, th.CPU.NextPC, th.CPU.Regs[31] = 0x10000, 0x10004, ^uint64(0)
	enc := state.EncodeThread(th)
	f.Add(enc[:])          // a valid thread with every kind of field set
	f.Add(enc[:297])       // one byte short
	f.Add(make([]byte, 0)) // empty
	bad := enc
	bad[9] = 2 // exited = 2
	f.Add(bad[:])
	tw, _ := state.NewEmpty().EncodeThreadWitness()
	f.Add(tw[:]) // a 330-byte thread witness is not a thread encoding
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := properties.CheckDecodeThread(b); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzDecodeInstruction: the instruction decoder splits every word into
// fields that reassemble to it (DEC-FIELDS).
func FuzzDecodeInstruction(f *testing.F) {
	f.Add(uint32(0x0000000C)) // syscall
	f.Add(uint32(0xFFFFFFFF)) // every field all ones
	f.Add(uint32(0x70000003)) // SPECIAL2 funct 3: invalid in Cannon
	f.Add(uint32(0x04110001)) // bgezal (bal)
	f.Fuzz(func(t *testing.T, w uint32) {
		if err := properties.CheckDecodeInstruction(w); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzDecodeSnapshot: format.DecodeSnapshot on arbitrary bytes never
// panics, rejects with a *format.SnapshotError, or returns a state whose
// snapshot is the input (SNAP-REJECT). The check is format.CheckDecodeSnapshot.
func FuzzDecodeSnapshot(f *testing.F) {
	s := state.NewInitial(0x1000, 0x2000_0000)
	s.Memory = memory.Memory{}.SetBytes(0x1000, []byte{0x24, 0x02, 0x0f, 0xa1}).SetBytes(0x7fff_f000, []byte{7})
	s.LastHint = []byte{0, 0, 0, 2, 'h'}
	good, err := format.EncodeSnapshot(s)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)                  // a valid snapshot: one thread, two pages, a hint
	f.Add(good[:len(good)/2])    // truncated
	f.Add([]byte("OPCSNAP\x00")) // the magic alone
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := format.CheckDecodeSnapshot(b); err != nil {
			t.Fatal(err)
		}
		// The same bytes with a correct checksum, so the decoder's field
		// checks are reached and not only the checksum's.
		if len(b) >= 32 {
			sealed := bytes.Clone(b)
			sum := sha256.Sum256(sealed[:len(sealed)-32])
			copy(sealed[len(sealed)-32:], sum[:])
			if err := format.CheckDecodeSnapshot(sealed); err != nil {
				t.Fatal(err)
			}
		}
	})
}
