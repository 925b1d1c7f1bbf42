package properties_test

import (
	"encoding/binary"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// machine is the state of the rapid state machine: the current state, the
// oracle, and snapshots with the hashes they had when taken.
type machine struct {
	s         state.State
	d         spec.Data
	value     []byte
	snapshots []state.State
	hashes    []memory.Hash
}

// TestSM_MACHINE is a rapid state machine with the spec as the model. Its
// actions are step, step-N (spec.Run's transient fast path against a loop of
// persistent Steps), snapshot/restore (old states never change:
// MEM-IMMUTABLE, INV-PURE), witness-and-verify (VER-COMPLETE) and oracle
// reads (PRE-READ); after every action r0 is zero (INV-R0). A failure prints
// the seed, the shrunk action sequence and the command to replay it
// (go test ./properties -run TestSM_MACHINE -rapid.seed=SEED).
func TestSM_MACHINE(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		value := rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, "preimage")
		m := &machine{s: properties.ProgramState().Draw(t, "pre"), value: value}
		key := memory.Keccak256(value)
		key[0] = spec.KeyTypeKeccak256
		m.s.PreimageKey = key
		m.d = spec.Data{Preimages: spec.PreimageMap{key: value}}
		t.Repeat(map[string]func(*rapid.T){
			"step":     m.step,
			"stepN":    m.stepN,
			"snapshot": m.snapshot,
			"restore":  m.restore,
			"witness":  m.witness,
			"oracle":   m.oracle,
			"": func(t *rapid.T) {
				if err := properties.CheckR0(m.s); err != nil {
					t.Fatalf("%v (state %s)", err, m.s.Hash())
				}
			},
		})
	})
}

func (m *machine) step(t *rapid.T) {
	next, err := spec.Step(m.s, m.d)
	if err != nil {
		t.Skipf("step from %s: %v", m.s.Hash(), err)
	}
	if err := properties.CheckFrame(m.s, next); err != nil {
		t.Fatal(err)
	}
	m.s = next
}

func (m *machine) stepN(t *rapid.T) {
	n := rapid.Uint64Range(1, 40).Draw(t, "n")
	fast, k, errFast := spec.Run(m.s, m.d, n)
	slow := m.s
	var i uint64
	var errSlow error
	for ; i < n && !slow.Exited; i++ {
		next, err := spec.Step(slow, m.d)
		if err != nil {
			errSlow = err
			break
		}
		slow = next
	}
	if k != i || (errFast == nil) != (errSlow == nil) || fast.Hash() != slow.Hash() {
		t.Fatalf("Run(%s, %d) = %s after %d steps (%v); Step loop = %s after %d (%v)", m.s.Hash(), n, fast.Hash(), k, errFast, slow.Hash(), i, errSlow)
	}
	m.s = fast
}

func (m *machine) snapshot(*rapid.T) {
	m.snapshots = append(m.snapshots, m.s)
	m.hashes = append(m.hashes, m.s.Hash())
}

func (m *machine) restore(t *rapid.T) {
	if len(m.snapshots) == 0 {
		t.Skip("no snapshot")
	}
	i := rapid.IntRange(0, len(m.snapshots)-1).Draw(t, "snapshot")
	if got := m.snapshots[i].Hash(); got != m.hashes[i] {
		t.Fatalf("snapshot %d changed: %s, taken as %s", i, got, m.hashes[i])
	}
	m.s = m.snapshots[i]
}

func (m *machine) witness(t *rapid.T) {
	if err := properties.CheckVerifyComplete(m.s, m.d); err != nil {
		t.Fatal(err)
	}
}

// oracle makes the next instruction read(5, buf, n) and checks PRE-READ: the
// bytes land at buf, the offset advances by the count, and v0 is the count.
func (m *machine) oracle(t *rapid.T) {
	th, err := m.s.CurrentThread()
	if err != nil || th.Exited || m.s.Exited || m.s.StepsSinceLastContextSwitch >= transition.SchedQuantum || th.CPU.PC&3 != 0 {
		t.Skip("the next step executes no instruction")
	}
	buf := properties.DataBase + rapid.Uint64Range(0, 0x100).Draw(t, "buf")
	n := rapid.Uint64Range(0, 12).Draw(t, "count")
	stream := binary.BigEndian.AppendUint64(nil, uint64(len(m.value)))
	stream = append(stream, m.value...)
	if m.s.PreimageOffset >= uint64(len(stream)) {
		m.s.PreimageOffset = 0
	}
	th.CPU.Regs[2], th.CPU.Regs[4], th.CPU.Regs[5], th.CPU.Regs[6] = transition.SysRead, transition.FdPreimageRead, buf, n
	pre := withSyscallAt(m.s, th)
	post, err := spec.Step(pre, m.d)
	if err != nil {
		t.Fatalf("read(5) from %s: %v", pre.Hash(), err)
	}
	// The count from the rule, not from the output: the oracle serves
	// min(32, len(stream) − offset) bytes, of which the word at buf takes at
	// most 8 − buf%8, and the program asked for n.
	count := min(32, uint64(len(stream))-pre.PreimageOffset, 8-buf%8, n)
	pt, _ := post.CurrentThread()
	got := post.Memory.(memory.Memory).Bytes(buf, int(count))
	want := stream[pre.PreimageOffset : pre.PreimageOffset+count]
	if pt.CPU.Regs[2] != count || string(got) != string(want) || post.PreimageOffset != pre.PreimageOffset+count {
		t.Fatalf("PRE-READ: read(5, %#x, %d) at offset %d returned %d, wrote %x (want %d bytes %x), offset %d", buf, n, pre.PreimageOffset, pt.CPU.Regs[2], got, count, want, post.PreimageOffset)
	}
	m.s = post
}

// withSyscallAt places a syscall instruction at the thread's PC and makes t
// the current thread.
func withSyscallAt(s state.State, t state.Thread) state.State {
	mem := s.Memory.(memory.Memory).SetBytes(t.CPU.PC, []byte{0, 0, 0, 0x0C})
	s.Memory = mem
	active, _ := s.ActiveStack().ReplaceTop(t)
	return s.WithStacks(active, s.InactiveStack())
}
