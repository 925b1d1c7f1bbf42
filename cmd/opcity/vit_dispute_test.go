package main

import (
	"encoding/json"
	"testing"

	"github.com/opcity-spec/opcity/dispute/play"
)

// TestCLI_DISPUTE_VIT: `opcity dispute --model models/mnist/vit.opml`
// under both profiles, with the proposer lying at a MatMul node (21, the
// first MLP block's expansion), at the first node and at the last, is won
// by the honest challenger with its VM step verified, no honest claim
// countered and every honest bond returned; with no lie the proposer
// survives. (Every node of the ViT under both profiles is measured in
// docs/opml.md, "The ViT in the dispute game".)
func TestCLI_DISPUTE_VIT(t *testing.T) {
	for _, p := range []string{"base", "opcity"} {
		for _, lie := range []string{"node:21", "node:0", "node:50", "none"} {
			code, out, errOut := run("dispute", "--model", "../../models/mnist/vit.opml", "--data", mnistData, "--root", "../..", "--image", "0", "--profile", p, "--lie", lie, "--json")
			var rep play.Report
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("%s %s: exit %d, %v: %s", p, lie, code, err, errOut)
			}
			if code != 0 || !rep.Correct || rep.HonestCountered != 0 || rep.HonestReturned != rep.HonestBonds || !rep.BondsConserved || rep.Profile != p {
				t.Fatalf("%s %s: exit %d: %+v %s", p, lie, code, rep, errOut)
			}
			want := "challenger"
			if lie == "none" {
				want = "proposer"
			}
			if rep.Winner != want || lie != "none" && (rep.SteppedInstruction == nil || rep.SteppedInstruction.VerifyStep != "ok") {
				t.Fatalf("%s %s: winner %s, want %s; %+v", p, lie, rep.Winner, want, rep.SteppedInstruction)
			}
		}
	}
}
