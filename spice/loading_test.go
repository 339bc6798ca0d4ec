package spice

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// TestFidelityLoadedPair: a pair whose couplers load its taps and whose
// rings are not trimmed locks below the rings' natural frequency; the
// engine puts the loads' pull into the rings' frequencies
// (chip.Chip.TapLoads) and must find ngspice's locked frequency within
// the 2% goal (docs/ringmodel.md has the table), with the analytic ring
// model and with the characterised one.
func TestFidelityLoadedPair(t *testing.T) {
	sim := needNgspice(t)
	for _, mdl := range []string{"analytic", "characterised"} {
		for _, c := range []struct {
			path string
			code int
			d0   float64
		}{{"inphase", 4, 40}, {"inverter", 2, 150}} {
			t.Run(fmt.Sprintf("%s/%s/code%d", mdl, c.path, c.code), func(t *testing.T) {
				t.Parallel()
				w := c.code
				if c.path == "inverter" {
					w = -w
				}
				// A pair of 400 kΩ fingers drawn without trims: ring a's tap
				// carries the in-phase fingers' switches, each tap the
				// inverter path's inverter input.
				src := pairChip(fmt.Sprintf("loaded-%s-code%d", c.path, c.code), "1.37GHz", ringModelLine(mdl),
					"unit_resistance = \"400kOhm\"\nloads = \"loaded\"", c.d0, w, 80)
				res := crossCheck(t, src, CheckOptions{Sim: sim})
				fs := 0.5 * (res.Spice.Freq[0] + res.Spice.Freq[1])
				for _, m := range res.Models {
					fm := 0.5 * (m.Freq[0] + m.Freq[1])
					e := fm/fs - 1
					t.Logf("%s ring, %s model: locked %.4f GHz, ngspice %.4f GHz (%+.2f%%); without the loads' pull the model would run at ≈ %.4f GHz (%+.2f%%)",
						mdl, m.Model, fm/1e9, fs/1e9, 100*e, 1.37, 100*(1.37e9/fs-1))
					if math.Abs(e) > 0.02 {
						t.Errorf("%s model: locked frequency %.4f GHz, ngspice %.4f GHz (%+.2f%%, want within 2%%)", m.Model, fm/1e9, fs/1e9, 100*e)
					}
				}
			})
		}
	}
}

// TestFidelitySHILAnalytic is TestFidelitySHIL's detuning sweep with the
// analytic ring model (no ring_model: gains from the 45 nm card,
// ringosc.DeviceGains): nine uncoupled rings, detuned by (k − 4)·step from
// the pump's reference, all starting 60° off it, 400 cycles. The reference
// is the generic ring's measured frequency, which a designer would give as
// oscillators.frequency. The deck's pump runs at phase 0 (the analytic
// model carries no pump phase), so only lock decisions are compared.
// Floors (measured, docs/ringmodel.md): at 5 µA (step 0.75 MHz) one
// decision differs, at +2.25 MHz next to the edge (the analytic g2 is 12%
// above the slip-measured gain); at 10 µA (step 1.5 MHz, only with
// OSCSIM_FIDELITY_LONG=1) two, one at each edge (ngspice's lock range is
// shifted up by about 1.5 MHz, the pump's second-order mean pull, which the
// analytic model does not carry). The old analytic gain (7.7× the tap's)
// locked all nine at both currents: 4 and 5 of 9 wrong.
func TestFidelitySHILAnalytic(t *testing.T) {
	sim := needNgspice(t)
	for _, c := range []struct {
		current   string
		step      float64
		maxDiffer int
	}{{"5uA", 0.75e6, 1}, {"10uA", 1.5e6, 2}} {
		t.Run(c.current, func(t *testing.T) {
			if c.current == "10uA" && os.Getenv("OSCSIM_FIDELITY_LONG") == "" {
				t.Skip("set OSCSIM_FIDELITY_LONG=1 for the 10 µA sweep (≈ 12 s of ngspice)")
			}
			t.Parallel()
			const n = 9
			init := strings.TrimSuffix(strings.Repeat("60.0, ", n), ", ")
			src := strings.NewReplacer(`frequency = "1.37GHz"`, `frequency = "1.3703GHz"`,
				`ring_model = "generic45.ring.toml"`, "", "5uA", c.current).Replace(fmt.Sprintf(shilTemplate, n, init))
			off := make([]float64, n)
			for k := range off {
				off[k] = float64(k-n/2) * c.step
			}
			res := crossCheck(t, src, CheckOptions{Sim: sim, FreqOffset: off})
			sl := res.Spice.PumpLocked
			for _, mm := range res.Models {
				var differ []int
				for k := 0; k < n; k++ {
					if mm.PumpLocked[k] != sl[k] {
						differ = append(differ, k)
					}
				}
				t.Logf("%s model: lock decisions differ at %v; ngspice locked %v, model %v", mm.Model, differ, sl, mm.PumpLocked)
				if len(differ) > c.maxDiffer {
					t.Errorf("%s model: %d lock decisions differ from ngspice (%v), floor %d", mm.Model, len(differ), differ, c.maxDiffer)
				}
			}
		})
	}
}

