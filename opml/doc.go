// Package opml is OPcity's opML executor: integer-only quantized inference
// over a committed computation graph, exact on every architecture and
// identical natively and inside the MIPS64 VM (the same Go source builds with
// GOARCH=mips64 GOMIPS64=softfloat; no floating point, unsafe, assembly or
// build tags). docs/opml.md is the full specification; this comment is its
// summary.
//
// # Entry points
//
// [Decode] reads a model file and [Encode] writes one; [Model.Hash] is the
// content hash. [Run] (or an [Executor]) runs a model and returns its outputs
// and the [GraphState] after each node. [ComputeTensorRoot] and
// [ComputeGraphRoot] are the commitments. [Builder] assembles models.
//
// # Arithmetic (OPML-ARITH-ROUND, OPML-ARITH-REQUANT)
//
// Activations and weights are int8 with a per-tensor zero point, biases
// int32. Kernels accumulate Σ (x − zx)·(w − zw) + bias in int32, wrapping
// modulo 2^32 (so the order of summation never matters), and requantize with
// a [Fixed] multiplier M·2^−(31+S):
//
//	Requantize(acc) = SaturateInt8(zy + RoundShift(acc·M, 31+S))
//
// where RoundShift divides by a power of two rounding to nearest, ties away
// from zero, computed exactly in int64. Examples: acc 5, M 2^30, S 0 gives
// 2.5 → 3; acc −5 gives −3; acc 3, M 2^30, S 1 gives 0.75 → 1; acc 1000 with
// M 2^30, S 0 gives 500 → saturates to 127.
//
// # Kernels (OPML-KERNEL-*)
//
// [FC] (fully connected / matrix multiply), [Conv2D] (NHWC, filter
// [OC,KH,KW,C], stride, padding with the input zero point), [Add] (one
// multiplier per operand over a shared shift, rounded once), [ReLU]
// (max(x, zero point)), [MaxPool2D] (padding never wins), Reshape (bytes
// unchanged; Flatten is a Reshape) and [ArgMax] (lowest index of the maximum).
// Each kernel has a checked Apply and computes every output element
// independently, so the [Executor] may split a node's outputs over goroutines
// without changing a bit (OPML-EXEC-DETERMINISM).
//
// # Model format (OPML-FMT-*)
//
// A versioned big-endian binary format: a 24-byte header with magic "OPML",
// version and counts; tensor records (id, dtype, rank, dims, zero point,
// scale, data) in canonical id order (constants, inputs, node outputs); node
// records (op, arity, output id, input ids, params) in topological order;
// output ids. The byte-offset table is in the doc comment of [Encode].
// Decode accepts only canonical encodings within the limits (MaxModelBytes,
// MaxTensors, MaxRank, MaxDim, MaxElements, MaxActivationBytes, MaxWork) and
// reports everything else as a *[FormatError].
//
// # Commitments (OPML-COMMIT-TENSOR, OPML-COMMIT-GRAPH)
//
// A tensor commits to the Merkle root of its canonical bytes as VM memory
// holds them: 32-byte leaves, zero-padded to a power of two (at least one
// leaf). It is computed with spec/memory's RegionRoot, so it equals the root
// of the aligned memory region that holds the tensor. The graph state after
// node k is the root of the table of tensor commitments (32-byte entries by
// tensor id, zero for tensors not yet computed, zero-padded to a power of
// two): constants and inputs, then the outputs of nodes 0..k.
package opml
