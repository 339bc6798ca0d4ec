package netlist

import (
	"math"
	"sort"
)

// Tuning describes per-ring frequency tuning ([tuning]): each target ring
// is a current-starved ring whose natural frequency a tuning DAC sets,
// within ±Range of the description's frequency, on 2^DACBits levels; the
// DACs' codes come from a low-frequency multiply-accumulate block (the
// synchronisation classifier's F = W·[x; 1], docs/sync.md "On the chip").
// The costs are the description's own numbers (no defaults: they depend on
// the DAC and MAC design); a run's ledger gets them from the workload
// (freqsync.AddTuning), which knows how many conversions and MACs an
// inference takes.
type Tuning struct {
	// Targets are the tunable rings, in increasing order.
	Targets []int
	// Range is the relative half-width of the tuning range: a ring runs
	// anywhere in f0·[1 − Range, 1 + Range].
	Range float64
	// DACBits is each tuning DAC's resolution: 2^DACBits levels spanning
	// the range.
	DACBits int
	// DACArea (m²) and DACEnergy (J per conversion) are one DAC's.
	DACArea, DACEnergy float64
	// MACArea (m²) is the multiply-accumulate block's, MACEnergy (J) one
	// multiply-accumulate's.
	MACArea, MACEnergy float64
	// PowerExponent is the law of a ring's power in its tuned frequency:
	// P(f) = P(f0)·(f/f0)^PowerExponent. A current-starved ring at fixed
	// VDD dissipates C·VDD²·f per stage, so 1 (the default).
	PowerExponent float64
}

// rawTuning is the [tuning] table as written.
type rawTuning struct {
	Targets       Targets  `toml:"targets"`
	Range         *Ratio   `toml:"range"`
	DACBits       *int     `toml:"dac_bits"`
	DACArea       *Area    `toml:"dac_area"`
	DACEnergy     *Energy  `toml:"dac_energy"`
	MACArea       *Area    `toml:"mac_area"`
	MACEnergy     *Energy  `toml:"mac_energy"`
	PowerExponent *float64 `toml:"power_exponent"`
}

// buildTuning validates the [tuning] table.
func (v *validator) buildTuning(n *Netlist, r *rawTuning) {
	if r == nil {
		return
	}
	t := &Tuning{PowerExponent: 1}
	if r.Range == nil {
		v.errAt("tuning", "the tuning needs its range: range (e.g. \"15%%\", ± around the frequency)")
	} else if t.Range = float64(*r.Range); !(t.Range > 0 && t.Range < 1) {
		v.errAt("tuning.range", "must be between 0 and 1, i.e. 0–100%% (got %g)", t.Range)
	}
	if r.DACBits == nil {
		v.errAt("tuning", "the tuning needs its DAC resolution: dac_bits")
	} else if t.DACBits = *r.DACBits; t.DACBits < 1 || t.DACBits > 16 {
		v.errAt("tuning.dac_bits", "DAC bits must be in 1..16 (got %d)", t.DACBits)
	}
	nonneg := func(key string, p *float64, dst *float64) {
		if p == nil {
			v.errAt("tuning", "missing %s (the ledger needs it; 0 leaves it out)", key)
			return
		}
		if *dst = *p; !(*dst >= 0) || !finite(*dst) {
			v.errAt("tuning."+key, "must be ≥ 0 (got %g)", *dst)
		}
	}
	nonneg("dac_area", (*float64)(r.DACArea), &t.DACArea)
	nonneg("dac_energy", (*float64)(r.DACEnergy), &t.DACEnergy)
	nonneg("mac_area", (*float64)(r.MACArea), &t.MACArea)
	nonneg("mac_energy", (*float64)(r.MACEnergy), &t.MACEnergy)
	if r.PowerExponent != nil {
		if t.PowerExponent = *r.PowerExponent; !(t.PowerExponent >= 0) || !finite(t.PowerExponent) {
			v.errAt("tuning.power_exponent", "must be ≥ 0 (got %g)", t.PowerExponent)
		}
	}
	t.Targets = v.resolveTargets("tuning.targets", r.Targets, n.Oscillators.N())
	sort.Ints(t.Targets)
	n.Tuning = t
}

// Tunable reports whether ring i has a tuning DAC.
func (t *Tuning) Tunable(i int) bool {
	if t == nil {
		return false
	}
	k := sort.SearchInts(t.Targets, i)
	return k < len(t.Targets) && t.Targets[k] == i
}

// RingPower returns the factor by which a ring's power at tuned frequency
// f differs from its power at f0: (f/f0)^PowerExponent.
func (t *Tuning) RingPower(f, f0 float64) float64 {
	if t == nil || f0 <= 0 {
		return 1
	}
	return math.Pow(f/f0, t.PowerExponent)
}
