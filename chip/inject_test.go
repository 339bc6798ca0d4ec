package chip_test

import (
	"context"
	"math"
	"testing"

	"oscsim/chip"
	"oscsim/phasedet"
)

// oneRing is a single undetuned ring at 1 GHz with no couplings.
const oneRing = `
[oscillators]
count = 1
frequency = "1GHz"
init = "zero"
[run]
cycles = 100
`

// TestInjectionAdler holds a single ring injected at f0 against Adler's
// law dφ/dt = Δω − β·sin(φ − ψ) (Adler 1946; Razavi, JSSC 2004, eq. 7),
// β = Γ1·I/(2·C·VDD) (chip.Injection): inside the locking range |Δω| ≤ β
// the ring locks at φ = ψ + asin(Δω/β); outside it beats at
// √(Δω² − β²). β = 0.5% of ω0, so the cycle model's correction to the
// average is of order β/ω0: its locked phase is held within 0.01 rad
// (measured ≤ 0.0062 at Δω = 0.95·β), the phase model's within 1e-9 rad
// (measured 7e-13); the slip rate within 2% of the closed form (measured
// 0.9991 and 0.9985 of it) plus one slip over the run.
func TestInjectionAdler(t *testing.T) {
	ch := compileTOML(t, oneRing)
	w0 := 2 * math.Pi * 1e9
	beta := 0.005 * w0
	amp := ch.InjectionCurrent(beta)
	if r := ch.InjectionRate(amp); math.Abs(r/beta-1) > 1e-12 {
		t.Fatalf("InjectionRate(InjectionCurrent(β)) = %g, want %g", r, beta)
	}
	const psi = 0.7
	for _, model := range models {
		tolLock, tolBeat := 1e-9, 0.02
		if model == "cycle" {
			tolLock, tolBeat = 0.01, 0.02
		}
		for _, x := range []float64{0, 0.5, -0.8, 0.95} { // Δω/β inside the range
			in := chip.Input{
				Phases:     []float64{psi + 2.5},
				FreqOffset: []float64{x * beta / (2 * math.Pi)},
				Inject:     &chip.Injection{Amp: []float64{amp}, Phase: []float64{psi}},
			}
			res, err := ch.Run(context.Background(), []chip.Input{in}, chip.RunOptions{Model: model, NoNoise: true, Duration: 3e-6})
			if err != nil {
				t.Fatal(err)
			}
			want := psi + math.Asin(x)
			d := phasedet.Wrap(res.Final[0][0] - want)
			t.Logf("%s: Δω = %.2f·β: locked phase − closed form = %.2g rad", model, x, d)
			if math.Abs(d) > tolLock {
				t.Errorf("%s: Δω = %.2f·β: locked at %.4f rad, want ψ + asin(Δω/β) = %.4f (±%g)", model, x, res.Final[0][0], want, tolLock)
			}
		}
		// Outside the range: the mean slip rate is √(Δω² − β²).
		x := 2.0
		in := chip.Input{
			Phases:     []float64{0},
			FreqOffset: []float64{x * beta / (2 * math.Pi)},
			Inject:     &chip.Injection{Amp: []float64{amp}, Phase: []float64{psi}},
		}
		res, err := ch.Run(context.Background(), []chip.Input{in}, chip.RunOptions{Model: model, NoNoise: true, Duration: 2e-6})
		if err != nil {
			t.Fatal(err)
		}
		got := (res.Unwrapped[0][0] - res.Initial[0][0]) / res.Duration
		want := beta * math.Sqrt(x*x-1)
		// The run starts at an arbitrary point of the slip cycle: allow
		// one slip (2π over the run) on top of the tolerance.
		t.Logf("%s: Δω = 2β: slip rate / √(Δω² − β²) = %.4f", model, got/want)
		if math.Abs(got-want) > tolBeat*want+2*math.Pi/res.Duration {
			t.Errorf("%s: Δω = 2β: slip rate %.4g rad/s, want √(Δω² − β²) = %.4g", model, got, want)
		}
	}
}

// TestInjectionNoneIsIdentity: an input without injection beside one with
// it runs exactly as in a batch without any injection (the engine's terms
// are added only where set), and the ledger's injection line is the
// drivers' VDD·2·I/π averaged over the batch.
func TestInjectionNoneIsIdentity(t *testing.T) {
	ch := compileTOML(t, `
[oscillators]
count = 3
frequency = "1GHz"
init_phases = [0.0, 50.0, 100.0]
[[coupling]]
from = 0
to = 1
weight = 1
[[coupling]]
from = 1
to = 2
weight = -1
[run]
cycles = 50
`)
	for _, model := range models {
		plain, err := ch.Run(context.Background(), []chip.Input{{}, {}}, chip.RunOptions{Model: model})
		if err != nil {
			t.Fatal(err)
		}
		amp := ch.InjectionCurrent(0.01 * 2 * math.Pi * 1e9)
		inj := &chip.Injection{Amp: []float64{amp, 0, amp}, Phase: []float64{0, 0, math.Pi}}
		mixed, err := ch.Run(context.Background(), []chip.Input{{}, {Inject: inj}}, chip.RunOptions{Model: model})
		if err != nil {
			t.Fatal(err)
		}
		for i := range plain.Final[0] {
			if plain.Final[0][i] != mixed.Final[0][i] {
				t.Errorf("%s: ring %d without injection: %v in a mixed batch, %v alone", model, i, mixed.Final[0][i], plain.Final[0][i])
			}
		}
		if plain.Ledger.PowerLine(chip.LineInjection) != 0 || plain.InjectPower != nil {
			t.Errorf("%s: a run without injection has an injection power line", model)
		}
		vdd := ch.Netlist().Tech.VDD
		want := vdd * 2 * 2 * amp / math.Pi / 2 // one of two inputs injects into two rings
		if got := mixed.Ledger.PowerLine(chip.LineInjection); math.Abs(got/want-1) > 1e-12 {
			t.Errorf("%s: injection power %g W, want %g", model, got, want)
		}
	}
	bad := []chip.Input{{Inject: &chip.Injection{Amp: []float64{1}, Phase: []float64{0}}}}
	if _, err := ch.Run(context.Background(), bad, chip.RunOptions{}); err == nil {
		t.Error("an injection of the wrong length ran")
	}
}
