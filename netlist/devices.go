package netlist

import "math"

// checkFullScale warns when quantize = "scale" without full_scale turns
// every coupling into the largest code: the largest |weight| maps to
// max_code, so a chip whose weights all have one magnitude (a single
// weight of 1, or ±1 everywhere) gets ±max_code on every coupler, which is
// rarely what weights written as small integers meant.
func (v *validator) checkFullScale(n *Netlist) {
	c := n.Couplings
	if c.Quantize != "scale" || c.FullScale > 0 || c.MaxCode <= 1 || len(c.Edges) == 0 {
		return
	}
	mag := 0.0
	for _, e := range c.Edges {
		switch a := math.Abs(e.W); {
		case a == 0:
		case mag == 0:
			mag = a
		case a != mag:
			return
		}
	}
	if mag == 0 {
		return
	}
	what := "every coupling"
	if len(c.Edges) == 1 {
		what = "the only coupling"
	}
	v.warnAt("couplings.quantize", "quantize = \"scale\" without full_scale maps the largest |weight| (%g) to code %d, so %s becomes ±%d; give full_scale, or quantize = \"exact\" for weights that are codes", mag, c.MaxCode, what, c.MaxCode)
}

// buildRingExtras reads the tap stage, the per-ring frequency offsets and
// tap loads: a stage of the ring; one value per oscillator, finite, loads
// not negative.
func (v *validator) buildRingExtras(o *Oscillators, r *rawOscillators, n int) {
	if r.TapStage != nil {
		o.TapStage = *r.TapStage
		if o.TapStage < 0 || o.TapStage >= o.Stages {
			v.errAt("oscillators.tap_stage", "the tap is the output of a stage 0…%d of the %d-stage ring (got %d)", o.Stages-1, o.Stages, o.TapStage)
		}
	}
	if r.FreqOffsets != nil {
		if len(r.FreqOffsets) != n {
			v.errAt("oscillators.freq_offsets", "want %d frequency offsets, one per oscillator (got %d)", n, len(r.FreqOffsets))
		}
		o.FreqOffsets = make([]float64, len(r.FreqOffsets))
		for i, f := range r.FreqOffsets {
			if x := float64(f); !finite(x) || (o.Frequency > 0 && math.Abs(x) >= 0.5*o.Frequency) {
				v.errAt("oscillators.freq_offsets", "offset %d must be finite and below half the ring frequency (got %s)", i, FormatSI(x, "Hz"))
			}
			o.FreqOffsets[i] = float64(f)
		}
	}
	if r.TapLoads != nil {
		if len(r.TapLoads) != n {
			v.errAt("oscillators.tap_loads", "want %d tap loads, one per oscillator (got %d)", n, len(r.TapLoads))
		}
		o.TapLoads = make([]float64, len(r.TapLoads))
		for i, c := range r.TapLoads {
			if x := float64(c); !finite(x) || x < 0 {
				v.errAt("oscillators.tap_loads", "tap load %d must be a capacitance ≥ 0 (got %g F)", i, x)
			}
			o.TapLoads[i] = float64(c)
		}
	}
}

// TGGeometry is one coupler finger (one code step) built as Fingers
// parallel transmission gates of NMOS width WN, PMOS width WP and channel
// length L (m), with the conductance G (S) and the capacitance C (F, its
// terminals tied together) the tech card's switch table gives them
// (tech.TGTable.Switch: G is 1/⟨G⟩'s inverse, the mean small-signal
// conductance over the common mode 5–95% of VDD, docs/ringmodel.md).
type TGGeometry struct {
	WN, WP, L float64
	Fingers   int
	G, C      float64
}

// buildTG reads couplings.tg_* (nil when none is given): NMOS and PMOS
// widths default to the card's ring devices (WN, 2·WN), fingers to 1; the
// length is required. A geometry the card cannot build is an error naming
// the key: widths below the card's minimum (2× its node), a length below
// its node or outside its measured switch table, fewer than one finger.
func (v *validator) buildTG(n *Netlist, rc *rawCouplings) *TGGeometry {
	if rc.TGWN == nil && rc.TGWP == nil && rc.TGL == nil && rc.TGFingers == nil {
		return nil
	}
	card := n.Tech
	g := &TGGeometry{WN: card.WN, WP: 2 * card.WN, Fingers: 1}
	if rc.TGWN != nil {
		g.WN = float64(*rc.TGWN)
	}
	if rc.TGWP != nil {
		g.WP = float64(*rc.TGWP)
	}
	if rc.TGFingers != nil {
		g.Fingers = *rc.TGFingers
	}
	ok := true
	if rc.TGL == nil {
		v.errAt("couplings.tg_l", "a coupler given by its TG geometry needs the channel length tg_l (e.g. \"100nm\")")
		return nil
	}
	g.L = float64(*rc.TGL)
	wmin := 2 * card.Node
	for _, w := range []struct {
		key string
		x   float64
	}{{"tg_wn", g.WN}, {"tg_wp", g.WP}} {
		if !(w.x >= wmin*(1-1e-9)) || !finite(w.x) {
			v.errAt("couplings."+w.key, "width %s is below the %s card's minimum device width %s", FormatSI(w.x, "m"), card.Name, FormatSI(wmin, "m"))
			ok = false
		}
	}
	if !(g.L >= card.Node*(1-1e-9)) || !finite(g.L) {
		v.errAt("couplings.tg_l", "channel length %s is below the %s card's minimum %s", FormatSI(g.L, "m"), card.Name, FormatSI(card.Node, "m"))
		ok = false
	}
	if g.Fingers < 1 || g.Fingers > 64 {
		v.errAt("couplings.tg_fingers", "a finger is 1–64 parallel TGs (got %d)", g.Fingers)
		ok = false
	}
	if !ok {
		return nil
	}
	if card.TG == nil {
		v.errAt("couplings.tg_l", "the %s card has no measured transmission-gate table; give couplings.unit_resistance", card.Name)
		return nil
	}
	var err error
	if g.G, g.C, err = card.TG.Switch(g.WN, g.WP, g.L, g.Fingers); err != nil {
		v.errAt("couplings.tg_l", "the %s card cannot build this TG: %v", card.Name, err)
		return nil
	}
	return g
}

// buildPumpStage reads shil.stage: the stage whose output the pump drives,
// default the tap's. Only a pump into a node has one.
func (v *validator) buildPumpStage(s *SHIL, o Oscillators, r *rawSHIL) {
	s.Stage = o.TapStage
	if r.Stage == nil {
		return
	}
	s.Stage = *r.Stage
	switch {
	case s.Port != PortTap:
		v.errAt("shil.stage", "a pump into the %q port drives no ring node; stage needs port = %q", s.Port, PortTap)
	case s.Stage < 0 || s.Stage >= o.Stages:
		v.errAt("shil.stage", "the pump drives the output of a stage 0…%d of the %d-stage ring (got %d)", o.Stages-1, o.Stages, s.Stage)
	}
}
