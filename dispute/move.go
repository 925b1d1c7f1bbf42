package dispute

import (
	"sync"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/spec/memory"
)

// Move is a move against claim Parent, whose value must be Disputed.
type Move struct {
	Parent   int
	Disputed Hash
	Attack   bool
	Value    Hash
	Bond     uint64
	Claimant Address
	// Opening is required on every phase-2 claim: its node's output leaf
	// and path in the graph-state table.
	Opening *Opening
	// Operands are required on a phase-3 root: the openings of the
	// disputed node's operand commitments against the agreed graph state,
	// in the node's input order.
	Operands []Opening
}

// Move applies m at time now and returns the new game (requirement
// DISPUTE-MOVE). The rules, in order: the game is in progress; Parent
// exists and holds Disputed; its subgame is unresolved; no defense of the
// game root or of a phase root; the new depth is at most MaxDepth; the bond
// is exactly Bond(depth); the mover's clock (ChallengerDuration of the
// parent) is not exhausted; (parent, position, value) is new; and the
// phase rules of checkPhase hold. Errors: *Error with CodeGameOver,
// CodeBadIndex, CodeResolved, CodeDefendRoot, CodeDepth, CodeWrongBond,
// CodeClockExpired, CodeDuplicate, CodeBadOpening, CodeUnboundPhaseRoot or
// CodeUnavailable; g is never changed.
func (g Game) Move(now uint64, m Move) (Game, error) {
	if g.status != InProgress {
		return g, errorf(CodeGameOver, "the game is %s", g.status)
	}
	if m.Parent < 0 || m.Parent >= len(g.claims) || g.claims[m.Parent].Value != m.Disputed {
		return g, errorf(CodeBadIndex, "claim %d does not hold %s", m.Parent, m.Disputed)
	}
	p := g.claims[m.Parent]
	if p.Resolved {
		return g, errorf(CodeResolved, "claim %d is resolved", m.Parent)
	}
	if !m.Attack && g.cfg.IsRoot(p.Position.Depth()) {
		return g, errorf(CodeDefendRoot, "claim %d at depth %d is a root", m.Parent, p.Position.Depth())
	}
	pos := p.Position.Move(m.Attack)
	d := pos.Depth()
	if d > g.cfg.MaxDepth {
		return g, errorf(CodeDepth, "depth %d past the maximum %d", d, g.cfg.MaxDepth)
	}
	if m.Bond != g.cfg.Bond(d) {
		return g, errorf(CodeWrongBond, "bond %d at depth %d, required %d", m.Bond, d, g.cfg.Bond(d))
	}
	duration := g.ChallengerDuration(m.Parent, now)
	if duration >= g.cfg.MaxClock {
		return g, errorf(CodeClockExpired, "clock of claim %d used %d s", m.Parent, duration)
	}
	if ext := g.cfg.Extension(d); duration > g.cfg.MaxClock-ext {
		duration = g.cfg.MaxClock - ext
	}
	for _, c := range p.Children {
		if g.claims[c].Position == pos && g.claims[c].Value == m.Value {
			return g, errorf(CodeDuplicate, "claim %d already holds %s at %d", c, m.Value, pos)
		}
	}
	c := Claim{Parent: m.Parent, Position: pos, Value: m.Value, Bond: m.Bond, Claimant: m.Claimant,
		Clock: Clock{duration, now}, Context: p.Context}
	g, err := g.checkPhase(m, &c)
	if err != nil {
		return g, err
	}
	g = g.update(m.Parent, func(p *Claim) { p.Children = append(slicesClone(p.Children), len(g.claims)) })
	g.claims = append(g.claims, &c)
	g.posted += m.Bond
	return g, nil
}

// IsRoot reports whether depth d holds the game root or a phase root: the
// claims that no move may defend (Move's CodeDefendRoot).
func (c *Config) IsRoot(d int) bool { return d == 0 || d == c.Split1+1 || d == c.Split2+1 }

// Extension returns the clock extension for a move to depth d: the step
// extension when the grandchild is a step, the phase extension when it is a
// phase root, ClockExtension otherwise (requirement DISPUTE-CLOCK). A move
// to depth d made with less than Extension(d) left on the mover's clock gets
// its clock set to MaxClock − Extension(d).
func (c *Config) Extension(d int) uint64 {
	switch d {
	case c.MaxDepth - 1:
		return c.StepExtension
	case c.Split1 - 1, c.Split2 - 1:
		return c.PhaseExtension
	}
	return c.ClockExtension
}

