package memory_test

import (
	"fmt"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/commands"
	"github.com/leanovate/gopter/gen"

	"github.com/opcity-spec/opcity/spec/memory"
)

// A stateful gopter suite: the system under test is a Memory that is written,
// read, snapshotted and restored; the model is a map of words. After every
// command the post-condition compares the two (MEM-MODEL): every word the
// model knows, and the root against a memory rebuilt from the model alone.

type memSUT struct {
	m     memory.Memory
	saved []memory.Memory
}

// model is the command state: the map of written words and the snapshots.
type model struct {
	words map[uint64]uint64
	saved []map[uint64]uint64
}

func (m model) clone() model {
	w := make(map[uint64]uint64, len(m.words))
	for k, v := range m.words {
		w[k] = v
	}
	return model{words: w, saved: append([]map[uint64]uint64(nil), m.saved...)}
}

// addrs is a small address pool with page, leaf and top-of-memory edges, so
// commands collide often.
var addrs = []uint64{0, 8, 24, 32, 0xFF8, 0x1000, 0x1008, 0x7FFF_FFFF_F000, 0xFFFF_FFFF_FFFF_FFF8, 0x1000_0000_0000}

type writeCmd struct{ addr, value uint64 }
type readCmd struct{ addr uint64 }
type snapshotCmd struct{}
type restoreCmd struct{}

func (c writeCmd) Run(s commands.SystemUnderTest) commands.Result {
	sut := s.(*memSUT)
	sut.m, _ = sut.m.SetWord(c.addr, c.value)
	return sut.m
}
func (c writeCmd) NextState(st commands.State) commands.State {
	m := st.(model).clone()
	m.words[c.addr] = c.value
	return m
}
func (writeCmd) PreCondition(commands.State) bool { return true }
func (writeCmd) PostCondition(st commands.State, r commands.Result) *gopter.PropResult {
	return agree(st.(model), r.(memory.Memory))
}
func (c writeCmd) String() string { return fmt.Sprintf("write(%#x, %#x)", c.addr, c.value) }

func (c readCmd) Run(s commands.SystemUnderTest) commands.Result {
	v, _ := s.(*memSUT).m.Word(c.addr)
	return v
}
func (readCmd) NextState(st commands.State) commands.State { return st }
func (readCmd) PreCondition(commands.State) bool           { return true }
func (c readCmd) PostCondition(st commands.State, r commands.Result) *gopter.PropResult {
	return gopter.NewPropResult(st.(model).words[c.addr] == r.(uint64), c.String())
}
func (c readCmd) String() string { return fmt.Sprintf("read(%#x)", c.addr) }

func (snapshotCmd) Run(s commands.SystemUnderTest) commands.Result {
	sut := s.(*memSUT)
	sut.saved = append(sut.saved, sut.m)
	return sut.m
}
func (snapshotCmd) NextState(st commands.State) commands.State {
	m := st.(model).clone()
	m.saved = append(m.saved, m.clone().words)
	return m
}
func (snapshotCmd) PreCondition(commands.State) bool { return true }
func (snapshotCmd) PostCondition(st commands.State, r commands.Result) *gopter.PropResult {
	return agree(st.(model), r.(memory.Memory))
}
func (snapshotCmd) String() string { return "snapshot" }

func (restoreCmd) Run(s commands.SystemUnderTest) commands.Result {
	sut := s.(*memSUT)
	sut.m = sut.saved[len(sut.saved)-1]
	sut.saved = sut.saved[:len(sut.saved)-1]
	return sut.m
}
func (restoreCmd) NextState(st commands.State) commands.State {
	m := st.(model).clone()
	m.words = m.saved[len(m.saved)-1]
	m.saved = m.saved[:len(m.saved)-1]
	return m
}
func (restoreCmd) PreCondition(st commands.State) bool { return len(st.(model).saved) > 0 }
func (restoreCmd) PostCondition(st commands.State, r commands.Result) *gopter.PropResult {
	return agree(st.(model), r.(memory.Memory))
}
func (restoreCmd) String() string { return "restore" }

// agree checks every model word and the root of a memory rebuilt from the model.
func agree(m model, got memory.Memory) *gopter.PropResult {
	rebuilt := memory.Memory{}
	for a, v := range m.words {
		if w, _ := got.Word(a); w != v {
			return gopter.NewPropResult(false, fmt.Sprintf("word %#x = %#x, model %#x", a, w, v))
		}
		rebuilt, _ = rebuilt.SetWord(a, v)
	}
	return gopter.NewPropResult(got.Root() == rebuilt.Root(), "root differs from the model's")
}

var memoryCommands = &commands.ProtoCommands{
	NewSystemUnderTestFunc: func(commands.State) commands.SystemUnderTest { return &memSUT{} },
	InitialStateGen:        gen.Const(model{words: map[uint64]uint64{}}),
	GenCommandFunc: func(commands.State) gopter.Gen {
		addr := gen.OneConstOf(toAny(addrs)...)
		value := gen.OneGenOf(gen.Const(uint64(0)), gen.UInt64())
		return gen.OneGenOf(
			gopter.CombineGens(addr, value).Map(func(v []interface{}) commands.Command {
				return writeCmd{v[0].(uint64), v[1].(uint64)}
			}),
			addr.Map(func(a uint64) commands.Command { return readCmd{a} }),
			gen.Const(commands.Command(snapshotCmd{})),
			gen.Const(commands.Command(restoreCmd{})),
		)
	},
}

func toAny(xs []uint64) []interface{} {
	out := make([]interface{}, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// TestMEM_MODEL_Commands runs gopter's command-sequence property; a failure
// prints the shrunk command sequence and the seed.
func TestMEM_MODEL_Commands(t *testing.T) {
	params := gopter.DefaultTestParameters()
	params.MinSuccessfulTests = 200
	props := gopter.NewProperties(params)
	props.Property("memory agrees with a map model", commands.Prop(memoryCommands))
	props.TestingRun(t)
}
