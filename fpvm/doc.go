// Package fpvm is the optimized executor of the OPcity base profile: the
// same transition function as package spec (Cannon multithreaded64-5,
// bit-exact with Cannon in optimism v1.19.6), built for speed. The spec is
// the model; fpvm is checked against it step by step (requirements
// FPVM-LOCKSTEP, FPVM-MODEL, FPVM-WITNESS, FPVM-FUZZ) and against Cannon in
// conformance/cannon (CONF-CANNON-FPVM).
//
// # API
//
//	vm, err := fpvm.FromState(s)   // exact copy of a spec State (full memory, known stacks)
//	err = vm.Step(d)                // one step, as spec.Advance
//	n, err := vm.Run(d, limit)      // up to limit steps, stops at exit, as spec.Run
//	h := vm.Hash()                  // state hash == spec State.Hash()
//	r := vm.MemoryRoot()            // Merkle root of memory
//	w, err := vm.StepWitness(d)     // runs one step, returns spec.StepWithWitness's witness
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
//   - Instructions are decoded once into a per-page cache of insn values
//     (handler byte, registers, pre-extended immediate); a write to a page
//     clears the two cached entries of the word it changes.
//   - Threads are kept in two slices of *Thread (bottom first); the current
//     thread's registers are a plain [32]uint64. Thread hashes are cached for
//     every thread but the current one and stack roots folded on demand.
//   - Run executes a block of non-syscall instructions in a tight loop whose
//     length is bounded by the step budget and the thread's remaining
//     quantum, so preemption needs no per-step check; syscalls, thread
//     switches and exits go through stepOne, the general step in the spec's
//     order. The step loop allocates nothing.
//
// # Serialising
//
// A snapshot needs: the exported scalar fields of VM, Threads (both stacks,
// bottom first) and Pages (page number and 4096 bytes each). FromState of
// the State built from them restores the VM.
package fpvm
