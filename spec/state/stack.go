package state

import (
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
)

// EmptyThreadsRoot is the root of an empty thread stack: keccak256 of 64 zero
// bytes, 0xad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5.
var EmptyThreadsRoot = memory.Keccak256(make([]byte, 64))

// ThreadStack is a thread stack as a hash onion. Threads holds the known
// threads bottom first, so the top of the stack is the last element. Base is
// the root of the threads below them that the holder does not know: a full
// state has Base == EmptyThreadsRoot, and a stateless verifier knows only the
// top thread and the root beneath it.
//
// The zero value is not a valid stack; use NewThreadStack. Every method
// returns a new stack and leaves the receiver unchanged. Requirement ST-STACK.
type ThreadStack struct {
	Base    memory.Hash
	Threads []Thread
	edit    *memory.Edit // set on stacks of a transient State (see State.Transient)
}

// NewThreadStack returns the fully known stack holding ts, bottom first.
func NewThreadStack(ts ...Thread) ThreadStack {
	return ThreadStack{Base: EmptyThreadsRoot, Threads: append([]Thread(nil), ts...)}
}

// PushRoot returns the root of a stack with root below after pushing a
// thread with hash th: keccak256(below ‖ th). Cannon: thread.go:118-126.
func PushRoot(below, th memory.Hash) memory.Hash {
	return memory.HashPair(below, th)
}

// Root returns the stack's hash-onion root, folding from the bottom.
func (s ThreadStack) Root() memory.Hash {
	root := s.Base
	for _, t := range s.Threads {
		root = PushRoot(root, ThreadHash(t))
	}
	return root
}

// IsEmpty reports whether the stack holds no thread at all.
func (s ThreadStack) IsEmpty() bool {
	return len(s.Threads) == 0 && s.Base == EmptyThreadsRoot
}

// IsFullyKnown reports whether every thread of the stack is held.
func (s ThreadStack) IsFullyKnown() bool { return s.Base == EmptyThreadsRoot }

// Len returns the number of known threads.
func (s ThreadStack) Len() int { return len(s.Threads) }

// Top returns the top thread. It fails with CodeEmptyThreadStack when the stack
// is empty, and CodeUnknownThread when the top is not held.
func (s ThreadStack) Top() (Thread, error) {
	if len(s.Threads) == 0 {
		return Thread{}, s.missingTop()
	}
	return s.Threads[len(s.Threads)-1], nil
}

// Push returns the stack with t on top.
func (s ThreadStack) Push(t Thread) ThreadStack {
	n := len(s.Threads)
	if s.edit != nil {
		s.Threads = append(s.Threads, t)
		return s
	}
	return ThreadStack{Base: s.Base, Threads: append(s.Threads[:n:n], t)}
}

// Pop returns the stack without its top thread, with the same errors as Top.
func (s ThreadStack) Pop() (ThreadStack, error) {
	n := len(s.Threads)
	if n == 0 {
		return s, s.missingTop()
	}
	if s.edit != nil {
		s.Threads = s.Threads[:n-1]
		return s, nil
	}
	return ThreadStack{Base: s.Base, Threads: s.Threads[: n-1 : n-1]}, nil
}

// ReplaceTop returns the stack with its top thread replaced by t.
func (s ThreadStack) ReplaceTop(t Thread) (ThreadStack, error) {
	if s.edit != nil && len(s.Threads) > 0 {
		s.Threads[len(s.Threads)-1] = t
		return s, nil
	}
	popped, err := s.Pop()
	if err != nil {
		return s, err
	}
	return popped.Push(t), nil
}

func (s ThreadStack) missingTop() error {
	if s.Base == EmptyThreadsRoot {
		return errors.New(errors.CodeEmptyThreadStack, "stack has no thread")
	}
	return errors.New(errors.CodeUnknownThread, "top thread below known root %s", s.Base)
}

// transient returns a copy of s that owns a fresh array and updates it in place.
func (s ThreadStack) transient(e *memory.Edit) ThreadStack {
	s.Threads = append(make([]Thread, 0, len(s.Threads)+4), s.Threads...)
	s.edit = e
	return s
}

// persistent returns s as an ordinary immutable value.
func (s ThreadStack) persistent() ThreadStack {
	s.edit = nil
	return s
}
