package mnist

import (
	"os"
	"testing"
	"time"

	"github.com/opcity-spec/opcity/opml"
)

// The models this package ships and the integer-executor accuracy each must
// reach on the 10,000 MNIST test images (issue 7 item 4: MLP ≥ 97.5%, CNN ≥
// 98.5%). The measured figures are in README.md.
var shipped = []struct {
	file    string
	minimum int // correct images out of 10,000
}{
	{"mlp.opml", 9750},
	{"cnn.opml", 9850},
}

// TestOPML_MNIST_ACCURACY decodes each shipped model and classifies the full
// MNIST test set with opml's integer executor.
func TestOPML_MNIST_ACCURACY(t *testing.T) {
	test, err := LoadTest()
	if err != nil {
		t.Fatalf("loading MNIST: %v", err)
	}
	if test.Count() != 10000 {
		t.Fatalf("test set has %d images, want 10000", test.Count())
	}
	for _, s := range shipped {
		t.Run(s.file, func(t *testing.T) {
			b, err := os.ReadFile(s.file)
			if err != nil {
				t.Fatal(err)
			}
			m, err := opml.Decode(b)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			start := time.Now()
			ok, err := Accuracy(m, test, 2)
			if err != nil {
				t.Fatal(err)
			}
			h := m.Hash()
			t.Logf("%s (%d bytes, keccak256 %x): %d/10000 = %.2f%% in %v",
				s.file, len(b), h[:], ok, float64(ok)/100, time.Since(start).Round(time.Millisecond))
			if ok < s.minimum {
				t.Errorf("accuracy %d/10000 below the required %d/10000", ok, s.minimum)
			}
		})
	}
}
