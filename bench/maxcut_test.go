package bench

import (
	"context"
	"testing"

	"oscsim/internal/chiptest"
	"oscsim/netlist"
)

// The SA reference finds the exact optimum of a 24-node ring (cut 24 for
// the even antiferromagnetic ring) and enumeration that of the 8-ring.
func TestReferenceCut(t *testing.T) {
	ring := func(n int) []netlist.Edge {
		var e []netlist.Edge
		for i := 0; i < n; i++ {
			e = append(e, netlist.Edge{I: min(i, (i+1)%n), J: max(i, (i+1)%n), W: -1})
		}
		return e
	}
	if got := ReferenceCut(8, ring(8), 1); got != 8 {
		t.Errorf("8-ring: %g, want 8", got)
	}
	if got := ReferenceCut(24, ring(24), 1); got != 24 {
		t.Errorf("24-ring: %g, want 24", got)
	}
}

func TestMaxCutWorkload(t *testing.T) {
	nl := chiptest.Config(t, "maxcut-ring8.toml")
	w, ch, m := runWorkload(t, Spec{Kind: "maxcut", Params: map[string]any{"runs": int64(20)}}, nl, 3)
	if m["reference_cut"] != 8 || m["success_rate"] < 0.8 {
		t.Errorf("metrics %v: want reference 8 and success ≥ 0.8", m)
	}
	m2, _ := w.Run(context.Background(), ch, 3)
	if m2["mean_cut"] != m["mean_cut"] {
		t.Error("same seed, different metrics")
	}
	if _, err := New(Spec{Kind: "maxcut", Params: map[string]any{"rnus": 3}}, nl); err == nil {
		t.Error("an unknown parameter must be an error")
	}
}
