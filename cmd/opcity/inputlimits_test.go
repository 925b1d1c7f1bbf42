package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/internal/alloc"
)

// TestINPUT_LIMIT_CLI: every file argument read whole is read through its
// limit: /dev/zero (endless, with no size) as the ELF of run and witness,
// the witness of verify, the snapshot of run --from, the preimages, the
// tensors, the model and the image, and a 2 GiB sparse file as a program,
// a snapshot, a tensors file and an image, each exit 2 with one line
// naming the file, allocating at most about twice the kind's limit (the
// issue: each grew without bound).
func TestINPUT_LIMIT_CLI(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	prog := tinyProgram(t, liV0ExitGroup, liA0Three, syscall)
	sparse := filepath.Join(t.TempDir(), "sparse")
	if f, err := os.Create(sparse); err != nil {
		t.Fatal(err)
	} else if err := f.Truncate(2 << 30); err != nil {
		t.Fatal(err)
	} else {
		f.Close()
	}
	for _, c := range []struct {
		name  string
		args  []string
		limit int64 // the kind's limit, which bounds what the refusal may allocate
		want  string
	}{
		{"run /dev/zero", []string{"run", "/dev/zero"}, limits.ELF, "/dev/zero: more than 67108864 bytes"},
		{"witness /dev/zero", []string{"witness", "--step", "0", "/dev/zero"}, limits.ELF, "/dev/zero: more than 67108864 bytes"},
		{"verify /dev/zero", []string{"verify", "/dev/zero"}, limits.Witness, "/dev/zero: more than 67108864 bytes"},
		{"run --tensors /dev/zero", []string{"run", "--profile", "opcity", "--tensors", "/dev/zero", prog}, limits.Tensors, "/dev/zero: more than 134217728 bytes"},
		{"witness --tensors sparse", []string{"witness", "--step", "0", "--profile", "opcity", "--tensors", sparse, prog}, 0, "2147483648 bytes, more than 134217728"},
		{"run --from /dev/zero", []string{"run", "--from", "/dev/zero"}, 0, "bad magic"},
		{"run --preimages /dev/zero", []string{"run", "--preimages", "/dev/zero", prog}, limits.Preimages, "/dev/zero: more than 67108864 bytes"},
		{"infer --model /dev/zero", []string{"infer", "--model", "/dev/zero", "--image", "0"}, limits.Model, "/dev/zero: more than 67108864 bytes"},
		{"infer --image /dev/zero", []string{"infer", "--model", mlpModel, "--image", "/dev/zero"}, limits.Image, "/dev/zero: more than 1048576 bytes"},
		{"run sparse", []string{"run", sparse}, 0, "2147483648 bytes, more than 67108864"},
		{"run --from sparse", []string{"run", "--from", sparse}, 0, "bad magic"},
		{"infer --image sparse", []string{"infer", "--model", mlpModel, "--image", sparse}, 0, "2147483648 bytes, more than 1048576"},
	} {
		var code int
		var errOut string
		alloc := alloc.Bytes(func() { code, _, errOut = run(c.args...) })
		if code != exitBadInput || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and one line with %q", c.name, code, errOut, c.want)
		}
		if bound := uint64(2*c.limit + 4<<20); alloc > bound {
			t.Errorf("%s: allocated %d bytes, want at most %d", c.name, alloc, bound)
		}
	}
}
