package errors_test

import (
	stderrors "errors"
	"fmt"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/spec/errors"
)

// TestERR_OUTCOME_Table: every code has a distinct name, a kind, a
// requirement ID, an Error() text "name: detail", matches its sentinel with
// errors.Is (through wrapping too), and maps to its kind's outcome.
func TestERR_OUTCOME_Table(t *testing.T) {
	codes := errors.Codes()
	if len(codes) == 0 || codes[0] != 1 {
		t.Fatalf("Codes() = %v, want the closed set from 1", codes)
	}
	names := map[string]bool{}
	for i, c := range codes {
		if int(c) != i+1 {
			t.Fatalf("Codes()[%d] = %d: codes must be consecutive", i, c)
		}
		if names[c.String()] && c != errors.CodeJumpInDelaySlot {
			t.Errorf("duplicate name %q", c.String())
		}
		names[c.String()] = true
		e := errors.New(c, "detail %d", 7)
		if e.Error() != c.String()+": detail 7" {
			t.Errorf("Error() = %q", e.Error())
		}
		wrapped := fmt.Errorf("context: %w", e)
		if !stderrors.Is(wrapped, &errors.Error{Code: c}) || stderrors.Is(wrapped, &errors.Error{Code: c + 1}) {
			t.Errorf("errors.Is on %s does not match exactly its code", c)
		}
		if errors.OutcomeOf(wrapped) == errors.OutcomeForeign || errors.OutcomeOf(wrapped) == errors.OutcomeNone {
			t.Errorf("OutcomeOf(%s) = %s", c, errors.OutcomeOf(wrapped))
		}
		if !strings.Contains(c.Requirement(), "-") {
			t.Errorf("%s has requirement %q", c, c.Requirement())
		}
	}
	if (&errors.Error{Code: errors.CodeDivideByZero}).Error() != "divide by zero" {
		t.Error("an error without detail prints only the name")
	}
}

func TestERR_OUTCOME_Edges(t *testing.T) {
	if got := errors.OutcomeOf(fmt.Errorf("plain")); got != errors.OutcomeForeign {
		t.Errorf("a foreign error: %s", got)
	}
	unknown := errors.Code(999)
	if unknown.Kind() != 0 || unknown.Requirement() != "ERR-UNKNOWN" || !strings.Contains(unknown.String(), "999") {
		t.Errorf("unknown code: %d %q %q", unknown.Kind(), unknown.Requirement(), unknown)
	}
	if got := errors.OutcomeOf(&errors.Error{Code: unknown}); got != errors.OutcomeForeign {
		t.Errorf("an unknown code's outcome: %s", got)
	}
	if errors.Code(0).Requirement() != "ERR-UNKNOWN" {
		t.Error("code 0 is outside the set")
	}
	for k, want := range map[errors.Kind]string{errors.KindInvalidTransition: "invalid-transition", errors.KindUnavailable: "unavailable", errors.KindRejectedInput: "rejected-input", 9: "kind(9)"} {
		if k.String() != want {
			t.Errorf("Kind(%d).String() = %q", k, k)
		}
	}
	for o, want := range map[errors.Outcome]string{errors.OutcomeNone: "none", errors.OutcomeNoPostState: "no-post-state", errors.OutcomeNeedsData: "needs-data", errors.OutcomeRejected: "rejected", errors.OutcomeForeign: "foreign"} {
		if o.String() != want {
			t.Errorf("Outcome(%d).String() = %q", o, o)
		}
	}
	if errors.ErrorSignal != ^uint64(0) || errors.EBADF != 9 || errors.EAGAIN != 11 || errors.EINVAL != 22 {
		t.Error("errno values differ from Cannon's")
	}
}
