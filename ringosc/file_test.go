package ringosc

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
)

// tabulated returns a tabulated model sampled from closed forms: waveform
// (1+cos θ)/2, ISF −γ·sin θ + a·cos 2θ, so its second harmonic has a known
// phase.
func tabulated(M int, gamma, a float64) Model {
	m := Model{Name: "test", F0: 1.37e9, Power: 75e-6}
	for k := 0; k < M; k++ {
		th := 2 * math.Pi * float64(k) / float64(M)
		m.Wave = append(m.Wave, 0.5*(1+math.Cos(th)))
		m.ISF = append(m.ISF, -gamma*math.Sin(th)+a*math.Cos(2*th))
	}
	m.Pump = append([]float64(nil), m.ISF...)
	for s := 0; s < 5; s++ {
		var n []float64
		for k := 0; k < M; k++ {
			n = append(n, m.NodeV(s, 5, 2*math.Pi*float64(k)/float64(M)))
		}
		m.Nodes = append(m.Nodes, n)
	}
	m.Measured = &Measured{Tool: "ngspice-39", Models: "cards.lib", NMOS: "n", PMOS: "p", Stages: 5, VDD: 1, NodeCap: 10e-15,
		L: 45e-9, WN: 90e-9, WP: 180e-9, DevCap: 0.6e-15, CouplerCin: 0.44e-15, CouplerWN: 90e-9, CouplerWP: 180e-9,
		InverterPull: -0.03, TGRon: 4.5e3, TGWN: 90e-9, TGWP: 180e-9, TGCap: 0.43e-15, ISFPoints: 64, Charge: 0.02,
		C1: gamma, C2: a, StepsPerCycle: 64, SpiceOptions: "reltol=1e-4"}
	return m
}

func TestFileRoundTrip(t *testing.T) {
	t.Parallel()
	m := tabulated(32, 0.5, 0.04)
	got, enc := roundTrip(t, m)
	// 7 significant digits: the tables come back within 1e-6 relative.
	for k := range m.ISF {
		if math.Abs(got.ISF[k]-m.ISF[k]) > 1e-6 || math.Abs(got.Wave[k]-m.Wave[k]) > 1e-6 || math.Abs(got.Nodes[3][k]-m.Nodes[3][k]) > 1e-6 {
			t.Fatalf("table entry %d differs after a round trip", k)
		}
	}
	if got.F0 != 1.37e9 || got.Measured == nil || got.Measured.TGCap != 0.43e-15 || got.Measured.InverterPull != -0.03 || got.Measured.Stages != 5 {
		t.Errorf("scalars lost in the round trip: %+v %+v", got, got.Measured)
	}
	var again bytes.Buffer
	if err := Encode(&again, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc, again.Bytes()) {
		t.Error("encoding a decoded model gives different bytes")
	}
	if got.Measured.PumpLaw != nil {
		t.Error("a model without a measured pump law comes back with one")
	}
	// A measured pump law survives the round trip and is what the phase
	// model uses; without it the phase model uses the ISF's.
	if l, measured := got.PhasePumpLaw(); measured || l.S2 != -1 || l.C2 != 0 {
		t.Errorf("no measured pump law: PhasePumpLaw = %+v, %v; want the ISF's (S2 = −1, C2 = 0)", l, measured)
	}
	law := PumpLaw{Current: 1e-5, S2: -0.93, C2: -0.04, Q0: 0.5, Q4S: -0.6, Q4C: 2, RMS: 0.05}
	m.Measured.PumpLaw = &law
	got, _ = roundTrip(t, m)
	if l, measured := got.PhasePumpLaw(); !measured || l != law {
		t.Errorf("measured pump law after a round trip: %+v, %v; want %+v", l, measured, law)
	}
	bad := law
	bad.S2 = 0.2
	m.Measured.PumpLaw = &bad
	if err := m.Validate(); err == nil {
		t.Error("a measured pump law that does not lock (S2 > 0) validates")
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	m := tabulated(32, 0.5, 0.04)
	var buf bytes.Buffer
	if err := Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	for name, src := range map[string]string{
		"unknown key":  strings.Replace(good, "power_w", "power_watts", 1),
		"format":       strings.Replace(good, FileFormat, "oscsim-ring-model/9", 1),
		"short table":  strings.Replace(good, "points = 32", "points = 31", 1),
		"not toml":     "format = ",
		"missing isf ": strings.Replace(good, "isf = [", "isf_x = [", 1),
	} {
		if _, err := Decode(strings.NewReader(src), "bad.toml"); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: got %v, want ErrFormat", name, err)
		}
	}
	if err := Encode(&buf, Analytic(5)); err == nil {
		t.Error("encoding an analytic model should fail")
	}
}

