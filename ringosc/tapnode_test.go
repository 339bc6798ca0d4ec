package ringosc

import (
	"math"
	"testing"
)

// TestPumpAtNodeAnalytic: without node tables stage s lags the tap by
// s·π·(N+1)/N, so a pump d stages down the ring is driven 2πd/N later
// (ψ_d = ψ_0 − 2α_d ≡ −2πd/N mod 2π); its gain and tables do not change,
// and d = 0 is the tap itself.
func TestPumpAtNodeAnalytic(t *testing.T) {
	t.Parallel()
	for _, n := range []int{3, 5, 11} {
		m := Model{Name: "analytic", Gamma1: 0.6, C2: 0.05}
		for d := 0; d < n; d++ {
			want := math.Mod(float64(d)*math.Pi*float64(n+1)/float64(n), 2*math.Pi)
			if a := m.NodePhase(d, n); math.Abs(a-want) > 1e-12 {
				t.Errorf("N %d, stage %d: node phase %g, want %g", n, d, a, want)
			}
			p := m.PumpAtNode(d, n)
			// −2α_d ≡ −2πd/N (mod 2π).
			e := math.Remainder(p.PumpPhase+2*math.Pi*float64(d)/float64(n), 2*math.Pi)
			if math.Abs(e) > 1e-9 {
				t.Errorf("N %d, stage %d: pump phase %g, want −2π·%d/%d (mod 2π)", n, d, p.PumpPhase, d, n)
			}
			if p.PumpGain() != m.PumpGain() || p.CouplingGain() != m.CouplingGain() {
				t.Errorf("N %d, stage %d: gains changed", n, d)
			}
		}
	}
}

// TestPumpAtNodeTables: with node tables the node's phase is measured, and
// AlignPump of the node's own ISF (the tap's, delayed by α_d) gives the
// pump phase PumpAtNode returns and the same aligned table (up to the half
// period AlignPump leaves open: ψ and ψ + 2π are one pump, β/2 and β/2 + π
// two alignments whose second harmonics agree).
func TestPumpAtNodeTables(t *testing.T) {
	t.Parallel()
	const M, n = 128, 5
	// A tap ISF with an asymmetric edge (a second harmonic at a phase of
	// its own) and node tables of a skewed waveform.
	isf := make([]float64, M)
	wave := func(th float64) float64 { return 0.5 + 0.45*math.Cos(th) + 0.05*math.Cos(2*th+0.3) }
	nodes := make([][]float64, n)
	alpha := make([]float64, n)
	for s := range nodes {
		// Slightly off the analytic spacing, as a real ring's edges are.
		alpha[s] = float64(s)*math.Pi*(n+1)/n + 0.02*float64(s%2)
		nodes[s] = make([]float64, M)
	}
	for k := 0; k < M; k++ {
		th := 2 * math.Pi * float64(k) / M
		isf[k] = -0.6*math.Sin(th) + 0.04*math.Cos(2*th+1.1) + 0.02*math.Sin(3*th)
		for s := range nodes {
			nodes[s][k] = wave(th - alpha[s])
		}
	}
	psi0, aligned := AlignPump(isf)
	m := Model{Name: "t", Wave: nodes[0], ISF: isf, Pump: aligned, PumpPhase: psi0, Nodes: nodes}
	for d := 1; d < n; d++ {
		a := m.NodePhase(d, n)
		if e := math.Remainder(a-alpha[d], 2*math.Pi); math.Abs(e) > 1e-9 {
			t.Errorf("stage %d: node phase %g, want %g", d, a, alpha[d])
		}
		node := make([]float64, M)
		for k := range node {
			node[k] = lookup(isf, 2*math.Pi*float64(k)/M-alpha[d])
		}
		psi, al := AlignPump(node)
		p := m.PumpAtNode(d, n)
		if e := math.Remainder(p.PumpPhase-psi, 2*math.Pi); math.Abs(e) > 1e-3 {
			t.Errorf("stage %d: pump phase %g, the node's own ISF aligns at %g", d, p.PumpPhase, psi)
		}
		same, half := true, true
		for k := range al {
			same = same && math.Abs(al[k]-p.Pump[k]) < 1e-3
			half = half && math.Abs(al[k]-p.Pump[(k+M/2)%M]) < 1e-3
		}
		if !same && !half {
			t.Errorf("stage %d: the node's aligned ISF differs from the model's pump table", d)
		}
	}
}

// TestRiseFall: the built-in generic rings' tap rises in 0.92–0.95 of its
// fall time (10–90%), and the analytic waveform is symmetric.
func TestRiseFall(t *testing.T) {
	t.Parallel()
	if r := (&Model{Gamma1: 1}).RiseFall(); r != 1 {
		t.Errorf("analytic: %g, want 1", r)
	}
	all, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range all {
		if r := m.RiseFall(); !(r > 0.92 && r < 0.95) {
			t.Errorf("%s: rise/fall %.4f, want 0.92–0.95", name, r)
		}
	}
}
