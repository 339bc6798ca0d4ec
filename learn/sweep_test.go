package learn

import (
	"context"
	"fmt"
	"math"
	"os"
	"testing"

	"oscsim/internal/testkit"
)

// TestNormalisationSweep reruns the sweep that chose DefaultSettings: every
// (class operator, pixel operator, Dim 2 extent) on the full MNIST split,
// scored by the RMS distance to the 17 accuracies of Table 2 of OscNet
// v1.5. It takes about 10 minutes on 2 cores, so it only runs with
// OSCSIM_SWEEP=1:
//
//	OSCSIM_SWEEP=1 go test -run NormalisationSweep -v -timeout 1h ./learn
func TestNormalisationSweep(t *testing.T) {
	if os.Getenv("OSCSIM_SWEEP") == "" {
		t.Skip("set OSCSIM_SWEEP=1 to rerun the normalisation sweep (≈10 min)")
	}
	ctx := context.Background()
	dir := testkit.Dataset(t, ctx, "mnist", true)
	tri, trl := testkit.Split(t, dir, "train")
	tei, tel := testkit.Split(t, dir, "test")
	def := DefaultSettings()
	xtr, _ := Binarize(tri, def.Threshold)
	xte, _ := Binarize(tei, def.Threshold)
	s, err := Hebbian(ctx, xtr, trl)
	if err != nil {
		t.Fatal(err)
	}
	// Table 2 of the paper (docs/oscnet.md §1.11).
	ks := []int{10, 16, 28, 56, 64, 84, 128, 256}
	pTop := []float64{78.27, 81.13, 83.73, 85.86, 85.97, 86.12, 86.15, 83.89}
	pAbs := []float64{82.46, 84.30, 85.86, 86.55, 86.15, 86.32, 83.90, 79.61}
	const pFull = 78.65
	for _, scope := range []Scope{ScopeCol, ScopeRow, ScopeClass} {
		for _, cop := range []Op{OpL2, OpL1, OpZScore, OpCenter} {
			for _, pop := range []Op{OpZScore, OpL2, OpL1, OpCenter} {
				set := def
				set.ClassOp, set.PixelOp, set.Scope = cop, pop, scope
				s2, err := Normalize(s, set)
				if err != nil {
					t.Fatal(err)
				}
				acc := func(r Rule, k int) float64 {
					set.Rule, set.K = r, k
					m, err := Sparsify(s2, set)
					if err != nil {
						t.Fatal(err)
					}
					sc, err := m.Classifier().Evaluate(ctx, xte, tel)
					if err != nil {
						t.Fatal(err)
					}
					return 100 * sc.Accuracy()
				}
				ss, line := 0.0, ""
				for i, k := range ks {
					a, b := acc(RuleTopAbs, k), acc(RuleTop, k)
					ss += (a-pAbs[i])*(a-pAbs[i]) + (b-pTop[i])*(b-pTop[i])
					line += fmt.Sprintf(" %5.1f", a)
				}
				full := acc(RuleFull, 0)
				ss += (full - pFull) * (full - pFull)
				t.Logf("scope=%-5s class=%-6s pixel=%-6s rms=%5.2f full=%5.2f | TopABS%s",
					scope, cop, pop, math.Sqrt(ss/17), full, line)
			}
		}
	}
}
