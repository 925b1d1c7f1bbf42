package format

import (
	"fmt"
	"maps"
	"slices"

	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
)

// TensorMap is the tensors of a --tensors file, each under its commitment:
// its region root at its minimal size (memory.ComputeRegionRoot at
// memory.RegionLog2Size(len), the same value as opml.ComputeTensorRoot).
type TensorMap map[memory.Hash][]byte

// Store returns D's tensor store holding m's tensors (spec.NewTensors, so a
// program may map each into any region from its minimal size up to 2^30
// bytes).
func (m TensorMap) Store() *spec.Tensors {
	t := spec.NewTensors()
	for _, root := range slices.SortedFunc(maps.Keys(m), compareHash) {
		t.Add(m[root])
	}
	return t
}

func compareHash(a, b memory.Hash) int { return slices.Compare(a[:], b[:]) }

// ParseTensors reads a tensors file (README, --tensors): a JSON object
// mapping "0x"+64 hex digits, a tensor's root, to "0x"+hex, its bytes,
// decoded with DecodeStrict. Every key must be the root of its data
// (TensorMap), each tensor at most limits.Tensor bytes and the file at most
// limits.TensorCount tensors; an empty object is an empty map. Keys are
// compared as the 32 bytes they denote and checked in sorted order, as
// ParseOracle's, so one key spelled twice is a *JSONError
// (JSONDuplicateKey) naming both spellings, and a file with several faults
// always gives the same error. Other errors: a *JSONError, or a
// *FieldError whose Field names the key ("key \"0x…\"": its spelling;
// "value of key 0x…": its data, including a data whose root is not the
// key) or, for too many tensors, "tensors". It never panics (fuzzed:
// FuzzParseTensors). Requirement CLI-TENSORS.
func ParseTensors(raw []byte) (TensorMap, error) {
	var m map[string]string
	if err := DecodeStrict(raw, &m); err != nil {
		return nil, fmt.Errorf("not a JSON object of hex strings: %w", err)
	}
	if len(m) > limits.TensorCount {
		return nil, &FieldError{"tensors", fmt.Sprintf("%d tensors, more than %d (limits.TensorCount)", len(m), limits.TensorCount)}
	}
	spelled := map[memory.Hash]string{}
	out := TensorMap{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		b, err := fieldHex("key "+quoteShort(k), k, 32)
		if err != nil {
			return nil, err
		}
		key := memory.Hash(b)
		if first, dup := spelled[key]; dup {
			return nil, &JSONError{Code: JSONDuplicateKey, Path: memberPath("$", k),
				Detail: fmt.Sprintf("keys %q and %q are the same root (hex digits are compared case-insensitively)", first, k)}
		}
		spelled[key] = k
		data, err := tensorValue(k, key, m[k])
		if err != nil {
			return nil, err
		}
		out[key] = data
	}
	return out, nil
}

// tensorValue decodes the data of key k (spelled so in the file), at most
// limits.Tensor bytes (refused from the hex string's length, before
// decoding), and checks that its root is key.
func tensorValue(k string, key memory.Hash, v string) ([]byte, error) {
	field := "value of key " + k
	if len(v) > 2+2*limits.Tensor {
		return nil, &FieldError{field, fmt.Sprintf("%d hex digits, more than the %d of a %d-byte tensor (limits.Tensor)", len(v)-2, 2*limits.Tensor, limits.Tensor)}
	}
	data, err := fieldHex(field, v, -1)
	if err != nil {
		return nil, err
	}
	if root := ComputeTensorRoot(data); root != key {
		return nil, &FieldError{"key " + quoteShort(k), fmt.Sprintf("not the root of its %d bytes, which is %s (memory.ComputeRegionRoot at 2^%d; docs/spec.md, \"Tensor commitments and D\")",
			len(data), root, memory.RegionLog2Size(len(data)))}
	}
	return data, nil
}

// ComputeTensorRoot returns a tensor's commitment at its minimal size,
// memory.ComputeRegionRoot(data, memory.RegionLog2Size(len(data))): the key
// of a tensors file, and opml.ComputeTensorRoot's value.
func ComputeTensorRoot(data []byte) memory.Hash {
	root, _ := memory.ComputeRegionRoot(data, memory.RegionLog2Size(len(data))) // cannot fail: the minimal size holds data
	return root
}
