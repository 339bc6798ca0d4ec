package freqsync

import (
	"fmt"
	"strings"

	"oscsim/chip"
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

// CheckTuning reports whether the chip nl can run model m (already scaled
// to the chip's frequencies): every ring the model sets must be tunable
// and the model's range [FMin, FMax] must lie inside the chip's tuning
// range f0·[1 − range, 1 + range]. The error names the file and key.
func CheckTuning(nl *netlist.Netlist, m *Model) error {
	tu := nl.Tuning
	if tu == nil {
		return fmt.Errorf("%s: no [tuning] table: the classifier sets every ring's natural frequency per input", nl.File)
	}
	for i := 0; i < m.N; i++ {
		if !tu.Tunable(i) {
			return fmt.Errorf("%s: tuning.targets: ring %d is not tunable, the %s network sets its frequency", nl.File, i, m.Arch)
		}
	}
	f0 := nl.Oscillators.Frequency
	lo, hi := f0*(1-tu.Range), f0*(1+tu.Range)
	if m.FMin < lo*(1-1e-9) || m.FMax > hi*(1+1e-9) {
		return fmt.Errorf("%s: tuning.range: the chip tunes over [%.7g, %.7g] MHz, the weights need [%.7g, %.7g] MHz", nl.File,
			lo/1e6, hi/1e6, m.FMin/1e6, m.FMax/1e6)
	}
	return nil
}

// AddTuning completes a run's ledger L with the tuning hardware of nl's
// [tuning] table for model m (docs/sync.md, "On the chip"), given the
// natural frequencies F of the run's inputs and the run time T:
//
//   - area: one DAC per tunable ring and the MAC block, added to the die
//     as they are (no placement overhead: our simplification);
//   - power: the rings' switching and short-circuit lines scaled by the
//     mean over rings and inputs of (F_i/f0)^power_exponent (a
//     current-starved ring's power follows its tuned frequency);
//   - energy per inference: the DAC conversions (one per ring whose code
//     changes with the input: N for the extended network, one per input
//     for the reference one) and the multiply-accumulates (N·(dim+1) for
//     the extended network's W·[z; 1], dim for the reference one's input
//     scaling); the run line is recomputed from the scaled power.
func AddTuning(L *chip.Ledger, nl *netlist.Netlist, m *Model, F [][]float64, T float64) {
	tu := nl.Tuning
	if L == nil || tu == nil {
		return
	}
	f0 := nl.Oscillators.Frequency
	var s float64
	n := 0
	for _, f := range F {
		for _, x := range f {
			s += tu.RingPower(x, f0)
			n++
		}
	}
	scale := 1.0
	if n > 0 {
		scale = s / float64(n)
	}
	L.TotalPower = 0
	for k, l := range L.Power {
		if strings.HasPrefix(l.Name, "rings: switching") || strings.HasPrefix(l.Name, "rings: short-circuit") {
			L.Power[k].Value *= scale
			L.Power[k].Formula += fmt.Sprintf(" · ⟨(F/f0)^%g⟩ = %.4g (tuned frequencies)", tu.PowerExponent, scale)
		}
		L.TotalPower += L.Power[k].Value
	}
	nd := len(tu.Targets)
	dacA, macA := float64(nd)*tu.DACArea, tu.MACArea
	L.Area = append(L.Area,
		chip.Line{Name: "tuning DACs", Value: dacA, Formula: fmt.Sprintf("%d DACs·%.4g µm²", nd, tu.DACArea*1e12)},
		chip.Line{Name: "tuning MAC", Value: macA, Formula: "mac_area"})
	L.DieArea += dacA + macA
	conv, macs := m.N, m.N*(m.Dim+1)
	if m.Arch == Reference {
		conv, macs = m.Dim, m.Dim
	}
	L.EnergyPerRun = 0
	for k, l := range L.Energy {
		if l.Name == "run" {
			L.Energy[k].Value = L.TotalPower * T
			L.Energy[k].Formula = "total power·T = " + netlist.FormatSI(L.TotalPower, "W") + "·" + netlist.FormatSI(T, "s")
		}
	}
	L.Energy = append(L.Energy,
		chip.Line{Name: "tuning DACs: conversions", Value: float64(conv) * tu.DACEnergy, Formula: fmt.Sprintf("%d conversions·%s", conv, netlist.FormatSI(tu.DACEnergy, "J"))},
		chip.Line{Name: "tuning MAC", Value: float64(macs) * tu.MACEnergy, Formula: fmt.Sprintf("%d multiply-accumulates·%s", macs, netlist.FormatSI(tu.MACEnergy, "J"))})
	for _, l := range L.Energy {
		L.EnergyPerRun += l.Value
	}
}
