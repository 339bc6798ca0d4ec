package bench

import (
	"context"
	"testing"

	"oscsim/chip"
	"oscsim/internal/chiptest"
	"oscsim/netlist"
)

// runWorkload builds the workload spec describes for nl, compiles
// instance 0 of nl and runs the workload on it with seed.
func runWorkload(t *testing.T, spec Spec, nl *netlist.Netlist, seed int64) (Workload, *chip.Chip, Metrics) {
	t.Helper()
	w, err := New(spec, nl)
	if err != nil {
		t.Fatal(err)
	}
	ch := chiptest.Build(t, nl)
	m, err := w.Run(context.Background(), ch, seed)
	if err != nil {
		t.Fatal(err)
	}
	return w, ch, m
}
