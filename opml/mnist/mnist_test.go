package mnist

import (
	"bytes"
	"testing"
)

const data = "../../models/mnist"

// TestSet and TestImage agree, and the labels of the first images are
// MNIST's (7, 2, 1, 0, 4).
func TestMNIST_TestSet(t *testing.T) {
	px, labels, err := TestSet(data, 5)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{7, 2, 1, 0, 4} {
		if labels[i] != want {
			t.Errorf("label %d = %d, want %d", i, labels[i], want)
		}
		one, label, err := TestImage(data, i)
		if err != nil {
			t.Fatal(err)
		}
		if *label != want || !bytes.Equal(one, px[i]) {
			t.Errorf("TestImage(%d) = %d, %v; differs from TestSet", i, *label, err)
		}
	}
	if _, _, err := TestSet(data, TestImages+1); err == nil {
		t.Error("TestSet past the end: no error")
	}
}

// Input maps pixel p to the int8 p − 128.
func TestMNIST_Input(t *testing.T) {
	got := Input([]byte{0, 128, 255})
	if want := []byte{0x80, 0x00, 0x7f}; !bytes.Equal(got, want) {
		t.Errorf("Input = %x, want %x", got, want)
	}
}
