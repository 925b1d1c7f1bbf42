package dispute

import (
	"testing"
)

const modelsDir = "../models/mnist"

func testWorld(t testing.TB, model string, split1 int, seed int) *World {
	t.Helper()
	set, err := LoadMNIST(modelsDir, 16)
	if err != nil {
		t.Fatal(err)
	}
	var imgs []int
	for i := 0; i < 1<<split1; i++ {
		imgs = append(imgs, (seed+i)%16)
	}
	w, err := set.NewWorld(WorldConfig{ModelsDir: modelsDir, Model: model, Split1: split1, VMDepth: 27, Images: imgs})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestDISPUTE_SIM_Scenarios(t *testing.T) {
	w := testWorld(t, "mlp.opml", 2, 0)
	for _, s := range Scenarios() {
		r, err := PlayScenario(w, s, 1, DefaultPlay)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-18s status %-16s correct %v claims %3d resolved %.1fd honest claims %d countered %d bonds %d returned %d net %+d conserved %v rejected %v stepped %v actions %v",
			s.Name, r.Status, r.Correct(), r.Claims, float64(r.Resolved)/86400, r.HonestClaims, r.HonestCountered, r.HonestBonds, r.HonestReturned, r.HonestNet(), r.Conserved, r.Rejected, r.HonestStepped, r.Actions)
	}
}
