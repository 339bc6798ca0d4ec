package eqprop

import (
	"math"

	"oscsim/ringosc"
)

// TiltedRing returns the analytic 5-stage ring with its ISF advanced by
// alpha (rad), tabulated at 256 points: v(θ) = (1 + cos θ)/2,
// Γ(θ) = −Γ1·sin(θ + α), Γp(θ) = −C2·sin 2θ. Its coupling function is
//
//	H(Δ) = h1·[cos α·sin Δ − sin α·(cos Δ − 1)],
//
// an odd part h1·cos α and an even part of relative size ρ = −tan α
// (chip/paths.go's definition), the knob of the "non-odd coupling" failure
// mode (docs/ep.md §4): α = 0 is the analytic ring.
func TiltedRing(alpha float64) ringosc.Model {
	a := ringosc.Analytic(5)
	const M = 256
	m := ringosc.Model{Name: "tilted", Gamma1: a.Gamma1, C2: a.C2,
		Wave: make([]float64, M), ISF: make([]float64, M), Pump: make([]float64, M)}
	for k := 0; k < M; k++ {
		th := 2 * math.Pi * float64(k) / M
		m.Wave[k] = 0.5 * (1 + math.Cos(th))
		m.ISF[k] = -a.Gamma1 * math.Sin(th+alpha)
		m.Pump[k] = -a.C2 * math.Sin(2*th)
	}
	return m
}
