package engine

import (
	"flag"
	"math"
	"testing"
)

var sincos32All = flag.Bool("sincos32-all", false, "check sincos32 on every float32 in [−8π, 8π]")

// TestSincos32Accuracy measures sincos32 against float64 math.Sincos on
// every 127th float32 in [−8π, 8π] (every one with -sincos32-all, which
// takes minutes) and on a sweep up to the reduction limit.
func TestSincos32Accuracy(t *testing.T) {
	var worst float64
	var at float32
	check := func(x float32) {
		s, c := sincos32(x)
		ws, wc := math.Sincos(float64(x))
		if e := math.Max(math.Abs(float64(s)-ws), math.Abs(float64(c)-wc)); e > worst {
			worst, at = e, x
		}
	}
	lim := float32(8 * math.Pi)
	step := 127
	if *sincos32All {
		step = 1
	}
	for b := math.Float32bits(0); ; b += uint32(step) {
		x := math.Float32frombits(b)
		if x > lim {
			break
		}
		check(x)
		check(-x)
	}
	for x := float32(8 * math.Pi); x < s32Limit; x *= 1.0001 {
		check(x)
		check(-x)
	}
	t.Logf("max |error| %.3g at x = %g", worst, at)
	if worst > 1.2e-7 {
		t.Errorf("sincos32: max |error| %.3g at x = %g, want ≤ 1.2e-7", worst, at)
	}
	for _, x := range []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.NaN()), 1e6} {
		s, c := sincos32(x)
		ws, wc := math.Sincos(float64(x))
		if !same32(s, float32(ws)) || !same32(c, float32(wc)) {
			t.Errorf("sincos32(%g) = %g, %g; want %g, %g", x, s, c, ws, wc)
		}
	}
}

func same32(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}
