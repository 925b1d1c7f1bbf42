// Command evmdispute plays one real three-phase dispute game, as `opcity
// dispute` plays it, on the Go rules and on the contracts in go-ethereum's
// in-memory EVM side by side (evm.ReplayReal), and prints every
// transaction's gas.
//
//	evmdispute [--model M] [--data DIR] [--root REPO] [--profile base|opcity] --image N --lie node:K|step:S|none [--node K] [--json]
//
// The flags are `opcity dispute`'s, with its defaults (play.RealOptions,
// play.ParseLie): the bundled MLP, profile base, the last node for a step
// lie. --root defaults to the repository root found upward from the working
// directory, --data to its models/mnist. The game type's VM is the
// profile's real on-chain VM: MIPS64.sol under base, MIPS64OPcity under
// opcity. Every action is applied to both sides, which must give the same
// accept or reject; the full states are compared after every accepted
// action; the credits are paid out through the vault.
//
// The text output is one line per transaction (the action's index, -1 for
// the payout; party; kind; accepted or the revert's Go code; transaction
// gas as a Prague block charges it: evm.GasRecord.Tx) and a verdict. --json prints one
// object: winner (challenger, proposer or unresolved, from the Go rules),
// expected, honest_claims_countered (on chain), honest_bonds_lost (gwei, the
// honest claims countered), differences (0, or 1 with difference: the
// first difference, where the replay stops), gas (total transaction gas per
// party), vm_step_gas (the gas of the game's call into its VM in the
// accepted VM step) and actions (the per-transaction list).
//
// Exit status: 0 when the two sides agreed and the game was decided as the
// truth requires with no honest claim countered; 1 for a difference, another
// verdict, or an EVM that could not be set up; 2 for bad flags or data.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/opcity-spec/opcity/conformance/cannon/evm"
	"github.com/opcity-spec/opcity/dispute/play"
	"github.com/opcity-spec/opcity/dispute/sim"
)

const (
	exitOK       = 0
	exitRejected = 1
	exitBadInput = 2
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// Tx is one transaction of the replay.
type Tx struct {
	Action   int    `json:"action"` // the action's index among the submitted ones; -1: the payout
	Party    string `json:"party"`
	Kind     string `json:"kind"`
	Accepted bool   `json:"accepted"`
	Code     string `json:"code,omitempty"` // the revert's Go code
	Gas      uint64 `json:"gas"`            // as a Prague block charges it (evm.GasRecord.Tx)
	Exec     uint64 `json:"exec_gas"`
	Calldata uint64 `json:"calldata_gas"`
	Floor    uint64 `json:"calldata_floor_gas"` // EIP-7623's floor on the calldata
	Refund   uint64 `json:"refund"`             // the storage refund counter (EIP-3529 caps it at a fifth)
	VMGas    uint64 `json:"vm_gas,omitempty"`   // a step: the game's call into its VM
}

// Report is evmdispute --json.
type Report struct {
	Model                 string            `json:"model"`
	Profile               string            `json:"profile"`
	Image                 int               `json:"image"`
	Lie                   string            `json:"lie"`
	Winner                string            `json:"winner"`
	Expected              string            `json:"expected"`
	Claims                int               `json:"claims"`
	HonestClaimsCountered int               `json:"honest_claims_countered"`
	HonestBondsLost       uint64            `json:"honest_bonds_lost"` // gwei
	Differences           int               `json:"differences"`
	Difference            string            `json:"difference,omitempty"`
	Gas                   map[string]uint64 `json:"gas"`
	VMStepGas             uint64            `json:"vm_step_gas"`
	Actions               []Tx              `json:"actions"`
}

// run is the command with its arguments and outputs; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	o, lie, asJSON, code := parseArgs(args, stderr)
	if code != exitOK {
		return code
	}
	prof, model, err := o.Validate()
	if err != nil {
		return bad(stderr, err)
	}
	set, nv, err := play.LoadSet(o.Data, o.Root, o.Image, prof)
	if err != nil {
		return bad(stderr, err)
	}
	rl, err := play.RealLieOf(set, model, lie, o.Node)
	if err != nil {
		return bad(stderr, err)
	}
	h, err := evm.New()
	if err != nil {
		fmt.Fprintln(stderr, "evmdispute:", err)
		return exitRejected
	}
	r, err := evm.ReplayReal(h, set, model, o.Image, nv, rl, evm.ReplayOptions{CheckEvery: true})
	var m *evm.Mismatch
	if err != nil && !errors.As(err, &m) {
		return bad(stderr, err)
	}
	rep := report(r, model, o, lie, m)
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	} else {
		rep.writeText(stdout)
	}
	if rep.Differences != 0 || rep.Winner != rep.Expected || rep.HonestClaimsCountered != 0 {
		return exitRejected
	}
	return exitOK
}

func bad(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, "evmdispute:", err)
	return exitBadInput
}

