package state_test

import (
	"testing"

	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// TestST_STACK_RootFold: the root folds from the bottom (index 0) to the
// top (last): c' = keccak(c ‖ keccak(thread)); order matters.
func TestST_STACK_RootFold(t *testing.T) {
	a, b := sampleThread(1), sampleThread(2)
	ha, hb := keccak(threadBytes(a)), keccak(threadBytes(b))
	c0 := keccak(make([]byte, 64))
	c1 := keccak(c0[:], ha[:])
	c2 := keccak(c1[:], hb[:])
	if got := state.NewThreadStack(a, b).Root(); got != hashOf(c2) {
		t.Fatalf("Root([a b]) = %s, want %x", got, c2)
	}
	if state.NewThreadStack(b, a).Root() == hashOf(c2) {
		t.Fatalf("Root ignores the order of threads")
	}
	if got := state.PushRoot(hashOf(c1), hashOf(hb)); got != hashOf(c2) {
		t.Fatalf("PushRoot = %s, want %x", got, c2)
	}
}

// TestST_STACK_Empty: Top and Pop of an empty stack fail with
// CodeEmptyThreadStack; of a stack whose top is below a known root (a
// stateless view) with CodeUnknownThread.
func TestST_STACK_Empty(t *testing.T) {
	empty := state.NewThreadStack()
	if !empty.IsEmpty() || !empty.IsFullyKnown() || empty.Len() != 0 {
		t.Fatalf("NewThreadStack(): IsEmpty %v IsFullyKnown %v Len %d", empty.IsEmpty(), empty.IsFullyKnown(), empty.Len())
	}
	_, err := empty.Top()
	requireCode(t, err, errors.CodeEmptyThreadStack)
	_, err = empty.Pop()
	requireCode(t, err, errors.CodeEmptyThreadStack)
	_, err = empty.ReplaceTop(sampleThread(1))
	requireCode(t, err, errors.CodeEmptyThreadStack)

	partial := state.ThreadStack{Base: state.NewThreadStack(sampleThread(1)).Root()}
	if partial.IsEmpty() || partial.IsFullyKnown() {
		t.Fatalf("witness-only stack: IsEmpty %v IsFullyKnown %v, want false false", partial.IsEmpty(), partial.IsFullyKnown())
	}
	_, err = partial.Top()
	requireCode(t, err, errors.CodeUnknownThread)
	if errors.OutcomeOf(err) != errors.OutcomeNeedsData {
		t.Fatalf("unknown top: outcome %v, want needs-data", errors.OutcomeOf(err))
	}
}

// TestST_STACK_PartialRoot: a stack known only from its top and the root
// below it has the same root as the fully known stack.
func TestST_STACK_PartialRoot(t *testing.T) {
	a, b, c := sampleThread(1), sampleThread(2), sampleThread(3)
	full := state.NewThreadStack(a, b, c)
	partial := state.ThreadStack{Base: state.NewThreadStack(a, b).Root(), Threads: []state.Thread{c}}
	if partial.Root() != full.Root() {
		t.Fatalf("partial root %s, full root %s", partial.Root(), full.Root())
	}
	below, err := partial.Pop()
	if err != nil || below.Root() != memory.Hash(stackRoot(a, b)) {
		t.Fatalf("Pop of the partial stack: root %s, %v", below.Root(), err)
	}
}

// TestST_STACK_NewThreadStackCopies: NewThreadStack does not alias the
// caller's slice.
func TestST_STACK_NewThreadStackCopies(t *testing.T) {
	ts := []state.Thread{sampleThread(1), sampleThread(2)}
	s := state.NewThreadStack(ts...)
	ts[1] = sampleThread(9)
	if top, _ := s.Top(); top.ID != 2 {
		t.Fatalf("changing the argument slice changed the stack's top to %d", top.ID)
	}
}

// TestST_STACK_TransientOwnership: a transient state (State.Transient) may
// update its own stacks in place, but the state it was made from never
// changes, and after Persistent the stacks are ordinary immutable values
// again: two pushes on the same stack do not share their tops.
func TestST_STACK_TransientOwnership(t *testing.T) {
	a, b, c, d, e := sampleThread(1), sampleThread(2), sampleThread(3), sampleThread(4), sampleThread(5)
	s := state.NewEmpty()
	s.LeftThreads = state.NewThreadStack(a, b)
	root := s.LeftThreads.Root()

	tr := s.Transient(&memory.Edit{})
	tr.LeftThreads = tr.LeftThreads.Push(c)
	replaced, err := tr.LeftThreads.ReplaceTop(d)
	if err != nil {
		t.Fatal(err)
	}
	tr.LeftThreads = replaced
	if s.LeftThreads.Len() != 2 || s.LeftThreads.Root() != root {
		t.Fatalf("the state made transient changed: %d threads", s.LeftThreads.Len())
	}
	if got := tr.LeftThreads.Root(); got != memory.Hash(stackRoot(a, b, d)) {
		t.Fatalf("transient stack root %s, want Root([a b d])", got)
	}

	p := tr.Persistent()
	before := snap(p.LeftThreads)
	q1 := p.LeftThreads.Push(e)
	q2 := p.LeftThreads.Push(a)
	if top, _ := q1.Top(); top != e {
		t.Fatalf("after Persistent, a second Push overwrote the first one's top (thread %d)", top.ID)
	}
	if top, _ := q2.Top(); top != a {
		t.Fatalf("Top(Push(p, a)) = thread %d", top.ID)
	}
	if _, err := p.LeftThreads.ReplaceTop(e); err != nil || !before.equal(p.LeftThreads) {
		t.Fatalf("after Persistent, ReplaceTop changed its receiver (%v)", err)
	}
}
