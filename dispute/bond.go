package dispute

import (
	"github.com/holiman/uint256"
)

// This file is OP's bond curve in the chain's own arithmetic:
// FaultDisputeGame.getRequiredBond (FDG.sol:936-977 of optimism v1.19.6)
// computed with 256-bit words exactly as the EVM computes it, through the
// fixed-point exp and ln of Solady's FixedPointMathLib (the library
// FaultDisputeGame imports; docs/dispute.md §Bonds names the version).
// Every operation below is one EVM operation on a 256-bit word — wrapping
// multiplication, signed division truncating toward zero, arithmetic
// right shifts — so the curve cannot differ from the contract's by
// overflow, rounding or units (requirement DISPUTE-BOND).

// wad is 10^18, the fixed-point one.
var wad = uint256.NewInt(1_000_000_000_000_000_000)

// RequiredBond returns the bond in wei of a claim at depth depth of a game
// of maximum depth maxDepth: OP's getRequiredBond, with its constants
// (200 gwei, 400,000 and 300,000,000 gas),
//
//	a = 300,000,000 / 400,000                      (750)
//	lnA = lnWad(a · 10^18)
//	base = expWad(mulWad(lnA, divWad(10^18, maxDepth · 10^18)))
//	gas = mulWad(400,000, powWad(base, depth · 10^18))
//	bond = 200 gwei · gas
//
// It returns false where the contract reverts: depth > maxDepth
// (GameDepthExceeded) and maxDepth 0 (DivWadFailed).
func RequiredBond(depth, maxDepth uint64) (*uint256.Int, bool) {
	if depth > maxDepth || maxDepth == 0 {
		return nil, false
	}
	g := bondGas(400_000, 300_000_000, depth, maxDepth)
	return g.Mul(g, uint256.NewInt(200_000_000_000)), true
}

// bondGas is getRequiredBond's requiredGas for base and high gas charged:
// mulWad(base, powWad(expWad(mulWad(lnWad(high/base · 10^18),
// divWad(10^18, maxDepth · 10^18))), depth · 10^18)). Preconditions:
// maxDepth > 0, high >= base > 0.
func bondGas(base, high, depth, maxDepth uint64) *uint256.Int {
	a := uint256.NewInt(high / base)
	lnA := lnWad(new(uint256.Int).Mul(a, wad))
	c := new(uint256.Int).Mul(uint256.NewInt(maxDepth), wad)
	bOverC := new(uint256.Int).Div(new(uint256.Int).Mul(wad, wad), c) // divWad(WAD, c)
	numerator := new(uint256.Int).Div(new(uint256.Int).Mul(lnA, bOverC), wad)
	root := expWad(numerator)
	y := new(uint256.Int).Mul(uint256.NewInt(depth), wad)
	rawGas := expWad(new(uint256.Int).SDiv(new(uint256.Int).Mul(lnWad(root), y), wad)) // powWad(root, y)
	return new(uint256.Int).Div(new(uint256.Int).Mul(uint256.NewInt(base), rawGas), wad)
}

// dec returns the word of a non-negative decimal constant.
func dec(s string) *uint256.Int { return uint256.MustFromDecimal(s) }

// neg returns the two's-complement word of −s for a decimal constant s.
func neg(s string) *uint256.Int { return new(uint256.Int).Neg(dec(s)) }

// expWad is e^(x/10^18)·10^18 for a signed 1e18-fixed-point x, as Solady
// computes it: 0 when x ≤ −41.45·10^18 (the result would round below ½),
// else a (6, 7)-term rational approximation after reducing x by whole
// multiples of ln 2. Precondition: x < 135.3·10^18 (Solady reverts with
// ExpOverflow above; the bond curve stays far below).
func expWad(x *uint256.Int) *uint256.Int {
	if !x.Sgt(neg("41446531673892822313")) {
		return new(uint256.Int)
	}
	// x in 2^96 fixed point: (x << 78) / 5^18 (signed).
	x = new(uint256.Int).SDiv(new(uint256.Int).Lsh(x, 78), dec("3814697265625"))
	// k = round(x / ln 2), x −= k·ln 2 (ln 2 in 2^96 fixed point).
	ln2 := dec("54916777467707473351141471128")
	k := new(uint256.Int).SDiv(new(uint256.Int).Lsh(x, 96), ln2)
	k.Add(k, new(uint256.Int).Lsh(uint256.NewInt(1), 95)).SRsh(k, 96)
	x = new(uint256.Int).Sub(x, new(uint256.Int).Mul(k, ln2))

	mulSar := func(a, b *uint256.Int) *uint256.Int { return new(uint256.Int).SRsh(new(uint256.Int).Mul(a, b), 96) }
	add := func(a, b *uint256.Int) *uint256.Int { return new(uint256.Int).Add(a, b) }
	sub := func(a, b *uint256.Int) *uint256.Int { return new(uint256.Int).Sub(a, b) }

	y := add(x, dec("1346386616545796478920950773328"))
	y = add(mulSar(y, x), dec("57155421227552351082224309758442"))
	p := sub(add(y, x), dec("94201549194550492254356042504812"))
	p = add(mulSar(p, y), dec("28719021644029726153956944680412240"))
	p = add(new(uint256.Int).Mul(p, x), new(uint256.Int).Lsh(dec("4385272521454847904659076985693276"), 96))

	q := sub(x, dec("2855989394907223263936484059900"))
	q = add(mulSar(q, x), dec("50020603652535783019961831881945"))
	q = sub(mulSar(q, x), dec("533845033583426703283633433725380"))
	q = add(mulSar(q, x), dec("3604857256930695427073651918091429"))
	q = sub(mulSar(q, x), dec("14423608567350463180887372962807573"))
	q = add(mulSar(q, x), dec("26449188498355588339934803723976023"))

	r := new(uint256.Int).SDiv(p, q)
	// r · s · 2^k · 10^18/2^96 in one step, through a 2^213 basis.
	r.Mul(r, dec("3822833074963236453042738258902158003155416615667"))
	shift := new(uint256.Int).Sub(uint256.NewInt(195), k) // 195 − k, k in [−61, 195]
	return r.Rsh(r, uint(shift.Uint64()))
}

