package main

import (
	"math/big"
	"runtime"
	"strings"
	"testing"
	"time"
)

// helpFlag is one flag as a command's --help lists it.
type helpFlag struct {
	name, kind, text string
}

// helpFlags returns the flags `opcity NAME --help` lists.
func helpFlags(t *testing.T, name string) []helpFlag {
	t.Helper()
	code, out, _ := run(name, "--help")
	if code != exitOK {
		t.Fatalf("%s --help: exit %d", name, code)
	}
	_, list, _ := strings.Cut(out, "\nflags:\n")
	lines := strings.Split(list, "\n")
	var flags []helpFlag
	for i := 0; i+1 < len(lines); i += 2 {
		head, ok := strings.CutPrefix(lines[i], "  --")
		if !ok {
			break
		}
		name, kind, _ := strings.Cut(head, " ")
		flags = append(flags, helpFlag{name, kind, strings.TrimSpace(lines[i+1])})
	}
	return flags
}

// rangeOf reads the range "[lo..hi]" a ranged flag's help text ends with
// (before its default), lo and hi decimal or 2^k or 2^k-1.
func rangeOf(text string) (lo, hi *big.Int, ok bool) {
	open := strings.LastIndex(text, " [")
	end := strings.LastIndex(text, "]")
	if open < 0 || end < open {
		return nil, nil, false
	}
	l, h, ok := strings.Cut(text[open+2:end], "..")
	lo, ok1 := bigOf(l)
	hi, ok2 := bigOf(h)
	return lo, hi, ok && ok1 && ok2
}

func bigOf(s string) (*big.Int, bool) {
	if k, ok := strings.CutPrefix(s, "2^"); ok {
		k, minus1 := strings.CutSuffix(k, "-1")
		e, ok := new(big.Int).SetString(k, 10)
		if !ok {
			return nil, false
		}
		v := new(big.Int).Lsh(big.NewInt(1), uint(e.Uint64()))
		if minus1 {
			v.Sub(v, big.NewInt(1))
		}
		return v, true
	}
	return new(big.Int).SetString(s, 10)
}

// hostile are the values every numeric flag is given: the edges of the
// integer types, both sides, and values that are not integers. Each
// flag gets them and the two values just outside its own range; those
// inside it are left out (they would start the command's work).
var hostile = []string{"-1", "0", "1", "-9223372036854775808", "-9223372036854775809", "9223372036854775807", "9223372036854775808",
	"18446744073709551615", "18446744073709551616", "99999999999999999999999999", "1e3", "1.5", "abc", "", "0x", " 1", "1 ", "+", "NaN", "0x1p3"}

// TestCLI_LIMITS_EveryNumericFlag: every numeric flag of every command —
// found from each command's --help, where a flag whose value is neither a
// string nor a bool is numeric, so a new flag is covered without editing
// this test — shows its range in --help and refuses every value outside it
// (negative, zero where invalid, the integer types' edges, huge, not a
// number), in both --flag=V and --flag V forms: exit 2, one line on stderr
// naming the flag, nothing on stdout, no panic, within 2 s and 1 MiB of
// allocation per run.
func TestCLI_LIMITS_EveryNumericFlag(t *testing.T) {
	tested := map[string]bool{}
	for _, c := range commands() {
		for _, f := range helpFlags(t, c.name) {
			if f.kind == "" || f.kind == "string" {
				continue
			}
			lo, hi, ok := rangeOf(f.text)
			if f.kind != "N" || !ok {
				t.Errorf("%s --%s (%s): a numeric flag whose --help shows no range [lo..hi]: %q", c.name, f.name, f.kind, f.text)
				continue
			}
			values := append([]string{new(big.Int).Sub(lo, big.NewInt(1)).String(), new(big.Int).Add(hi, big.NewInt(1)).String()}, hostile...)
			for _, v := range values {
				if x, ok := new(big.Int).SetString(v, 10); ok && x.Cmp(lo) >= 0 && x.Cmp(hi) <= 0 {
					continue
				}
				tested[c.name+" --"+f.name] = true
				checkRefused(t, c.name, f.name, "--"+f.name+"="+v)
				checkRefused(t, c.name, f.name, "--"+f.name, v)
			}
		}
	}
	if len(tested) < 15 {
		t.Fatalf("tested %d numeric flags, want at least the 15 of the commands: %v", len(tested), tested)
	}
}

