package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestCLI_HELP_Synopsis: every command's --help exits 0 and starts with its
// synopsis; the flags --help lists are exactly the flags its synopsis
// names; `opcity help` shows every synopsis; and the README's synopsis
// block is, line by line, the synopses of commands.go.
func TestCLI_HELP_Synopsis(t *testing.T) {
	flagRE := regexp.MustCompile(`--([a-z0-9-]+)`)
	_, all, _ := run("help")
	for _, c := range commands() {
		code, out, _ := run(c.name, "--help")
		if code != exitOK || !strings.HasPrefix(out, "usage: "+c.usageLine()+"\n") {
			t.Errorf("opcity %s --help: exit %d, output %q", c.name, code, out)
			continue
		}
		var synFlags, helpFlags []string
		for _, m := range flagRE.FindAllStringSubmatch(c.synopsis, -1) {
			synFlags = append(synFlags, m[1])
		}
		_, flags, _ := strings.Cut(out, "\nflags:\n")
		for _, line := range strings.Split(flags, "\n") {
			if name, ok := strings.CutPrefix(line, "  --"); ok {
				helpFlags = append(helpFlags, strings.Fields(name)[0])
			}
		}
		slices.Sort(synFlags)
		slices.Sort(helpFlags)
		if !slices.Equal(slices.Compact(synFlags), helpFlags) {
			t.Errorf("opcity %s: the synopsis names flags %v, --help lists %v", c.name, synFlags, helpFlags)
		}
		if !strings.Contains(all, "  "+c.name+" "+c.synopsis+"\n") {
			t.Errorf("opcity help does not show %q", c.usageLine())
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range commands() {
		want = append(want, c.usageLine())
	}
	_, block, _ := strings.Cut(string(readme), "<!-- synopsis: the commands' synopses, held to cmd/opcity/commands.go by TestCLI_HELP_Synopsis -->\n```\n")
	block, _, _ = strings.Cut(block, "```\n")
	if got := strings.Split(strings.TrimSuffix(block, "\n"), "\n"); !slices.Equal(got, want) {
		t.Errorf("README.md's synopsis block differs from commands.go; it should read:\n%s", strings.Join(want, "\n"))
	}
}

// TestCLI_HELP_PositionalNotFlag: a positional argument that looks like a
// flag after "--" is an argument (verify -- --help opens a file of that
// name), and -h or --help anywhere else is the help, never a file.
func TestCLI_HELP_PositionalNotFlag(t *testing.T) {
	if code, out, _ := run("verify", "--help"); code != exitOK || !strings.HasPrefix(out, "usage: opcity verify [--profile base|opcity] WITNESS.json") {
		t.Fatalf("verify --help: exit %d, %q", code, out)
	}
	code, _, errOut := run("verify", "--", "--help")
	if code != exitBadInput || !strings.Contains(errOut, "--help: no such file") {
		t.Fatalf("verify -- --help: exit %d, %q", code, errOut)
	}
	if code, out, _ := run("run", "prog.elf", "-h"); code != exitOK || !strings.HasPrefix(out, "usage: opcity run ") {
		t.Fatalf("run prog.elf -h: exit %d, %q", code, out)
	}
}
