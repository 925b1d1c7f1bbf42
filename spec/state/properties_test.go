package state_test

import (
	"bytes"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// Properties named by requirement ID. rapid prints the seed and the shrunk
// input on failure; replay with go test -run <name> -rapid.seed=<seed>.

func genHash() *rapid.Generator[memory.Hash] {
	return rapid.Custom(func(t *rapid.T) memory.Hash {
		var h memory.Hash
		copy(h[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "bytes"))
		return h
	})
}

// genWitness draws any decodable witness: booleans are 0/1 and the LL
// status is 0, 1 or 2.
func genWitness() *rapid.Generator[state.Witness] {
	return rapid.Custom(func(t *rapid.T) state.Witness {
		return state.Witness{
			MemRoot:                     genHash().Draw(t, "memRoot"),
			PreimageKey:                 genHash().Draw(t, "preimageKey"),
			PreimageOffset:              rapid.Uint64().Draw(t, "preimageOffset"),
			Heap:                        rapid.Uint64().Draw(t, "heap"),
			LLReservationStatus:         rapid.Uint8Range(0, 2).Draw(t, "llStatus"),
			LLAddress:                   rapid.Uint64().Draw(t, "llAddress"),
			LLOwnerThread:               rapid.Uint64().Draw(t, "llOwner"),
			ExitCode:                    rapid.Uint8().Draw(t, "exitCode"),
			Exited:                      rapid.Bool().Draw(t, "exited"),
			Step:                        rapid.Uint64().Draw(t, "step"),
			StepsSinceLastContextSwitch: rapid.Uint64().Draw(t, "ssc"),
			TraverseRight:               rapid.Bool().Draw(t, "traverseRight"),
			LeftThreadStack:             genHash().Draw(t, "left"),
			RightThreadStack:            genHash().Draw(t, "right"),
			NextThreadID:                rapid.Uint64().Draw(t, "nextThreadId"),
		}
	})
}

func genThread() *rapid.Generator[state.Thread] {
	return rapid.Custom(func(t *rapid.T) state.Thread {
		th := state.Thread{
			ID:       rapid.Uint64().Draw(t, "id"),
			ExitCode: rapid.Uint8().Draw(t, "exitCode"),
			Exited:   rapid.Bool().Draw(t, "exited"),
		}
		th.CPU.PC = rapid.Uint64().Draw(t, "pc")
		th.CPU.NextPC = rapid.Uint64().Draw(t, "nextPC")
		th.CPU.LO = rapid.Uint64().Draw(t, "lo")
		th.CPU.HI = rapid.Uint64().Draw(t, "hi")
		regs := rapid.SliceOfN(rapid.Uint64(), 32, 32).Draw(t, "regs")
		copy(th.CPU.Regs[:], regs)
		return th
	})
}

// TestENC_STATE_RoundTrip: DecodeWitness(Encode(w)) == w for every
// decodable witness, and the encoding is 188 bytes.
func TestENC_STATE_RoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWitness().Draw(t, "w")
		enc := w.Encode()
		got, err := state.DecodeWitness(enc[:])
		if err != nil {
			t.Fatalf("DecodeWitness(Encode(w)): %v\nwitness %x", err, enc)
		}
		if got != w {
			t.Fatalf("round trip changed the witness\n got %+v\nwant %+v", got, w)
		}
	})
}

// TestENC_STATE_Injective: distinct witnesses have distinct encodings, and
// every decodable 188-byte string is the encoding of what it decodes to (so
// no two byte strings decode to the same witness).
func TestENC_STATE_Injective(t *testing.T) {
	t.Run("distinct witnesses", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			a := genWitness().Draw(t, "a")
			b := a
			if rapid.Bool().Draw(t, "independent") {
				b = genWitness().Draw(t, "b")
			} else {
				// Change one byte of a's encoding, within the field domains.
				enc := a.Encode()
				i := rapid.IntRange(0, state.WitnessSize-1).Draw(t, "byte")
				switch i {
				case 80:
					enc[i] = (enc[i] + 1) % 3
				case 98, 115:
					enc[i] ^= 1
				default:
					enc[i] ^= rapid.Uint8Range(1, 255).Draw(t, "flip")
				}
				var err error
				if b, err = state.DecodeWitness(enc[:]); err != nil {
					t.Fatalf("mutated byte %d does not decode: %v", i, err)
				}
			}
			if (a == b) != (a.Encode() == b.Encode()) {
				t.Fatalf("a == b is %v but Encode(a) == Encode(b) is %v\na %+v\nb %+v", a == b, a.Encode() == b.Encode(), a, b)
			}
		})
	})
	t.Run("decode then encode", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			b := rapid.SliceOfN(rapid.Byte(), state.WitnessSize, state.WitnessSize).Draw(t, "bytes")
			b[80] %= 3
			b[98] &= 1
			b[115] &= 1
			w, err := state.DecodeWitness(b)
			if err != nil {
				t.Fatalf("DecodeWitness(%x): %v", b, err)
			}
			if enc := w.Encode(); !bytes.Equal(enc[:], b) {
				t.Fatalf("Encode(Decode(b)) != b\n  b %x\nenc %x", b, enc)
			}
		})
	})
}

