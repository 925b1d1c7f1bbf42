package evm

import (
	"fmt"
	"math/big"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/opml/nodevm/guest"
	"github.com/opcity-spec/opcity/spec"
)

// Outcome is the contract's answer to one replayed action: 0 when every
// transaction of it succeeded, else the Go code of the revert (CodeChainOnly
// for a revert with none) and its reason.
type Outcome struct {
	Code   dispute.Code
	Reason string
}

// ApplyAction replays the Go action a, taken on the Go game g (the state
// before it) at time now, against the contract, and returns the contract's
// outcome. The calldata the Go action does not carry comes from g: the
// stored siblings of the disputed poststate claim (a phase-3 root, a
// transition step) and, before a VM step, the game's local data (OP's
// addLocalData) and, for SyntheticStepper, the run the Go verifier knows.
// A resolveClaim is sent in pages of PageSize children. Errors: only a
// failure to build or send a call, never a revert.
func (c *DisputeChain) ApplyAction(g dispute.Game, now uint64, a dispute.Action) (Outcome, error) {
	switch a.Kind {
	case dispute.ActMove:
		return c.applyMove(g, now, a)
	case dispute.ActStep:
		if err := c.prepareStep(g, now, a); err != nil {
			return Outcome{}, err
		}
		return c.tx(g, a, "step", 0, now, nil, "step", big.NewInt(int64(a.Claim)), a.Attack, nonNil(a.StateData), nonNil(a.Proof))
	case dispute.ActStepTransition:
		sibs := c.postSiblings(g, a.Claim, a.Attack, g.Config().Split2)
		return c.tx(g, a, "step-transition", 0, now, nil, "stepTransition", big.NewInt(int64(a.Claim)), a.Attack, sibs)
	case dispute.ActUploadTensor:
		return c.tx(g, a, "upload-tensor", 0, now, nil, "uploadTensor", nonNil(a.Data))
	case dispute.ActUploadPreimage:
		r, err := c.send(a.Party, c.h.oracle, nil, now, c.h.orABI, "loadKeccak256PreimagePart", big.NewInt(0), nonNil(a.Data))
		if err != nil {
			return Outcome{}, err
		}
		c.record("upload-preimage", a.Party, r, 0)
		return Outcome{r.code, r.reason}, nil
	case dispute.ActResolveClaim:
		return c.applyResolveClaim(g, now, a)
	case dispute.ActResolve:
		return c.tx(g, a, "resolve", 0, now, nil, "resolve")
	}
	return Outcome{CodeChainOnly, fmt.Sprintf("no contract call for %s", a.Kind)}, nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// tx sends one call of the game and records its gas under kind.
func (c *DisputeChain) tx(g dispute.Game, a dispute.Action, kind string, children int, now uint64, value *big.Int, method string, args ...any) (Outcome, error) {
	r, err := c.send(a.Party, c.game, value, now, c.gameABI, method, args...)
	if err != nil {
		return Outcome{}, err
	}
	c.record(kind, a.Party, r, children)
	return Outcome{r.code, r.reason}, nil
}

func (c *DisputeChain) record(kind string, party dispute.Address, r callResult, children int) {
	if c.Gas != nil {
		c.Gas(GasRecord{Kind: kind, Party: party, Exec: r.exec, Calldata: r.calldata.Gas, Floor: r.calldata.FloorGas, Refund: r.refund, Children: children, Accepted: r.code == 0, Code: r.code, VMGas: r.vmGas})
	}
}

// DisputeGasKind names a move's gas class: its phase, or the phase root it makes.
func DisputeGasKind(cfg *dispute.Config, depth int) string {
	switch {
	case depth == cfg.Split1+1:
		return "move phase-2 root"
	case depth == cfg.Split2+1:
		return "move phase-3 root"
	}
	return fmt.Sprintf("move phase %d", cfg.Phase(depth))
}

func (c *DisputeChain) applyMove(g dispute.Game, now uint64, a dispute.Action) (Outcome, error) {
	m := a.Move
	cfg := g.Config()
	kind := "move (rejected early)"
	var post []([32]byte)
	if m.Parent >= 0 && m.Parent < g.Len() {
		d := g.Claim(m.Parent).Position.Move(m.Attack).Depth()
		kind = DisputeGasKind(cfg, d)
		if d == cfg.Split2+1 {
			post = c.postSiblings(g, m.Parent, m.Attack, cfg.Split2)
		}
	}
	op := abiOpening{Siblings: [][32]byte{}}
	if m.Opening != nil {
		op = openingOf(*m.Opening)
	}
	ops := []abiOpening{}
	for _, o := range m.Operands {
		ops = append(ops, openingOf(o))
	}
	if post == nil {
		post = [][32]byte{}
	}
	value := new(big.Int).Mul(new(big.Int).SetUint64(m.Bond), big.NewInt(GweiWei))
	parent := big.NewInt(int64(m.Parent))
	if m.Parent < 0 {
		parent = new(big.Int).Lsh(big.NewInt(1), 255) // no claim: out of range on chain too
	}
	return c.tx(g, a, kind, 0, now, value, "move", m.Disputed, parent, m.Value, m.Attack, op, post, ops)
}

func openingOf(o dispute.Opening) abiOpening {
	s := make([][32]byte, len(o.Siblings))
	for i, h := range o.Siblings {
		s[i] = h
	}
	return abiOpening{Leaf: o.Leaf, Siblings: s}
}

// postSiblings returns the stored siblings of the poststate claim that a
// move or step against the phase leaf at parent disputes (dispute's
// transition), or none when there is no such claim or it has no opening.
func (c *DisputeChain) postSiblings(g dispute.Game, parent int, attack bool, leafDepth int) [][32]byte {
	out := [][32]byte{}
	if parent < 0 || parent >= g.Len() {
		return out
	}
	post := parent
	if !attack {
		target := (g.Claim(parent).Position + 1).TraceAncestor()
		post = -1
		for i := parent; i >= 0; i = g.Claim(i).Parent {
			if g.Claim(i).Position == target {
				post = i
				break
			}
		}
	}
	if post < 0 || g.Claim(post).Opening == nil {
		return out
	}
	return openingOf(*g.Claim(post).Opening).Siblings
}

// prepareStep makes the chain hold what the Go rules hold for a VM step:
// with SyntheticStepper, the game's local data for the claim's phase-3
// context (addLocalData of keys 1 and 2 at part offset 8, by the stepper)
// and the run of the context as the Go verifier answers it; with a real
// VM, the preimage part the stepped state reads and the tensor its
// tensor_map binds (prepareRealStep, prepareTensor).
func (c *DisputeChain) prepareStep(g dispute.Game, now uint64, a dispute.Action) error {
	if a.Claim < 0 || a.Claim >= g.Len() || g.Config().Phase(g.Claim(a.Claim).Position.Depth()) != 3 {
		return nil
	}
	if c.vm != c.stepper {
		return c.prepareRealStep(g, now, a)
	}
	ctx := g.Claim(a.Claim).Context
	for _, id := range []int64{1, 2} {
		r, err := c.send(a.Party, c.game, nil, now, c.gameABI, "addLocalData", big.NewInt(id), big.NewInt(int64(a.Claim)), big.NewInt(8))
		if err != nil {
			return err
		}
		c.record("add-local-data", a.Party, r, 0)
	}
	steps, valid, known := c.probeRun(ctx)
	if !known {
		return nil
	}
	_, _, err := c.call(owner, c.stepper, nil, now, c.stepperABI, "registerRun", ctx.LocalContext, steps, valid)
	return err
}

// prepareRealStep loads, as the stepper, the preimage part a real VM's
// step may read: the part at the stepped state's preimage offset (state
// witness bytes 64..72) of its preimage key (bytes 32..64). A local key of
// the node program (guest.LocalDescriptor, guest.LocalClaim) goes through
// the game's addLocalData(ident, claim, offset), so the oracle holds it
// under the game's localization of the claim's context, the one MIPS64.sol
// computes (its caller is the game; MIPS64OPcity delegatecalls it); a
// keccak256 key whose preimage the Go game holds (uploaded, or derived by
// the phase-3 root) goes to the oracle's loadKeccak256PreimagePart. A
// part past the datum's end, another key, or a state too short to hold
// them loads nothing: the step then fails or not on chain as the data the
// Go verifier sees decides.
func (c *DisputeChain) prepareRealStep(g dispute.Game, now uint64, a dispute.Action) error {
	if len(a.StateData) < 72 {
		return nil
	}
	if err := c.prepareTensor(g, a); err != nil {
		return err
	}
	key := [32]byte(a.StateData[32:64])
	off := preimageOffset(a.StateData)
	kind, to, ab, method, args := "", c.game, c.gameABI, "", []any(nil)
	switch {
	case key == guest.LocalKey(guest.LocalDescriptor) || key == guest.LocalKey(guest.LocalClaim):
		if off >= 8+32 {
			return nil
		}
		kind, method = "add-local-data", "addLocalData"
		args = []any{big.NewInt(int64(key[31])), big.NewInt(int64(a.Claim)), new(big.Int).SetUint64(off)}
	case key[0] == keyTypeKeccak256:
		v, ok := g.Preimage(key)
		if !ok || off >= 8+uint64(len(v)) {
			return nil
		}
		kind, to, ab, method = "load-preimage-part", c.h.oracle, c.h.orABI, "loadKeccak256PreimagePart"
		args = []any{new(big.Int).SetUint64(off), v}
	default:
		return nil
	}
	if c.skipLoad != nil && c.skipLoad(kind) {
		return nil
	}
	r, err := c.send(a.Party, to, nil, now, ab, method, args...)
	if err == nil {
		c.record(kind, a.Party, r, 0)
	}
	return err
}

// prepareTensor makes the tensor a tensor_map of the stepped state binds
// available in TensorOracle, the store MIPS64OPcity reads, inside the
// chain's state (c.db): under the OPcity profile it runs the Go step on
// the tensors the Go game serves the step (its uploaded tensors, then the
// constants of the block's model, as dispute's stepTensors) through
// spec.RecordData and, when the step read a tensor that TensorOracle does
// not hold at the size read, uploads it (Harness.upload: propose, the
// chunks, finalize after the window; sent from Caller, whose bond
// finalize returns) and records each transaction as "upload-tensor-oracle"
// by the stepper. The game's uploadTensor records only digests; a step
// that reads no tensor (tensor_root, any other instruction, the base
// profile) uploads nothing. Errors: a failed upload or availability call,
// never the step's own failure, which the step transaction then shows.
func (c *DisputeChain) prepareTensor(g dispute.Game, a dispute.Action) error {
	cfg := g.Config()
	if cfg.Profile != spec.ProfileOPcity {
		return nil
	}
	ctx := g.Claim(a.Claim).Context
	rec := spec.RecordData(spec.Data{Tensors: newGameTensors(g, ctx.Block)})
	_, _ = spec.VerifyStepIn(spec.ProfileOPcity, a.StateData, a.Proof, ctx.LocalContext, rec.Data())
	var w spec.Witness
	rec.Record(&w, 0)
	if !w.HasTensor || (c.skipLoad != nil && c.skipLoad("upload-tensor-oracle")) {
		return nil
	}
	v, err := c.view(c.h.tensors, c.h.tensorsABI, "available", w.TensorRoot, uint8(w.TensorLog2Size))
	if err != nil {
		return err
	}
	if v[0].(bool) {
		return nil
	}
	u, err := c.h.upload(c.db, w.Tensor)
	if err != nil {
		return err
	}
	for _, t := range u.Txs {
		c.record("upload-tensor-oracle", a.Party, callResult{exec: t.Gas, calldata: t.Calldata}, 0)
	}
	return nil
}

// gameTensors is the tensor store the Go game g serves a step of block
// under the OPcity profile: its uploaded tensors, then the constants of
// the block's registered model (dispute.Model.ConstTensors).
type gameTensors struct {
	uploaded *spec.Tensors
	consts   *spec.Tensors
}

func newGameTensors(g dispute.Game, block uint64) gameTensors {
	t := gameTensors{uploaded: spec.NewTensors()}
	for _, k := range g.TensorKeys() {
		data, _ := g.Tensor(k.Commitment, k.Len)
		t.uploaded.Add(data)
	}
	if jobs := g.Jobs(); block < uint64(len(jobs)) {
		if r := g.Config().Models[jobs[block].Model]; r != nil {
			t.consts = r.ConstTensors()
		}
	}
	return t
}

func (t gameTensors) Tensor(root [32]byte, log2size uint) ([]byte, bool) {
	if data, ok := t.uploaded.Tensor(root, log2size); ok {
		return data, true
	}
	return t.consts.Tensor(root, log2size)
}

// probeRun asks the game type's Go verifier (trace.Synthetic's) for the
// run of context ctx: its step count N (the least state s whose successor
// is not UNFINISHED is N − 1) and whether its final state is VALID; known
// is false when the verifier refuses the context.
func (c *DisputeChain) probeRun(ctx dispute.Context) (steps uint64, valid, known bool) {
	ver := c.cfg.Verifier
	if ver == nil {
		return 0, false, false
	}
	d := spec.Data{Preimages: spec.PreimageMap{
		guest.LocalKey(guest.LocalDescriptor): ctx.DescriptorHash[:],
		guest.LocalKey(guest.LocalClaim):      ctx.Output[:],
	}}
	status := func(s uint64) (byte, bool) {
		h, err := ver(trace.SyntheticRecord(ctx.LocalContext, s), nil, ctx.LocalContext, d)
		return h[0], err == nil
	}
	if _, ok := status(0); !ok {
		return 0, false, false
	}
	lo, hi := uint64(0), uint64(1)<<62 // the least s with status(s) != 3 lies in [lo, hi]
	for lo < hi {
		mid := lo + (hi-lo)/2
		if st, _ := status(mid); st != 3 {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	st, _ := status(lo)
	return lo + 1, st == 0, true
}

// applyResolveClaim sends resolveClaim in pages until the claim resolves
// or a page reverts. The pages start where the contract's checkpoint
// stands: a resolution the Go rules refused (a child unresolved) may have
// scanned pages on chain before the page that reverted, and those stay
// scanned.
func (c *DisputeChain) applyResolveClaim(g dispute.Game, now uint64, a dispute.Action) (Outcome, error) {
	n := 0
	if a.Claim >= 0 && a.Claim < g.Len() {
		n = len(g.Claim(a.Claim).Children)
	}
	idx := big.NewInt(int64(a.Claim))
	if a.Claim < 0 {
		idx = new(big.Int).Lsh(big.NewInt(1), 255)
	}
	page := c.PageSize
	if page <= 0 {
		page = max(n, 1)
	}
	done, err := c.resolvedChildren(g, a.Claim)
	if err != nil {
		return Outcome{}, err
	}
	for {
		scan := min(page, n-done)
		r, err := c.send(a.Party, c.game, nil, now, c.gameABI, "resolveClaim", idx, big.NewInt(int64(page)))
		if err != nil {
			return Outcome{}, err
		}
		c.record("resolve-claim", a.Party, r, scan)
		if r.code != 0 {
			return Outcome{r.code, r.reason}, nil
		}
		done += scan
		if done >= n {
			return Outcome{}, nil
		}
	}
}

// resolvedChildren returns how many of claim i's children the contract's
// resolution checkpoint has scanned (0 for an index out of g's range).
func (c *DisputeChain) resolvedChildren(g dispute.Game, i int) (int, error) {
	if i < 0 || i >= g.Len() {
		return 0, nil
	}
	v, err := c.view(c.game, c.gameABI, "checkpoints", big.NewInt(int64(i)))
	if err != nil {
		return 0, err
	}
	return int(v[1].(uint32)), nil
}
