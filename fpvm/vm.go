package fpvm

import (
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Thread is one guest thread as the executor holds it: the spec's Thread
// (id, exit flag, CPU with a plain [32]uint64 register file) plus a cached
// hash for the thread-stack roots.
type Thread struct {
	state.Thread
	hash   memory.Hash
	hashOK bool // hash is the hash of Thread; never trusted for the current thread
}

// VM is a mutable Cannon multithreaded64-5 state with the caches that make
// stepping fast. It is not safe for concurrent use. The zero value is not
// usable; build one with FromState.
//
// Every field of the spec's State has a counterpart: the scalar fields below,
// the two thread stacks (bottom first, top last) and the pages of memory
// (Pages). State converts back.
type VM struct {
	mem     *mem
	profile transition.Profile // the syscall table, fixed at construction

	PreimageKey                 [32]byte
	PreimageOffset              uint64
	Heap                        uint64
	LLReservationStatus         uint8
	LLAddress                   uint64
	LLOwnerThread               uint64
	ExitCode                    uint8
	Exited                      bool
	StepCount                   uint64 // the state's Step field
	StepsSinceLastContextSwitch uint64
	TraverseRight               bool
	NextThreadID                uint64
	LastHint                    []byte

	left, right []*Thread
	cur         *Thread // top of the active stack, nil when it is empty

	// Observe, when set, is called after each successful step that writes to
	// stdout, stderr or the hint fd, with the effects spec.Advance reports.
	Observe func(transition.Effects)

	data       transition.Data    // the data of the running Step/Run call
	pending    transition.Effects // effects of the output write being executed
	hasPending bool
	scratch    insn      // the decoded word of an absent page
	rec        *recorder // non-nil while StepWitness records memory accesses
	k          hasher    // for thread and state hashes

	rootsOK      bool        // belowRoot and inactiveRoot are valid
	belowRoot    memory.Hash // root of the active stack without its top
	inactiveRoot memory.Hash // root of the inactive stack
}

// FromState is FromStateIn(transition.ProfileBase, s): the Cannon syscall
// table, under which the tensor syscall numbers are unknown.
func FromState(s state.State) (*VM, error) {
	return FromStateIn(transition.ProfileBase, s)
}

// FromStateIn returns a VM holding exactly s that steps under profile p, as
// spec.StepIn(p, ...) does; the profile is fixed for the VM's life and never
// inferred (PROF-EXPLICIT, FPVM-PROFILE). s.Memory must be the full
// back-end (memory.Memory) and both thread stacks fully known. Errors:
// CodeUnknownProfile for a p outside the two profiles, CodeMissingMemory,
// CodeUnknownThread. s is not changed.
func FromStateIn(p transition.Profile, s state.State) (*VM, error) {
	if err := transition.VerifyProfile(p); err != nil {
		return nil, err
	}
	full, ok := s.Memory.(memory.Memory)
	if !ok {
		return nil, errors.New(errors.CodeMissingMemory, "fpvm needs the full memory back-end, got %T", s.Memory)
	}
	if !s.LeftThreads.IsFullyKnown() || !s.RightThreads.IsFullyKnown() {
		return nil, errors.New(errors.CodeUnknownThread, "fpvm needs fully known thread stacks")
	}
	vm := &VM{
		mem:                         newMem(),
		profile:                     p,
		PreimageKey:                 s.PreimageKey,
		PreimageOffset:              s.PreimageOffset,
		Heap:                        s.Heap,
		LLReservationStatus:         s.LLReservationStatus,
		LLAddress:                   s.LLAddress,
		LLOwnerThread:               s.LLOwnerThread,
		ExitCode:                    s.ExitCode,
		Exited:                      s.Exited,
		StepCount:                   s.Step,
		StepsSinceLastContextSwitch: s.StepsSinceLastContextSwitch,
		TraverseRight:               s.TraverseRight,
		NextThreadID:                s.NextThreadID,
		LastHint:                    append([]byte(nil), s.LastHint...),
		left:                        threadsOf(s.LeftThreads),
		right:                       threadsOf(s.RightThreads),
	}
	for idx, pg := range full.Pages {
		vm.mem.setBytes(idx<<pageLog2, pg[:])
	}
	vm.setCurrent()
	return vm, nil
}

func threadsOf(st state.ThreadStack) []*Thread {
	out := make([]*Thread, len(st.Threads))
	for i, t := range st.Threads {
		out[i] = &Thread{Thread: t}
	}
	return out
}

// State returns the spec State the VM holds (memory as a persistent
// memory.Memory with the same pages). The VM is not changed.
func (vm *VM) State() state.State {
	e := &memory.Edit{}
	m := memory.Memory{}.Transient(e)
	for _, idx := range vm.mem.pageNumbers() {
		m = m.SetBytes(idx<<pageLog2, vm.mem.pages[idx].data[:])
	}
	return state.State{
		Memory:                      m.Persistent(),
		PreimageKey:                 vm.PreimageKey,
		PreimageOffset:              vm.PreimageOffset,
		Heap:                        vm.Heap,
		LLReservationStatus:         vm.LLReservationStatus,
		LLAddress:                   vm.LLAddress,
		LLOwnerThread:               vm.LLOwnerThread,
		ExitCode:                    vm.ExitCode,
		Exited:                      vm.Exited,
		Step:                        vm.StepCount,
		StepsSinceLastContextSwitch: vm.StepsSinceLastContextSwitch,
		TraverseRight:               vm.TraverseRight,
		LeftThreads:                 stackOf(vm.left),
		RightThreads:                stackOf(vm.right),
		NextThreadID:                vm.NextThreadID,
		LastHint:                    append([]byte(nil), vm.LastHint...),
	}
}

func stackOf(ts []*Thread) state.ThreadStack {
	plain := make([]state.Thread, len(ts))
	for i, t := range ts {
		plain[i] = t.Thread
	}
	return state.NewThreadStack(plain...)
}

// Profile returns the profile the VM steps under (set by FromStateIn).
func (vm *VM) Profile() transition.Profile { return vm.profile }

// Threads returns the left and right thread stacks, bottom first. The
// threads are the VM's own; a snapshot copies them.
func (vm *VM) Threads() (left, right []*Thread) { return vm.left, vm.right }

// Pages calls yield for each held page in ascending page number with the
// page's 4096 bytes, until yield returns false. The caller must not modify
// the bytes.
func (vm *VM) Pages(yield func(index uint64, data *[4096]byte) bool) {
	for _, idx := range vm.mem.pageNumbers() {
		if !yield(idx, &vm.mem.pages[idx].data) {
			return
		}
	}
}

// PageCount returns the number of held pages (as memory.Memory.PageCount).
func (vm *VM) PageCount() int { return len(vm.mem.pages) }

// MemoryRoot returns the Merkle root of memory, rehashing only what changed
// since the last root.
func (vm *VM) MemoryRoot() memory.Hash { return vm.mem.Root() }

// MemoryProof returns the proof of the leaf holding addr against MemoryRoot.
func (vm *VM) MemoryProof(addr uint64) memory.Proof { return vm.mem.Proof(addr) }

// ReadMemory returns n bytes at addr (any alignment; absent memory is zero).
func (vm *VM) ReadMemory(addr, n uint64) []byte { return vm.mem.readBytes(addr, n) }

// Witness returns the 188-byte commitment view of the state.
func (vm *VM) Witness() state.Witness {
	w := state.Witness{
		MemRoot:                     vm.mem.Root(),
		PreimageKey:                 vm.PreimageKey,
		PreimageOffset:              vm.PreimageOffset,
		Heap:                        vm.Heap,
		LLReservationStatus:         vm.LLReservationStatus,
		LLAddress:                   vm.LLAddress,
		LLOwnerThread:               vm.LLOwnerThread,
		ExitCode:                    vm.ExitCode,
		Exited:                      vm.Exited,
		Step:                        vm.StepCount,
		StepsSinceLastContextSwitch: vm.StepsSinceLastContextSwitch,
		TraverseRight:               vm.TraverseRight,
		NextThreadID:                vm.NextThreadID,
	}
	active, inactive := vm.stackRoots()
	w.LeftThreadStack, w.RightThreadStack = active, inactive
	if vm.TraverseRight {
		w.LeftThreadStack, w.RightThreadStack = inactive, active
	}
	return w
}

// stackRoots returns the roots of the active and inactive stacks. The root
// of the active stack below the current thread and the inactive root are
// cached until the stacks change (setCurrent); only the current thread is
// rehashed.
func (vm *VM) stackRoots() (active, inactive memory.Hash) {
	a := *vm.active()
	if !vm.rootsOK {
		vm.belowRoot = vm.stackRoot(a, max(len(a)-1, 0))
		vm.inactiveRoot = vm.stackRoot(*vm.inactive(), len(*vm.inactive()))
		vm.rootsOK = true
	}
	if vm.cur == nil {
		return vm.belowRoot, vm.inactiveRoot
	}
	return vm.k.pair(vm.belowRoot, vm.threadHash(vm.cur)), vm.inactiveRoot
}

// Hash returns the state hash, equal to the spec State's Hash().
func (vm *VM) Hash() memory.Hash { return vm.Witness().Hash() }

// stackRoot returns the hash-onion root of the bottom n threads of ts.
func (vm *VM) stackRoot(ts []*Thread, n int) memory.Hash {
	root := state.EmptyThreadsRoot
	for _, t := range ts[:n] {
		root = vm.k.pair(root, vm.threadHash(t))
	}
	return root
}

// threadHash returns the thread's hash, cached for all but the current thread.
func (vm *VM) threadHash(t *Thread) memory.Hash {
	if t == vm.cur || !t.hashOK {
		t.hash = state.ThreadHash(t.Thread)
		t.hashOK = t != vm.cur
	}
	return t.hash
}

// active returns a pointer to the active stack.
func (vm *VM) active() *[]*Thread {
	if vm.TraverseRight {
		return &vm.right
	}
	return &vm.left
}

// inactive returns a pointer to the inactive stack.
func (vm *VM) inactive() *[]*Thread {
	if vm.TraverseRight {
		return &vm.left
	}
	return &vm.right
}

// setCurrent points cur at the top of the active stack. The new current
// thread's cached hash is dropped: it may change from now on.
func (vm *VM) setCurrent() {
	vm.rootsOK = false
	a := *vm.active()
	vm.cur = nil
	if len(a) > 0 {
		vm.cur = a[len(a)-1]
		vm.cur.hashOK = false
	}
}

// preempt moves the current thread to the inactive stack, flips when the
// active stack is empty and resets the context-switch counter (spec
// transition.ApplyPreempt).
func (vm *VM) preempt() {
	a, in := vm.active(), vm.inactive()
	t := (*a)[len(*a)-1]
	*a = (*a)[:len(*a)-1]
	*in = append(*in, t)
	vm.flipIfActiveEmpty()
}

// popThread drops the current thread (spec transition.ApplyPopThread).
func (vm *VM) popThread() {
	a := vm.active()
	(*a)[len(*a)-1] = nil
	*a = (*a)[:len(*a)-1]
	vm.flipIfActiveEmpty()
}

// pushThread pushes t on the active stack and makes it current (clone).
func (vm *VM) pushThread(t *Thread) {
	a := vm.active()
	*a = append(*a, t)
	vm.StepsSinceLastContextSwitch = 0
	vm.setCurrent()
}

func (vm *VM) flipIfActiveEmpty() {
	if len(*vm.active()) == 0 {
		vm.TraverseRight = !vm.TraverseRight
	}
	vm.StepsSinceLastContextSwitch = 0
	vm.setCurrent()
}

// threadCount returns the number of threads on both stacks.
func (vm *VM) threadCount() int { return len(vm.left) + len(vm.right) }
