package fpvm

import (
	"math/bits"

	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
)

// exec executes one decoded non-syscall instruction of the current thread
// (CPU c). It has the spec's semantics (spec/transition: alu.go, muldiv.go,
// branch.go, loadstore.go, llsc.go) and fails, before changing anything, with
// the same error codes. One-line ALU operations are written in the switch
// so the hot path makes no further call; the HI/LO group, branches, jumps,
// sub-word loads/stores and LL/SC are in the family helpers below.
func (vm *VM) exec(c *state.CPU, in *insn) error {
	r := &c.Regs
	switch in.op {
	case opNop:
	case opSLL:
		r[in.rd] = sext32(uint64(uint32(r[in.rt]) << in.sa))
	case opSRL:
		r[in.rd] = sext32(uint64(uint32(r[in.rt]) >> in.sa))
	case opSRA:
		r[in.rd] = uint64(int64(int32(uint32(r[in.rt])) >> in.sa))
	case opSLLV:
		r[in.rd] = sext32(uint64(uint32(r[in.rt]) << (r[in.rs] & 31)))
	case opSRLV:
		r[in.rd] = sext32(uint64(uint32(r[in.rt]) >> (r[in.rs] & 31)))
	case opSRAV:
		r[in.rd] = uint64(int64(int32(uint32(r[in.rt])) >> (r[in.rs] & 31)))
	case opDSLLV:
		r[in.rd] = r[in.rt] << (r[in.rs] & 63)
	case opDSRLV:
		r[in.rd] = r[in.rt] >> (r[in.rs] & 63)
	case opDSRAV:
		r[in.rd] = uint64(int64(r[in.rt]) >> (r[in.rs] & 63))
	case opADDU:
		r[in.rd] = sext32(uint64(uint32(r[in.rs]) + uint32(r[in.rt])))
	case opSUBU:
		r[in.rd] = sext32(uint64(uint32(r[in.rs]) - uint32(r[in.rt])))
	case opAND:
		r[in.rd] = r[in.rs] & r[in.rt]
	case opOR:
		r[in.rd] = r[in.rs] | r[in.rt]
	case opXOR:
		r[in.rd] = r[in.rs] ^ r[in.rt]
	case opNOR:
		r[in.rd] = ^(r[in.rs] | r[in.rt])
	case opSLT:
		r[in.rd] = boolWord(int64(r[in.rs]) < int64(r[in.rt]))
	case opSLTU:
		r[in.rd] = boolWord(r[in.rs] < r[in.rt])
	case opDADDU:
		r[in.rd] = r[in.rs] + r[in.rt]
	case opDSUBU:
		r[in.rd] = r[in.rs] - r[in.rt]
	case opDSLL:
		r[in.rd] = r[in.rt] << in.sa
	case opDSRL:
		r[in.rd] = r[in.rt] >> in.sa
	case opDSRA:
		r[in.rd] = uint64(int64(r[in.rt]) >> in.sa)
	case opMOVE:
		r[in.rd] = r[in.rs]
	case opMOVZ:
		if r[in.rt] == 0 {
			r[in.rd] = r[in.rs]
		}
	case opMOVN:
		if r[in.rt] != 0 {
			r[in.rd] = r[in.rs]
		}
	case opADDIU:
		r[in.rt] = sext32(uint64(uint32(r[in.rs]) + uint32(in.imm)))
	case opSLTI:
		r[in.rt] = boolWord(int64(r[in.rs]) < int64(in.imm))
	case opSLTIU:
		r[in.rt] = boolWord(r[in.rs] < in.imm)
	case opANDI:
		r[in.rt] = r[in.rs] & in.imm
	case opORI:
		r[in.rt] = r[in.rs] | in.imm
	case opXORI:
		r[in.rt] = r[in.rs] ^ in.imm
	case opDADDIU:
		r[in.rt] = r[in.rs] + in.imm
	case opLUI:
		r[in.rt] = in.imm
	case opMUL:
		r[in.rd] = sext32(uint64(uint32(int32(uint32(r[in.rs])) * int32(uint32(r[in.rt])))))
	case opCLZ:
		r[in.rd] = uint64(bits.LeadingZeros32(uint32(r[in.rs])))
	case opCLO:
		r[in.rd] = uint64(bits.LeadingZeros32(^uint32(r[in.rs])))
	case opDCLZ:
		r[in.rd] = uint64(bits.LeadingZeros64(r[in.rs]))
	case opDCLO:
		r[in.rd] = uint64(bits.LeadingZeros64(^r[in.rs]))
	case opMFHI, opMTHI, opMFLO, opMTLO, opMULT, opMULTU, opDIV, opDIVU, opDMULT, opDMULTU, opDDIV, opDDIVU:
		return vm.execHiLo(c, in)
	case opBEQ, opBNE, opBLEZ, opBGTZ, opBLTZ, opBGEZ, opBLTZAL, opBGEZAL, opBNEVER:
		return vm.execBranch(c, in)
	case opJ, opJAL, opJR, opJALR:
		return vm.execJump(c, in)
	case opLB, opLH, opLW, opLBU, opLHU, opLWU, opLD, opLWL, opLWR, opLDL, opLDR:
		vaddr := r[in.rs] + in.imm
		v := load(in.op, vaddr, vm.read(vaddr&^7), r[in.rt])
		if in.rt != 0 {
			r[in.rt] = v
		}
	case opSB, opSH, opSW, opSD, opSWL, opSWR, opSDL, opSDR:
		vaddr := r[in.rs] + in.imm
		vm.write(vaddr&^7, store(in.op, vaddr, vm.read(vaddr&^7), r[in.rt]))
	case opLL, opLLD, opSC, opSCD:
		vm.execLLSC(c, in)
	case opMemInvalid:
		vm.read((r[in.rs] + in.imm) &^ 7)
		return vm.invalidInstruction(c)
	default: // opInvalid; opSyscall is routed by the caller
		return vm.invalidInstruction(c)
	}
	c.PC = c.NextPC
	c.NextPC += 4
	return nil
}

