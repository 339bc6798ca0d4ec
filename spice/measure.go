package spice

import (
	"fmt"
	"math"
	"sort"
)

// RisingEdges returns the times at which v rises through level, linearly
// interpolated between samples (t, v). A crossing counts when v goes from
// below level to at or above it.
func RisingEdges(t, v []float64, level float64) []float64 {
	var out []float64
	for k := 1; k < len(v) && k < len(t); k++ {
		if v[k-1] < level && v[k] >= level {
			f := (level - v[k-1]) / (v[k] - v[k-1])
			out = append(out, t[k-1]+f*(t[k]-t[k-1]))
		}
	}
	return out
}

// EdgePhases returns the phase φ (rad, unwrapped) of a ring at each of its
// rising tap edges, relative to a reference at fref: the tap rises through
// mid-rail at θ = −π/2, and θ = 2π·fref·t + φ, so φ_k = −π/2 − 2π·fref·t_k
// (mod 2π). Successive values are unwrapped by continuity.
func EdgePhases(edges []float64, fref float64) []float64 {
	out := make([]float64, len(edges))
	w := 2 * math.Pi * fref
	prev := 0.0
	for k, te := range edges {
		p := -math.Pi/2 - w*te
		if k == 0 {
			p = wrap(p)
		} else {
			p += 2 * math.Pi * math.Round((prev-p)/(2*math.Pi))
		}
		out[k] = p
		prev = p
	}
	return out
}

// wrap maps x to (−π, π].
func wrap(x float64) float64 {
	x = math.Mod(x+math.Pi, 2*math.Pi)
	if x <= 0 {
		x += 2 * math.Pi
	}
	return x - math.Pi
}

// Series is a piecewise-linear function of time.
type Series struct {
	T, Y []float64
}

// At interpolates the series at t (clamped to its ends).
func (s Series) At(t float64) float64 {
	n := len(s.T)
	if n == 0 {
		return math.NaN()
	}
	if t <= s.T[0] {
		return s.Y[0]
	}
	if t >= s.T[n-1] {
		return s.Y[n-1]
	}
	k := sort.SearchFloat64s(s.T, t)
	f := (t - s.T[k-1]) / (s.T[k] - s.T[k-1])
	return s.Y[k-1] + f*(s.Y[k]-s.Y[k-1])
}

// MeanFrequency returns the mean frequency (Hz) of a ring from its edges
// within [t0, t1]: whole periods between the first and last edge there.
func MeanFrequency(edges []float64, t0, t1 float64) (float64, error) {
	var in []float64
	for _, e := range edges {
		if e >= t0 && e <= t1 {
			in = append(in, e)
		}
	}
	if len(in) < 2 {
		return 0, fmt.Errorf("spice: fewer than 2 rising edges in [%.4g, %.4g] s: the ring does not oscillate", t0, t1)
	}
	return float64(len(in)-1) / (in[len(in)-1] - in[0]), nil
}

// MeanOver returns the time average of y over [t0, t1] by the trapezoid
// rule on the samples inside (a supply current, for power).
func MeanOver(t, y []float64, t0, t1 float64) float64 {
	var s, span float64
	for k := 1; k < len(t); k++ {
		a, b := t[k-1], t[k]
		if b <= t0 || a >= t1 {
			continue
		}
		s += 0.5 * (y[k-1] + y[k]) * (b - a)
		span += b - a
	}
	if span == 0 {
		return math.NaN()
	}
	return s / span
}

// SettleTime returns the time after which a phase trajectory y(t) (rad)
// stays within tol of its final value yf (compared modulo 2π): the end of
// the last sample outside the band, or T[0] when it never leaves it. It is
// the lock time of a pair's phase difference or of a ring's phase to a pump.
func SettleTime(s Series, yf, tol float64) float64 {
	last := -1
	for k, y := range s.Y {
		if math.Abs(wrap(y-yf)) > tol {
			last = k
		}
	}
	switch {
	case last < 0:
		return s.T[0]
	case last == len(s.T)-1:
		return math.Inf(1)
	}
	// Interpolate the exit from the band between samples last and last+1.
	e0, e1 := math.Abs(wrap(s.Y[last]-yf)), math.Abs(wrap(s.Y[last+1]-yf))
	f := 1.0
	if e0 != e1 {
		f = (e0 - tol) / (e0 - e1)
	}
	return s.T[last] + f*(s.T[last+1]-s.T[last])
}

// CircularMean returns the circular mean (rad) of angles ys.
func CircularMean(ys []float64) float64 {
	var s, c float64
	for _, y := range ys {
		s += math.Sin(y)
		c += math.Cos(y)
	}
	return math.Atan2(s, c)
}

// BinaryAxis returns the axis ψ (rad) that best binarises phases: half the
// argument of Σ e^{2iφ_k}, so that the phases cluster at ψ and ψ + π.
func BinaryAxis(phases []float64) float64 {
	var s, c float64
	for _, p := range phases {
		s += math.Sin(2 * p)
		c += math.Cos(2 * p)
	}
	return 0.5 * math.Atan2(s, c)
}

// Binarise returns the spins sign(cos(φ_i − ψ)) about the best binary axis
// ψ (BinaryAxis), with the first ring's spin made +1: the Ising state a
// chip reads with pairwise phase detectors, independent of the global
// phase.
func Binarise(phases []float64) []int {
	psi := BinaryAxis(phases)
	out := make([]int, len(phases))
	for i, p := range phases {
		out[i] = 1
		if math.Cos(p-psi) < 0 {
			out[i] = -1
		}
	}
	if len(out) > 0 && out[0] < 0 {
		for i := range out {
			out[i] = -out[i]
		}
	}
	return out
}
