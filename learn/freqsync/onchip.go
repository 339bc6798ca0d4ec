package freqsync

import (
	"fmt"

	"oscsim/netlist"
	"oscsim/phasedet"
)

// ChipPhysics maps software physics soft onto the ring chip nl by ratios
// (docs/sync.md, "On the chip"): every frequency is scaled by
// s = f0/soft.Center() (the chip's frequency over the software centre), so
// the tuning range keeps its relative width and k becomes the chip's
// coupling rate (unit_k·max_code·f0, the code every uniform weight gets);
// times are the chip's run (duration, the last half for f̄, the counter's
// window when the chip has a counter bank), and dt is soft.Dt/s. Noise
// and mismatch are the chip's own (its description), not soft's.
func ChipPhysics(nl *netlist.Netlist, soft Physics) (Physics, error) {
	f0 := nl.Oscillators.Frequency
	if !(f0 > 0) || !(soft.Center() > 0) {
		return Physics{}, fmt.Errorf("freqsync: %s: no chip frequency", nl.File)
	}
	if nl.Couplings.UnitK <= 0 {
		return Physics{}, fmt.Errorf("freqsync: %s: couplings.unit_k must set the coupling rate", nl.File)
	}
	s := f0 / soft.Center()
	p := Physics{K: nl.Couplings.UnitK * float64(nl.Couplings.MaxCode) * f0, FMin: soft.FMin * s, FMax: soft.FMax * s,
		Dt: soft.Dt / s, T: nl.Run.Duration, Tau: nl.Run.Duration / 2,
		Linewidth: nl.Oscillators.Linewidth, FreqSigma: nl.Oscillators.FreqSigma, CouplerSigma: nl.Couplings.Sigma}
	for _, d := range nl.Detectors {
		if d.Kind == phasedet.Counter && d.Window > 0 {
			p.Tau = min(d.Window, p.T)
		}
	}
	return p, p.Validate()
}

// Scaled returns the model with every frequency multiplied by s (its
// natural frequencies on a chip running s times faster).
func (m *Model) Scaled(s float64) *Model {
	c := m.Clone()
	c.Unit *= s
	c.FMin *= s
	c.FMax *= s
	return c
}