// checkPhase applies the phase rules to a new claim c: every phase-2 claim
// opens its node's output leaf; a phase-2 root is bound to the disputed
// output root; a phase-3 root is bound to the disputed graph transition.
// The returned game may hold the derived node descriptor as a preimage.
func (g Game) checkPhase(m Move, c *Claim) (Game, error) {
	d := c.Position.Depth()
	if g.cfg.Phase(d) == 2 {
		if err := g.checkOpening(m.Opening, c); err != nil {
			return g, err
		}
		c.Opening = &Opening{Leaf: m.Opening.Leaf, Siblings: slicesClone(m.Opening.Siblings)}
	}
	switch d {
	case g.cfg.Split1 + 1:
		return g, g.bindGraphRoot(m, c)
	case g.cfg.Split2 + 1:
		return g.bindVMRoot(m, c)
	}
	return g, nil
}

// NodeOf returns the node a phase-2 position p commits to: its trace index
// within phase 2 (PhaseIndex). Indices at or past the model's last node
// commit to the final graph state (Model.Entry).
func (c *Config) NodeOf(p Position) uint64 {
	return p.TraceIndex(c.Split2) & (1<<uint(c.Split2-c.Split1-1) - 1)
}

// PhaseIndex returns the trace index within its phase that position p
// commits to: the index at the phase's leaf depth of p's rightmost
// descendant, counted from the phase's first leaf (docs/dispute.md §2). A
// phase-1 index is a block, a phase-2 index a node, a phase-3 index a VM
// trace index.
func (c *Config) PhaseIndex(p Position) uint64 {
	leaf := c.PhaseLeafDepth(c.Phase(p.Depth()))
	return p.TraceIndex(leaf) & (1<<uint(leaf-c.phaseRootDepth(leaf)) - 1)
}

func (g Game) model(block uint64) *Model { return g.cfg.Models[g.jobs[block].Model] }

// Entry returns the graph-state table entry that the claim at phase-2
// trace index k opens: node min(k, n−1)'s output (indices past the last
// node repeat the final state). Every phase-2 claim's Opening must prove
// this entry (Move's CodeBadOpening).
func (r *Model) Entry(k uint64) uint64 {
	return uint64(r.Model.FirstNodeTensor()) + min(k, uint64(len(r.Model.Nodes)-1))
}

// isUpdate reports whether the graph transition k from pre to the claim
// post is well formed: for a node (k < n), post's opening with its leaf
// zeroed folds to pre (a one-leaf update); past the last node, post equals
// pre (padding). Results are memoized by (k, pre, post's value and leaf),
// which fix the answer as long as keccak256 is collision resistant.
func (r *Model) isUpdate(k uint64, pre Hash, post *Claim) bool {
	if k >= uint64(len(r.Model.Nodes)) {
		return post.Value == pre
	}
	key := updateKey{k, pre, post.Value, post.Opening.Leaf}
	if v, ok := r.updates.Load(key); ok {
		return v.(bool)
	}
	ok := memory.ComputePathRoot(Hash{}, r.Entry(k), post.Opening.Siblings) == pre
	r.updates.Store(key, ok)
	return ok
}

type updateKey struct {
	k               uint64
	pre, post, leaf Hash
}

// checkOpening checks that o opens c's node output leaf to c.Value.
func (g Game) checkOpening(o *Opening, c *Claim) error {
	r := g.model(c.Context.Block)
	if d := c.Position.Depth(); d == g.cfg.Split1+1 {
		r = g.model(g.disputedBlock(c))
	}
	if o == nil || len(o.Siblings) != r.TableDepth() {
		return errorf(CodeBadOpening, "a phase-2 claim needs an opening with %d siblings", r.TableDepth())
	}
	idx := r.Entry(g.cfg.NodeOf(c.Position))
	if o.Root(idx) != c.Value {
		return errorf(CodeBadOpening, "opening of entry %d gives %s, claim %s", idx, o.Root(idx), c.Value)
	}
	return nil
}

// disputedBlock returns the block a phase-2 root at c.Position disputes:
// the phase-1 leaf's trace index for an attack, the next one for a defense.
func (g Game) disputedBlock(c *Claim) uint64 {
	leaf := g.claims[c.Parent].Position
	b := leaf.TraceIndex(g.cfg.Split1)
	if c.Position != leaf.Move(true) {
		b++
	}
	return b
}

