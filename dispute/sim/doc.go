// Package sim holds the agents of the dispute game (package dispute) and
// its simulator (docs/dispute.md §11–12, §14.1): Solver is op-challenger's
// honest algorithm over a trace.View; LastSecond, Offline, Freeloader,
// RightDefender, SelfBait, Illegal, Flood, Reckless, Exhaustive and
// TransitionStepper are the adversary library's agents, and Scenarios the
// library itself; Play and Simulate run seeded games with simulated time
// and a gas model; CheckActionSequence is the fuzz check of the rules;
// Explorer is the exhaustive checker; PlayReal plays one game with the node
// program in fpvm as phase 3.
//
// Agents act only through dispute.Apply, so every rule of the game holds
// for them as for any party.
package sim
