// Package dispute specifies the three-phase fault dispute game of OPcity:
// output roots of an L2 chain whose blocks carry ML inference jobs, then the
// disputed job's computation graph, then the MIPS execution of the disputed
// node's program, ending in spec.VerifyStep on one instruction
// (docs/dispute.md; requirement IDs DISPUTE-* in docs/requirements.md).
//
// Start at NewGame. A Game is a value; its actions are pure functions that
// return a new Game or a typed *Error and leave the argument unchanged:
//
//	Move            a claim against a claim (checkPhase binds phase roots:
//	                bindGraphRoot, bindVMRoot)
//	Step            the one-instruction check at the maximum depth
//	StepTransition  the one-leaf-update check at a graph leaf
//	UploadTensor,
//	UploadPreimage  data availability
//	ResolveClaim    bottom-up subgame resolution, leftmost bond rule
//	Resolve         the outcome
//	ClaimCredit     bond payout
//
// The package holds the rules only: Config (the game type, its model
// registry and bond curve), Game and its actions, Apply over an Action, the
// gas model and the duration bound. Around the rules, and outside this
// package: dispute/trace provides the traces (View and its implementations:
// Truth from the opML executor, NodeVM for real node-program traces,
// Synthetic for large simulations, Corrupt for adversaries); dispute/sim
// holds the agents (Solver, op-challenger's honest algorithm, and the
// adversary library), the simulator (Play, Simulate) and the exhaustive
// checker (Explorer). They see a Game only through its exported read-only
// accessors and change it only through its actions, so no party can bypass
// a rule.
package dispute
