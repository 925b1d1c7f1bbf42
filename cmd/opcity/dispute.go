package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/opcity-spec/opcity/dispute/play"
)

// disputeCommand: opcity dispute (commands.go). It plays one three-phase
// game (play.Play) on a chain of two blocks (block 0 runs test image N+1,
// block 1 image N) with the node program in fpvm as phase 3 and prints it.
// Exit status (requirement CLI-DISPUTE-PLAY): 0 the game was decided as
// the truth requires, no honest claim was countered, every honest bond
// was returned (per claim, not net) and bonds were conserved, 1 otherwise,
// 2 bad flags or data.
func disputeCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "simulate" {
		return badUsage("dispute", errors.New("batches of games are `opcity simulate` (same flags)"), stderr)
	}
	fs := flagSet("dispute", stderr)
	var o play.RealOptions
	var lie string
	var asJSON bool
	fs.StringVar(&o.Model, "model", filepath.Join("models", "mnist", "mlp.opml"), "bundled model: mlp.opml or cnn.opml (read from --data)")
	fs.StringVar(&o.Data, "data", filepath.Join("models", "mnist"), "folder with the models and the MNIST test set")
	fs.StringVar(&o.Root, "root", ".", "repository root, where the node program is built from")
	fs.StringVar(&o.Profile, "profile", "base", play.ProfileUsage)
	intVar(fs, &o.Image, "image", -1, 0, play.MaxImage, "MNIST test image of the disputed block")
	fs.StringVar(&lie, "lie", "", fmt.Sprintf("the proposer's fault: node:K (K 0..%d), step:S (S 0..2^32-1) or none", play.MaxLieNode))
	intVar(fs, &o.Node, "node", -1, -1, play.MaxLieNode, "with --lie step:S, the node whose VM trace lies (-1: the last node)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	if ok, code := parse(fs, args, stdout, stderr); !ok {
		return code
	}
	var err error
	if o.Lie, err = parseLie(lie, fs.NArg(), o.Image); err != nil {
		return badUsage("dispute", err, stderr)
	}
	rep, err := play.Play(o)
	if err != nil {
		fmt.Fprintln(stderr, "opcity dispute:", err)
		return exitBadInput
	}
	if asJSON {
		writeJSON(stdout, rep)
	} else {
		rep.WriteText(stdout)
	}
	if !rep.Sound() {
		return exitRejected
	}
	return exitOK
}

// parseLie parses --lie, given the number of arguments and --image: an
// unparsable --lie is named, a missing flag or an argument too many is the
// command's synopsis in short.
func parseLie(lie string, args, image int) (play.Lie, error) {
	l, err := play.ParseLie(lie)
	if err != nil && lie != "" {
		return l, err
	}
	if err != nil || args != 0 || image < 0 {
		return l, fmt.Errorf("want --image N, --lie node:K|step:S|none and no arguments")
	}
	return l, nil
}
