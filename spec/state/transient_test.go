package state_test

import (
	"testing"

	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// TestST_STACK_TransientEmpty: a transient stack with no thread fails
// ReplaceTop and Pop with an error, as a persistent one does, and a
// transient state's in-place updates never reach the state it was made from.
func TestST_STACK_TransientEmpty(t *testing.T) {
	s := state.NewEmpty()
	tr := s.Transient(&memory.Edit{})
	if _, err := tr.RightThreads.ReplaceTop(state.Thread{ID: 5}); err == nil {
		t.Fatal("ReplaceTop on an empty transient stack must fail")
	}
	if _, err := tr.RightThreads.Pop(); err == nil {
		t.Fatal("Pop on an empty transient stack must fail")
	}
	left, err := tr.LeftThreads.ReplaceTop(state.Thread{ID: 9})
	if err != nil {
		t.Fatal(err)
	}
	if top, _ := s.LeftThreads.Top(); top.ID != 0 {
		t.Fatalf("the persistent state's thread changed to %d", top.ID)
	}
	if top, _ := left.Top(); top.ID != 9 {
		t.Fatalf("transient ReplaceTop gave %d", top.ID)
	}
	if s.Hash() != state.NewEmpty().Hash() {
		t.Fatal("the state a transient was made from must keep its hash")
	}
}
