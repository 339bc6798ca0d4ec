package chip

import (
	"fmt"
	"math"

	"oscsim/netlist"
	"oscsim/tech"
)

// The injection drivers of a description's [injection] table
// (netlist.Injection; docs/ep.md, "The layered chip"). Without the table
// an Input's injection is an ideal source of any amplitude and phase (the
// physics of inject.go only, no hardware in the ledger). With it, every
// injection must fit the drivers — only their target rings, each
// component |I·cos ψ|, |I·sin ψ| within the full scale — and is rounded to
// what they deliver: a vector-sum driver whose two signed current DACs of
// Bits bits weight the reference's in-phase and quadrature lines,
//
//	I·cos(ω_ref·t + ψ) = I_c·cos ω_ref·t − I_s·sin ω_ref·t,
//	I_c = q·round(I·cos ψ / q), I_s = q·round(I·sin ψ / q), q = MaxCurrent/(2^Bits − 1),
//
// so the delivered amplitude is √(I_c² + I_s²) and its phase atan2(I_s, I_c).

// InjectionStep returns the drivers' DAC step q (A) and full scale, or
// ok false when the description has no [injection] table.
func (ch *Chip) InjectionStep() (q, fullScale float64, ok bool) {
	j := ch.nl.Injection
	if j == nil {
		return 0, 0, false
	}
	return j.MaxCurrent / float64(int(1)<<j.Bits-1), j.MaxCurrent, true
}

// quantInjection returns input b's injection as the drivers deliver it
// (see above), or in itself when the chip has no driver table.
func (ch *Chip) quantInjection(b int, in *Injection) (*Injection, error) {
	j := ch.nl.Injection
	if j == nil || in == nil {
		return in, nil
	}
	q, fs, _ := ch.InjectionStep()
	driver := make([]bool, ch.n)
	for _, i := range j.Targets {
		driver[i] = true
	}
	out := &Injection{Amp: make([]float64, ch.n), Phase: make([]float64, ch.n)}
	for i, a := range in.Amp {
		if a == 0 {
			continue
		}
		if !driver[i] {
			return nil, fmt.Errorf("chip: input %d: injection into %s, which has no driver (injection.targets)", b, ch.nl.Oscillators.Names[i])
		}
		s, c := math.Sincos(in.Phase[i])
		ic, is := a*c, a*s
		if lim := fs * (1 + 1e-9); math.Abs(ic) > lim || math.Abs(is) > lim {
			return nil, fmt.Errorf("chip: input %d: injection into %s of %s at %.3g rad exceeds the drivers' full scale injection.max_current = %s per component",
				b, ch.nl.Oscillators.Names[i], netlist.FormatSI(a, "A"), in.Phase[i], netlist.FormatSI(fs, "A"))
		}
		ic, is = q*math.Round(ic/q), q*math.Round(is/q)
		out.Amp[i] = math.Hypot(ic, is)
		out.Phase[i] = math.Atan2(is, ic)
	}
	return out, nil
}

// DriverHardware is the injection drivers' hardware: Drivers rings with a
// driver of two DACs of 2^Bits − 1 unit current cells each, a sign switch
// per DAC and 2·(Bits+1) configuration bits.
type DriverHardware struct {
	Drivers, Bits int
}

// Cells returns the unit current cells of all drivers.
func (h DriverHardware) Cells() int { return h.Drivers * 2 * (1<<h.Bits - 1) }

// ConfigBits returns the configuration bits of all drivers.
func (h DriverHardware) ConfigBits() int { return h.Drivers * 2 * (h.Bits + 1) }

// Area returns the drivers' area (m²): design choice [A], each unit cell
// a unit inverter's area (a current-source device and its switch), each
// DAC's sign switch two TGs, each bit an SRAM cell.
func (h DriverHardware) Area(c tech.Card) (cells, signs, bits float64) {
	return float64(h.Cells()) * c.AreaInv, float64(h.Drivers*2*2) * c.AreaTG, float64(h.ConfigBits()) * c.AreaSRAM
}

// Leakage returns the drivers' static power (W): every cell, sign switch
// and bit leaking as a unit inverter.
func (h DriverHardware) Leakage(c tech.Card) float64 {
	return float64(h.Cells()+h.Drivers*4+2*h.ConfigBits()) * c.LeakInv
}

// QuadratureLines returns the power (W) of distributing the reference's
// in-phase and quadrature lines at f0 to the drivers: two light nodes
// (CUnit) per driver, switched every cycle, as the SHIL pump's
// distribution is counted (shil.DistCap).
func (h DriverHardware) QuadratureLines(c tech.Card, f0 float64) float64 {
	return float64(2*h.Drivers) * c.CUnit * c.VDD * c.VDD * f0
}

// Drivers returns the chip's injection hardware (zero without an
// [injection] table).
func (ch *Chip) Drivers() DriverHardware {
	if j := ch.nl.Injection; j != nil {
		return DriverHardware{Drivers: len(j.Targets), Bits: j.Bits}
	}
	return DriverHardware{}
}
