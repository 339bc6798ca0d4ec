package sweep

import (
	"errors"
	"testing"

	"oscsim/netlist"

	"oscsim/internal/testkit"
)

// FuzzParse reads arbitrary bytes as a sweep file next to the real test
// chips (testdata/ring6.toml): no panic, and every error is a positioned
// Errors value (or a netlist error about the base chip).
func FuzzParse(f *testing.F) {
	testkit.Seed(f, "testdata/*.toml", "../configs/sweeps/*.toml")
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse("testdata/fuzz.toml", b)
		if err != nil {
			var es Errors
			if !errors.As(err, &es) && !errors.Is(err, netlist.ErrInvalid) {
				t.Fatalf("error is not an Errors value: %T %v", err, err)
			}
			return
		}
		if len(s.Points) == 0 {
			t.Fatal("a valid sweep with no points")
		}
	})
}