// parseArgs reads `opcity dispute`'s flags.
func parseArgs(args []string, stderr io.Writer) (o play.RealOptions, lie play.Lie, asJSON bool, code int) {
	fs := flag.NewFlagSet("evmdispute", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: evmdispute [--model M] [--data DIR] [--root REPO] [--profile base|opcity] --image N --lie node:K|step:S|none [--node K] [--json]")
		fs.PrintDefaults()
	}
	var lieFlag string
	fs.StringVar(&o.Model, "model", filepath.Join("models", "mnist", "mlp.opml"), "bundled model: mlp.opml or cnn.opml (read from --data)")
	fs.StringVar(&o.Data, "data", "", "folder with the models and the MNIST test set (default: REPO/models/mnist)")
	fs.StringVar(&o.Root, "root", "", "repository root, where the node program is built from (default: found upward from the working directory)")
	fs.StringVar(&o.Profile, "profile", "base", play.ProfileUsage)
	fs.IntVar(&o.Image, "image", -1, fmt.Sprintf("MNIST test image of the disputed block, 0..%d", play.MaxImage))
	fs.StringVar(&lieFlag, "lie", "", fmt.Sprintf("the proposer's fault: node:K (K 0..%d), step:S (S 0..2^32-1) or none", play.MaxLieNode))
	fs.IntVar(&o.Node, "node", -1, "with --lie step:S, the node whose VM trace lies (-1: the last node)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return o, lie, false, exitBadInput
	}
	var err error
	if lie, err = play.ParseLie(lieFlag); err != nil && lieFlag != "" {
		return o, lie, false, bad(stderr, err)
	}
	if err != nil || fs.NArg() != 0 || o.Image < 0 {
		return o, lie, false, bad(stderr, errors.New("want --image N, --lie node:K|step:S|none and no arguments"))
	}
	if o.Root == "" {
		if o.Root, err = findRoot(); err != nil {
			return o, lie, false, bad(stderr, err)
		}
	}
	if o.Data == "" {
		o.Data = filepath.Join(o.Root, "models", "mnist")
	}
	return o, lie, asJSON, exitOK
}

// findRoot returns the first folder upward from the working directory that
// holds go.mod, models/mnist and conformance/cannon: the repository root.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isRoot(dir) {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("no repository root (go.mod, models/mnist, conformance/cannon) above the working directory: give --root")
		}
		dir = up
	}
}

func isRoot(dir string) bool {
	for _, p := range []string{"go.mod", filepath.Join("models", "mnist"), filepath.Join("conformance", "cannon")} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			return false
		}
	}
	return true
}

// report summarizes the replay r of the game of lie on model with options
// o; m is its first difference, nil when none.
func report(r evm.RealReplay, model string, o play.RealOptions, lie play.Lie, m *evm.Mismatch) Report {
	truthful := lie.Kind == "none"
	rep := Report{Model: model, Profile: o.Profile, Image: o.Image, Lie: lieName(lie), Expected: "challenger",
		Claims: r.Claims, HonestClaimsCountered: r.HonestCountered, Gas: map[string]uint64{}, Actions: []Tx{}}
	if truthful {
		rep.Expected = "proposer"
	}
	rep.Winner = play.Winner(r.Final.Status())
	if m != nil {
		rep.Differences, rep.Difference = 1, m.Error()
	}
	for _, c := range r.Final.Claims() {
		if sim.IsHonest(c.Claimant) && c.CounteredBy != "" {
			rep.HonestBondsLost += c.Bond
		}
	}
	for _, g := range r.Gas {
		tx := Tx{Action: g.Action, Party: string(g.Party), Kind: g.Kind, Accepted: g.Accepted, Gas: g.Tx(), Exec: g.Exec, Calldata: g.Calldata, Floor: g.Floor, Refund: g.Refund, VMGas: g.VMGas}
		if !g.Accepted {
			tx.Code = g.Code.String()
		}
		if g.Kind == "step" && g.Accepted {
			rep.VMStepGas = g.VMGas
		}
		rep.Gas[tx.Party] += tx.Gas
		rep.Actions = append(rep.Actions, tx)
	}
	return rep
}

// lieName returns lie as --lie spells it.
func lieName(lie play.Lie) string {
	if lie.Kind == "none" {
		return "none"
	}
	return fmt.Sprintf("%s:%d", lie.Kind, lie.Value)
}

func (rep Report) writeText(w io.Writer) {
	fmt.Fprintf(w, "evmdispute: %s, profile %s, image %d, lie %s: the real game on the Go rules and the contract (the profile's on-chain VM)\n", rep.Model, rep.Profile, rep.Image, rep.Lie)
	fmt.Fprintf(w, "%6s  %-10s %-24s %-22s %10s\n", "action", "party", "kind", "outcome", "tx gas")
	for _, t := range rep.Actions {
		out := "accepted"
		if !t.Accepted {
			out = "revert: " + t.Code
		}
		extra := ""
		if t.VMGas != 0 {
			extra = fmt.Sprintf("  (VM %d)", t.VMGas)
		}
		fmt.Fprintf(w, "%6d  %-10s %-24s %-22s %10d%s\n", t.Action, t.Party, t.Kind, out, t.Gas, extra)
	}
	parties := make([]string, 0, len(rep.Gas))
	for p := range rep.Gas {
		parties = append(parties, p)
	}
	sort.Strings(parties)
	for _, p := range parties {
		fmt.Fprintf(w, "gas %s: %d\n", p, rep.Gas[p])
	}
	fmt.Fprintf(w, "verdict: %s wins (the truth requires: %s), %d claims; honest claims countered %d (%d gwei); differences %d\n",
		rep.Winner, rep.Expected, rep.Claims, rep.HonestClaimsCountered, rep.HonestBondsLost, rep.Differences)
	if rep.Difference != "" {
		fmt.Fprintln(w, "difference:", rep.Difference)
	}
}
