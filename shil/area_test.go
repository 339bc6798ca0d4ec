package shil

import (
	"math"
	"testing"

	"oscsim/tech"
)

// Devices counts one injection device per ring plus a fanout-4 buffer
// tree: ⌈(n−1)/3⌉ buffers (1 ring: none; 4: one; 16: five = 4 + 1).
func TestDevices(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]int{0: 0, 1: 1, 4: 5, 16: 21, 1968: 1968 + 656} {
		if got := Devices(n); got != want {
			t.Errorf("Devices(%d) = %d, want %d", n, got, want)
		}
	}
	c, _ := tech.Lookup("45nm")
	if got, want := Area(16, c), 21*0.532e-12; math.Abs(got/want-1) > 1e-12 {
		t.Errorf("Area(16) = %g, want %g", got, want)
	}
	// Power of 16 pumped rings at I = 5 µA, 1.0 V, f0 = 1 GHz:
	// 16·1 V·2·5 µA/π + 21·0.4 fF·1 V²·2 GHz = 50.93 µW + 16.8 µW.
	got := Power(5e-6, 16, 1.0, DistCap(16, c), 1e9)
	want := 16*2*5e-6/math.Pi + 21*0.4e-15*2e9
	if math.Abs(got/want-1) > 1e-12 {
		t.Errorf("Power = %g, want %g", got, want)
	}
}

// Mean is the closed-form time average of Factor; it must match a fine
// numerical average for every schedule shape.
func TestScheduleMean(t *testing.T) {
	t.Parallel()
	const T = 50e-9
	for _, s := range []Schedule{
		{Kind: "constant"},
		{Kind: "constant", Start: 10e-9},
		{Kind: "ramp", End: T},
		{Kind: "ramp", Start: 5e-9, End: T},
		{Kind: "ramp-hold", Ramp: 30e-9},
		{Kind: "ramp-hold", Start: 10e-9, Ramp: 20e-9},
		{Kind: "ramp-hold", Start: 40e-9, Ramp: 20e-9}, // still ramping at T
		{Kind: "constant", Start: 60e-9},               // never on
	} {
		const M = 200000
		sum := 0.0
		for k := 0; k < M; k++ {
			sum += s.Factor((float64(k) + 0.5) / M * T)
		}
		if got, want := s.Mean(T), sum/M; math.Abs(got-want) > 1e-5 {
			t.Errorf("%+v: Mean = %.6f, numerical %.6f", s, got, want)
		}
	}
	if got := (Schedule{Kind: "ramp-hold", Start: 10e-9, Ramp: 20e-9}).OnFraction(T); math.Abs(got-0.8) > 1e-12 {
		t.Errorf("OnFraction = %g, want 0.8", got)
	}
}