// transition returns the agreed prestate value and the disputed poststate
// claim of the sub-trace that a move against the phase leaf at parent
// opens: an attack disputes the leaf from its left neighbour (or first,
// the phase's absolute prestate), a defense the right neighbour from the
// leaf. It also returns the disputed trace index within the phase.
func (g Game) transition(parent int, attack bool, leafDepth int, absolute Hash) (pre Hash, post int, index uint64, err error) {
	leaf := g.claims[parent]
	width := uint(leafDepth - g.cfg.phaseRootDepth(leafDepth))
	index = leaf.Position.TraceIndex(leafDepth) & (1<<width - 1)
	if attack {
		if index == 0 {
			return absolute, parent, 0, nil
		}
		a, err := g.findTraceAncestor(leaf.Position-1, parent, leafDepth)
		if err != nil {
			return Hash{}, 0, 0, err
		}
		return g.claims[a].Value, parent, index, nil
	}
	a, err := g.findTraceAncestor(leaf.Position+1, parent, leafDepth)
	return leaf.Value, a, index + 1, err
}

// phaseRootDepth returns the depth of the root of the phase whose leaves
// are at leafDepth.
func (c *Config) phaseRootDepth(leafDepth int) int {
	switch c.Phase(leafDepth) {
	case 1:
		return 0
	case 2:
		return c.Split1 + 1
	}
	return c.Split2 + 1
}

// findTraceAncestor returns the index of the claim at pos's trace ancestor,
// walking up from claim start; the ancestor must lie in the phase of
// leafDepth (OP's _findTraceAncestor with traceAncestorBounded).
func (g Game) findTraceAncestor(pos Position, start, leafDepth int) (int, error) {
	target := pos.TraceAncestor()
	if target.Depth() < g.cfg.phaseRootDepth(leafDepth) {
		return 0, errorf(CodeBadIndex, "trace ancestor %d leaves the phase", target)
	}
	for i := start; i >= 0; i = g.claims[i].Parent {
		if g.claims[i].Position == target {
			return i, nil
		}
	}
	return 0, errorf(CodeBadIndex, "no claim at trace ancestor %d", target)
}

// expectInvalid reports whether a phase root opened against the leaf at
// parent must assert that the disputed poststate is wrong: always for an
// attack, and for a defense when the poststate was made by the leaf's
// team (OP's _verifyExecBisectionRoot).
func (g Game) expectInvalid(parent, post int, attack bool) bool {
	return attack || g.claims[post].Position.Depth()%2 == g.claims[parent].Position.Depth()%2
}

// bindGraphRoot checks a phase-2 root (requirement DISPUTE-BIND): with pre
// the agreed output root (the anchor before block 0), j the disputed block's
// job and post the disputed output root, OutputRoot(pre, j, c.Value) must
// differ from post when the root asserts post is wrong and equal it
// otherwise. The graph prestate of the phase is Model.InitialRoot(j.Inputs).
func (g Game) bindGraphRoot(m Move, c *Claim) error {
	pre, post, block, err := g.transition(m.Parent, m.Attack, g.cfg.Split1, g.cfg.Anchor)
	if err != nil {
		return err
	}
	c.Context = Context{Block: block}
	matches := OutputRoot(pre, g.jobs[block], c.Value) == g.claims[post].Value
	if matches == g.expectInvalid(m.Parent, post, m.Attack) {
		return errorf(CodeUnboundPhaseRoot, "graph root %s for block %d: output root match %v", c.Value, block, matches)
	}
	return nil
}

// bindVMRoot checks a phase-3 root (requirement DISPUTE-BIND). For the
// disputed node k with agreed graph state pre and disputed claim post:
// post's opening with its leaf zeroed must give pre (the transition is one
// leaf update), each operand opening must prove its commitment in pre, the
// operands' bytes must be uploaded (constants come from the model), and the
// VM status byte of c.Value must be INVALID or PANIC when c asserts post is
// wrong and VALID otherwise. It fixes c.Context: the node, the hash of the
// node descriptor the game derives (opml.NodeDescriptorOf), the claimed
// output commitment (post's leaf) and their local context.
func (g Game) bindVMRoot(m Move, c *Claim) (Game, error) {
	r := g.model(c.Context.Block)
	initial := g.initial[c.Context.Block]
	pre, post, k, err := g.transition(m.Parent, m.Attack, g.cfg.Split2, initial)
	if err != nil {
		return g, err
	}
	out := g.claims[post].Opening
	if k >= uint64(len(r.Model.Nodes)) {
		return g, errorf(CodeUnboundPhaseRoot, "transition %d is padding past the last node %d (use StepTransition)", k, len(r.Model.Nodes)-1)
	}
	if !r.isUpdate(k, pre, g.claims[post]) {
		return g, errorf(CodeUnboundPhaseRoot, "node %d: claim %d is not one leaf update of %s (use StepTransition)", k, post, pre)
	}
	desc, err := g.descriptor(r, int(k), pre, m.Operands)
	if err != nil {
		return g, err
	}
	status := c.Value[0]
	if g.expectInvalid(m.Parent, post, m.Attack) != (status == 1 || status == 2) || status > 2 {
		return g, errorf(CodeUnboundPhaseRoot, "VM root status %d does not match the disputed transition", status)
	}
	dh := Keccak(desc)
	c.Context.Node, c.Context.DescriptorHash, c.Context.Output = k, dh, out.Leaf
	c.Context.LocalContext = Keccak(dh[:], out.Leaf[:])
	return g.UploadPreimage(desc), nil
}

