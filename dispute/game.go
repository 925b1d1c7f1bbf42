package dispute

import (
	"bytes"
	"fmt"
	"maps"
	"slices"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/spec/memory"
)

// Address names a party.
type Address string

// Clock is a claim's chess clock: the duration its team had used on this
// branch when the claim was made, and the time it was made (seconds).
type Clock struct {
	Duration  uint64
	Timestamp uint64
}

// Opening is a graph-state claim's proof of its own node's output leaf:
// the leaf (the output commitment) and the sibling hashes from the leaf up
// in the graph-state table (docs/dispute.md §Phase bindings).
type Opening struct {
	Leaf     Hash
	Siblings []Hash
}

// Root returns the table root that o proves for entry index.
func (o Opening) Root(index uint64) Hash { return memory.ComputePathRoot(o.Leaf, index, o.Siblings) }

// Context is what a claim's phase fixes: the disputed block (phases 2 and
// 3), and in phase 3 the disputed node, its descriptor hash, the claimed
// output commitment and the local context keccak256(DescriptorHash ‖ Output).
type Context struct {
	Block          uint64
	Node           uint64
	DescriptorHash Hash
	Output         Hash
	LocalContext   Hash
}

// Claim is one node of the game tree.
type Claim struct {
	Parent      int // −1 for the root
	Position    Position
	Value       Hash
	Bond        uint64
	Claimant    Address
	Clock       Clock
	CounteredBy Address // set by a step or by resolution
	Resolved    bool
	Opening     *Opening // phase-2 claims
	Context     Context
	Children    []int
}

// Job is one block's ML inference job: a registered model and the
// commitments of its input tensors.
type Job struct {
	Model  Hash
	Inputs []Hash
}

// Hash returns keccak256(model ‖ inputs…).
func (j Job) Hash() Hash {
	parts := [][]byte{j.Model[:]}
	for _, in := range j.Inputs {
		parts = append(parts, in[:])
	}
	return Keccak(parts...)
}

// OutputRoot returns the output root after a block: keccak256(prev ‖
// job hash ‖ result), result the job's final graph-state root.
func OutputRoot(prev Hash, j Job, result Hash) Hash {
	h := j.Hash()
	return Keccak(prev[:], h[:], result[:])
}

// Status is a game's outcome.
type Status int

const (
	InProgress Status = iota
	ChallengerWins
	DefenderWins
)

// String returns the status's name.
func (s Status) String() string {
	if s < InProgress || s > DefenderWins {
		return fmt.Sprintf("status %d", int(s))
	}
	return [...]string{"in progress", "challenger wins", "defender wins"}[s]
}

// Game is one dispute game. It is a value: every action returns a new Game
// and leaves its argument unchanged. Games come from NewGame; accessors
// taking a claim index (Claim) require 0 <= i < Len().
type Game struct {
	cfg     *Config
	jobs    []Job
	initial []Hash   // graph state before node 0 of each block's job
	claims  []*Claim // shared between versions; a changed claim is copied
	status  Status
	credit  map[Address]uint64
	store   map[[32]byte][]byte  // keccak256 preimages by oracle key
	tensors map[TensorKey][]byte // tensor bytes by commitment and length
	posted  uint64
}

// Inbox is the chain's record of jobs, block by block: the L1 contract
// where jobs are submitted, which the game type names and every game of
// that type reads (docs/dispute.md §1.1). It is the one input of a game
// that is trusted; a game's creator chooses only the root claim.
type Inbox struct {
	jobs []Job
}

// NewInbox returns the inbox holding jobs for blocks 0, 1, ….
func NewInbox(jobs []Job) *Inbox { return &Inbox{jobs: slices.Clone(jobs)} }

// Jobs returns a copy of the inbox's jobs.
func (in *Inbox) Jobs() []Job { return slices.Clone(in.jobs) }

// Root returns the commitment a contract keeps of the inbox: the Merkle
// root of the jobs' hashes, in block order, zero-padded to a power of two
// (TablePath's tree).
func (in *Inbox) Root() Hash {
	if len(in.jobs) == 0 {
		return Hash{}
	}
	hs := make([]Hash, len(in.jobs))
	for i, j := range in.jobs {
		hs[i] = j.Hash()
	}
	depth := 0
	for 1<<uint(depth) < len(hs) {
		depth++
	}
	return memory.NewRegionTree(hs, depth).Root()
}

// NewGame starts a game over the jobs of the game type's inbox
// (cfg.Inbox: 2^Split1 blocks, each model with 1..2^(Split2−Split1−1)
// nodes) with the proposer's root claim, the output root after the last
// block, posting Bond(0) at time now. The jobs are read from the inbox,
// never taken from the creator, so a root computed over other jobs is
// countered at the phase-1/phase-2 boundary (bindGraphRoot, requirement
// DISPUTE-JOBS). Errors: CodeBadConfig.
func NewGame(cfg *Config, root Hash, proposer Address, now uint64) (Game, error) {
	if cfg.bonds == nil {
		if err := cfg.Validate(); err != nil {
			return Game{}, err
		}
	}
	if cfg.Inbox == nil {
		return Game{}, errorf(CodeBadConfig, "the game type names no inbox")
	}
	jobs := cfg.Inbox.jobs
	if uint64(len(jobs)) != 1<<uint(cfg.Split1) {
		return Game{}, errorf(CodeBadConfig, "%d jobs in the inbox, the game needs 2^%d", len(jobs), cfg.Split1)
	}
	g := Game{cfg: cfg, jobs: jobs, credit: map[Address]uint64{}, store: map[[32]byte][]byte{}, tensors: map[TensorKey][]byte{}}
	for b, j := range jobs {
		r := cfg.Models[j.Model]
		if r == nil {
			return Game{}, errorf(CodeBadConfig, "block %d names unregistered model %s", b, j.Model)
		}
		if n := len(r.Model.Nodes); n == 0 || n > 1<<uint(cfg.Split2-cfg.Split1-1) || len(j.Inputs) != r.Model.Inputs {
			return Game{}, errorf(CodeBadConfig, "block %d: model with %d nodes and %d inputs, job with %d inputs; phase 2 holds 1..2^%d nodes",
				b, n, r.Model.Inputs, len(j.Inputs), cfg.Split2-cfg.Split1-1)
		}
		g.initial = append(g.initial, r.InitialRoot(j.Inputs))
	}
	g.claims = []*Claim{{Parent: -1, Position: RootPosition, Value: root, Bond: cfg.Bond(0), Claimant: proposer, Clock: Clock{0, now}}}
	g.posted = cfg.Bond(0)
	return g, nil
}

