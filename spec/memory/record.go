package memory

// Access is one word a step touched, in the order of first touch, with the
// proof of its leaf as memory was at that moment.
type Access struct {
	Addr  uint64
	Proof Proof
}

// Recorder is a full memory that records, for witness generation, the
// distinct words a step touches and their proofs at the time of first touch
// (Cannon's memory tracker, exec/memory.go). It wraps the memory interface
// from outside: the transition does not know it is being recorded. All
// values derived from one Recorder share its log.
type Recorder struct {
	Mem Memory
	log *[]Access
}

var _ Space = Recorder{}

// NewRecorder returns a recorder over m with an empty log.
func NewRecorder(m Memory) Recorder { return Recorder{Mem: m, log: new([]Access)} }

// Accesses returns the recorded accesses in order.
func (r Recorder) Accesses() []Access { return *r.log }

// Root returns the root of the wrapped memory.
func (r Recorder) Root() Hash { return r.Mem.Root() }

// Word reads through to the wrapped memory and records the access.
func (r Recorder) Word(addr uint64) (uint64, error) {
	r.note(addr)
	return r.Mem.Word(addr)
}

// WithWord writes through to the wrapped memory and records the access.
func (r Recorder) WithWord(addr uint64, v uint64) (Space, error) {
	r.note(addr)
	m, err := r.Mem.SetWord(addr, v)
	return Recorder{Mem: m, log: r.log}, err
}

// note records addr unless it is the word of the previous distinct access
// and this is not the first access (the first is the fetch; data accesses
// to the same word as the fetch are recorded again, as Cannon does).
func (r Recorder) note(addr uint64) {
	log := *r.log
	if len(log) > 1 && log[len(log)-1].Addr == addr {
		return
	}
	for _, a := range log[min(1, len(log)):] {
		if a.Addr == addr {
			return
		}
	}
	*r.log = append(log, Access{Addr: addr, Proof: r.Mem.Proof(addr)})
}