// descriptor derives node k's canonical descriptor from the registered
// model and the operand bytes, after checking the operand openings.
func (g Game) descriptor(r *Model, k int, pre Hash, ops []Opening) ([]byte, error) {
	node := r.Model.Nodes[k]
	if len(ops) != len(node.Inputs) {
		return nil, errorf(CodeUnboundPhaseRoot, "node %d has %d operands, %d opened", k, len(node.Inputs), len(ops))
	}
	tensors := make([][]byte, len(r.Model.Tensors))
	for i, id := range node.Inputs {
		if len(ops[i].Siblings) != r.TableDepth() || ops[i].Root(uint64(id)) != pre {
			return nil, errorf(CodeBadOpening, "operand %d (tensor %d) is not in the graph state %s", i, id, pre)
		}
		if id < r.Model.Consts {
			tensors[id] = r.Model.Tensors[id].Data
			continue
		}
		t := r.Model.Tensors[id]
		data, ok := g.tensors[TensorKey{ops[i].Leaf, t.Elements() * t.DType.Size()}]
		if !ok {
			return nil, errorf(CodeUnavailable, "tensor %s (operand %d) was not uploaded", ops[i].Leaf, i)
		}
		tensors[id] = data
	}
	key := descKey{r.Hash, k, Keccak(hashesBytes(ops)...)}
	if d, ok := descCache.Load(key); ok {
		return d.([]byte), nil
	}
	d, _, err := opml.NodeDescriptorOf(r.Model, k, tensors)
	if err != nil {
		return nil, errorf(CodeUnavailable, "node %d: %v", k, err)
	}
	enc := d.Encode()
	descCache.Store(key, enc)
	return enc, nil
}

// descCache memoizes derived descriptors: a descriptor is a function of
// the model, the node and the operands' bytes, which their commitments
// and lengths fix (the lengths come from the model).
var descCache sync.Map

type descKey struct {
	model Hash
	node  int
	ops   Hash
}

func hashesBytes(ops []Opening) [][]byte {
	out := make([][]byte, len(ops))
	for i := range ops {
		out[i] = ops[i].Leaf[:]
	}
	return out
}

func slicesClone[T any](s []T) []T { return append([]T(nil), s...) }

// NextContext returns the context that a phase root moved against the phase
// leaf at parent would get: the block for a phase-2 root; the block, node
// and claimed output for a phase-3 root, with whether the disputed graph
// transition is one leaf update (if not, StepTransition counters the leaf).
// Errors: CodeBadIndex, CodeDepth when parent is not a phase leaf.
func (g Game) NextContext(parent int, attack bool) (Context, bool, error) {
	if parent < 0 || parent >= len(g.claims) {
		return Context{}, false, errorf(CodeBadIndex, "no claim %d", parent)
	}
	c := g.claims[parent]
	switch c.Position.Depth() {
	case g.cfg.Split1:
		_, _, b, err := g.transition(parent, attack, g.cfg.Split1, g.cfg.Anchor)
		return Context{Block: b}, true, err
	case g.cfg.Split2:
		r := g.model(c.Context.Block)
		pre, post, k, err := g.transition(parent, attack, g.cfg.Split2, g.initial[c.Context.Block])
		if err != nil {
			return Context{}, false, err
		}
		o := g.claims[post].Opening
		ok := r.isUpdate(k, pre, g.claims[post])
		return Context{Block: c.Context.Block, Node: k, Output: o.Leaf}, ok && k < uint64(len(r.Model.Nodes)), nil
	}
	return Context{}, false, errorf(CodeDepth, "claim %d is not a phase leaf", parent)
}
