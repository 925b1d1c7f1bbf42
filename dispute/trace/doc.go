// Package trace provides the traces of the dispute game (package dispute):
// a View gives a party's belief about every phase, the output roots of
// phase 1, the graph traces of phase 2 (GraphTrace) and the VM traces of
// phase 3 (VMTrace). Truth is the honest view, from the opML executor and a
// VMFactory; NodeVM builds real phase-3 traces by running the node program
// in fpvm, Synthetic stands in for it in large simulations; Corrupt is an
// adversary's view. MNISTSet and WorldConfig build a World, a chain of
// MNIST inference jobs with its game type and truth (docs/dispute.md §10).
//
// The package reads the game only through dispute's exported API; it never
// changes a game.
package trace
