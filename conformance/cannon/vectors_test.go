package cannon

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/conformance/cannon/internal/cannonvm"

	"github.com/ethereum-optimism/optimism/cannon/mipsevm/multithreaded"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/spec"
	specerrors "github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/vectors"
)

// TestConformance_CONF_CANNON_VECTORS replays every base-profile committed
// vector (vectors/testdata/v1) in Cannon's Go VM from its case
// (vectors.Cases: the whole pre-state and D): Cannon's step witness has the
// vector's state and proof; a vector with a post-state gets Cannon's
// post-state witness, stepped thread and written words exactly
// (vectors.Compare over Cannon's state); a vector with an error makes
// Cannon fail with that error's message.
func TestConformance_CONF_CANNON_VECTORS(t *testing.T) {
	want, err := vectors.ReadByName("../../vectors/testdata")
	if err != nil {
		t.Fatal(err)
	}
	cases, err := vectors.Cases("../..")
	if err != nil {
		t.Fatal(err)
	}
	var replayed, rejected, skipped int
	for _, c := range cases {
		if c.Profile != spec.ProfileBase {
			skipped++
			continue
		}
		v, ok := want[c.Name]
		if !ok {
			t.Fatalf("%s: a case without a committed vector", c.Name)
		}
		if msg := cannonReplay(c, v); msg != "" {
			t.Errorf("%s: %s", c.Name, msg)
		}
		replayed++
		if v.Error != nil {
			rejected++
		}
	}
	t.Logf("vectors replayed in Cannon: %d (%d expected rejections), %d OPcity-profile vectors skipped", replayed, rejected, skipped)
}

// cannonReplay steps c in Cannon and returns "" when Cannon reproduces v.
func cannonReplay(c vectors.Case, v vectors.Vector) string {
	po, _ := c.Data.Preimages.(spec.PreimageMap) // every base-profile case's oracle is a map, or none
	cres := cannonvm.Step(c.Pre, po)
	if v.Error != nil {
		if cres.Panic == "" {
			return fmt.Sprintf("the vector expects %s, Cannon stepped", v.Error.Name)
		}
		if frag := cannonPanicFor(specerrors.Code(v.Error.Code)); !strings.Contains(cres.Panic, frag) {
			return fmt.Sprintf("Cannon fails with %q, want %q", cres.Panic, frag)
		}
		return ""
	}
	if cres.Panic != "" {
		return fmt.Sprintf("Cannon fails (%s), the vector expects %s", cres.Panic, v.PostStateHash)
	}
	if format.Hex(cres.StepWitness.State) != v.State || !strings.HasPrefix(format.Hex(cres.StepWitness.ProofData), v.Proof) {
		return "Cannon's step witness differs from the vector's state and proof"
	}
	o := vectors.Outcome{
		PostState:  cres.Witness,
		PostThread: cannonSteppedThread(c.Pre, cres.Post),
		Word:       func(addr uint64) uint64 { return cres.Post.Memory.GetWord(addr) },
	}
	if diff := vectors.Compare(v, o); len(diff) != 0 {
		return strings.Join(diff, "; ")
	}
	if format.Hex(cres.Hash[:]) != v.PostStateHash {
		return fmt.Sprintf("Cannon's post-state hash 0x%x, the vector's %s", cres.Hash, v.PostStateHash)
	}
	return ""
}

// cannonSteppedThread is vectors.SteppedThread over Cannon's post-state:
// the encoding of the thread with the ID of pre's current thread, from the
// top of the active stack, then of the inactive one; nil when it is gone
// or the VM had exited.
func cannonSteppedThread(pre state.State, post *multithreaded.State) []byte {
	cur, err := pre.CurrentThread()
	if err != nil || pre.Exited {
		return nil
	}
	stacks := [][]*multithreaded.ThreadState{post.LeftThreadStack, post.RightThreadStack}
	if post.TraverseRight {
		stacks[0], stacks[1] = stacks[1], stacks[0]
	}
	for _, st := range stacks {
		for i := len(st) - 1; i >= 0; i-- {
			if st[i].ThreadId == cur.ID {
				var b bytes.Buffer
				_ = st[i].Serialize(&b)
				return b.Bytes()
			}
		}
	}
	return nil
}
