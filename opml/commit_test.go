package opml_test

import (
	"encoding/hex"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/spec/memory"
)

// refMerkle is the naive commitment: pad data with zeros to 2^k bytes
// (k >= 5), cut 32-byte leaves, and hash pairs level by level.
func refMerkle(data []byte, k uint) memory.Hash {
	buf := make([]byte, 1<<k)
	copy(buf, data)
	level := make([]memory.Hash, len(buf)/32)
	for i := range level {
		copy(level[i][:], buf[32*i:])
	}
	for len(level) > 1 {
		next := make([]memory.Hash, len(level)/2)
		for i := range next {
			next[i] = memory.Keccak256(level[2*i][:], level[2*i+1][:])
		}
		level = next
	}
	return level[0]
}

// refLog2 is the smallest k >= 5 with 2^k >= n.
func refLog2(n int) uint {
	k := uint(5)
	for 1<<k < n {
		k++
	}
	return k
}

// genData draws tensor bytes whose length is often at a leaf or page edge.
func genData(t *rapid.T) []byte {
	n := rapid.OneOf(rapid.SampledFrom([]int{0, 1, 31, 32, 33, 63, 64, 65, 4095, 4096, 4097, 8193}),
		rapid.IntRange(0, 3000)).Draw(t, "len")
	return rapid.SliceOfN(rapid.Byte(), n, n).Draw(t, "data")
}

// TestOPML_COMMIT_TENSOR: ComputeTensorRoot is the naive Merkle root of the
// zero-padded bytes, over max(5, ⌈log2 len⌉) bits.
func TestOPML_COMMIT_TENSOR(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		data := genData(t)
		k := opml.TensorLog2Size(len(data))
		if k != refLog2(len(data)) {
			t.Fatalf("TensorLog2Size(%d) = %d, want %d", len(data), k, refLog2(len(data)))
		}
		if got, want := opml.ComputeTensorRoot(data), refMerkle(data, k); got != want {
			t.Fatalf("root %s, reference %s", got, want)
		}
	})
}

// TestOPML_COMMIT_TENSOR_RegionRoot: a tensor placed at a 2^k-aligned
// address of a memory that holds other data around it has the memory's
// RegionRoot over that region as its commitment (MEM-REGION-ROOT).
func TestOPML_COMMIT_TENSOR_RegionRoot(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		data := genData(t)
		k := opml.TensorLog2Size(len(data))
		base := rapid.SampledFrom([]uint64{0, 1 << 16, 0x7fff_0000_0000, 1 << 40}).Draw(t, "base")
		addr := base + rapid.Uint64Range(1, 8).Draw(t, "slot")<<k
		junk := rapid.SliceOfN(rapid.Byte(), 1, 200).Draw(t, "junk")
		var m memory.Memory
		m = m.SetBytes(addr-uint64(len(junk)), junk) // just below the region
		m = m.SetBytes(addr+1<<k, junk)              // just above it
		m = m.SetBytes(addr, data)
		got, err := m.RegionRoot(addr, k)
		if err != nil {
			t.Fatal(err)
		}
		if want := opml.ComputeTensorRoot(data); got != want {
			t.Fatalf("RegionRoot(%#x, %d) = %s, ComputeTensorRoot = %s", addr, k, got, want)
		}
	})
}

// commitExamples are the worked examples of docs/opml.md, "Tensor commitments".
var commitExamples = []struct {
	name string
	data []byte
	root string
}{
	{"int8 [4] = 1 2 3 4", opml.Int8Bytes([]int8{1, 2, 3, 4}),
		"0x0102030400000000000000000000000000000000000000000000000000000000"},
	{"int32 [2] = -1 256", opml.Int32Bytes([]int32{-1, 256}),
		"0xffffffff00000100000000000000000000000000000000000000000000000000"},
	{"int8 [32] all zero", make([]byte, 32),
		"0x0000000000000000000000000000000000000000000000000000000000000000"},
	{"int8 [33] = 0..32", seq(33),
		"0xb885f484810e0b11ae015ea79bf1e43dd3a5b03a6d958995d20966d08302d5e6"},
	{"int8 [100] = 0..99", seq(100),
		"0x5b5a3ad2b29ac69fd3a26a866bcf47fd746bd4bddbadec95e42d40a0415d8cfe"},
	{"int8 [3,4] w1 of the example MLP", opml.Int8Bytes([]int8{1, -2, 3, -4, 5, 6, -7, 8, 127, -128, 0, 1}),
		"0x01fe03fc0506f9087f8000010000000000000000000000000000000000000000"},
}

