package vectors

// encodings lists (opcode, funct-or-rt) pairs of every instruction Cannon
// implements, written independently of the spec's dispatch tables. sel is the
// funct for SPECIAL (0) and SPECIAL2 (0x1C), the rt for REGIMM (1), and
// ignored otherwise.
var encodings = [][2]uint32{
	// SPECIAL
	{0, 0x00}, {0, 0x02}, {0, 0x03}, {0, 0x04}, {0, 0x06}, {0, 0x07}, {0, 0x08}, {0, 0x09},
	{0, 0x0A}, {0, 0x0B}, {0, 0x0C}, {0, 0x0F}, {0, 0x10}, {0, 0x11}, {0, 0x12}, {0, 0x13},
	{0, 0x14}, {0, 0x16}, {0, 0x17}, {0, 0x18}, {0, 0x19}, {0, 0x1A}, {0, 0x1B}, {0, 0x1C},
	{0, 0x1D}, {0, 0x1E}, {0, 0x1F}, {0, 0x20}, {0, 0x21}, {0, 0x22}, {0, 0x23}, {0, 0x24},
	{0, 0x25}, {0, 0x26}, {0, 0x27}, {0, 0x2A}, {0, 0x2B}, {0, 0x2C}, {0, 0x2D}, {0, 0x2E},
	{0, 0x2F}, {0, 0x38}, {0, 0x3A}, {0, 0x3B}, {0, 0x3C}, {0, 0x3E}, {0, 0x3F},
	// REGIMM
	{1, 0x00}, {1, 0x01}, {1, 0x10}, {1, 0x11},
	// J, branches, immediates
	{2, 0}, {3, 0}, {4, 0}, {5, 0}, {6, 0}, {7, 0}, {8, 0}, {9, 0}, {0xA, 0}, {0xB, 0},
	{0xC, 0}, {0xD, 0}, {0xE, 0}, {0xF, 0}, {0x18, 0}, {0x19, 0}, {0x1A, 0}, {0x1B, 0},
	// SPECIAL2
	{0x1C, 0x02}, {0x1C, 0x20}, {0x1C, 0x21}, {0x1C, 0x24}, {0x1C, 0x25},
	// loads, stores, LL/SC
	{0x20, 0}, {0x21, 0}, {0x22, 0}, {0x23, 0}, {0x24, 0}, {0x25, 0}, {0x26, 0}, {0x27, 0},
	{0x28, 0}, {0x29, 0}, {0x2A, 0}, {0x2B, 0}, {0x2C, 0}, {0x2D, 0}, {0x2E, 0}, {0x30, 0},
	{0x34, 0}, {0x37, 0}, {0x38, 0}, {0x3C, 0}, {0x3F, 0},
}

// Encodings returns the (opcode, funct-or-rt) pairs of every instruction
// Cannon implements (see encodings).
func Encodings() [][2]uint32 { return append([][2]uint32(nil), encodings...) }

// Family returns the instruction family of an encoding: "syscall",
// "branch", "muldiv", "llsc", "loadstore" or "alu" (one file each in
// spec/transition).
func Family(e [2]uint32) string {
	switch {
	case e[0] == 0 && e[1] == 0x0C:
		return "syscall"
	case e[0] == 0 && (e[1] == 0x08 || e[1] == 0x09), e[0] >= 1 && e[0] <= 7:
		return "branch"
	case e[0] == 0 && e[1] >= 0x10 && e[1] <= 0x1F && e[1] != 0x14 && e[1] != 0x16 && e[1] != 0x17:
		return "muldiv"
	case e[0] == 0x30 || e[0] == 0x34 || e[0] == 0x38 || e[0] == 0x3C:
		return "llsc"
	case e[0] >= 0x1A && e[0] <= 0x1B, e[0] >= 0x20:
		return "loadstore"
	}
	return "alu"
}

// EncodingsOf returns the encodings of one family.
func EncodingsOf(family string) [][2]uint32 {
	var out [][2]uint32
	for _, e := range encodings {
		if Family(e) == family {
			out = append(out, e)
		}
	}
	return out
}