// lnWad is ln(x/10^18)·10^18 for a positive 1e18-fixed-point x, as Solady
// computes it: x is normalized to [1, 2)·2^96 by its bit length, an (8,
// 8)-term rational approximation is evaluated and k·ln 2 and ln(2^96/10^18)
// are added back. Precondition: x > 0 (Solady reverts with LnWadUndefined
// otherwise; the bond curve's arguments are positive).
func lnWad(x *uint256.Int) *uint256.Int {
	// r = 255 − log2(x), found as Solady does: a binary search of the
	// top set bit down to a byte, then a lookup within it.
	r := new(uint256.Int)
	bit := func(shift uint, limit *uint256.Int) {
		if limit.Lt(new(uint256.Int).Rsh(x, uint(r.Uint64()))) {
			r.Or(r, uint256.NewInt(1<<shift))
		}
	}
	if dec("340282366920938463463374607431768211455").Lt(x) { // 2^128 − 1
		r.SetUint64(1 << 7)
	}
	bit(6, uint256.NewInt(0xffffffffffffffff))
	bit(5, uint256.NewInt(0xffffffff))
	bit(4, uint256.NewInt(0xffff))
	bit(3, uint256.NewInt(0xff))
	// byte(and(0x1f, shr(shr(r, x), 0x8421…54be)), 0xf8f9…ffff)
	debruijn := uint256.MustFromHex("0x8421084210842108cc6318c6db6d54be")
	idx := new(uint256.Int).Rsh(x, uint(r.Uint64()))
	sel := new(uint256.Int)
	if idx.LtUint64(256) {
		sel.Rsh(debruijn, uint(idx.Uint64()))
	}
	sel.And(sel, uint256.NewInt(0x1f))
	table := uint256.MustFromHex("0xf8f9f9faf9fdfafbf9fdfcfdfafbfcfef9fafdfafcfcfbfefafafcfbffffffff")
	r.Xor(r, table.Byte(sel))
	// x in [1, 2)·2^96: shr(159, shl(r, x)).
	xn := new(uint256.Int).Rsh(new(uint256.Int).Lsh(x, uint(r.Uint64())), 159)

	mulSar := func(a, b *uint256.Int) *uint256.Int { return new(uint256.Int).SRsh(new(uint256.Int).Mul(a, b), 96) }
	add := func(a, b *uint256.Int) *uint256.Int { return new(uint256.Int).Add(a, b) }
	sub := func(a, b *uint256.Int) *uint256.Int { return new(uint256.Int).Sub(a, b) }

	p := add(dec("3273285459638523848632254066296"), xn)
	p = add(dec("24828157081833163892658089445524"), mulSar(p, xn))
	p = add(dec("43456485725739037958740375743393"), mulSar(p, xn))
	p = sub(mulSar(p, xn), dec("11111509109440967052023855526967"))
	p = sub(mulSar(p, xn), dec("45023709667254063763336534515857"))
	p = sub(mulSar(p, xn), dec("14706773417378608786704636184526"))
	p = sub(new(uint256.Int).Mul(p, xn), new(uint256.Int).Lsh(dec("795164235651350426258249787498"), 96))

	q := add(dec("5573035233440673466300451813936"), xn)
	q = add(dec("71694874799317883764090561454958"), mulSar(xn, q))
	q = add(dec("283447036172924575727196451306956"), mulSar(xn, q))
	q = add(dec("401686690394027663651624208769553"), mulSar(xn, q))
	q = add(dec("204048457590392012362485061816622"), mulSar(xn, q))
	q = add(dec("31853899698501571402653359427138"), mulSar(xn, q))
	q = add(dec("909429971244387300277376558375"), mulSar(xn, q))

	p.SDiv(p, q)
	p.Mul(dec("1677202110996718588342820967067443963516166"), p)
	k := new(uint256.Int).Sub(uint256.NewInt(159), r)
	p.Add(new(uint256.Int).Mul(dec("16597577552685614221487285958193947469193820559219878177908093499208371"), k), p)
	p.Add(dec("600920179829731861736702779321621459595472258049074101567377883020018308"), p)
	return p.SRsh(p, 174)
}