// seq returns the bytes 0, 1, …, n−1.
func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func TestOPML_COMMIT_TENSOR_Examples(t *testing.T) {
	for _, ex := range commitExamples {
		got := opml.ComputeTensorRoot(ex.data)
		t.Logf("%-34s log2size %d  bytes %s\n    root %s", ex.name, opml.TensorLog2Size(len(ex.data)), hex.EncodeToString(ex.data), got)
		if got != refMerkle(ex.data, refLog2(len(ex.data))) {
			t.Errorf("%s: root differs from the reference", ex.name)
		}
		if got.String() != ex.root {
			t.Errorf("%s: root %s, docs/opml.md shows %s", ex.name, got, ex.root)
		}
	}
}

// refTableRoot is the naive graph-state root: entries by id, zero for the
// ids not in c, padded to a power of two.
func refTableRoot(c []memory.Hash, t int) memory.Hash {
	buf := make([]byte, 0, 32*t)
	for _, h := range c {
		buf = append(buf, h[:]...)
	}
	return refMerkle(buf, refLog2(32*t))
}

// TestOPML_COMMIT_GRAPH: for random models and inputs, the trace commits to
// every tensor's bytes, and the state after node k is the root of the table
// holding the commitments of tensors 0..C+I+k.
func TestOPML_COMMIT_GRAPH(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := genModel(t)
		in := genInput(t, m)
		tr := trace(t, m, 1, in)
		p := m.FirstNodeTensor()
		want := make([]memory.Hash, 0, len(m.Tensors))
		for _, c := range m.Tensors[:m.Consts] {
			want = append(want, opml.ComputeTensorRoot(c.Data))
		}
		want = append(want, opml.ComputeTensorRoot(in))
		for _, out := range tr.Outputs { // every node output is a model output
			want = append(want, opml.ComputeTensorRoot(out.Data))
		}
		for i := range want {
			if tr.Commitments[i] != want[i] {
				t.Fatalf("commitment of tensor %d is %s, want %s", i, tr.Commitments[i], want[i])
			}
		}
		if tr.Initial != refTableRoot(want[:p], len(want)) {
			t.Fatalf("initial state differs from the reference table root")
		}
		for k, s := range tr.States {
			if s.Node != k || s.Output != want[p+k] {
				t.Fatalf("state %d: node %d, output %s, want %s", k, s.Node, s.Output, want[p+k])
			}
			if s.Root != refTableRoot(want[:p+k+1], len(want)) || s.Root != opml.ComputeGraphRoot(want[:p+k+1], len(want)) {
				t.Fatalf("state %d: root %s differs from the reference", k, s.Root)
			}
		}
	})
}

// TestOPML_COMMIT_GRAPH_RegionRoot: the graph-state table laid out in VM
// memory at an aligned address has the state root as its RegionRoot.
func TestOPML_COMMIT_GRAPH_RegionRoot(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 70).Draw(t, "tensors")
		c := make([]memory.Hash, rapid.IntRange(0, n).Draw(t, "filled"))
		for i := range c {
			copy(c[i][:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "c"))
		}
		k := opml.GraphTableLog2Size(n)
		addr := uint64(3) << k
		var m memory.Memory
		for i, h := range c {
			m = m.SetBytes(addr+32*uint64(i), h[:])
		}
		got, _ := m.RegionRoot(addr, k)
		if want := opml.ComputeGraphRoot(c, n); got != want {
			t.Fatalf("RegionRoot %s, ComputeGraphRoot %s", got, want)
		}
	})
}
