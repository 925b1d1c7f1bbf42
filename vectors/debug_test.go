package vectors_test

import (
	stderrors "errors"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
	"github.com/opcity-spec/opcity/vectors"
)

var (
	casesOnce sync.Once
	cases     []vectors.Case
	casesErr  error
)

// allCases is vectors.Cases of the repository, built once per test binary.
func allCases(t *testing.T) []vectors.Case {
	t.Helper()
	if testing.Short() {
		t.Skip("builds every example program")
	}
	casesOnce.Do(func() { cases, casesErr = vectors.Cases("..") })
	if casesErr != nil {
		t.Fatal(casesErr)
	}
	return cases
}

// byName indexes the committed vectors.
func byName(t *testing.T) map[string]vectors.Vector {
	out, err := vectors.ReadByName("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestVEC_DEBUG_SpecAgrees: stepping every case in the spec gives an outcome
// Compare finds nothing to report on, and every vector with a post-state
// records a post_state whose hash is post_state_hash.
func TestVEC_DEBUG_SpecAgrees(t *testing.T) {
	want := byName(t)
	for _, c := range allCases(t) {
		v := want[c.Name]
		post, err := spec.StepIn(c.Profile, c.Pre, c.Data)
		if diff := vectors.Compare(v, vectors.OutcomeOf(c.Pre, post, err)); len(diff) != 0 {
			t.Errorf("%s: %s", c.Name, strings.Join(diff, "; "))
		}
		if v.Error == nil && post.Hash().String() != v.PostStateHash {
			t.Errorf("%s: post_state hashes to %s, post_state_hash %s", c.Name, post.Hash(), v.PostStateHash)
		}
	}
}

// brokenClient is an executor with one planted fault: break returns its
// post-state for a case it applies to (ok false: the fault does not touch
// this step), and fields are the fields Compare may name for it, the
// planted one first.
type brokenClient struct {
	name   string
	breaks func(c vectors.Case, post state.State) (state.State, bool)
	fields []string
}

var brokenClients = []brokenClient{
	{"mult leaves HI", multKeepsHI, []string{"post_thread.hi", "post_state.left_thread_stack", "post_state.right_thread_stack"}},
	{"stores byte-reversed", storesReversed, []string{"memory", "post_state.mem_root"}},
	{"preemption keeps the quantum count", preemptKeepsCount, []string{"post_state.steps_since_last_context_switch"}},
	{"divide by zero steps", nil, []string{"rejected"}},
}

// TestVEC_DEBUG_BrokenClient: a client with one planted fault, run on every
// case, is told by Compare and the committed vectors alone which field is
// wrong: every vector on which its post-state differs reports the planted
// field and no field outside the fault's reach; every other vector reports
// nothing.
func TestVEC_DEBUG_BrokenClient(t *testing.T) {
	want := byName(t)
	for _, b := range brokenClients {
		hits := 0
		for _, c := range allCases(t) {
			post, err := spec.StepIn(c.Profile, c.Pre, c.Data)
			o, hit := brokenOutcome(b, c, post, err)
			diff := vectors.Compare(want[c.Name], o)
			if !hit {
				if len(diff) != 0 {
					t.Errorf("%s: %s: reports %q though the client is right here", b.name, c.Name, diff)
				}
				continue
			}
			hits++
			names := fieldNames(diff)
			if !slices.Contains(names, b.fields[0]) {
				t.Errorf("%s: %s: Compare reports %q, not the planted field %s", b.name, c.Name, diff, b.fields[0])
			}
			for _, n := range names {
				if !slices.Contains(b.fields, n) {
					t.Errorf("%s: %s: Compare names %s, which the fault does not touch", b.name, c.Name, n)
				}
			}
		}
		if hits == 0 {
			t.Errorf("%s: the fault changed no vector's outcome", b.name)
		}
		t.Logf("%s: %d vectors name the planted field", b.name, hits)
	}
}

// brokenOutcome is the broken client's outcome for c, and whether it
// differs from the spec's.
func brokenOutcome(b brokenClient, c vectors.Case, post state.State, err error) (vectors.Outcome, bool) {
	if b.breaks == nil { // divide by zero steps: it returns the pre-state
		var e *errors.Error
		if stderrors.As(err, &e) && e.Code == errors.CodeDivideByZero {
			return vectors.OutcomeOf(c.Pre, c.Pre, nil), true
		}
		return vectors.OutcomeOf(c.Pre, post, err), false
	}
	if err != nil {
		return vectors.OutcomeOf(c.Pre, post, err), false
	}
	bad, ok := b.breaks(c, post)
	if !ok || bad.Hash() == post.Hash() {
		return vectors.OutcomeOf(c.Pre, post, err), false
	}
	return vectors.OutcomeOf(c.Pre, bad, nil), true
}

// fieldNames cuts Compare's lines to their field names, memory[..] to
// "memory".
func fieldNames(diff []string) []string {
	var out []string
	for _, d := range diff {
		n, _, _ := strings.Cut(d, ":")
		if strings.HasPrefix(n, "memory[") {
			n = "memory"
		}
		out = append(out, n)
	}
	return out
}

// multKeepsHI: mult, multu, dmult and dmultu leave HI as it was.
func multKeepsHI(c vectors.Case, post state.State) (state.State, bool) {
	if !slices.Contains([]string{"mult", "multu", "dmult", "dmultu"}, c.Mnemonic) {
		return post, false
	}
	pre, _ := c.Pre.CurrentThread()
	t, _ := post.CurrentThread()
	t.CPU.HI = pre.CPU.HI
	active, _ := post.ActiveStack().ReplaceTop(t)
	return post.WithStacks(active, post.InactiveStack()), true
}

// storesReversed: every word a step changes gets its bytes reversed.
func storesReversed(c vectors.Case, post state.State) (state.State, bool) {
	pm := post.Memory.(memory.Memory)
	addrs, ok := vectors.ChangedWords(c.Pre.Memory.(memory.Memory), pm, 16)
	if !ok || len(addrs) == 0 || c.Profile != spec.ProfileBase {
		return post, false
	}
	for _, a := range addrs {
		w, _ := pm.Word(a)
		pm, _ = pm.SetWord(a, bits.ReverseBytes64(w))
	}
	post.Memory = pm
	return post, true
}

// preemptKeepsCount: a preemption does not reset StepsSinceLastContextSwitch.
func preemptKeepsCount(c vectors.Case, post state.State) (state.State, bool) {
	t, err := c.Pre.CurrentThread()
	if err != nil || c.Pre.Exited || t.Exited || c.Pre.StepsSinceLastContextSwitch < transition.SchedQuantum {
		return post, false
	}
	post.StepsSinceLastContextSwitch = c.Pre.StepsSinceLastContextSwitch
	return post, true
}
