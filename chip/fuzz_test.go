package chip

import (
	"errors"
	"testing"

	"oscsim/netlist"

	"oscsim/internal/testkit"
)

// FuzzCompile runs the whole path from a description to a chip with real
// files: the description is read as if it sat in netlist/testdata, so the
// weights files and masks there (w4.npz, w3x3.npy, bad/*) are read from
// disk. No input may panic; every netlist error wraps ErrInvalid; a
// description that validates compiles (large ones are skipped to keep the
// fuzzer fast, their bounds are checked by netlist's tests).
func FuzzCompile(f *testing.F) {
	testkit.Seed(f, "../netlist/testdata/*/*.toml", "../configs/*.toml")
	f.Fuzz(func(t *testing.T, src []byte) {
		nl, err := netlist.Parse("../netlist/testdata/invalid/fuzz.toml", src, nil)
		if err != nil {
			if !errors.Is(err, netlist.ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			return
		}
		if nl.Oscillators.N() > 4096 || len(nl.Couplings.Edges) > 1<<16 || nl.Oscillators.RingModel != "" {
			return
		}
		ch, err := Compile(nl, Options{})
		if err != nil {
			t.Fatalf("a valid description does not compile: %v", err)
		}
		_ = ch.CheckStep(nl.Run.Model, nl.Run.StepsPerCycle)
	})
}
