// Package fpvm is the optimized executor of both OPcity profiles: the same
// transition function as package spec (Cannon multithreaded64-5, bit-exact
// with Cannon in optimism v1.19.6, and under transition.ProfileOPcity the
// tensor syscalls tensor_map and tensor_root), built for speed. The spec is
// the model; fpvm is checked against it step by step (requirements
// FPVM-LOCKSTEP, FPVM-MODEL, FPVM-WITNESS, FPVM-FUZZ, FPVM-PROFILE,
// FPVM-PROFILE-WITNESS, FPVM-VECTORS, FPVM-PROFILE-NODETENSOR) and
// against Cannon in conformance/cannon (CONF-CANNON-FPVM).
//
// # API
//
//	vm, err := fpvm.FromState(s)   // exact copy of a spec State (full memory, known stacks), base profile
//	vm, err = fpvm.FromStateIn(spec.ProfileOPcity, s) // the same under an explicit profile, fixed for the VM's life
//	err = vm.Step(d)                // one step, as spec.Advance
//	n, err := vm.Run(d, limit)      // up to limit steps, stops at exit, as spec.Run
//	h := vm.Hash()                  // state hash == spec State.Hash()
//	r := vm.MemoryRoot()            // Merkle root of memory
//	w, err := vm.StepWitness(d)     // runs one step, returns spec.StepWithWitnessIn's witness for vm.Profile()
//	s = vm.State()                  // back to a spec State
//
// Errors are the spec's *errors.Error values with the spec's Code for the
// same step. A step that fails leaves the VM unchanged, as spec.Step leaves
// its pre-state. Output: set Observe to receive the effects of each write to
// stdout, stderr or the hint fd (transition.Effects, as spec.Advance reports
// them); LastHint is kept as spec.Run keeps it.
//
// # Design
//
//   - Memory is a map of 4 KiB pages (bytes big-endian, as the Merkle leaves)
//     behind a 256-entry direct-mapped page cache. A write marks its leaf
//     and page dirty; MemoryRoot rehashes only dirty leaves' paths inside a
//     page (a page's inner nodes are kept once it has been hashed twice) and
//     the paths above dirty pages in a sparse per-level node map.
//
//   - Instructions are decoded once into a per-page cache of insn values
//     (handler byte, registers, pre-extended immediate); a write to a page
//     clears the two cached entries of the word it changes.
//
//   - Threads are kept in two slices of *Thread (bottom first); the current
//     thread's registers are a plain [32]uint64. Thread hashes are cached for
//     every thread but the current one and stack roots folded on demand.
//
//   - Run executes a block of non-syscall instructions in a tight loop whose
//     length is bounded by the step budget and the thread's remaining
//     quantum, so preemption needs no per-step check; syscalls, thread
//     switches and exits go through stepOne, the general step in the spec's
//     order. The step loop allocates nothing.
//
//   - The profile is chosen at construction and never inferred. The tensor
//     syscalls are reached only from the general syscall path (the default
//     branch of the syscall switch), so the base profile's block loop and
//     syscall table are unchanged. tensor_map checks D's bytes with a flat
//     Merkle computation over them (page-sized chunks hashed in place, page
//     roots folded up with zero subtrees; no spec memory is built), then
//     drops the region's pages and upper nodes and copies the bytes once,
//     straight into fresh pages (a region under a page is zeroed and
//     written in place, its leaves marked dirty and its decoded
//     instructions dropped). tensor_root reads the region root from the
//     incremental tree (an upper node, a page's inner node, or a leaf);
//     StepWitness takes the region proof from the same tree (FPVM-PROFILE-COPY).
//
// # Serialising
//
// A snapshot needs: the exported scalar fields of VM, Threads (both stacks,
// bottom first) and Pages (page number and 4096 bytes each). FromState of
// the State built from them restores the VM.
package fpvm