// roundTrip encodes m and decodes it again; it returns the decoded model
// and the encoding.
func roundTrip(t *testing.T, m Model) (Model, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	got, err := Decode(bytes.NewReader(buf.Bytes()), "x.toml")
	if err != nil {
		t.Fatal(err)
	}
	return got, buf.Bytes()
}

// TestAlignPump checks AlignPump against the closed form: for
// Γp = −γ·sin θ + a·cos 2θ the second harmonic is (a2, b2) = (a, 0) =
// −r·(sin β, cos β) with r = |a|, β = atan2(−a, 0) = −π/2 (a > 0); the
// aligned table's second harmonic is −r·sin 2θ and its pump gain r/2.
func TestAlignPump(t *testing.T) {
	t.Parallel()
	m := tabulated(256, 0.5, 0.04)
	psi, al := AlignPump(m.ISF)
	if math.Abs(psi-(-math.Pi/2)) > 1e-9 {
		t.Errorf("pump phase %g, want −π/2", psi)
	}
	a2, b2 := Harmonic(al, 2)
	// Linear interpolation of a table shifted by a quarter of its step
	// attenuates the 2nd harmonic by < 1e-3 at 256 points.
	if math.Abs(a2) > 1e-3 || math.Abs(b2+0.04) > 1e-4 {
		t.Errorf("aligned 2nd harmonic (%g, %g), want (0, −0.04)", a2, b2)
	}
	m.Pump = al
	if g := m.PumpGain(); math.Abs(g-0.02) > 1e-4 {
		t.Errorf("pump gain %g, want r/2 = 0.02", g)
	}
}

// TestNodeVAnalytic: node s of an N-stage ring inverts node s−1 one stage
// delay (π/N) later, v_s(θ) = 1 − v_{s−1}(θ − π/N), and node N is node 0.
func TestNodeVAnalytic(t *testing.T) {
	t.Parallel()
	m := Analytic(5)
	for _, th := range []float64{0, 0.3, 2, -1.7} {
		for s := 1; s <= 5; s++ {
			want := 1 - m.NodeV(s-1, 5, th-math.Pi/5)
			if got := m.NodeV(s%5, 5, th); s < 5 && math.Abs(got-want) > 1e-12 || s == 5 && math.Abs(m.NodeV(0, 5, th)-want) > 1e-12 {
				t.Errorf("θ %g node %d: got %g, want %g", th, s, got, want)
			}
		}
	}
}

