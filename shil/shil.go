package shil

import (
	"fmt"

	"oscsim/internal/vocab"
)

// Kind is the shape of a pump schedule: a vocabulary, written like every
// other (internal/vocab; the same shape on purpose).
type Kind string

const (
	// Constant: full strength from Start on.
	Constant Kind = "constant"
	// Ramp: linear from 0 at Start to full at the end of the run.
	Ramp Kind = "ramp"
	// RampHold: linear from 0 at Start to full after Ramp, then held.
	RampHold Kind = "ramp-hold"
)

// UnmarshalText accepts "constant", "ramp" or "ramp-hold", so a chip
// description's bad schedule is reported at its line and column.
func (k *Kind) UnmarshalText(b []byte) error {
	return vocab.Set(k, b, "schedule", Constant, Ramp, RampHold)
}

// Check reports a kind that is none of the three.
func (k Kind) Check() error { return vocab.Check(k, "schedule", Constant, Ramp, RampHold) }

// Schedule scales the pump over a run.
type Schedule struct {
	Kind Kind
	// Start is when the pump turns on (s); before it the pump is off.
	Start float64
	// Ramp is the ramp time of RampHold (s).
	Ramp float64
	// End is the end of the run (s); Ramp rises from Start to End.
	End float64
}

// Factor returns the pump amplitude at time t as a fraction of full
// strength, in [0, 1].
func (s Schedule) Factor(t float64) float64 {
	if t < s.Start {
		return 0
	}
	switch s.Kind {
	case Ramp:
		if s.End <= s.Start {
			return 1
		}
		return min(1, (t-s.Start)/(s.End-s.Start))
	case RampHold:
		if s.Ramp <= 0 {
			return 1
		}
		return min(1, (t-s.Start)/s.Ramp)
	default:
		return 1
	}
}

// Validate checks the schedule kind.
func (s Schedule) Validate() error {
	if err := s.Kind.Check(); err != nil {
		return fmt.Errorf("shil: %w", err)
	}
	return nil
}

// Rate returns the phase-model SHIL rate K_s (rad/s) of a pump of current
// amplitude I into a ring with pump gain g2 (ringosc.Model.PumpGain) and
// q_max = C·VDD: K_s = g2·I/q_max, from the cycle average of
// Γp(θ)·I·cos(2ω_ref·t)/q_max (Hong & Hajimiri, JSSC 54(8), 2019;
// docs/model.md §7). In the phase model dφ/dt = … − K_s·sin 2φ, and a ring
// detuned by Δω locks to the pump only while |Δω| ≤ K_s.
func Rate(I, g2, C, vdd float64) float64 { return g2 * I / (C * vdd) }

// Current inverts Rate: the pump amplitude that gives rate ks.
func Current(ks, g2, C, vdd float64) float64 { return ks * C * vdd / g2 }

// Power returns the supply power (W) of a pump delivering a sinusoidal
// current of amplitude I to n rings from a supply VDD, with its
// distribution network of capacitance cDist switched at 2·f0: each target's
// current source draws the rectified-sine average 2I/π from VDD, and the
// distribution net costs cDist·VDD²·2f0 (first-order, docs/model.md §7).
func Power(I float64, n int, vdd, cDist, f0 float64) float64 {
	return float64(n)*vdd*2*I/3.141592653589793 + cDist*vdd*vdd*2*f0
}
