package spice

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"oscsim/chip"
)

// TestPhaseLongStep: on the 4×4 arrays the phase model's longest stable
// step (Chip.MinStepsPerCycle: 8–17 cycles) gives the same binarised final
// state as its default 4 steps a cycle in at least 18 of the 20 initial
// conditions of TestFidelityArray (measured: 20, 18 and 19 of 20 at the
// 1.2 MΩ, settled and pump-dominated points; each that differs does so in
// one ring) — the step BenchmarkEngine4x4 times as the phase model's
// fastest setting (docs/fidelity.md, "Speed").
func TestPhaseLongStep(t *testing.T) {
	in := make([]chip.Input, 20)
	for ic := range in {
		r := rand.New(rand.NewPCG(uint64(ic), 7))
		ph := make([]float64, 16)
		for i := range ph {
			ph[i] = (2*r.Float64() - 1) * math.Pi
		}
		in[ic] = chip.Input{Phases: ph}
	}
	for _, a := range fidelityArrays {
		ch, _ := load(t, a.file)
		long := ch.MinStepsPerCycle("phase", 1)
		if long > 0.125 {
			t.Errorf("%s: longest phase-model step %g cycles, want ≥ 8", a.file, 1/long)
		}
		var states [2][][]int
		for k, spc := range []float64{4, long} {
			res, err := ch.Run(context.Background(), in, chip.RunOptions{Model: "phase", StepsPerCycle: spc, NoNoise: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range res.Final {
				states[k] = append(states[k], Binarise(f))
			}
		}
		differ := 0
		for ic := range in {
			if !slices.Equal(states[0][ic], states[1][ic]) {
				differ++
				t.Logf("%s, IC %d: state %v at 4 steps a cycle, %v at %g cycles a step", a.file, ic, states[0][ic], states[1][ic], 1/long)
			}
		}
		if differ > 2 {
			t.Errorf("%s: %d of 20 states differ between 4 steps a cycle and %g cycles a step, want ≤ 2", a.file, differ, 1/long)
		}
	}
}