// TestInverterGain: with the exact complement as the inverter's output the
// inverter path couples as strongly as the in-phase path; a squarer output
// (a square wave's fundamental is 4/π of its swing) couples more strongly.
func TestInverterGain(t *testing.T) {
	t.Parallel()
	m := tabulated(256, 0.5, 0)
	if a, b := m.InverterGain(), m.CouplingGain(); a != b {
		t.Errorf("no inv table: inverter gain %g, coupling gain %g", a, b)
	}
	m.Inv = make([]float64, len(m.Wave))
	for k, v := range m.Wave {
		m.Inv[k] = 1 - v
	}
	if a, b := m.InverterGain(), m.CouplingGain(); math.Abs(a-b) > 1e-6 {
		t.Errorf("exact complement: inverter gain %g, coupling gain %g", a, b)
	}
	for k, v := range m.Wave {
		m.Inv[k] = 0
		if v < 0.5 {
			m.Inv[k] = 1
		}
	}
	// Γ = −γ·sin θ against a square wave: h1 = γ·(2/π)/2 = γ/π, against
	// (1 + cos)/2: γ/4.
	if a := m.InverterGain(); math.Abs(a-0.5/math.Pi) > 2e-3 {
		t.Errorf("square complement: inverter gain %g, want γ/π = %g", a, 0.5/math.Pi)
	}
}

// TestPinPumpPhase checks PumpLaw.Rotated against its definition,
// P'(φ) = P(φ + b/2) for P(φ) = S2·sin 2φ + C2·cos 2φ + Q0 + Q4S·sin 4φ +
// Q4C·cos 4φ (to 1e-12, rounding), and that PinPumpPhase moves the pump
// phase by −β0, leaves the law locking at φ = 0 (C2 = 0, the same
// amplitude), keeps the Pump table, records the ISF's phase, survives a
// file round trip and is idempotent.
func TestPinPumpPhase(t *testing.T) {
	t.Parallel()
	law := PumpLaw{Current: 1e-5, S2: -0.93, C2: -0.053, Q0: 0.5, Q4S: -0.6, Q4C: 2, RMS: 0.05}
	P := func(l PumpLaw, phi float64) float64 {
		return l.S2*math.Sin(2*phi) + l.C2*math.Cos(2*phi) + l.Q0 + l.Q4S*math.Sin(4*phi) + l.Q4C*math.Cos(4*phi)
	}
	for _, b := range []float64{-0.3, 0.057, 1.2} {
		r := law.Rotated(b)
		for _, phi := range []float64{-2, -0.5, 0, 0.4, 1.9} {
			if d := math.Abs(P(r, phi) - P(law, phi+b/2)); d > 1e-12 {
				t.Errorf("Rotated(%g) at φ = %g: %g, want %g", b, phi, P(r, phi), P(law, phi+b/2))
			}
		}
	}
	m := tabulated(32, 0.5, 0.04)
	m.PumpPhase = -1.5
	l := law
	m.Measured.PumpLaw = &l
	pump := append([]float64(nil), m.Pump...)
	b0 := law.Axis()
	m.PinPumpPhase()
	if want := -1.5 - b0; math.Abs(m.PumpPhase-want) > 1e-15 {
		t.Errorf("pinned pump phase %g, want ψ − β0 = %g", m.PumpPhase, want)
	}
	got := *m.Measured.PumpLaw
	if got.C2 != 0 || math.Abs(got.S2+math.Hypot(law.S2, law.C2)) > 1e-15 {
		t.Errorf("pinned law %+v: want C2 = 0, S2 = −%g", got, math.Hypot(law.S2, law.C2))
	}
	if m.Measured.ISFPumpPhase != -1.5 {
		t.Errorf("ISF pump phase recorded as %g, want −1.5", m.Measured.ISFPumpPhase)
	}
	for k := range pump {
		if m.Pump[k] != pump[k] {
			t.Fatal("PinPumpPhase changed the Pump table")
		}
	}
	back, _ := roundTrip(t, m)
	if back.Measured.ISFPumpPhase != -1.5 {
		t.Errorf("ISF pump phase after a round trip: %g", back.Measured.ISFPumpPhase)
	}
	again := m.PumpPhase
	m.PinPumpPhase()
	if m.PumpPhase != again || m.Measured.ISFPumpPhase != -1.5 {
		t.Errorf("pinning twice moved the phase to %g (ISF %g)", m.PumpPhase, m.Measured.ISFPumpPhase)
	}
}
