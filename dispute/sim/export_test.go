package sim

// HonestUncountered returns an error naming the first honest claim of g
// that is countered (the per-action check of the state-machine property).
var HonestUncountered = honestUncountered
