package netlist

import "fmt"

// Limits on a description, checked before anything is built, so that a
// mistyped size is an error with the size and the limit instead of an
// out-of-memory crash. Each is a design choice [A] recorded here and in
// docs/input.md:
const (
	// MaxOscillators bounds the rings of one chip however they are given
	// (count, names, rows × cols): 2^22 = 4,194,304, a 2048 × 2048 grid,
	// three orders of magnitude beyond the oscillator chips published.
	MaxOscillators = 1 << 22
	// MaxCouplerSites bounds the coupler sites a fabric builds: 2^25 =
	// 33,554,432, enough for a King's graph on MaxOscillators rings (about
	// 16.8 million sites) but not for all-to-all beyond 8,192 rings. Each
	// site costs a programmed chip about 150 bytes (edge, CSR entries,
	// code), so the limit keeps a compiled chip under about 5 GB.
	MaxCouplerSites = 1 << 25
	// MaxStages rejects rings no one builds: a ring's frequency falls as
	// 1/stages, and past ten thousand stages a 45 nm ring runs below 5 MHz
	// while its area exceeds that of the couplers it serves a thousandfold.
	// WarnStages flags rings longer than any published oscillator
	// computer uses (3–21 stages; 101 leaves room for delay studies).
	MaxStages  = 10001
	WarnStages = 101
	// MaxFrequency rejects natural frequencies no CMOS ring reaches (a
	// 3-stage ring at 1 THz needs a 170 fs stage delay); WarnFrequency
	// flags those beyond the fastest published rings (about 50 GHz).
	MaxFrequency  = 1e12
	WarnFrequency = 50e9
	// MaxReadoutValues bounds the detector samples one input of a run
	// stores (targets × samples over all banks): 2^28 values, 2 GiB as
	// float64. A run of B inputs stores B times this.
	MaxReadoutValues = 1 << 28
)

// warnAt records a warning: something legal but unusual enough that it is
// more likely a typo than a design (see Netlist.Warnings).
func (v *validator) warnAt(key, format string, args ...any) {
	v.warns = append(v.warns, &Error{File: v.file, Pos: v.at(key), Key: key, Msg: "warning: " + fmt.Sprintf(format, args...)})
}

// checkGrid bounds rows × cols before it is multiplied.
func (v *validator) checkGrid(rows, cols int) bool {
	switch {
	case rows < 1 || cols < 1:
		v.errAt("oscillators.rows", "a grid needs at least one row and one column (got %d×%d)", rows, cols)
		return false
	case rows > MaxOscillators || cols > MaxOscillators/rows:
		v.errAt("oscillators.rows", "rows×cols = %d×%d is more than the %d rings a chip may have", rows, cols, MaxOscillators)
		return false
	}
	return true
}

// checkFabric bounds the coupler sites of the fabric before any is drawn
// or built.
func (v *validator) checkFabric(n *Netlist) bool {
	N := n.Oscillators.N()
	sites := 0
	if n.Couplings.Topology == AllToAll && N > 0 {
		sites = N * (N - 1) / 2 // N ≤ MaxOscillators: no overflow
	} else if n.Couplings.Topology == Kings || n.Couplings.Topology == Grid {
		sites = n.FabricSites()
	}
	if sites > MaxCouplerSites {
		v.errAt("couplings.topology", "%q on %d rings builds %d coupler sites, more than the %d a chip may have", n.Couplings.Topology, N, sites, MaxCouplerSites)
		return false
	}
	return true
}

// checkPlausible rejects what no chip can be and warns on what is merely
// unusual.
func (v *validator) checkPlausible(n *Netlist) {
	v.checkFullScale(n)
	o := n.Oscillators
	switch {
	case o.Stages > MaxStages:
		v.errAt("oscillators.stages", "a %d-stage ring is not a buildable oscillator (at most %d stages)", o.Stages, MaxStages)
	case o.Stages > WarnStages:
		v.warnAt("oscillators.stages", "a %d-stage ring is unusually long (published oscillator computers use 3–21 stages)", o.Stages)
	}
	switch {
	case o.Frequency > MaxFrequency:
		v.errAt("oscillators.frequency", "%s is beyond what a CMOS ring can reach (at most %s)", FormatSI(o.Frequency, "Hz"), FormatSI(MaxFrequency, "Hz"))
	case o.Frequency > WarnFrequency:
		v.warnAt("oscillators.frequency", "%s is beyond the fastest published CMOS rings (about %s)", FormatSI(o.Frequency, "Hz"), FormatSI(WarnFrequency, "Hz"))
	}
	// Detector storage for one input: every bank stores its targets at
	// every sample.
	total := 0.0
	for _, d := range n.Detectors {
		samples := 1.0
		if d.Every > 0 {
			samples += n.Run.Cycles / float64(d.Every)
		}
		total += samples * float64(len(d.Targets))
	}
	if total > MaxReadoutValues {
		v.errAt("detector", "the detectors would store %.3g samples per input, more than %d; sample less often (detector.every) or fewer targets", total, MaxReadoutValues)
	}
}

// checkWeight reports a weight of implausible magnitude (see MaxWeight).
func (v *validator) checkWeight(key string, w float64) bool {
	if !finite(w) || w > MaxWeight || w < -MaxWeight {
		v.errAt(key, "weight %g is not a finite value of magnitude at most %g", w, MaxWeight)
		return false
	}
	return true
}
