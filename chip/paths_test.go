package chip_test

import (
	"context"
	"math"
	"testing"

	"oscsim/chip"
	"oscsim/netlist"
	"oscsim/ringosc"
)

// sineTables returns a tabulated ring model with the analytic waveform
// v = (1 + cos θ)/2, the ISF Γ = −γ·sin θ + δ·cos θ (δ gives the in-phase
// interaction an even part), the pump ISF −γ·sin 2θ and, when inv, a coupler
// inverter whose output lags the exact complement by lag:
// u(θ) = (1 − cos(θ − lag))/2.
func sineTables(gamma, delta float64, inv bool, lag float64) ringosc.Model {
	const M = 512
	m := ringosc.Model{Name: "sine tables", Wave: make([]float64, M), ISF: make([]float64, M), Pump: make([]float64, M)}
	if inv {
		m.Inv = make([]float64, M)
	}
	for k := 0; k < M; k++ {
		th := 2 * math.Pi * float64(k) / M
		m.Wave[k] = 0.5 * (1 + math.Cos(th))
		m.ISF[k] = -gamma*math.Sin(th) + delta*math.Cos(th)
		m.Pump[k] = -gamma * math.Sin(2*th)
		if inv {
			m.Inv[k] = 0.5 * (1 - math.Cos(th-lag))
		}
	}
	return m
}

