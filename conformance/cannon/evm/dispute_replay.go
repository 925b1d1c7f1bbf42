package evm

import (
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/spec"
)

// Replay is one simulated game played on the Go rules and the contract
// side by side.
type Replay struct {
	Scenario string
	Seed     uint64
	Actions  int // actions the agents submitted
	Accepted int // of which the Go rules accepted
	Status   dispute.Status
	Claims   int
	Gas      []GasRecord
	Rejected map[dispute.Code]int         // the rejections (the same on both sides) by code
	Paid     map[dispute.Address]*big.Int // wei, from the vault's withdrawals
	// HonestCountered counts the contract's claims by honest parties
	// (sim.IsHonest) that ended countered.
	HonestCountered int
	// Final is the Go game after the last applied action.
	Final dispute.Game
}

// Mismatch is a difference between the Go rules and the contract: the
// action (its index among the submitted ones, its kind and party), both
// answers, and how to replay it.
type Mismatch struct {
	Scenario   string
	Seed       uint64
	Index      int
	Action     dispute.Action
	Now        uint64
	Go, Chain  dispute.Code
	Reason     string
	StateError error // set when the states differ after the action, or at the end
}

func (m *Mismatch) Error() string {
	if m.StateError != nil && m.Index < 0 {
		return fmt.Sprintf("%s seed %d: final state: %v", m.Scenario, m.Seed, m.StateError)
	}
	what := fmt.Sprintf("action %d (%s by %s on claim %d/%d at t=%d): Go %v (%d), contract %v (%d) %s",
		m.Index, m.Action.Kind, m.Action.Party, m.Action.Claim, m.Action.Move.Parent, m.Now, m.Go, m.Go, m.Chain, m.Chain, m.Reason)
	if m.StateError != nil {
		what += "; then " + m.StateError.Error()
	}
	return fmt.Sprintf("%s seed %d: %s", m.Scenario, m.Seed, what)
}

// ReplayOptions tune ReplayScenario.
type ReplayOptions struct {
	PageSize int // resolveClaim's children per call (0: all)
	// CheckEvery compares the full states after every accepted action (slow);
	// otherwise they are compared at the end.
	CheckEvery bool
	// MaxActions, when positive, stops the game after that many submitted
	// actions (the states are still compared).
	MaxActions int
	// Rewrite, when set, changes an action before both sides see it (the
	// fuzz target's mutations of the agents' actions).
	Rewrite func(i int, a dispute.Action) dispute.Action
	// Mutate, when set, may change an action before the contract sees it
	// (the Go rules see the original): a planted fault the differential
	// must flag.
	Mutate func(i int, a dispute.Action) dispute.Action
	// SkipLoad, when set, is a planted fault: before a real VM step the
	// stepper does not send a load of a kind ("add-local-data",
	// "load-preimage-part", "upload-tensor-oracle") it returns true for,
	// so the contract's VM misses what the Go rules' D holds.
	SkipLoad func(kind string) bool
	// VM is the game type's VM (zero: SyntheticStepper).
	VM common.Address
	// Refund retires the game before the payout: every party must then
	// receive the bonds it posted (REFUND), not its credit; and a
	// withdrawal one second before the vault's delay must be refused.
	Refund bool
	// TweakType, when set, changes the game type before it is registered:
	// a planted fault on the contract's side.
	TweakType func(t *abiGameType)
	// OnAction, when set, receives every action the Go rules accepted: the
	// game before and after it and the transactions it took on chain.
	OnAction func(g, next dispute.Game, a dispute.Action, txs []GasRecord)
}

// ReplayScenario plays scenario s with seed on world w as sim.PlayScenario
// does (sim.StartScenario, then sim.Play's loop over ticks of
// sim.DefaultPlay.Tick until the deadline), applying every action to the Go
// rules and to the contract, and requires the same accept or reject (the
// same Code) for each; at the end it compares the full states (Compare),
// and, when the game resolved, pays every credit out through the vault and
// requires each party to receive its Go credit. The error is a *Mismatch
// for a difference.
func ReplayScenario(h *Harness, w *trace.World, s sim.Scenario, seed uint64, o ReplayOptions) (Replay, error) {
	g, agents, _, err := sim.StartScenario(w, s, seed)
	if err != nil {
		return Replay{}, err
	}
	return replay(h, w.Cfg, g, agents, Replay{Scenario: s.Name, Seed: seed}, o)
}

