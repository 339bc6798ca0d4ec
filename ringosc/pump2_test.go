package ringosc

import (
	"math"
	"testing"
)

// PumpLaw2 against the second-order averages of single-harmonic pump
// ISFs, worked by hand from Q = ⟨∂_φ f·u⟩ with f = Γp(τ + φ)·cos 2τ:
//   - Γp = −c·sin 2θ: f = −(c/2)·(sin(4τ + 2φ) + sin 2φ),
//     u = (c/8)·cos(4τ + 2φ), Q = −c²/16;
//   - Γp = a·sin θ: f = (a/2)·(sin(3τ + φ) + sin(φ − τ)),
//     u = (a/2)·(cos(φ − τ) − cos(3τ + φ)/3), Q = (a²/4)·(1/2 − 1/6) = a²/12.
//
// Neither has a fourth harmonic. Tolerance 2e-4 relative for the analytic
// ISF (the trapezoidal antiderivative is second order in the step 2π/1024;
// measured 5e-5) and 1e-3 for the 4096-point table (its linear
// interpolation adds O(M⁻²)).
func TestPumpLaw2SingleHarmonics(t *testing.T) {
	an := Analytic(5)
	a0, a4, b4 := an.PumpLaw2()
	if want := -an.C2 * an.C2 / 16; math.Abs(a0/want-1) > 2e-4 || math.Abs(a4) > 1e-9 || math.Abs(b4) > 1e-9 {
		t.Errorf("analytic pump ISF: A0 %g, A4 %g, B4 %g; want %g, 0, 0", a0, a4, b4, want)
	}
	const M, a = 4096, 0.5
	m := Model{Wave: make([]float64, M), ISF: make([]float64, M), Pump: make([]float64, M)}
	for k := range m.Wave {
		th := 2 * math.Pi * float64(k) / M
		m.Wave[k] = 0.5 * (1 + math.Cos(th))
		m.ISF[k] = -math.Sin(th)
		m.Pump[k] = a * math.Sin(th)
	}
	a0, a4, b4 = m.PumpLaw2()
	if want := a * a / 12; math.Abs(a0/want-1) > 1e-3 || math.Abs(a4) > 1e-6 || math.Abs(b4) > 1e-6 {
		t.Errorf("first-harmonic pump ISF: A0 %g, A4 %g, B4 %g; want %g, 0, 0", a0, a4, b4, want)
	}
}