// TestFidelityPairsAnalytic is TestFidelityPairs with the analytic ring
// model (gains from the 45 nm card): a pair on either path at codes 1, 2
// and 4 of a 400 kΩ finger, trimmed decks, reference at the generic ring's
// measured frequency. Floors (measured, docs/ringmodel.md): final Δφ within
// 5° of ngspice (measured ≤ 1.1°), lock time within 25% in-phase (measured
// +10%, +11%) and 35% on the inverter path (measured +33% at code 1, +14% at
// code 4: the circuit's coupler inverter switches faster than the ring's
// node, so its path couples 9% more strongly than the analytic model's
// complement 1 − v, and H's third harmonic speeds the approach).
func TestFidelityPairsAnalytic(t *testing.T) {
	analyticPairs(t, needNgspice(t), "pair-%[1]s-code%[2]d-%[3]gdeg", "1.3703GHz", "")
}

// analyticPairs runs a pair of analytic rings at freq on either path at
// codes 1 and 4 of a 400 kΩ finger, trimmed, and holds both models to
// ngspice: final Δφ within 5°, lock time within 25% in-phase and 35% on
// the inverter path. name formats the chip's name from the path, the code
// and the initial difference (°); tech is a [tech] table ("" for none).
func analyticPairs(t *testing.T, sim Simulator, name, freq, tech string) {
	for _, path := range []string{"inphase", "inverter"} {
		for _, code := range []int{1, 4} {
			d0 := 60.0
			if path == "inverter" {
				d0 = 120
			}
			t.Run(fmt.Sprintf("%s/code%d", path, code), func(t *testing.T) {
				t.Parallel()
				w := code
				if path == "inverter" {
					w = -code
				}
				src := pairChip(fmt.Sprintf(name, path, code, d0), freq, "", `unit_resistance = "400kOhm"`, d0, w, 30+60/code)
				if tech != "" {
					src = strings.Replace(src, "[oscillators]", tech+"\n[oscillators]", 1)
				}
				res := crossCheck(t, src, CheckOptions{Sim: sim})
				maxLock := 0.25
				if path == "inverter" {
					maxLock = 0.35
				}
				for _, m := range res.Models {
					dphi := deg(math.Abs(wrap(m.PairDiff[0] - res.Spice.PairDiff[0])))
					ls, lm := res.Spice.PairLock[0], m.PairLock[0]
					t.Logf("%s model: Δφ %.1f° (ngspice %.1f°, error %.1f°), lock time %.3g ns (ngspice %.3g ns, %+.0f%%)",
						m.Model, deg(m.PairDiff[0]), deg(res.Spice.PairDiff[0]), dphi, lm*1e9, ls*1e9, 100*(lm/ls-1))
					if dphi > 5 {
						t.Errorf("%s model: final Δφ error %.1f°, want ≤ 5°", m.Model, dphi)
					}
					if e := math.Abs(lm/ls - 1); !(e <= maxLock) {
						t.Errorf("%s model: lock time %.3g ns, ngspice %.3g ns (want within %.0f%%)", m.Model, lm*1e9, ls*1e9, 100*maxLock)
					}
				}
			})
		}
	}
}

