package chip

import (
	"fmt"
	"math"
)

// SetPumpGains sets each ring's share of the SHIL pump: ring i is pumped at
// rate g[i]·K_s (K_s the description's full-strength rate), a negative g[i]
// being a pump of the opposite phase at 2·f0 (its energy term
// −(g_i·K_s/2)·cos 2φ_i then favours ±π/2 instead of 0 and π). A chip
// compiled with a [shil] section starts with gain 1 on its targets and 0
// elsewhere; this reprograms them, as ProgramScale reprograms couplers (a
// per-ring pump amplitude, docs/ep.md "Trainable SHIL strengths"). The
// phase model follows the gains exactly; the cycle model's pump law scales
// with them.
func (ch *Chip) SetPumpGains(g []float64) error {
	if len(g) != ch.n {
		return fmt.Errorf("chip: %d pump gains for %d rings", len(g), ch.n)
	}
	if ch.nl.SHIL == nil {
		return fmt.Errorf("chip: %s has no SHIL pump ([shil] section) to set gains of", ch.nl.File)
	}
	for i, v := range g {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("chip: pump gain %d is %v", i, v)
		}
		if ch.pumpBits > 0 && math.Abs(v) > 1+1e-9 {
			return fmt.Errorf("chip: pump gain %d is %g, beyond its amplitude DAC's full scale 1", i, v)
		}
	}
	copy(ch.pumpMask, g)
	if ch.pumpBits > 0 {
		levels := float64(int(1)<<ch.pumpBits - 1)
		for i, v := range ch.pumpMask {
			ch.pumpMask[i] = math.Round(v*levels) / levels
		}
	}
	return nil
}

// SetPumpDACs gives every pumped ring a signed amplitude DAC of bits bits
// (bits 0 removes them): from then on SetPumpGains rounds each gain to a
// code, g = code/(2^bits − 1), |g| ≤ 1, and the ledger counts the DACs'
// cells, leakage and configuration bits (docs/ep.md, "Per-ring SHIL
// strengths": each DAC as an injection driver's, 2^bits − 1 unit cells
// of a unit inverter, 2 TGs of sign switch and bits + 1 SRAM bits).
func (ch *Chip) SetPumpDACs(bits int) error {
	if bits < 0 || bits > 16 {
		return fmt.Errorf("chip: pump DAC bits must be in 0..16 (got %d)", bits)
	}
	if bits > 0 && ch.nl.SHIL == nil {
		return fmt.Errorf("chip: %s has no SHIL pump ([shil] section) to give DACs", ch.nl.File)
	}
	if bits != ch.pumpBits {
		ch.pumpBits = bits
		ch.ledgerMemo.Store(nil) // the hardware changed: the ledger is worked out afresh
	}
	return nil
}

// PumpGains returns a copy of each ring's pump gain (SetPumpGains).
func (ch *Chip) PumpGains() []float64 { return append([]float64(nil), ch.pumpMask...) }
