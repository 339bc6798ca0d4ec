package spice

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"oscsim/chip"
)

// Trim is the result of TrimLoads.
type Trim struct {
	// Factors are the load trims (DeckOptions.LoadTrim) that put each
	// ring at its RingProbe.Uncoupled frequency in the deck.
	Factors []float64
	// Error[k][i] is ring i's frequency error (relative, f/f_want − 1) in
	// trim run k: run 0 is the untrimmed deck, run k > 0 the deck with the
	// trims of the runs before it. Factors include the correction of the
	// last run too (one more run would find ≈ 1e-6 on the 4×4 array).
	Error [][]float64
	// Wall and CPU are ngspice's times over all trim runs.
	Wall, CPU time.Duration
}

// MaxError returns the largest |Error| of trim run k.
func (t *Trim) MaxError(k int) float64 {
	m := 0.0
	for _, e := range t.Error[k] {
		m = math.Max(m, math.Abs(e))
	}
	return m
}

// trimCycles is the length of a trim run in cycles; the frequency is
// measured over its second half (the first settles the couplers' nodes).
const trimCycles = 40

// TrimLoads measures every ring's frequency in the chip's deck with its
// couplers' devices in place but their resistors open and no pump
// (DeckOptions.Open), and returns the load trims that put each ring at the
// frequency the deck sizes it for (RingProbe.Uncoupled), after runs trim
// runs (each corrects by the measured ratio, f ∝ 1/(C + DevCap); on the
// 4×4 array the largest error goes 3.7e-4 → 1.9e-5 → 1e-6). The trim runs
// start every ring at phase 0 (the rings do not interact), so a chip's trim
// does not depend on the run's initial phases; with sim.Trims set it is
// measured once per chip, design and detuning for every call that shares
// that cache.
//
// Why: the deck takes the couplers' loads off each tap as equivalent
// capacitances (Design.CouplerCin, TGCap) measured on one ring, but a
// switch or an inverter input on a tap is a nonlinear load whose effect
// depends on the ring's other couplers; on the 4×4 test array the
// untrimmed rings run 0.005–0.037% (65–500 kHz) off their intended
// frequency, ring by ring, which is 0.1–0.8 of one 4 MΩ coupler's K and
// decides the state of rings whose couplings nearly cancel
// (docs/fidelity.md, "4×4 array"). A designer trims a coupled array's
// rings the same way, against a measurement of each.
func TrimLoads(ctx context.Context, sim Simulator, ch *chip.Chip, d Design, freqOffset []float64, runs int) (*Trim, error) {
	if runs < 1 {
		return nil, fmt.Errorf("spice: TrimLoads needs at least one run (got %d)", runs)
	}
	fref := ch.Netlist().Oscillators.Frequency
	o := DeckOptions{Phases: make([]float64, ch.N()), FreqOffset: freqOffset, Open: true, Duration: trimCycles / fref}
	first, err := Write(ch, d, o)
	if err != nil {
		return nil, err
	}
	if sim.Trims == nil {
		return trimLoads(ctx, sim, ch, d, o, first, runs)
	}
	// One measurement per chip, design and detuning per cache, also when
	// parallel cross-checks of the chip ask at once.
	key := fmt.Sprintf("%d\x00%s", runs, first.Text)
	v, _ := sim.Trims.m.LoadOrStore(key, &trimEntry{})
	e := v.(*trimEntry)
	e.once.Do(func() { e.t, e.err = trimLoads(ctx, sim, ch, d, o, first, runs) })
	if e.err != nil {
		// Do not keep a failure (a cancelled context, say) for later calls.
		sim.Trims.m.CompareAndDelete(key, e)
	}
	return e.t, e.err
}

// TrimCache keeps TrimLoads' results by their first deck (which holds the
// chip, design and detuning) and run count, for the simulators that share
// it (Simulator.Trims). It is safe for concurrent use; the zero value is
// empty and ready.
type TrimCache struct{ m sync.Map }

type trimEntry struct {
	once sync.Once
	t    *Trim
	err  error
}

// trimLoads runs the trim runs; first is run 0's (untrimmed) deck.
func trimLoads(ctx context.Context, sim Simulator, ch *chip.Chip, d Design, o DeckOptions, first *Deck, runs int) (*Trim, error) {
	N := ch.N()
	t := &Trim{Factors: make([]float64, N)}
	for i := range t.Factors {
		t.Factors[i] = 1
	}
	deck := first
	for k := 0; k < runs; k++ {
		if k > 0 {
			o.LoadTrim = t.Factors
			var err error
			if deck, err = Write(ch, d, o); err != nil {
				return nil, err
			}
		}
		out, err := sim.Run(ctx, fmt.Sprintf("trim%d", k), deck.Text, o.Duration)
		if err != nil {
			return nil, fmt.Errorf("spice: trim run: %w", err)
		}
		t.Wall += out.Wall
		t.CPU += out.CPU
		tm := out.Time()
		errs := make([]float64, N)
		next := make([]float64, N)
		for i, r := range deck.Rings {
			v, err := out.Vec(r.Tap)
			if err != nil {
				return nil, err
			}
			f, err := MeanFrequency(RisingEdges(tm, v, deck.VDD/2), o.Duration/2, o.Duration)
			if err != nil {
				return nil, fmt.Errorf("spice: trim run: ring %s: %w", r.Name, err)
			}
			errs[i] = f/r.Uncoupled - 1
			next[i] = t.Factors[i] * f / r.Uncoupled
		}
		t.Error = append(t.Error, errs)
		t.Factors = next
	}
	return t, nil
}
