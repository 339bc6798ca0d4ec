package bench

import (
	"context"
	"testing"

	"oscsim/chip"
	"oscsim/configs"
	"oscsim/netlist"
)

// embeddedChip parses the embedded chip description name (configs).
func embeddedChip(t *testing.T, name string) *netlist.Netlist {
	t.Helper()
	src, err := configs.Read(name)
	if err != nil {
		t.Fatal(err)
	}
	nl, err := netlist.Parse(name, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	return nl
}

// runWorkload builds the workload spec describes for nl, compiles
// instance 0 of nl and runs the workload on it with seed.
func runWorkload(t *testing.T, spec Spec, nl *netlist.Netlist, seed int64) (Workload, *chip.Chip, Metrics) {
	t.Helper()
	w, err := New(spec, nl)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := chip.Compile(nl, chip.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := w.Run(context.Background(), ch, seed)
	if err != nil {
		t.Fatal(err)
	}
	return w, ch, m
}
