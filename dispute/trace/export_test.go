package trace

// Checkpoints returns the number of checkpoints a NodeVM trace keeps and
// their spacing in steps.
func Checkpoints(t VMTrace) (n int, every uint64) {
	nt := t.(*nodeTrace)
	return len(nt.checkpoints), nt.every
}

// RegisterBundled is registerBundled.
var RegisterBundled = registerBundled
