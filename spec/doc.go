// Package spec is the entry point of the OPcity executable reference
// specification of the Optimism Cannon fault-proof VM (MIPS64, multithreaded,
// state version multithreaded64-5, bit-exact with Cannon in
// github.com/ethereum-optimism/optimism@v1.19.6).
//
// # Reading guide
//
// Start at Step. It is f(S_pre, D) -> S_post: a pure function from a state
// and the data a step may read to the next state, or a typed error. Follow
// the call tree, which docs/spec.md mirrors heading by heading:
//
//	Step                         transition/step.go       exited? empty stack? step++, pop, preempt
//	  fetch                      transition/step.go       PC alignment, the 32-bit half of the word
//	  Decode                     transition/decode.go     fields of the instruction word
//	  dispatch                   transition/dispatch.go   syscall, LL/SC, then by opcode
//	    ALU, SPECIAL2, moves     transition/alu.go
//	    HI/LO group              transition/muldiv.go
//	    branches, jumps          transition/branch.go
//	    loads, stores            transition/loadstore.go
//	    LL/SC                    transition/llsc.go
//	    syscalls                 transition/syscall*.go
//	    tensor syscalls          transition/syscall_tensor.go  OPcity profile only (StepIn)
//	  scheduler                  transition/scheduler.go  preempt, push, pop
//	Advance                      spec.go                  Step plus runner effects: output, hints (LastHint)
//	VerifyStep                   verify.go                the stateless verifier: Step over witnessed memory
//	StepWithWitness              witness.go               the witness of a step, captured from outside
//	memory                       memory/                  Merkle memory, proofs, region roots, the witnessed back-end
//	state                        state/                   State, Thread, witness encodings, hash
//	errors                       errors/                  the closed set of failures
//
// Every entry point has an explicit-profile form (StepIn, AdvanceIn, RunIn,
// StepWithWitnessIn, VerifyStepIn); the short forms are ProfileBase, which is
// Cannon. ProfileOPcity adds tensor_map and tensor_root (docs/spec.md, "OPcity
// profile"); the profile is never inferred (PROF-EXPLICIT).
//
// Requirement IDs (docs/requirements.md) appear in doc comments as, for
// example, QUIRK-HILO-RD; tests that check a requirement carry its ID in
// their name.
package spec