// checkRefused runs `opcity NAME ARGS...` and asserts a refusal of the
// flag: exit 2, one line naming it, quickly, with little allocation.
func checkRefused(t *testing.T, name, flagName string, args ...string) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	code, out, errOut := run(append([]string{name}, args...)...)
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	cmd := "opcity " + name + " " + strings.Join(args, " ")
	switch {
	case code != exitBadInput || out != "":
		t.Errorf("%s: exit %d, stdout %q; want exit 2 and no output", cmd, code, out)
	case strings.Count(errOut, "\n") != 1 || !strings.HasSuffix(errOut, "\n") || !strings.Contains(errOut, "--"+flagName):
		t.Errorf("%s: stderr %q; want one line naming --%s", cmd, errOut, flagName)
	case strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine"):
		t.Errorf("%s: %q", cmd, errOut)
	case took > 2*time.Second:
		t.Errorf("%s: took %v", cmd, took)
	case after.TotalAlloc-before.TotalAlloc > 1<<20:
		t.Errorf("%s: allocated %d bytes", cmd, after.TotalAlloc-before.TotalAlloc)
	}
}

// TestCLI_LIMITS_NumbersInStrings: the numbers inside string flags are
// bounded too — the K and S of dispute --lie, simulate --game-seed, the
// test image of infer and node --image — and refused with exit 2 and one
// line, before any work.
func TestCLI_LIMITS_NumbersInStrings(t *testing.T) {
	data := []string{"--data", mnistData, "--model", mlpModel}
	for _, args := range [][]string{
		{"dispute", "--image", "0", "--lie", "node:65536"}, {"dispute", "--image", "0", "--lie", "step:4294967296"},
		{"dispute", "--image", "0", "--lie", "step:-1"}, {"dispute", "--image", "0", "--lie", "node:18446744073709551616"},
		{"dispute", "--image", "0", "--lie", "node:"}, {"dispute", "--image", "0", "--lie", "step:0x10"},
		{"simulate", "--game-seed", "10000000000000000", "--adversaries", "flood"}, {"simulate", "--game-seed", "-1", "--adversaries", "flood"},
		{"simulate", "--game-seed", "zz", "--adversaries", "flood"},
		append([]string{"infer", "--image", "10000"}, data...), append([]string{"infer", "--image", "-1"}, data...),
		append([]string{"infer", "--image", "9223372036854775808"}, data...),
		append([]string{"node", "--node", "0", "--image", "10000"}, data...), append([]string{"node", "--node", "0", "--image", "-9999999"}, data...),
	} {
		start := time.Now()
		code, out, errOut := run(args...)
		if code != exitBadInput || out != "" || strings.Count(errOut, "\n") != 1 || strings.Contains(errOut, "panic") || time.Since(start) > 5*time.Second {
			t.Errorf("opcity %s: exit %d in %v, stdout %q, stderr %q; want exit 2 and one line", strings.Join(args, " "), code, time.Since(start), out, errOut)
		}
	}
}

// TestCLI_LIMITS_OneLine: a bad flag, a missing value and an unknown flag
// are one line on stderr that names the flag as the synopses do (--name),
// not the flag package's message followed by the usage.
func TestCLI_LIMITS_OneLine(t *testing.T) {
	for args, want := range map[string]string{
		"simulate --bogus":    "opcity simulate: flag provided but not defined: --bogus (usage: opcity simulate --help)\n",
		"simulate --games":    "opcity simulate: flag needs an argument: --games (usage: opcity simulate --help)\n",
		"run --every x p.elf": "opcity run: invalid value \"x\" for flag --every: want an integer in 0..2^48 (usage: opcity run --help)\n",
		"dispute --node -7":   "opcity dispute: invalid value \"-7\" for flag --node: want an integer in -1..65535 (usage: opcity dispute --help)\n",
		"demo --lie-node 4":   "opcity demo: invalid value \"4\" for flag --lie-node: want an integer in 0..3 (usage: opcity demo --help)\n",
	} {
		if code, out, errOut := run(strings.Fields(args)...); code != exitBadInput || out != "" || errOut != want {
			t.Errorf("opcity %s: exit %d, stdout %q, stderr %q; want %q", args, code, out, errOut, want)
		}
	}
}