// RealReplay is a real game (sim.PlayReal's) replayed on chain: the
// replay, and the Go side's game as sim.StartReal built it, with the
// challenger's VM steps (RealGame.Steps) and the Go game at the end
// (RealGame.Game).
type RealReplay struct {
	Replay
	Real sim.RealGame
}

// ReplayReal plays the real game of sim.PlayReal (sim.StartReal's game and
// agents: the node program of nv.Profile in phase 3, block 1 on test image
// image of model, the proposer's fault lie, nil for the true root) on the
// Go rules and on the contract side by side, as ReplayScenario does. The
// game type's VM is o.VM or, when that is zero, the real on-chain VM of
// the profile: MIPS64.sol (h.MIPS64) under the base profile, MIPS64OPcity
// (h.MIPS64OPcity) under the OPcity profile. Before each VM step the
// stepper loads what the stepped state reads: the preimage part into the
// preimage oracle both VMs read and, under the OPcity profile, a tensor
// the step's tensor_map binds into the TensorOracle MIPS64OPcity reads
// (prepareStep). Requirement EVM-DISPUTE-REALVM. Errors:
// sim.StartReal's, the challenger's view failure (RealGame.Finish), a
// *Mismatch for a difference, and ReplayScenario's.
func ReplayReal(h *Harness, set *trace.MNISTSet, model string, image int, nv *trace.NodeVM, lie *sim.RealLie, o ReplayOptions) (RealReplay, error) {
	rg, g, agents, err := sim.StartReal(set, model, image, nv, lie)
	if err != nil {
		return RealReplay{}, err
	}
	if o.VM == (common.Address{}) {
		o.VM = h.StepVM(nv.Profile)
	}
	name := fmt.Sprintf("real %s image %d", model, image)
	r, err := replay(h, rg.World.Cfg, g, agents, Replay{Scenario: name}, o)
	rg.Game = r.Final
	out := RealReplay{Replay: r, Real: rg}
	if err != nil {
		return out, err
	}
	return out, out.Real.Finish(agents)
}

// StepVM returns the harness's on-chain VM of profile p: MIPS64.sol for
// the base profile, MIPS64OPcity for the OPcity profile.
func (h *Harness) StepVM(p spec.Profile) common.Address {
	if p == spec.ProfileOPcity {
		return h.opcity
	}
	return h.mips
}

