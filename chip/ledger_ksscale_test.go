package chip

import (
	"context"
	"math"
	"testing"
)

// TestLedgerPumpScale: a run at RunOptions.KsScale drives that share of the
// description's pump current, so the ledger's pump-injection line scales by
// it (n·VDD·2·I·⟨schedule⟩/π is linear in I) and the distribution line,
// which does not depend on the amplitude, does not.
func TestLedgerPumpScale(t *testing.T) {
	t.Parallel()
	ch := compileSrc(t, tinyChip)
	full, err := ch.Run(context.Background(), nil, RunOptions{NoNoise: true})
	if err != nil {
		t.Fatal(err)
	}
	part, err := ch.Run(context.Background(), nil, RunOptions{NoNoise: true, KsScale: 0.02})
	if err != nil {
		t.Fatal(err)
	}
	if full.KsScale != 1 || part.KsScale != 0.02 {
		t.Fatalf("Result.KsScale = %g and %g, want 1 and 0.02", full.KsScale, part.KsScale)
	}
	inj := func(r *Result) float64 { return lineValue(t, r.Ledger.Power, "SHIL pump: injection") }
	dist := func(r *Result) float64 { return lineValue(t, r.Ledger.Power, "SHIL pump: distribution") }
	if inj(full) <= 0 || math.Abs(inj(part)/inj(full)-0.02) > 1e-12 {
		t.Errorf("pump injection %g at KsScale 0.02, %g at 1: ratio %g, want 0.02", inj(part), inj(full), inj(part)/inj(full))
	}
	if dist(part) != dist(full) {
		t.Errorf("pump distribution %g at KsScale 0.02, %g at 1: want equal", dist(part), dist(full))
	}
}
