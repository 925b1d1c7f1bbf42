package dispute_test

import (
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/trace"
)

// TestDISPUTE_BIND_Examples pins the worked example of docs/dispute.md §4:
// the MLP chain over MNIST test images 0–3. Other implementations of the
// bindings can check their hashing against these values.
func TestDISPUTE_BIND_Examples(t *testing.T) {
	w := disputetest.MNISTWorld(t, "mlp.opml", 2, 0)
	g0, err := w.Truth.Graph(0)
	if err != nil {
		t.Fatal(err)
	}
	j := w.Jobs[0]
	d, _, _ := g0.Descriptor(3)
	dh := dispute.Keccak(d.Encode())
	out := g0.Commitments[g0.Model.Model.FirstNodeTensor()+3]
	for _, c := range []struct {
		name string
		got  dispute.Hash
		want string
	}{
		{"anchor = keccak256(\"opcity anchor\")", w.Cfg.Anchor, "0xac0c481fba3ab2e944d962c58249638cc49c356255697e3c262bc36f370d30d6"},
		{"model hash (mlp.opml)", j.Model, "0x611291ca4f87e5d0da0a17da1f931d23c3629128e9f0dadc117d92e1937119bf"},
		{"input commitment, block 0", j.Inputs[0], "0x5fc322a15bc60633f729a9f6cda8720ecd94a58978015524ffd8b99eed511493"},
		{"jobHash(J_0)", j.Hash(), "0x586e987d0f88bc976c3ef8cd746b0922c812c09c847d30b2c748a66adbc55d73"},
		{"graph state before node 0, block 0", w.Cfg.Models[j.Model].InitialRoot(j.Inputs), "0xde516c5151f9edd3313d2fd15032d66fbb7b970d6e47fafa56d2ac4a4aa64c6a"},
		{"R_0", g0.Final(), "0xf4e4e1444a3e78603c9a5a0a588d3d2c79ef1536a69a01d2db48a567729569cd"},
		{"O_0", w.Truth.Output(0), "0xde1c61afb41f11e83ee2fd57d6171c370cbd2ebe8cb7908233e63126e2a7faed"},
		{"O_3 (the root)", w.Truth.Output(3), "0xf36795524df34a8cef8be92a26f9376a4d3943b0dab54357ac45dcdf310c84a0"},
		{"descriptor hash, node 3 (ArgMax), block 0", dh, "0xf018191d5b3d89f639332455dea42bafe026b9f41612b05f01b92256b6ee6796"},
		{"output commitment, node 3, block 0 (prediction 7)", out, "0x0000000700000000000000000000000000000000000000000000000000000000"},
		{"local context, node 3, block 0", dispute.Keccak(dh[:], out[:]), "0x3a78deda5eb1546f5a1994fbc2c693717c6e036912fd94d1d3cd902c6d2ef848"},
		{"synthetic absolute prestate", trace.SyntheticPrestate(), "0x030d8d353674b07a580125147b6d77d6406ee5d184f9ddc51bf9832d954a2468"},
	} {
		if c.got.String() != c.want {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
	if g0.Initial != w.Cfg.Models[j.Model].InitialRoot(j.Inputs) {
		t.Error("the game's initial graph root differs from the executor's Trace.Initial")
	}
	if w.Truth.Output(0) != dispute.OutputRoot(w.Cfg.Anchor, j, g0.Final()) {
		t.Error("O_0 is not keccak256(anchor ‖ jobHash ‖ R_0)")
	}
}
