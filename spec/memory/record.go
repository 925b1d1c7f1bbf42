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
	Mem    Memory
	log    *[]Access
	region *RegionAccess
}

// RegionAccess is the region a step bound (OPcity profile), with its proof
// as memory was when the step first touched it.
type RegionAccess struct {
	Addr     uint64
	Log2Size uint
	Proof    RegionProof
	Bound    bool
}

var _ Space = Recorder{}

// NewRecorder returns a recorder over m with an empty log.
func NewRecorder(m Memory) Recorder {
	return Recorder{Mem: m, log: new([]Access), region: new(RegionAccess)}
}

// Region returns the region the step bound, if any (Bound).
func (r Recorder) Region() RegionAccess { return *r.region }

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
	return Recorder{Mem: m, log: r.log, region: r.region}, err
}

// Leaf reads through to the wrapped memory and records the access to the
// leaf's first word.
func (r Recorder) Leaf(addr uint64) ([LeafSize]byte, error) {
	if addr&(LeafSize-1) == 0 {
		r.note(addr)
	}
	return r.Mem.Leaf(addr)
}

// WithLeaf writes through to the wrapped memory and records the access to
// the leaf's first word.
func (r Recorder) WithLeaf(addr uint64, v [LeafSize]byte) (Space, error) {
	if addr&(LeafSize-1) == 0 {
		r.note(addr)
	}
	m, err := r.Mem.WithLeaf(addr, v)
	return Recorder{Mem: m.(Memory), log: r.log, region: r.region}, err
}

// RegionRoot reads through to the wrapped memory and records the region.
func (r Recorder) RegionRoot(addr uint64, log2size uint) (Hash, error) {
	if err := r.noteRegion(addr, log2size); err != nil {
		return Hash{}, err
	}
	return r.Mem.RegionRoot(addr, log2size)
}

// WithRegion writes through to the wrapped memory and records the region.
func (r Recorder) WithRegion(addr uint64, log2size uint, root Hash, data []byte) (Space, error) {
	if err := r.noteRegion(addr, log2size); err != nil {
		return r, err
	}
	m, err := r.Mem.WithRegion(addr, log2size, root, data)
	return Recorder{Mem: m.(Memory), log: r.log, region: r.region}, err
}

// noteRegion records the first region the step touches with its proof.
func (r Recorder) noteRegion(addr uint64, log2size uint) error {
	if r.region.Bound {
		return nil
	}
	p, err := r.Mem.RegionProof(addr, log2size)
	if err != nil {
		return err
	}
	*r.region = RegionAccess{Addr: addr, Log2Size: log2size, Proof: p, Bound: true}
	return nil
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