func pairWithModel(t *testing.T, m ringosc.Model, w float64, model netlist.Model, cycles int) *chip.Chip {
	t.Helper()
	src := twoRingsSrc(w, 0.001, model, model.DefaultStepsPerCycle(), cycles)
	nl, err := netlist.Parse("pair.toml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := chip.Compile(nl, chip.Options{Ring: &m})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// The even part of the in-phase interaction pulls a locked pair's common
// frequency. With Γ = −γ·sin θ + δ·cos θ and v = (1 + cos θ)/2,
// H(Δ) = (γ/4)·sin Δ + (δ/4)·(cos Δ − 1) per unit G/C (the cycle average of
// Γ(θ)·(v(θ+Δ) − v(θ))), so a pair detuned by Δω locks at
// sin Δ* = Δω/(2K) (Adler; the even parts cancel in dΔ/dt) and runs at the
// mean of its natural frequencies plus K·ρ·(cos Δ* − 1), ρ = δ/γ. With
// K = 1% of ω0, ρ = 0.5 and Δω = 1.6·K the pull is −0.2·K; the phase model
// holds it within 1% (exact up to the tables' quadrature), the cycle model
// within 5% (its within-cycle ripple adds O(K/ω0) corrections).
func TestEvenCouplingPull(t *testing.T) {
	const gamma, rho = 0.3, 0.5
	m := sineTables(gamma, rho*gamma, false, 0)
	h := m.CouplingHarmonics(false)
	if math.Abs(h.A1-gamma/4) > 1e-4 || math.Abs(h.B1-rho*gamma/4) > 1e-4 || math.Abs(h.B0+rho*gamma/4) > 1e-4 {
		t.Fatalf("harmonics %+v, want A1 = %g, B1 = %g, B0 = %g", h, gamma/4, rho*gamma/4, -rho*gamma/4)
	}
	const w0 = 2 * math.Pi * 1e9
	K := 10 * 0.001 * w0
	dw := 1.6 * K
	dstar := math.Asin(dw / (2 * K))
	want := dw/2 + K*rho*(math.Cos(dstar)-1)
	for _, model := range models {
		const cycles = 200
		ch := pairWithModel(t, m, 10, model, cycles)
		res, err := ch.Run(context.Background(), []chip.Input{{Phases: []float64{-dstar / 2, dstar / 2}, FreqOffset: []float64{0, dw / (2 * math.Pi)}}},
			chip.RunOptions{NoNoise: true})
		if err != nil {
			t.Fatal(err)
		}
		u := res.Unwrapped[0]
		got := (u[0] + u[1] - (-dstar/2 + dstar/2)) / 2 / res.Duration
		t.Logf("%s: mean frequency offset %.5g rad/s, closed form %.5g (pull %.4g·K)", model, got, want, (got-dw/2)/K)
		tol := map[netlist.Model]float64{"phase": 0.01, "cycle": 0.05}[model]
		if math.Abs(got-want) > tol*math.Abs(want-dw/2) {
			t.Errorf("%s: mean frequency offset %.5g rad/s, want %.5g ± %g of the pull %.4g", model, got, want, tol, want-dw/2)
		}
	}
}

// A coupler inverter that lags the exact complement by λ turns the
// inverter path's interaction into H_inv(Δ) = −(γ/4)·sin(Δ − λ) per unit
// G/C: a pair still locks at Δ = π, at the rate 2K·cos λ
// (dψ/dt = −2K·cos λ·sin ψ for ψ = Δ − π, so tan(ψ/2) decays as
// exp(−2K·cos λ·t)), and at lock each ring is pulled by
// H_inv(π)·G/C = −K·sin λ, which the engine trims as the deck does. Both
// models follow the closed-form approach within 1.5° and hold the locked
// pair at its natural frequency within 3% of the untrimmed pull.
func TestInverterOutputLag(t *testing.T) {
	const gamma, lag = 0.3, 0.4
	m := sineTables(gamma, 0, true, lag)
	h := m.CouplingHarmonics(true)
	if math.Abs(h.A1+gamma/4*math.Cos(lag)) > 1e-4 || math.Abs(h.B1-gamma/4*math.Sin(lag)) > 1e-4 || math.Abs(h.B0) > 1e-4 {
		t.Fatalf("inverter-path harmonics %+v, want A1 = %g, B1 = %g, B0 = 0", h, -gamma/4*math.Cos(lag), gamma/4*math.Sin(lag))
	}
	if got, want := m.Interaction(true, math.Pi), -gamma/4*math.Sin(lag); math.Abs(got-want) > 1e-4 {
		t.Fatalf("H_inv(π) = %g, want %g", got, want)
	}
	const w0 = 2 * math.Pi * 1e9
	K := 10 * 0.001 * w0 // h1·G/C of the in-phase gain h1 = γ/4 the conductance comes from
	for _, model := range models {
		// Locked from the start: the mean frequency stays natural.
		const cycles = 200
		ch := pairWithModel(t, m, -10, model, cycles)
		res, err := ch.Run(context.Background(), []chip.Input{{Phases: []float64{0, math.Pi}}}, chip.RunOptions{NoNoise: true})
		if err != nil {
			t.Fatal(err)
		}
		u := res.Unwrapped[0]
		got := (u[0] + u[1] - math.Pi) / 2 / res.Duration
		pull := K * math.Sin(lag)
		t.Logf("%s: locked pair's mean frequency offset %.4g rad/s (untrimmed pull %.4g)", model, got, -pull)
		if math.Abs(got) > 0.03*pull {
			t.Errorf("%s: locked pair runs %.4g rad/s off its natural frequency, want |·| ≤ 3%% of the pull %.4g", model, got, pull)
		}
		// Approach from Δ = π/2 over 25 cycles.
		const approach = 25
		ch = pairWithModel(t, m, -10, model, approach)
		res, err = ch.Run(context.Background(), []chip.Input{{Phases: []float64{0, math.Pi / 2}}}, chip.RunOptions{NoNoise: true})
		if err != nil {
			t.Fatal(err)
		}
		psi := math.Remainder(res.Final[0][1]-res.Final[0][0]-math.Pi, 2*math.Pi)
		want := 2 * math.Atan(math.Tan(-math.Pi/4)*math.Exp(-2*K*math.Cos(lag)*res.Duration))
		t.Logf("%s: ψ after %d cycles %.2f°, closed form %.2f°", model, approach, psi*180/math.Pi, want*180/math.Pi)
		if math.Abs(psi-want) > 1.5*math.Pi/180 {
			t.Errorf("%s: ψ = Δ − π after %d cycles %.2f°, want %.2f° ± 1.5°", model, approach, psi*180/math.Pi, want*180/math.Pi)
		}
	}
}

// The analytic model's interaction is (γ1/4)·sin Δ with no even part: its
// chips carry no path offsets and no extra rows (the engine's golden files
// hold its bits).
func TestAnalyticHarmonics(t *testing.T) {
	m := ringosc.Analytic(5)
	for _, inv := range []bool{false, true} {
		h := m.CouplingHarmonics(inv)
		want := m.Gamma1 / 4
		if inv {
			want = -want
		}
		if h != (ringosc.Harmonics{A1: want}) {
			t.Errorf("inverter %v: harmonics %+v, want A1 = %g only", inv, h, want)
		}
	}
}

// A ring whose pump law was measured (ringosc.PumpLaw) runs the phase model
// with it: a pumped ring detuned by Δω locks where the law's drift cancels
// the detuning, Δω + K_s·(S2·sin 2φ + C2·cos 2φ) + (x²/ω)·(Q0 + Q4S·sin 4φ
// + Q4C·cos 4φ) = 0, with x²/ω = K_s²/(g2²·ω) (K_s = g2·x). The ISF's own
// law written as measured changes nothing in either model, and the cycle
// model, which adds the measured law's difference from the ISF's as an
// averaged drift, locks close to where the law says.
func TestMeasuredPumpLaw(t *testing.T) {
	base := sineTables(0.3, 0, false, 0)
	g2 := base.PumpGain()
	const ksFrac = 0.01
	src := func(model netlist.Model) string {
		return pumpedRingTOML(ksFrac, model, model.DefaultStepsPerCycle())
	}
	run := func(m ringosc.Model, model netlist.Model, p0, det float64) float64 {
		t.Helper()
		nl, err := netlist.Parse("pumped.toml", []byte(src(model)), nil)
		if err != nil {
			t.Fatal(err)
		}
		ch, err := chip.Compile(nl, chip.Options{Ring: &m})
		if err != nil {
			t.Fatal(err)
		}
		res, err := ch.Run(context.Background(), []chip.Input{{Phases: []float64{p0}, FreqOffset: []float64{det}}}, chip.RunOptions{NoNoise: true, Duration: 1e-6})
		if err != nil {
			t.Fatal(err)
		}
		return res.Final[0][0]
	}
	withLaw := func(l ringosc.PumpLaw) ringosc.Model {
		m := base
		m.Measured = &ringosc.Measured{PumpLaw: &l}
		return m
	}
	w := 2 * math.Pi * 1e9
	ks := ksFrac * w
	// The ISF's law written as measured: the same bits.
	own, _ := base.PhasePumpLaw()
	own.Current = 1e-5
	for _, model := range []netlist.Model{"phase", "cycle"} {
		if a, b := run(base, model, 1.2, 0.3*ks/(2*math.Pi)), run(withLaw(own), model, 1.2, 0.3*ks/(2*math.Pi)); a != b {
			t.Errorf("%s model: the ISF's own pump law as measured gives %v, without %v", model, b, a)
		}
	}
	// A different law: the phase model locks where it says, the cycle
	// model close to it.
	q := 100 * g2 * g2 // Q per unit K_s: (x²/ω)·Q = K_s·q̃ for Q = q̃·100·g2²
	l := ringosc.PumpLaw{Current: 1e-5, S2: -0.8, C2: 0.1, Q0: 0.15 * q, Q4S: -0.1 * q, Q4C: 0.3 * q}
	for _, det := range []float64{-0.3, 0.2} {
		for _, p0 := range []float64{0.3, 2.5} {
			phi := run(withLaw(l), "phase", p0, det*ks/(2*math.Pi))
			s2, c2 := math.Sincos(2 * phi)
			s4, c4 := math.Sincos(4 * phi)
			drift := det + l.S2*s2 + l.C2*c2 + (l.Q0+l.Q4S*s4+l.Q4C*c4)/q
			if math.Abs(drift) > 1e-6 {
				t.Errorf("phase model, detuning %.2f·K_s from %.1f rad: locks at %.4f rad where the measured law's drift is %.2g·K_s, want 0", det, p0, phi, drift)
			}
		}
		// The cycle model adds the law's difference from the ISF's as an
		// averaged drift (pathModel.cycleLaw): it locks where the law
		// says, up to its own law's departure from the ISF's second-order
		// expansion and the once-a-cycle update (measured ≤ 0.005·K_s).
		for _, p0 := range []float64{0.3, 2.5} {
			phi := run(withLaw(l), "cycle", p0, det*ks/(2*math.Pi))
			s2, c2 := math.Sincos(2 * phi)
			s4, c4 := math.Sincos(4 * phi)
			drift := det + l.S2*s2 + l.C2*c2 + (l.Q0+l.Q4S*s4+l.Q4C*c4)/q
			t.Logf("cycle model, detuning %.2f·K_s from %.1f rad: locks at %.4f rad, the measured law's drift there %.2g·K_s", det, p0, phi, drift)
			if math.Abs(drift) > 0.02 {
				t.Errorf("cycle model, detuning %.2f·K_s from %.1f rad: locks at %.4f rad where the measured law's drift is %.2g·K_s, want within 0.02", det, p0, phi, drift)
			}
		}
	}
}
