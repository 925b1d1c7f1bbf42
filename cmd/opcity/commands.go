package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// command is one `opcity` command. Its synopsis is written here only: the
// usage text, each command's --help and the README's synopsis block are
// generated from it (TestCLI_HELP_Synopsis holds all three to it).
type command struct {
	name     string
	synopsis string // what follows "opcity NAME "
	doc      string // what it does and its exit statuses
	run      func(args []string, stdout, stderr io.Writer) int
}

// commands lists every command, in the order the usage text shows them.
// (A function, not a variable: the commands' run functions read it.)
func commands() []command {
	return []command{
		{"run", "[--vm fast|spec|both] [--profile base|opcity] [--preimages FILE.json] [--tensors FILE.json] [--max-steps N] [--every N] [--json] [--progress] [--snapshot-at N --snapshot-out FILE] PROGRAM.elf | --from FILE",
			runDoc, runCommand},
		{"witness", "--step N [--profile base|opcity] [--preimages FILE.json] [--tensors FILE.json] PROGRAM.elf",
			witnessDoc, witnessCommand},
		{"verify", "[--profile base|opcity] WITNESS.json",
			verifyDoc, verifyCommand},
		{"vectors", "--out DIR [--root REPO]",
			vectorsDoc, vectorsCommand},
		{"infer", "[--model M] [--data DIR] --image N|FILE [--json]",
			inferDoc, inferCommand},
		{"node", "[--model M] [--data DIR] [--root REPO] [--profile base|opcity] --image N|FILE --node K [--claim 0x..] [--json]",
			nodeDoc, nodeCommand},
		{"chunk", "--model IN --out OUT [--max-steps N] [--json]",
			chunkDoc, chunkCommand},
		{"dispute", "[--model M] [--data DIR] [--root REPO] [--profile base|opcity] --image N --lie node:K|step:S|none [--node K] [--json]",
			disputeDoc, disputeCommand},
		{"simulate", "[--games N] [--seed S] [--adversaries LIST|all] [--flood-bonds N] [--model mlp|cnn] [--blocks-log2 N] [--vm synthetic|real] [--profile base|opcity] [--data DIR] [--root REPO] [--workers N] [--game-seed HEX] [--out DIR] [--quiet] [--json]",
			simulateDoc, simulateCommand},
		{"demo", "[--root REPO] [--image N] [--node K] [--lie-node K]",
			demoDoc, demoCommand},
	}
}

// What each command does and its exit statuses (commands).
const (
	demoDoc = `OPcity in three checked parts (make demo): a program in the spec and
fpvm in lockstep with one step verified statelessly; one MNIST inference
with one node recomputed in the VM under both profiles; one three-phase
game in which a lie is defeated by a verified step; exit 0 all three
shown, 1 a part did not show what it says, 2 bad flags`
	runDoc = `run a MIPS64 ELF program (or a snapshot) until it exits: in fpvm (fast,
the default), the spec, or both in lockstep, under the base profile or
the OPcity profile (--profile opcity, D's tensors from --tensors); exit 0
the VM ran (whatever the program's exit code), 2 bad input, 3 a step
could not be executed, 4 (--vm both) the spec and fpvm differ, with a
reproducer`
	witnessDoc = `print the witness of the step from the state at step N, as JSON
(docs/formats/witness.md), under the profile given; exit 2 bad input, 3
the step cannot be reached or executed`
	verifyDoc = `check a witness statelessly under its profile (the file's "profile");
print the post-state hash (exit 0), or the reason it is rejected (exit 1)
or malformed or of another profile than --profile (exit 2)`
	vectorsDoc = `write the conformance vectors (docs/formats/vectors.md) to DIR/v1`
	inferDoc   = `run an opML model natively on an MNIST test image (or a 28x28 PGM/PNG)
and print the prediction and the graph's commitments; a model whose last
output is not a one-element ArgMax has no prediction ("no prediction:"
and why; no "prediction" in the JSON)`
	nodeDoc = `run node K of the model inside the VM (the node program of the profile,
built from the repository) and print the verdict on the claim (default:
the native commitment), the steps and the output commitment; a node whose
estimated steps (docs/opml.md §7.6) exceed 2^32, the longest phase-3
trace, is refused before it runs, and a run is stopped at 2^32 steps; exit
0 claim right, 1 claim wrong, 2 bad input, 3 no verdict`
	chunkDoc = `split every FullyConnected, MatMul and Conv2D node of the model whose
estimated VM steps (docs/opml.md §7.6) exceed N (default 2^32, the longest
phase-3 trace) into pieces along its output axes joined by Concat nodes,
exactly (the same bytes for every tensor it keeps, on every input), and
write the rewritten model to OUT, whole or not at all; every node of it is
within N (docs/opml.md §7.8); exit 0 written, 1 the model cannot be
brought under N (a node that is not split, or whose smallest piece is over
it; OUT is left as it was), 2 bad input`
	disputeDoc = `play one real three-phase game (the node program of the profile in
fpvm as phase 3) against a proposer whose output is wrong at node K (its
VM trace lying from the middle step), whose VM trace lies from step S, or
who is honest; print the phases, the moves, the stepped instruction with
spec.VerifyStepIn's result and the verdict; exit 0 decided as the truth
requires with no honest claim countered and every honest bond returned, 1
otherwise, 2 bad flags`
	simulateDoc = `play N seeded three-phase games (phase 3 synthetic, or the node program
in fpvm) against the adversary library and print each game and the
per-claim aggregate (honest claims countered, honest bonds returned);
--out DIR writes games.json, games.csv, aggregate.json, classes.csv and
the plots resolution.svg, gas.svg, capital.svg; --game-seed replays one
game of one adversary; exit 0 every game decided correctly with no
honest claim countered and every honest bond returned, 1 otherwise, 2 bad
flags (docs/dispute.md)`
)