// invalidInstruction returns the spec's error for the word at PC.
func (vm *VM) invalidInstruction(c *state.CPU) error {
	return errors.New(errors.CodeInvalidInstruction, "0x%08x", vm.instructionWord(c.PC))
}

// instructionWord reads the raw instruction word at pc (for error details).
func (vm *VM) instructionWord(pc uint64) uint32 {
	w := vm.mem.word(pc &^ 7)
	if pc&4 == 0 {
		w >>= 32
	}
	return uint32(w)
}

func sext32(v uint64) uint64 { return uint64(int64(int32(uint32(v)))) }

func boolWord(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// execHiLo runs the HI/LO group (spec muldiv.go): the new HI/LO, then the
// group's value (HI for mfhi, LO for mflo, 0 otherwise) to a nonzero rd
// (QUIRK-HILO-RD). A zero divisor fails with CodeDivideByZero.
func (vm *VM) execHiLo(c *state.CPU, in *insn) error {
	rs, rt := c.Regs[in.rs], c.Regs[in.rt]
	hi, lo, rd := c.HI, c.LO, uint64(0)
	switch in.op {
	case opMFHI:
		rd = hi
	case opMFLO:
		rd = lo
	case opMTHI:
		hi = rs
	case opMTLO:
		lo = rs
	case opMULT:
		acc := uint64(int64(int32(uint32(rs))) * int64(int32(uint32(rt))))
		hi, lo = sext32(acc>>32), sext32(acc)
	case opMULTU:
		acc := uint64(uint32(rs)) * uint64(uint32(rt))
		hi, lo = sext32(acc>>32), sext32(acc)
	case opDIV:
		if uint32(rt) == 0 {
			return vm.divideByZero(c)
		}
		n, d := int32(uint32(rs)), int32(uint32(rt))
		hi, lo = sext32(uint64(uint32(n%d))), sext32(uint64(uint32(n/d)))
	case opDIVU:
		if uint32(rt) == 0 {
			return vm.divideByZero(c)
		}
		n, d := uint32(rs), uint32(rt)
		hi, lo = sext32(uint64(n%d)), sext32(uint64(n/d))
	case opDMULT:
		hi, lo = bits.Mul64(rs, rt)
		if int64(rs) < 0 {
			hi -= rt
		}
		if int64(rt) < 0 {
			hi -= rs
		}
	case opDMULTU:
		hi, lo = bits.Mul64(rs, rt)
	case opDDIV:
		if rt == 0 {
			return vm.divideByZero(c)
		}
		hi, lo = uint64(int64(rs)%int64(rt)), uint64(int64(rs)/int64(rt))
	case opDDIVU:
		if rt == 0 {
			return vm.divideByZero(c)
		}
		hi, lo = rs%rt, rs/rt
	}
	c.HI, c.LO = hi, lo
	if in.rd != 0 {
		c.Regs[in.rd] = rd
	}
	c.PC = c.NextPC
	c.NextPC += 4
	return nil
}

func (vm *VM) divideByZero(c *state.CPU) error {
	return errors.New(errors.CodeDivideByZero, "0x%08x", vm.instructionWord(c.PC))
}

// execBranch runs the conditional branches (spec branch.go): a branch in a
// delay slot fails; the and-link forms link whether or not they are taken.
func (vm *VM) execBranch(c *state.CPU, in *insn) error {
	if c.NextPC != c.PC+4 {
		return errors.New(errors.CodeBranchInDelaySlot, "0x%08x at PC 0x%x", vm.instructionWord(c.PC), c.PC)
	}
	rs := c.Regs[in.rs]
	var taken bool
	switch in.op {
	case opBEQ:
		taken = rs == c.Regs[in.rt]
	case opBNE:
		taken = rs != c.Regs[in.rt]
	case opBLEZ:
		taken = int64(rs) <= 0
	case opBGTZ:
		taken = int64(rs) > 0
	case opBLTZ, opBLTZAL:
		taken = int64(rs) < 0
	case opBGEZ, opBGEZAL:
		taken = int64(rs) >= 0
	}
	pc := c.PC
	if in.op == opBLTZAL || in.op == opBGEZAL {
		c.Regs[31] = pc + 8
	}
	c.PC = c.NextPC
	if taken {
		c.NextPC = pc + 4 + in.imm
	} else {
		c.NextPC += 4
	}
	return nil
}

// execJump runs j, jal, jr and jalr: a jump in a delay slot fails; the
// target is read before the link is written.
func (vm *VM) execJump(c *state.CPU, in *insn) error {
	if c.NextPC != c.PC+4 {
		return errors.New(errors.CodeJumpInDelaySlot, "0x%08x at PC 0x%x", vm.instructionWord(c.PC), c.PC)
	}
	var target uint64
	var link uint8
	switch in.op {
	case opJ:
		target = c.NextPC&^0x0FFF_FFFF | in.imm
	case opJAL:
		target, link = c.NextPC&^0x0FFF_FFFF|in.imm, 31
	case opJR:
		target = c.Regs[in.rs]
	case opJALR:
		target, link = c.Regs[in.rs], in.rd
	}
	pc := c.PC
	c.PC, c.NextPC = c.NextPC, target
	if link != 0 {
		c.Regs[link] = pc + 8
	}
	return nil
}

// load returns the register result of a load (spec loadstore.go).
func load(op uint8, vaddr, mem, rt uint64) uint64 {
	switch op {
	case opLB:
		return uint64(int64(int8(mem >> subShift(vaddr, 1))))
	case opLH:
		return uint64(int64(int16(mem >> subShift(vaddr, 2))))
	case opLW:
		return uint64(int64(int32(mem >> subShift(vaddr, 4))))
	case opLBU:
		return uint64(uint8(mem >> subShift(vaddr, 1)))
	case opLHU:
		return uint64(uint16(mem >> subShift(vaddr, 2)))
	case opLWU:
		return uint64(uint32(mem >> subShift(vaddr, 4)))
	case opLD:
		return mem
	case opLWL:
		w := uint32(mem >> subShift(vaddr, 4))
		s := (vaddr & 3) * 8
		mask := uint32(0xFFFF_FFFF) << s
		return sext32(uint64(uint32(rt)&^mask | w<<s))
	case opLWR:
		w := uint32(mem >> subShift(vaddr, 4))
		s := 24 - (vaddr&3)*8
		mask := uint32(0xFFFF_FFFF) >> s
		low := uint32(rt)&^mask | w>>s
		if vaddr&3 == 3 {
			return sext32(uint64(low))
		}
		return rt&0xFFFF_FFFF_0000_0000 | uint64(low)
	case opLDL:
		s := (vaddr & 7) * 8
		return mem<<s | rt&^(^uint64(0)<<s)
	default: // opLDR
		s := 56 - (vaddr&7)*8
		return mem>>s | rt&(^uint64(0)<<(64-s))
	}
}

// store returns the new memory word of a store (spec loadstore.go).
func store(op uint8, vaddr, mem, rt uint64) uint64 {
	switch op {
	case opSB:
		return updateSub(vaddr, mem, 1, rt)
	case opSH:
		return updateSub(vaddr, mem, 2, rt)
	case opSW:
		return updateSub(vaddr, mem, 4, rt)
	case opSD:
		return rt
	case opSWL:
		s := (vaddr & 3) * 8
		w := uint32(mem >> subShift(vaddr, 4))
		mask := uint32(0xFFFF_FFFF) >> s
		return updateSub(vaddr, mem, 4, uint64(w&^mask|uint32(rt)>>s))
	case opSWR:
		s := 24 - (vaddr&3)*8
		w := uint32(mem >> subShift(vaddr, 4))
		mask := uint32(0xFFFF_FFFF) << s
		return updateSub(vaddr, mem, 4, uint64(w&^mask|uint32(rt)<<s))
	case opSDL:
		s := (vaddr & 7) * 8
		return rt>>s | mem&^(^uint64(0)>>s)
	default: // opSDR
		s := 56 - (vaddr&7)*8
		return rt<<s | mem&^(^uint64(0)<<s)
	}
}

// subShift returns the bit offset, in the big-endian word, of the naturally
// aligned n-byte sub-word holding vaddr.
func subShift(vaddr, n uint64) uint64 {
	return (8 - n - vaddr&7&^(n-1)) * 8
}

// updateSub returns mem with the n-byte sub-word (n < 8) holding vaddr
// replaced by the low n bytes of v.
func updateSub(vaddr, mem, n, v uint64) uint64 {
	shift := subShift(vaddr, n)
	mask := uint64(1)<<(8*n) - 1
	return mem&^(mask<<shift) | (v&mask)<<shift
}

// execLLSC runs ll, lld, sc and scd (spec llsc.go): one reservation per VM;
// sc succeeds only for the same width, owner and exact address.
func (vm *VM) execLLSC(c *state.CPU, in *insn) {
	vaddr := c.Regs[in.rs] + in.imm
	status, size := state.LLWord, uint64(4)
	if in.op == opLLD || in.op == opSCD {
		status, size = state.LLDword, 8
	}
	var v uint64
	switch in.op {
	case opLL, opLLD:
		mem := vm.read(vaddr &^ 7)
		vm.LLReservationStatus, vm.LLAddress, vm.LLOwnerThread = status, vaddr, vm.cur.ID
		v = uint64(int64(int32(mem >> subShift(vaddr, 4))))
		if size == 8 {
			v = mem
		}
	default:
		if vm.LLReservationStatus == status && vm.LLOwnerThread == vm.cur.ID && vm.LLAddress == vaddr {
			vm.LLReservationStatus, vm.LLAddress, vm.LLOwnerThread = state.LLNone, 0, 0
			mem := vm.read(vaddr &^ 7)
			nw := c.Regs[in.rt]
			if size == 4 {
				nw = updateSub(vaddr, mem, 4, nw)
			}
			vm.write(vaddr&^7, nw)
			v = 1
		}
	}
	if in.rt != 0 {
		c.Regs[in.rt] = v
	}
}

// read returns the word at the 8-aligned addr, recording the access while a
// witness is being built.
func (vm *VM) read(addr uint64) uint64 {
	if vm.rec != nil {
		vm.rec.note(vm, addr)
	}
	return vm.mem.word(addr)
}

// write stores v at the 8-aligned addr and clears an LL reservation on that
// word (MEM-LL-INVALIDATE), recording the access while a witness is built.
func (vm *VM) write(addr, v uint64) {
	if vm.rec != nil {
		vm.rec.note(vm, addr)
	}
	vm.mem.setWord(addr, v)
	if addr == vm.LLAddress&^7 {
		vm.LLReservationStatus, vm.LLAddress, vm.LLOwnerThread = state.LLNone, 0, 0
	}
}
