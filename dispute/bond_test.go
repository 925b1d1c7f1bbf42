package dispute

import (
	"testing"

	"github.com/holiman/uint256"
)

// word returns the two's-complement word of a signed decimal.
func word(t *testing.T, s string) *uint256.Int {
	t.Helper()
	if s[0] == '-' {
		return new(uint256.Int).Neg(uint256.MustFromDecimal(s[1:]))
	}
	return uint256.MustFromDecimal(s)
}

// signed returns the signed decimal of a word.
func signed(v *uint256.Int) string {
	if v.Sign() < 0 {
		return "-" + new(uint256.Int).Neg(v).Dec()
	}
	return v.Dec()
}

// TestDISPUTE_BOND_SoladyPoints: expWad and lnWad give the values that
// Solady's own test suite asserts for FixedPointMathLib (test/
// FixedPointMathLib.t.sol, testExpWad, testLnWad, testLnWadSmall,
// testLnWadBig) — published outputs, not computed here — including the
// ends of their domains.
func TestDISPUTE_BOND_SoladyPoints(t *testing.T) {
	exp := [][2]string{
		{"-42139678854452767551", "0"}, {"-41446531673892822313", "0"},
		{"-3000000000000000000", "49787068367863942"}, {"-2000000000000000000", "135335283236612691"},
		{"-1000000000000000000", "367879441171442321"}, {"-500000000000000000", "606530659712633423"},
		{"-300000000000000000", "740818220681717866"}, {"0", "1000000000000000000"},
		{"300000000000000000", "1349858807576003103"}, {"500000000000000000", "1648721270700128146"},
		{"1000000000000000000", "2718281828459045235"}, {"2000000000000000000", "7389056098930650227"},
		{"3000000000000000000", "20085536923187667741"}, {"10000000000000000000", "22026465794806716516980"},
		{"50000000000000000000", "5184705528587072464148529318587763226117"},
		{"100000000000000000000", "268811714181613544841_34666106240937146178367581647816351662017"},
	}
	for _, c := range exp {
		want := c[1]
		for i := 0; i < len(want); i++ {
			if want[i] == '_' {
				want = want[:i] + want[i+1:]
			}
		}
		if got := signed(expWad(word(t, c[0]))); got != want {
			t.Errorf("expWad(%s) = %s, Solady %s", c[0], got, want)
		}
	}
	ln := [][2]string{
		{"1000000000000000000", "0"}, {"2718281828459045235", "999999999999999999"},
		{"11723640096265400935", "2461607324344817918"}, {"1", "-41446531673892822313"},
		{"42", "-37708862055609454007"}, {"10000", "-32236191301916639577"},
		{"1000000000", "-20723265836946411157"},
		{"57896044618658097711785492504343953926634992332820282019728792003956564819967", "135305999368893231589"}, // 2^255 − 1
		{"1496577676626844588240573268701473812127674924007424", "76388489021297880288"},                           // 2^170
		{"340282366920938463463374607431768211456", "47276307437780177293"},                                        // 2^128
	}
	for _, c := range ln {
		if got := signed(lnWad(word(t, c[0]))); got != c[1] {
			t.Errorf("lnWad(%s) = %s, Solady %s", c[0], got, c[1])
		}
	}
}

// TestDISPUTE_BOND_RequiredBond: RequiredBond is 0.08 ETH at depth 0 for
// every maximum depth, rises with depth, reaches just under 60 ETH at the
// maximum, refuses what getRequiredBond reverts on, and Config's bond table
// is RequiredBond in gwei, exactly, at every depth of every maximum depth
// a game can have (4..61).
func TestDISPUTE_BOND_RequiredBond(t *testing.T) {
	gwei := uint256.NewInt(1_000_000_000)
	for md := uint64(1); md <= 126; md++ {
		prev := new(uint256.Int)
		for d := uint64(0); d <= md; d++ {
			b, ok := RequiredBond(d, md)
			if !ok || !b.Gt(prev) {
				t.Fatalf("RequiredBond(%d, %d) = %v, %v: not above depth %d's %s", d, md, b, ok, d-1, prev.Dec())
			}
			prev = b
		}
		if b, _ := RequiredBond(0, md); b.Uint64() != 80_000_000_000_000_000 {
			t.Fatalf("RequiredBond(0, %d) = %s", md, b.Dec())
		}
		if b, _ := RequiredBond(md, md); b.Cmp(uint256.MustFromDecimal("59990000000000000000")) < 0 || b.Cmp(uint256.MustFromDecimal("60000000000000000000")) > 0 {
			t.Fatalf("RequiredBond(%d, %d) = %s", md, md, b.Dec())
		}
		if _, ok := RequiredBond(md+1, md); ok {
			t.Fatalf("RequiredBond(%d, %d): no GameDepthExceeded", md+1, md)
		}
		if md < 4 || md > 61 {
			continue
		}
		table := bondTable(200, 400_000, 300_000_000, int(md))
		for d := uint64(0); d <= md; d++ {
			b, _ := RequiredBond(d, md)
			if g := new(uint256.Int).Mul(uint256.NewInt(table[d]), gwei); !g.Eq(b) {
				t.Fatalf("max depth %d, depth %d: table %d gwei, RequiredBond %s wei", md, d, table[d], b.Dec())
			}
		}
	}
	if _, ok := RequiredBond(0, 0); ok {
		t.Fatal("RequiredBond(0, 0): no DivWadFailed")
	}
	b, _ := RequiredBond(73, 73)
	t.Logf("OP's geometry: depth 73 of 73 is %s wei", b.Dec())
}
