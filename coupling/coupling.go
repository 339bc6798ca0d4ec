package coupling

import (
	"fmt"
	"math"
)

// Quantizer maps real weights onto signed integer codes in
// [−MaxCode, MaxCode].
type Quantizer struct {
	MaxCode int
	// FullScale is the weight magnitude that maps to MaxCode (scale mode).
	FullScale float64
	// Exact requires every weight to be an integer code already.
	Exact bool
}

// Code returns the signed code of weight w: round(w/FullScale·MaxCode),
// clipped to ±MaxCode (clipped reports that). In exact mode w must be an
// integer within range.
func (q Quantizer) Code(w float64) (code int, clipped bool, err error) {
	if math.IsNaN(w) || math.IsInf(w, 0) {
		return 0, false, fmt.Errorf("coupling: weight %g is not finite", w)
	}
	if q.Exact {
		if w != math.Trunc(w) || math.Abs(w) > float64(q.MaxCode) {
			return 0, false, fmt.Errorf("coupling: weight %g is not a code in −%d…+%d", w, q.MaxCode, q.MaxCode)
		}
		return int(w), false, nil
	}
	x := math.Round(w / q.FullScale * float64(q.MaxCode))
	if x > float64(q.MaxCode) {
		return q.MaxCode, true, nil
	}
	if x < -float64(q.MaxCode) {
		return -q.MaxCode, true, nil
	}
	return int(x), false, nil
}

// Value returns the weight that code stands for.
func (q Quantizer) Value(code int) float64 {
	if q.Exact {
		return float64(code)
	}
	return float64(code) * q.FullScale / float64(q.MaxCode)
}

// Report summarises the quantisation of one weight set.
type Report struct {
	Weights int // couplings quantised
	Zeroed  int // nonzero weights that became code 0 (coupler off)
	Clipped int // weights beyond full scale
	// MaxAbsErr and RMSErr are the quantisation error in weight units.
	MaxAbsErr, RMSErr float64
	// LevelsUsed is the number of distinct codes in use (including 0).
	LevelsUsed int
	// Positive and Negative count couplers on the in-phase and inverter path.
	Positive, Negative int
}

func (r Report) String() string {
	return fmt.Sprintf("%d weights → %d in-phase + %d inverter couplers, %d level(s) used, %d zeroed, %d clipped, max |err| %.3g, rms err %.3g",
		r.Weights, r.Positive, r.Negative, r.LevelsUsed, r.Zeroed, r.Clipped, r.MaxAbsErr, r.RMSErr)
}

// Quantize returns the codes of ws and a report.
func (q Quantizer) Quantize(ws []float64) ([]int, Report, error) {
	codes := make([]int, len(ws))
	rep := Report{Weights: len(ws)}
	used := map[int]bool{}
	var se float64
	for k, w := range ws {
		c, clipped, err := q.Code(w)
		if err != nil {
			return nil, rep, err
		}
		codes[k] = c
		used[c] = true
		if clipped {
			rep.Clipped++
		}
		if c == 0 && w != 0 {
			rep.Zeroed++
		}
		switch {
		case c > 0:
			rep.Positive++
		case c < 0:
			rep.Negative++
		}
		e := math.Abs(w - q.Value(c))
		rep.MaxAbsErr = math.Max(rep.MaxAbsErr, e)
		se += e * e
	}
	if len(ws) > 0 {
		rep.RMSErr = math.Sqrt(se / float64(len(ws)))
	}
	rep.LevelsUsed = len(used)
	return codes, rep, nil
}

// Conductance returns the conductance (S) of a coupler at code c built from
// unit fingers of conductance gUnit, each with relative 1σ mismatch sigma.
// The |c| fingers' errors add, so the relative error of the sum has
// σ/√|c|; z is that coupler's standard-normal deviate.
func Conductance(c int, gUnit, sigma, z float64) float64 {
	if c == 0 {
		return 0
	}
	n := math.Abs(float64(c))
	g := n * gUnit * (1 + sigma*z/math.Sqrt(n))
	return math.Max(g, 0)
}

// Rate returns the phase-model coupling rate K (rad/s) of a coupler of
// conductance G onto a node of capacitance C, for a ring with coupling gain
// h1 (ringosc.Model.CouplingGain): K = h1·G/C. Positive is the in-phase
// path; the caller negates it for the inverter path.
func Rate(G, h1, C float64) float64 { return h1 * G / C }

// UnitConductance inverts Rate: the unit-finger conductance that gives a
// rate k (rad/s) per code step.
func UnitConductance(k, h1, C float64) float64 { return k * C / h1 }

// Power returns the average power (W) dissipated in a TG of conductance G
// whose two ends carry sinusoidal swings v = (1+cos θ)/2·VDD at phase
// difference Δ: P = G·⟨(V_a − V_b)²⟩ = G·VDD²·(1 − s·cos Δ)/4, with s = +1
// on the in-phase path and −1 on the inverter path (whose far end is the
// complement). It is zero for an in-phase-locked pair on the in-phase path
// and maximal, G·VDD²/2, for an anti-phase pair.
func Power(G, vdd, delta float64, inverted bool) float64 {
	s := 1.0
	if inverted {
		s = -1
	}
	return G * vdd * vdd * (1 - s*math.Cos(delta)) / 4
}