// TestFidelityTGPair: a pair coupled through one real TG (90/180 nm, L
// 450 nm and 1 µm; conductance 1/⟨G⟩ from the card's switch table, its
// capacitance split between the taps) with the analytic and the
// characterised ring model, untrimmed. Floors (measured,
// docs/ringmodel.md): locked frequency within 2% of ngspice, final Δφ
// within maxPhase, lock time within maxLock. In-phase the TG carries a
// small swing near lock and both models follow ngspice (Δφ 0.0°, lock
// time −4…−2% at 450 nm, −19…−16% at 1 µm with the analytic ring, where
// the TG's own RC, 62 kΩ × 5 fF ≈ 0.3 ns, 40% of a period, delays its
// current); on the inverter path it carries nearly the full
// swing, where a long-channel TG is far from the linear conductance the
// models take (its conductance spreads 7–15× over the common mode):
// ngspice settles 8–12° off anti-phase and locks 2–10× slower (the
// documented limit, docs/ringmodel.md).
func TestFidelityTGPair(t *testing.T) {
	sim := needNgspice(t)
	for _, mdl := range []string{"analytic", "characterised"} {
		for _, c := range []struct {
			path, l           string
			w                 int
			d0                float64
			maxPhase, maxLock float64
		}{{"inphase", "1um", 1, 60, 1, 0.3}, {"inverter", "1um", -1, 120, 12.5, 0.95}, {"inphase", "450nm", 1, 60, 1, 0.2}, {"inverter", "450nm", -1, 120, 9, 0.65}} {
			t.Run(fmt.Sprintf("%s/%s/%s", mdl, c.path, c.l), func(t *testing.T) {
				if mdl == "characterised" && os.Getenv("OSCSIM_FIDELITY_LONG") == "" {
					t.Skip("set OSCSIM_FIDELITY_LONG=1 for the characterised ring's TG pairs")
				}
				t.Parallel()
				// One real transmission gate of the description's geometry
				// (no series resistor), drawn without trims.
				src := pairChip(fmt.Sprintf("tg-%s-L%s", c.path, c.l), "1.3703GHz", ringModelLine(mdl),
					fmt.Sprintf("tg_l = \"%s\"\nloads = \"loaded\"", c.l), c.d0, c.w, 60)
				res := crossCheck(t, src, CheckOptions{Sim: sim})
				fs := 0.5 * (res.Spice.Freq[0] + res.Spice.Freq[1])
				for _, m := range res.Models {
					fm := 0.5 * (m.Freq[0] + m.Freq[1])
					dphi := deg(math.Abs(wrap(m.PairDiff[0] - res.Spice.PairDiff[0])))
					ls, lm := res.Spice.PairLock[0], m.PairLock[0]
					t.Logf("%s ring, %s model: f %+.2f%%, Δφ %.1f° (ngspice %.1f°, error %.1f°), lock %.3g ns (ngspice %.3g ns, %+.0f%%)",
						mdl, m.Model, 100*(fm/fs-1), deg(m.PairDiff[0]), deg(res.Spice.PairDiff[0]), dphi, lm*1e9, ls*1e9, 100*(lm/ls-1))
					if math.Abs(fm/fs-1) > 0.02 {
						t.Errorf("%s model: locked frequency %+.2f%% from ngspice (want within 2%%)", m.Model, 100*(fm/fs-1))
					}
					if dphi > c.maxPhase {
						t.Errorf("%s model: Δφ error %.1f° (floor %.1f°)", m.Model, dphi, c.maxPhase)
					}
					if e := math.Abs(lm/ls - 1); !(e <= c.maxLock) {
						t.Errorf("%s model: lock time %+.0f%% from ngspice (floor %.0f%%)", m.Model, 100*(lm/ls-1), 100*c.maxLock)
					}
				}
			})
		}
	}
}
