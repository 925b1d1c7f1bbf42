package properties_test

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
)

func TestVER_COMPLETE(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pre := properties.ProgramState().Draw(t, "pre")
		if err := properties.CheckVerifyComplete(pre, spec.Data{}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestVER_SOUND_Tampering(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pre := properties.ProgramState().Draw(t, "pre")
		region := properties.TamperRegion(rapid.IntRange(0, 2).Draw(t, "region"))
		bit := rapid.Uint64().Draw(t, "bit")
		if _, err := properties.CheckVerifySound(pre, spec.Data{}, region, bit); err != nil {
			t.Fatal(err)
		}
	})
}
