package main

import (
	"strconv"
	"strings"
)

// parseGameSeed reads --game-seed: a game's seed as a batch prints it
// (%016x), with or without a "0x" prefix: one or more hex digits of either
// case, a value below 2^64 (fuzzed: FuzzParseGameSeed).
func parseGameSeed(s string) (uint64, error) {
	return strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64)
}
