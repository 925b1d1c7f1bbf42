package transition_test

import (
	"testing"

	"github.com/opcity-spec/opcity/spec/transition"
)

// TestSYS_HINT_SplitHints: frames are a 4-byte big-endian length and that
// many bytes; a zero-length frame is a frame; a partial one stays buffered.
func TestSYS_HINT_SplitHints(t *testing.T) {
	hints, rest := transition.SplitHints([]byte{0, 0, 0, 0})
	if len(hints) != 1 || len(hints[0]) != 0 || len(rest) != 0 {
		t.Fatalf("empty frame: hints %q rest %x", hints, rest)
	}
	hints, rest = transition.SplitHints([]byte{0, 0, 0, 2, 'h', 'i', 0, 0, 0})
	if len(hints) != 1 || string(hints[0]) != "hi" || string(rest) != "\x00\x00\x00" {
		t.Fatalf("frame then partial length: hints %q rest %x", hints, rest)
	}
}

// TestSYS_HINT_EffectsAcrossWords: the bytes of a write that crosses a word
// boundary are read in order.
func TestSYS_HINT_EffectsAcrossWords(t *testing.T) {
	pre := sysPre(t, sysWrite, regs{4: 1, 5: dataAddr + 6, 6: 5})
	pre = setWord(t, pre, dataAddr, 0x0001_0203_0405_0607)
	pre = setWord(t, pre, dataAddr+8, 0x0809_0A0B_0C0D_0E0F)
	eff, ok := transition.PendingEffects(pre, 1<<10)
	if !ok || eff.Fd != 1 || string(eff.Data) != "\x06\x07\x08\x09\x0a" {
		t.Fatalf("effects %+v, %v", eff, ok)
	}
}
