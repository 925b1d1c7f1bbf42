package play

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Lie is the proposer's fault: none, a wrong output at a node (its VM
// trace lies from the middle step), or a wrong output at a node whose VM
// trace lies from one chosen step.
type Lie struct {
	Kind  string // "none", "node" or "step"
	Value uint64 // K for node, S for step
}

// The limits of a lie (requirement CLI-LIMITS): a node index below the
// model format's tensor limit, a step inside the longest VM trace a
// phase-3 game holds (NodeProgram's NodeVM.Max).
const (
	MaxLieNode = opml.MaxTensors - 1
	MaxLieStep = 1<<32 - 1
)

// ParseLie parses --lie: none, node:K (K ≤ MaxLieNode) or step:S
// (S ≤ MaxLieStep), K and S decimal.
func ParseLie(s string) (Lie, error) {
	if s == "none" {
		return Lie{Kind: "none"}, nil
	}
	kind, num, ok := strings.Cut(s, ":")
	v, err := strconv.ParseUint(num, 10, 64)
	if !ok || err != nil || (kind != "node" && kind != "step") {
		return Lie{}, fmt.Errorf("--lie %q: want node:K, step:S or none", s)
	}
	if limit := map[string]uint64{"node": MaxLieNode, "step": MaxLieStep}[kind]; v > limit {
		return Lie{}, fmt.Errorf("--lie %q: want %s:0..%d", s, kind, limit)
	}
	return Lie{Kind: kind, Value: v}, nil
}

// Move is one claim of the game as printed.
type Move struct {
	Index       int    `json:"index"`
	Parent      int    `json:"parent"`
	Kind        string `json:"kind"` // "root", "attack" or "defend"
	Phase       int    `json:"phase"`
	Depth       int    `json:"depth"`
	Position    uint64 `json:"position"`
	Commits     string `json:"commits"`
	Claimant    string `json:"claimant"`
	Value       string `json:"value"`
	BondGwei    uint64 `json:"bond_gwei"`
	AtS         uint64 `json:"at_s"`
	CounteredBy string `json:"countered_by,omitempty"`
}

// Phase is what one phase narrowed the dispute down to.
type Phase struct {
	Phase    int    `json:"phase"`
	Name     string `json:"name"`
	Disputed string `json:"disputed"`
	Claims   int    `json:"claims"`
	StartS   uint64 `json:"start_s"`
}

// Instruction is the VM step that ended the game.
type Instruction struct {
	Claim      int    `json:"claim"`
	Attack     bool   `json:"attack"`
	Stepper    string `json:"stepper"`
	PreSteps   uint64 `json:"pre_steps"` // the instruction runs from the state after this many steps
	PC         string `json:"pc"`
	Word       string `json:"word"`
	Mnemonic   string `json:"mnemonic"`
	Decoded    string `json:"decoded"`
	Pre        string `json:"state_before"`
	Computed   string `json:"state_after"` // spec.VerifyStep's poststate
	PostClaim  string `json:"post_claim"`  // the poststate the game holds
	VerifyStep string `json:"verify_step"` // "ok" or the verifier's error
	Counters   bool   `json:"counters_claim"`
}

// Report is `opcity dispute --json`.
type Report struct {
	Model              string       `json:"model"`
	Profile            string       `json:"profile"`
	Images             []int        `json:"images"`
	Lie                string       `json:"lie"`
	LieBlock           uint64       `json:"lie_block"`
	LieNode            *uint64      `json:"lie_node,omitempty"`
	LieFromStep        *uint64      `json:"lie_from_step,omitempty"`
	NodeSteps          uint64       `json:"node_steps,omitempty"`
	Winner             string       `json:"winner"`
	Expected           string       `json:"expected"`
	Correct            bool         `json:"correct"`
	ResolvedS          uint64       `json:"resolved_s"`
	Claims             int          `json:"claims"`
	Phases             []Phase      `json:"phases"`
	Moves              []Move       `json:"moves"`
	SteppedInstruction *Instruction `json:"stepped_instruction"`
	Account
	BondsConserved bool              `json:"bonds_conserved"`
	Gas            map[string]uint64 `json:"gas"`
	VMDepth        int               `json:"vm_depth"` // the phase-3 depth the game used
	// Result is the game's metrics (sim.Result), for callers that table
	// more of them.
	Result sim.Result `json:"-"`
}

