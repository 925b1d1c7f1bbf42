package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var (
	hashGrammar = regexp.MustCompile(`^0x[0-9a-fA-F]{64}$`)
	seedGrammar = regexp.MustCompile(`^(0x)?[0-9a-fA-F]+$`)
)

// checkParseHash: parseHash (--claim) accepts exactly "0x" and 64 hex
// digits of either case, and an accepted hash's String (lowercase)
// parses back to it.
func checkParseHash(s string) error {
	h, err := parseHash(s)
	if (err == nil) != hashGrammar.MatchString(s) {
		return fmt.Errorf("parseHash(%q) = %s, %v; the grammar says accepted: %v", s, h, err, hashGrammar.MatchString(s))
	}
	if err == nil && (h.String() != strings.ToLower(s)) {
		return fmt.Errorf("parseHash(%q) = %s, want the same digits", s, h)
	}
	if back, err2 := parseHash(h.String()); err == nil && (err2 != nil || back != h) {
		return fmt.Errorf("parseHash(%q) = %s, which parses back to %s, %v", s, h, back, err2)
	}
	return nil
}

// checkParseGameSeed: parseGameSeed (--game-seed) accepts exactly an
// optional "0x" and one or more hex digits of a value below 2^64, and the
// seed as a batch prints it (%016x, with or without 0x) parses back to it.
func checkParseGameSeed(s string) error {
	seed, err := parseGameSeed(s)
	significant := strings.TrimLeft(strings.TrimPrefix(s, "0x"), "0")
	want := seedGrammar.MatchString(s) && len(significant) <= 16 // 16 hex digits hold 64 bits
	if (err == nil) != want {
		return fmt.Errorf("parseGameSeed(%q) = %d, %v; the grammar says accepted: %v", s, seed, err, want)
	}
	for _, printed := range []string{fmt.Sprintf("%016x", seed), fmt.Sprintf("0x%016x", seed)} {
		if back, err := parseGameSeed(printed); err != nil || back != seed {
			return fmt.Errorf("seed %d printed %q parses to %d, %v", seed, printed, back, err)
		}
	}
	return nil
}

// FuzzParseHash: the --claim parser accepts exactly its grammar and
// round-trips.
func FuzzParseHash(f *testing.F) {
	for _, s := range []string{
		"0x" + strings.Repeat("ab", 32), "0x" + strings.Repeat("AB", 32), // lower and upper case: accepted
		"0x" + strings.Repeat("0", 63), "0x" + strings.Repeat("0", 65), // one digit short, one too many
		"0X" + strings.Repeat("0", 64), strings.Repeat("0", 66), // another prefix, none
		"0x" + strings.Repeat("g", 64), "", "0x", // not hex, empty
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := checkParseHash(s); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParseGameSeed: the --game-seed parser accepts exactly its grammar
// and reads every printed seed back.
func FuzzParseGameSeed(f *testing.F) {
	for _, s := range []string{
		"00000000deadbeef", "0x00000000deadbeef", "DEADBEEF", "0", // as printed, with 0x, upper case, short
		"ffffffffffffffff", "10000000000000000", "0000000000000000000001", // 2^64 - 1, 2^64, leading zeros
		"", "0x", "0X1", "-1", "+1", "0x0x1", "1_0", " 1", // refused
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := checkParseGameSeed(s); err != nil {
			t.Fatal(err)
		}
	})
}