// replay is ReplayScenario's and ReplayReal's loop: it deploys the game of
// cfg with g's root, runs the agents over g as sim.Play does, applying
// every action to both sides, compares the states and pays out. r holds
// the replay's name and seed.
func replay(h *Harness, cfg *dispute.Config, g dispute.Game, agents []sim.Agent, r Replay, o ReplayOptions) (res Replay, err error) {
	defer func() { res.Final = g }()
	r.Rejected = map[dispute.Code]int{}
	root := g.Claim(0)
	c, err := newDisputeChain(h, cfg, o.VM, root.Value, root.Claimant, root.Clock.Timestamp, o.TweakType)
	if err != nil {
		return r, err
	}
	c.PageSize, c.skipLoad = o.PageSize, o.SkipLoad
	payout := false
	c.Gas = func(rec GasRecord) {
		rec.Action = r.Actions - 1
		if payout {
			rec.Action = -1
		}
		r.Gas = append(r.Gas, rec)
	}
	pc := sim.DefaultPlay
	start := root.Clock.Timestamp
	var resolvedAt uint64
	stopped := func() bool { return o.MaxActions > 0 && r.Actions >= o.MaxActions }
	for now := start; now <= start+pc.Deadline && g.Status() == dispute.InProgress && !stopped(); now += pc.Tick {
		for _, ag := range agents {
			for _, a := range ag.Act(g, now) {
				if stopped() {
					break
				}
				i := r.Actions
				r.Actions++
				if o.Rewrite != nil {
					a = o.Rewrite(i, a)
				}
				next, goErr := dispute.Apply(g, now, a)
				sent := a
				if o.Mutate != nil {
					sent = o.Mutate(i, a)
				}
				first := len(r.Gas)
				out, err := c.ApplyAction(g, now, sent)
				if err != nil {
					return r, fmt.Errorf("%s seed %d action %d: %v", r.Scenario, r.Seed, i, err)
				}
				if goCode := dispute.CodeOf(goErr); goCode != out.Code {
					return r, &Mismatch{Scenario: r.Scenario, Seed: r.Seed, Index: i, Action: a, Now: now, Go: goCode, Chain: out.Code, Reason: out.Reason}
				}
				if goErr != nil {
					r.Rejected[dispute.CodeOf(goErr)]++
					continue
				}
				r.Accepted++
				if o.OnAction != nil {
					o.OnAction(g, next, a, r.Gas[first:])
				}
				g = next
				if a.Kind == dispute.ActResolve {
					resolvedAt = now
				}
				if o.CheckEvery {
					if err := c.Compare(g); err != nil {
						return r, &Mismatch{Scenario: r.Scenario, Seed: r.Seed, Index: i, Action: a, Now: now, StateError: err}
					}
				}
			}
		}
	}
	r.Status, r.Claims = g.Status(), g.Len()
	payout = true
	if err := c.Compare(g); err != nil {
		return r, &Mismatch{Scenario: r.Scenario, Seed: r.Seed, Index: -1, StateError: err}
	}
	if r.HonestCountered, err = c.honestCountered(g); err != nil {
		return r, err
	}
	if g.Status() == dispute.InProgress {
		return r, nil
	}
	due := g.Credits()
	if o.Refund {
		if due, err = c.refund(g, resolvedAt); err != nil {
			return r, err
		}
	}
	if r.Paid, err = c.payOut(due, resolvedAt); err != nil {
		return r, err
	}
	for a, v := range due {
		want := new(big.Int).Mul(new(big.Int).SetUint64(v), big.NewInt(GweiWei))
		if r.Paid[a] == nil || r.Paid[a].Cmp(want) != 0 {
			return r, &Mismatch{Scenario: r.Scenario, Seed: r.Seed, Index: -1, StateError: fmt.Errorf("paid %q %v wei, due %v wei (refund %v)", a, r.Paid[a], want, o.Refund)}
		}
	}
	return r, nil
}

// refund retires the game, returns every party's bonds posted (the REFUND
// amounts, from the Go claims), and checks on the first of them that the
// vault refuses a withdrawal before its delay.
func (c *DisputeChain) refund(g dispute.Game, resolvedAt uint64) (map[dispute.Address]uint64, error) {
	if err := c.Retire(); err != nil {
		return nil, err
	}
	due := map[dispute.Address]uint64{}
	for _, cl := range g.Claims() {
		due[cl.Claimant] += cl.Bond
	}
	first := g.Claim(0).Claimant
	refused, err := c.ClaimCreditEarly(first, resolvedAt+DisputeFinalityDelay)
	if err != nil {
		return nil, err
	}
	if !refused {
		return nil, fmt.Errorf("the vault paid %q before its withdrawal delay", first)
	}
	// ClaimCreditEarly unlocked the first party's credit: withdraw it now.
	before := c.db.GetBalance(PartyAddress(first)).ToBig()
	if _, _, err := c.call(owner, c.game, nil, resolvedAt+DisputeFinalityDelay+DisputeWithdrawalDelay, c.gameABI, "claimCredit", PartyAddress(first)); err != nil {
		return nil, err
	}
	got := new(big.Int).Sub(c.db.GetBalance(PartyAddress(first)).ToBig(), before)
	if want := new(big.Int).Mul(new(big.Int).SetUint64(due[first]), big.NewInt(GweiWei)); got.Cmp(want) != 0 {
		return nil, fmt.Errorf("refund of %q: %v wei, posted %v wei", first, got, want)
	}
	delete(due, first)
	return due, nil
}

// honestCountered counts, on chain, the countered claims of honest parties.
func (c *DisputeChain) honestCountered(g dispute.Game) (int, error) {
	n := 0
	for i := range g.Len() {
		v, err := c.view(c.game, c.gameABI, "claims", big.NewInt(int64(i)))
		if err != nil {
			return 0, err
		}
		if sim.IsHonest(c.names[v[0].(common.Address)]) && v[3].(common.Address) != (common.Address{}) {
			n++
		}
	}
	return n, nil
}