// Real plays the game of lie on block 1 (sim.PlayReal: block 0 runs
// test image image+1, block 1 image image, with nv as phase 3 at a VM depth
// that makes MaxDepth even) and reports it.
func Real(set *trace.MNISTSet, nv *trace.NodeVM, model string, image int, lie Lie, stepNode int) (Report, error) {
	const block = 1
	rep := Report{Model: model, Images: []int{image + 1, image}, Lie: lie.Kind, LieBlock: block, Expected: "challenger", Gas: map[string]uint64{}}
	rl, err := RealLieOf(set, model, lie, stepNode)
	if err != nil {
		return rep, err
	}
	if rl == nil {
		rep.Expected = "proposer"
	}
	rg, err := sim.PlayReal(set, model, image, nv, rl)
	if err != nil {
		return rep, err
	}
	if rl != nil {
		k, from := rl.Node, rg.From
		rep.NodeSteps, rep.LieNode, rep.LieFromStep = rg.NodeSteps, &k, &from
		rep.Lie = fmt.Sprintf("%s:%d", lie.Kind, lie.Value)
	}
	g, r := rg.Game, rg.Result
	rep.VMDepth, rep.Result = rg.VMDepth, r
	rep.Winner = Winner(r.Status)
	rep.Correct = rep.Winner == rep.Expected
	rep.ResolvedS, rep.Claims, rep.Account, rep.BondsConserved = r.Resolved, r.Claims, AccountOf(r), r.Conserved
	for p, gas := range r.Gas {
		rep.Gas[string(p)] = gas
	}
	rep.Moves = Moves(g)
	rep.Phases = Phases(g, r, rep.Moves)
	rep.SteppedInstruction, err = steppedInstruction(g, rg.Steps)
	if err != nil {
		return rep, err
	}
	if si := rep.SteppedInstruction; si != nil && len(rep.Phases) == 3 {
		rep.Phases[2].Disputed += fmt.Sprintf("; narrowed to instruction %d (from the state after %d steps), stepped at %.2f d", si.PreSteps+1, si.PreSteps, float64(r.PhaseStart[0])/86400)
	}
	return rep, nil
}

// RealLieOf returns the proposer's fault of lie in Real's game on the
// bundled model: nil for none; for node:K a wrong output at node K whose
// VM trace lies from its middle step; for step:S a wrong output at node
// stepNode (-1: the last node) whose trace lies from trace index S. The
// wrong output is keccak256("opcity dispute: a wrong output" ‖ K as 8
// bytes big-endian). Errors: a model set does not hold.
func RealLieOf(set *trace.MNISTSet, model string, lie Lie, stepNode int) (*sim.RealLie, error) {
	if lie.Kind == "none" {
		return nil, nil
	}
	m := set.Model(model)
	if m == nil {
		return nil, fmt.Errorf("unknown model %q", model)
	}
	k := lie.Value
	if lie.Kind == "step" {
		k = uint64(len(m.Model.Nodes)) - 1
		if stepNode >= 0 {
			k = uint64(stepNode)
		}
	}
	leaf := dispute.Hash(memory.Keccak256([]byte("opcity dispute: a wrong output"), binary.BigEndian.AppendUint64(nil, k)))
	return &sim.RealLie{Node: k, Leaf: leaf, From: lie.Value, Middle: lie.Kind == "node"}, nil
}

func Moves(g dispute.Game) []Move {
	cfg := g.Config()
	var out []Move
	for i, c := range g.Claims() {
		m := Move{Index: i, Parent: c.Parent, Kind: "root", Phase: cfg.Phase(c.Position.Depth()), Depth: c.Position.Depth(), Position: uint64(c.Position),
			Claimant: string(c.Claimant), Value: c.Value.String(), BondGwei: c.Bond, AtS: c.Clock.Timestamp, CounteredBy: string(c.CounteredBy)}
		if c.Parent >= 0 {
			m.Kind = "defend"
			if c.Position == g.Claim(c.Parent).Position.Move(true) {
				m.Kind = "attack"
			}
		}
		j := cfg.PhaseIndex(c.Position)
		switch m.Phase {
		case 1:
			m.Commits = fmt.Sprintf("output root after block %d", j)
		case 2:
			m.Commits = fmt.Sprintf("graph state after node %d of block %d", j, c.Context.Block)
		default:
			m.Commits = fmt.Sprintf("VM state after step %d of node %d (trace index %d)", j+1, c.Context.Node, j)
		}
		out = append(out, m)
	}
	return out
}