// lookup returns the command called name.
func lookup(name string) command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	panic("opcity: no command " + name) // the table and the callers are one file apart
}

// usageLine is "opcity NAME SYNOPSIS".
func (c command) usageLine() string { return "opcity " + c.name + " " + c.synopsis }

func usage(w io.Writer) {
	fmt.Fprint(w, "usage: opcity <command> [flags]   (opcity <command> --help: the command's flags)\n\ncommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %s %s\n", c.name, c.synopsis)
		for _, l := range strings.Split(c.doc, "\n") {
			fmt.Fprintf(w, "      %s\n", l)
		}
	}
}

// flagSet returns the flag set of the command called name: errors go to
// stderr, and its usage is the synopsis, the doc and every flag.
func flagSet(name string, stderr io.Writer) *flag.FlagSet {
	c := lookup(name)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { c.help(fs, fs.Output()) }
	return fs
}

func (c command) help(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", c.usageLine(), c.doc)
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			fmt.Fprintln(w, "\nflags:")
			first = false
		}
		kind, text := flag.UnquoteUsage(f)
		showDefault := f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0"
		if r, ok := f.Value.(ranged); ok {
			kind, text = r.Kind(), text+" ["+r.Range()+"]"
			showDefault = showDefault && r.InRange(f.DefValue)
		}
		if kind != "" {
			kind = " " + kind
		}
		if showDefault {
			text += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "  --%s%s\n      %s\n", f.Name, kind, text)
	})
}

// ranged is a flag with a documented range (rangeFlag): --help shows its
// kind and range, and its default only when it is in the range (a default
// outside it means "not given").
type ranged interface {
	Kind() string
	Range() string
	InRange(s string) bool
}

// parse parses args into fs, flags and positional arguments in any order.
// It returns ok false with the exit status when the command must stop:
// 0 after printing the help on stdout (-h, --help), 2 after printing the
// error on one line on stderr (badUsage).
func parse(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (ok bool, status int) {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			lookup(fs.Name()).help(fs, stdout)
			return false, exitOK
		}
	}
	fs.Usage = func() {}
	fs.SetOutput(io.Discard) // the error is badUsage's one line, not the flag package's too
	err := fs.Parse(reorderFlags(fs, args))
	fs.SetOutput(stderr)
	if err != nil {
		return false, badUsage(fs.Name(), flagError(err), stderr)
	}
	return true, exitOK
}

// badUsage prints err on one line on stderr, pointing at the command's
// --help, and returns exit status 2 (requirement CLI-LIMITS).
func badUsage(name string, err error, stderr io.Writer) int {
	msg := strings.ReplaceAll(err.Error(), "\n", "; ")
	fmt.Fprintf(stderr, "opcity %s: %s (usage: opcity %s --help)\n", name, msg, name)
	return exitBadInput
}

// flagError is a flag-parse error with the flag named as the synopses
// name it: --name, not -name.
func flagError(err error) error {
	msg := err.Error()
	for _, p := range []string{"for flag -", "not defined: -", "argument: -"} {
		msg = strings.Replace(msg, p, p+"-", 1)
	}
	return errors.New(msg)
}

// reorderFlags moves flags before positional arguments so that
// `opcity run prog.elf --json` works like `opcity run --json prog.elf`;
// everything after "--" stays positional.
func reorderFlags(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) > 1 && a[0] == '-' {
			flags = append(flags, a)
			if !isBoolFlag(fs, a) && !strings.Contains(a, "=") && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	if len(pos) > 0 {
		flags = append(flags, "--")
	}
	return append(flags, pos...)
}

// isBoolFlag reports whether a names a boolean flag of fs.
func isBoolFlag(fs *flag.FlagSet, a string) bool {
	f := fs.Lookup(strings.TrimLeft(a, "-"))
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