// TestENC_THREAD_RoundTrip: DecodeThread(EncodeThread(t)) == t, the encoding
// matches the field-by-field layout, and decodable bytes re-encode to
// themselves.
func TestENC_THREAD_RoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		th := genThread().Draw(t, "thread")
		enc := state.EncodeThread(th)
		if !bytes.Equal(enc[:], threadBytes(th)) {
			t.Fatalf("EncodeThread differs from the layout\n got %x\nwant %x", enc, threadBytes(th))
		}
		got, err := state.DecodeThread(enc[:])
		if err != nil || got != th {
			t.Fatalf("round trip: %+v, %v; want %+v", got, err, th)
		}
		raw := rapid.SliceOfN(rapid.Byte(), state.ThreadSize, state.ThreadSize).Draw(t, "raw")
		raw[9] &= 1
		dec, err := state.DecodeThread(raw)
		if err != nil {
			t.Fatalf("DecodeThread(%x): %v", raw, err)
		}
		if re := state.EncodeThread(dec); !bytes.Equal(re[:], raw) {
			t.Fatalf("Encode(Decode(raw)) != raw")
		}
	})
}

// TestST_HASH_STATUS: for every witness, hash[0] is the status (3 if not
// exited, else 0 for code 0, 1 for code 1, 2 otherwise) and hash[1:] is
// keccak256(witness)[1:].
func TestST_HASH_STATUS(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWitness().Draw(t, "w")
		enc := w.Encode()
		full := keccak(enc[:])
		h := w.Hash()
		var status byte
		switch {
		case !w.Exited:
			status = 3
		case w.ExitCode == 0:
			status = 0
		case w.ExitCode == 1:
			status = 1
		default:
			status = 2
		}
		if h[0] != status {
			t.Fatalf("status byte %d, want %d (exited=%v, exitCode=%d)", h[0], status, w.Exited, w.ExitCode)
		}
		if !bytes.Equal(h[1:], full[1:]) {
			t.Fatalf("hash[1:] = %x, want keccak[1:] = %x", h[1:], full[1:])
		}
	})
}

// snapshot is a deep copy of a stack, to check a receiver is unchanged.
type snapshot struct {
	base    memory.Hash
	threads []state.Thread
}

func snap(s state.ThreadStack) snapshot {
	return snapshot{s.Base, append([]state.Thread(nil), s.Threads...)}
}

func (sn snapshot) equal(s state.ThreadStack) bool {
	if sn.base != s.Base || len(sn.threads) != len(s.Threads) {
		return false
	}
	for i := range sn.threads {
		if sn.threads[i] != s.Threads[i] {
			return false
		}
	}
	return true
}

// TestST_STACK_Root: the push/pop/replace laws of ThreadStack.
//
//	Root(Push(s, t))    == keccak256(Root(s) ‖ keccak256(EncodeThread(t)))
//	Pop(Push(s, t))     == s, and Top(Push(s, t)) == t
//	ReplaceTop(s, t)    == Push(Pop(s), t)
//	the receiver is unchanged by Push, Pop and ReplaceTop, and stacks
//	derived from the same receiver do not share their tops.
func TestST_STACK_Root(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		threads := rapid.SliceOfN(genThread(), 0, 6).Draw(t, "threads")
		s := state.NewThreadStack(threads...)
		if spare := rapid.IntRange(0, 3).Draw(t, "spareCapacity"); spare > 0 {
			// A stack whose slice has room to grow in place, as one built
			// by appending would: Push must still not write into it.
			s.Threads = append(make([]state.Thread, 0, len(threads)+spare), threads...)
		}
		if rapid.Bool().Draw(t, "partial") {
			s.Base = genHash().Draw(t, "base")
		}
		before := snap(s)
		t1, t2 := genThread().Draw(t, "t1"), genThread().Draw(t, "t2")

		p1 := s.Push(t1)
		th := keccak(threadBytes(t1))
		root := s.Root()
		if want := hashOf(keccak(root[:], th[:])); p1.Root() != want {
			t.Fatalf("Root(Push(s, t)) = %s, want keccak(Root(s) ‖ ThreadHash(t)) = %s", p1.Root(), want)
		}
		if p1.Len() != s.Len()+1 {
			t.Fatalf("Len after Push %d, want %d", p1.Len(), s.Len()+1)
		}
		if top, err := p1.Top(); err != nil || top != t1 {
			t.Fatalf("Top(Push(s, t)) = %+v, %v", top, err)
		}
		p2 := s.Push(t2)
		if top, _ := p1.Top(); top != t1 {
			t.Fatalf("a second Push on the same receiver changed the first result's top")
		}
		if top, _ := p2.Top(); top != t2 {
			t.Fatalf("Top(Push(s, t2)) is not t2")
		}
		popped, err := p1.Pop()
		if err != nil || !before.equal(popped) || popped.Root() != root {
			t.Fatalf("Pop(Push(s, t)) != s: %v", err)
		}
		if !before.equal(s) {
			t.Fatalf("Push changed its receiver")
		}
		if s.Len() == 0 {
			return
		}
		below, err := s.Pop()
		if err != nil {
			t.Fatalf("Pop of a non-empty stack: %v", err)
		}
		_ = below.Push(t2) // must not write into s's backing array
		replaced, err := s.ReplaceTop(t1)
		if err != nil {
			t.Fatalf("ReplaceTop: %v", err)
		}
		if !before.equal(s) {
			t.Fatalf("Pop or ReplaceTop changed its receiver")
		}
		if want := below.Push(t1); replaced.Root() != want.Root() || !snap(want).equal(replaced) {
			t.Fatalf("ReplaceTop(s, t) != Push(Pop(s), t)")
		}
		bh := below.Root()
		oldTop := keccak(threadBytes(s.Threads[len(s.Threads)-1]))
		if s.Root() != hashOf(keccak(bh[:], oldTop[:])) {
			t.Fatalf("Root(s) != keccak(Root(Pop(s)) ‖ ThreadHash(Top(s)))")
		}
	})
}