// Config returns the game's configuration.
func (g Game) Config() *Config { return g.cfg }

// Jobs returns the jobs the game reads from its inbox.
func (g Game) Jobs() []Job { return g.jobs }

// Claims returns a copy of the claims, in order.
func (g Game) Claims() []Claim {
	out := make([]Claim, len(g.claims))
	for i, c := range g.claims {
		out[i] = *c
	}
	return out
}

// Claim returns claim i.
func (g Game) Claim(i int) Claim { return *g.claims[i] }

// Len returns the number of claims.
func (g Game) Len() int { return len(g.claims) }

// Status returns the game's outcome so far.
func (g Game) Status() Status { return g.status }

// Credit returns the credit a party can claim.
func (g Game) Credit(a Address) uint64 { return g.credit[a] }

// Credits returns a copy of every party's credit not yet claimed (parties
// with none are absent). Changing it does not change the game.
func (g Game) Credits() map[Address]uint64 { return maps.Clone(g.credit) }

// Posted returns the total bonds posted.
func (g Game) Posted() uint64 { return g.posted }

// Preimage returns the uploaded value for an oracle key.
func (g Game) Preimage(k [32]byte) ([]byte, bool) { v, ok := g.store[k]; return v, ok }

// HasPreimage reports whether the game holds data as a keccak256 preimage
// (uploaded by UploadPreimage or UploadTensor, or derived by a phase-3
// root), so that a step reading it can execute.
func (g Game) HasPreimage(data []byte) bool {
	_, ok := g.store[keccakKey(Keccak(data))]
	return ok
}

// PreimageKeys returns the oracle keys of every preimage the game holds, in
// increasing byte order.
func (g Game) PreimageKeys() [][32]byte {
	keys := slices.Collect(maps.Keys(g.store))
	slices.SortFunc(keys, func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
	return keys
}

// TensorKey names an uploaded tensor: a commitment fixes the bytes only up
// to trailing zeros, so the length is part of the key.
type TensorKey struct {
	Commitment Hash
	Len        int
}

// Tensor returns the uploaded tensor with commitment c and n bytes.
func (g Game) Tensor(c Hash, n int) ([]byte, bool) { v, ok := g.tensors[TensorKey{c, n}]; return v, ok }

// HasTensor reports whether the game holds data as an uploaded tensor
// (UploadTensor), under its commitment and length, as a phase-3 root
// reading it as an operand needs.
func (g Game) HasTensor(data []byte) bool {
	_, ok := g.tensors[TensorKey{opml.ComputeTensorRoot(data), len(data)}]
	return ok
}

// TensorKeys returns the keys of every tensor the game holds, ordered by
// commitment, then length.
func (g Game) TensorKeys() []TensorKey {
	keys := slices.Collect(maps.Keys(g.tensors))
	slices.SortFunc(keys, func(a, b TensorKey) int {
		if c := bytes.Compare(a.Commitment[:], b.Commitment[:]); c != 0 {
			return c
		}
		return a.Len - b.Len
	})
	return keys
}

// update returns g with claim i replaced by a copy that f changes; the
// other claims stay shared with g.
func (g Game) update(i int, f func(c *Claim)) Game {
	g.claims = slices.Clone(g.claims)
	c := *g.claims[i]
	f(&c)
	g.claims[i] = &c
	return g
}

// ChallengerDuration returns the time the team that would counter claim i
// has used on its branch: the clock of i's parent plus the time since i was
// made, capped at MaxClock (OP's getChallengerDuration); MaxClock for an
// index that holds no claim.
func (g Game) ChallengerDuration(i int, now uint64) uint64 {
	if i < 0 || i >= len(g.claims) {
		return g.cfg.MaxClock
	}
	c := g.claims[i]
	var parent uint64
	if c.Parent >= 0 {
		parent = g.claims[c.Parent].Clock.Duration
	}
	d := parent + (now - min(now, c.Clock.Timestamp))
	return min(d, g.cfg.MaxClock)
}

// UploadPreimage stores data under its keccak256 oracle key, as anyone may
// on OP's PreimageOracle. It returns the new game.
func (g Game) UploadPreimage(data []byte) Game {
	k := keccakKey(Keccak(data))
	if _, ok := g.store[k]; ok {
		return g
	}
	g.store = maps.Clone(g.store)
	g.store[k] = slices.Clone(data)
	return g
}

// UploadTensor stores a tensor's bytes under their commitment (tensor
// root) and, as a preimage, under their keccak256 key.
func (g Game) UploadTensor(data []byte) Game {
	k := TensorKey{opml.ComputeTensorRoot(data), len(data)}
	if _, ok := g.tensors[k]; !ok {
		g.tensors = maps.Clone(g.tensors)
		g.tensors[k] = slices.Clone(data)
	}
	return g.UploadPreimage(data)
}