func Phases(g dispute.Game, r sim.Result, moves []Move) []Phase {
	cfg := g.Config()
	ph := []Phase{{Phase: 1, Name: "output roots", Disputed: "no phase-2 claim: the root was not disputed down to a block"},
		{Phase: 2, Name: "graph states", StartS: r.PhaseStart[2]}, {Phase: 3, Name: "VM (node program in fpvm)", StartS: r.PhaseStart[3]}}
	for _, m := range moves {
		ph[m.Phase-1].Claims++
	}
	for _, c := range g.Claims() {
		switch d := c.Position.Depth(); {
		case d == cfg.Split1+1 && ph[1].Disputed == "":
			ph[0].Disputed = fmt.Sprintf("block %d", c.Context.Block)
			ph[1].Disputed = fmt.Sprintf("block %d's graph", c.Context.Block)
		case d == cfg.Split2+1 && ph[2].Disputed == "":
			op := g.Jobs()[c.Context.Block].Model
			name := fmt.Sprintf("node %d", c.Context.Node)
			if m := cfg.Models[op]; m != nil && int(c.Context.Node) < len(m.Model.Nodes) {
				name += " (" + m.Model.Nodes[c.Context.Node].Op.String() + ")"
			}
			ph[1].Disputed = name
			ph[2].Disputed = fmt.Sprintf("%s's execution, descriptor %s, claimed output %s", name, c.Context.DescriptorHash, c.Context.Output)
		}
	}
	var out []Phase
	for _, p := range ph {
		if p.Claims > 0 || p.Phase == 1 {
			out = append(out, p)
		}
	}
	return out
}

// steppedInstruction re-runs the verifier on the challenger's step that
// countered a max-depth claim, and decodes the instruction it executed from
// the proof: the thread witness holds the PC, the first memory proof the
// leaf holding the instruction word.
func steppedInstruction(g dispute.Game, steps []dispute.Action) (*Instruction, error) {
	for n := len(steps) - 1; n >= 0; n-- {
		a := steps[n]
		if a.Claim < 0 || a.Claim >= g.Len() || g.Claim(a.Claim).CounteredBy != a.Party {
			continue
		}
		sc, err := g.CheckStep(a.Claim, a.Attack, a.StateData, a.Proof)
		if err != nil {
			return nil, err
		}
		in := &Instruction{Claim: a.Claim, Attack: a.Attack, Stepper: string(a.Party), PreSteps: sc.PreSteps, Pre: sc.Pre.String(),
			Computed: sc.Computed.String(), PostClaim: sc.Post.String(), VerifyStep: "ok", Counters: sc.Counters}
		if sc.VerifyErr != nil {
			in.VerifyStep = sc.VerifyErr.Error()
		}
		if len(a.Proof) < state.ThreadWitnessSize+memory.ProofSize {
			return nil, errors.New("the step's proof is too short to decode the instruction")
		}
		th, err := state.DecodeThread(a.Proof[:state.ThreadSize])
		if err != nil {
			return nil, err
		}
		var mp memory.Proof
		copy(mp[:], a.Proof[state.ThreadWitnessSize:])
		leaf, pc := mp.Leaf(), th.CPU.PC
		word := binary.BigEndian.Uint32(leaf[pc&31:])
		in.PC, in.Word = fmt.Sprintf("0x%016x", pc), fmt.Sprintf("0x%08x", word)
		d := transition.Decode(word)
		in.Mnemonic = transition.MnemonicOf(word)
		in.Decoded = fmt.Sprintf("opcode %d rs %d rt %d rd %d shamt %d funct %d imm 0x%04x", d.Opcode, d.Rs, d.Rt, d.Rd, d.Shamt, d.Funct, d.Imm)
		return in, nil
	}
	return nil, nil
}

func (rep Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "game: %s, profile %s, on a chain of 2 blocks (block 0: MNIST test image %d, block 1: image %d); lie %s", rep.Model, rep.Profile, rep.Images[0], rep.Images[1], rep.Lie)
	if rep.LieNode != nil {
		fmt.Fprintf(w, ": the proposer claims a wrong output at node %d of block %d, its VM trace (%d steps) lies from trace index %d", *rep.LieNode, rep.LieBlock, rep.NodeSteps, *rep.LieFromStep)
	} else {
		fmt.Fprint(w, ": the proposer posts the true output root")
	}
	fmt.Fprintln(w)
	for _, p := range rep.Phases {
		fmt.Fprintf(w, "phase %d (%s): %d claims from %.2f d; disputed: %s\n", p.Phase, p.Name, p.Claims, float64(p.StartS)/86400, p.Disputed)
	}
	fmt.Fprintln(w, "moves:")
	for _, m := range rep.Moves {
		against := ""
		if m.Parent >= 0 {
			against = fmt.Sprintf(" #%d", m.Parent)
		}
		fmt.Fprintf(w, "  #%-2d %6.2f d  %-8s %-6s%-4s depth %2d (phase %d) %s = %s, bond %.4f ETH", m.Index, float64(m.AtS)/86400, m.Claimant, m.Kind, against, m.Depth, m.Phase, m.Commits, m.Value, float64(m.BondGwei)/1e9)
		if m.CounteredBy != "" {
			fmt.Fprintf(w, ", countered by %s", m.CounteredBy)
		}
		fmt.Fprintln(w)
	}
	if si := rep.SteppedInstruction; si != nil {
		dir := "defense"
		if si.Attack {
			dir = "attack"
		}
		fmt.Fprintf(w, "stepped instruction: %s's %s step against #%d, instruction %d of the node program (from the state after %d steps)\n", si.Stepper, dir, si.Claim, si.PreSteps+1, si.PreSteps)
		fmt.Fprintf(w, "  pc %s  word %s  %s  (%s)\n", si.PC, si.Word, si.Mnemonic, si.Decoded)
		fmt.Fprintf(w, "  state before %s\n  spec.VerifyStepIn(%s): %s, state after %s\n  the game's poststate claim %s: the step counters #%d: %v\n", si.Pre, rep.Profile, si.VerifyStep, si.Computed, si.PostClaim, si.Claim, si.Counters)
	} else {
		fmt.Fprintln(w, "stepped instruction: none (no VM step was needed)")
	}
	fmt.Fprintf(w, "verdict: %s wins (the truth requires: %s) after %.2f d, %d claims; honest claims %d countered %d (%d gwei); honest bonds %d returned %d gwei; bonds conserved %v\n",
		rep.Winner, rep.Expected, float64(rep.ResolvedS)/86400, rep.Claims, rep.HonestClaims, rep.HonestCountered, rep.HonestCounteredBonds, rep.HonestBonds, rep.HonestReturned, rep.BondsConserved)
	fmt.Fprintf(w, "honest net %+d gwei (net, for reference)\n", rep.HonestNet)
}

// MaxImage is the last MNIST test image a real game's disputed block can
// run: block 0 runs the next one, and the test set has 10,000.
const MaxImage = 9998

// RealOptions is one real game (Play).
type RealOptions struct {
	Model      string // bundled model file: mlp.opml or cnn.opml (the folder and the extension may be left out)
	Data, Root string // the models and the MNIST test set; the repository the node program is built from
	Image      int    // MNIST test image of the disputed block, 0..MaxImage
	Lie        Lie
	Node       int    // with a step lie, the node whose VM trace lies (-1: the last node), -1..MaxLieNode
	Profile    string // base or opcity
}

// Validate checks o's profile, image, node and model as Play does, and
// returns the profile and the bundled model's file name (the folder left
// out, ".opml" added). The lie is not checked (ParseLie does).
func (o RealOptions) Validate() (spec.Profile, string, error) {
	prof, err := ParseProfile(o.Profile)
	if err != nil {
		return prof, "", err
	}
	if o.Image < 0 || o.Image > MaxImage {
		return prof, "", fmt.Errorf("--image %d: want 0..%d", o.Image, MaxImage)
	}
	if o.Node < -1 || o.Node > MaxLieNode {
		return prof, "", fmt.Errorf("--node %d: want -1 (the last node) or 0..%d", o.Node, MaxLieNode)
	}
	name := filepath.Base(o.Model)
	if !strings.HasSuffix(name, ".opml") {
		name += ".opml"
	}
	if _, ok := trace.MeasuredSteps[name]; !ok {
		return prof, "", fmt.Errorf("--model %s: not a bundled model (mlp.opml, cnn.opml, vit.opml)", o.Model)
	}
	return prof, name, nil
}

// Play plays one real three-phase game (Real) on a chain of two blocks
// with the node program of o's profile in fpvm as phase 3.
func Play(o RealOptions) (Report, error) {
	prof, name, err := o.Validate()
	if err != nil {
		return Report{}, err
	}
	set, nv, err := LoadSet(o.Data, o.Root, o.Image, prof)
	if err != nil {
		return Report{}, err
	}
	rep, err := Real(set, nv, name, o.Image, o.Lie, o.Node)
	rep.Profile = o.Profile
	if prof == spec.ProfileOPcity && len(rep.Phases) == 3 {
		rep.Phases[2].Name = "VM (tensor node program in fpvm, OPcity profile)"
	}
	return rep, err
}

// Sound is the game's verdict: decided as the truth requires, no honest
// claim countered, every honest bond returned (per claim, not net) and
// bonds conserved.
func (rep Report) Sound() bool {
	return rep.Correct && rep.Account.Intact() && rep.BondsConserved
}

// Winner names the side status favours, as the reports print it:
// "challenger", "proposer" (the defender of the root) or "unresolved".
func Winner(s dispute.Status) string {
	switch s {
	case dispute.ChallengerWins:
		return "challenger"
	case dispute.DefenderWins:
		return "proposer"
	}
	return "unresolved"
}
