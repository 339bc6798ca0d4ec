package bench

import (
	"fmt"
	"math"

	"oscsim/chip"
	"oscsim/coupling"
	"oscsim/netlist"
)

// The supply-power read-out of the per-class method (docs/oscnet.md,
// "Supply-power read-out"). A coupler of conductance G between rings at
// phase difference Δ dissipates G·VDD²·(1 ∓ cos Δ)/4 (coupling.Power; −
// on the in-phase path, + on the inverter path). The in-phase path of a
// pair is one TG; the inverter path is one inverter + TG per direction,
// two TGs. With the rings binarised (cos Δ = s_i·s_j) and the nominal
// conductance |code|·g_unit, class c's coupler supply power is
//
//	P_c = q·Σ_k m_k·|code_k| − q·(Σ_{k+} code_k·s_i·s_j − 2·Σ_{k−} |code_k|·s_i·s_j),  q = VDD²·g_unit/4,
//
// m_k = 1 on the in-phase and 2 on the inverter path: a per-class constant
// plus the Hopfield energy of the codes with the inverter-path pairs
// counted twice. The read-out senses the couplers' mean supply current
// over the run with an ADC, subtracts the constant (known from the codes)
// and converts to weight units: that energy is E'_c = −Σ_{k+} w_k s_i s_j +
// 2·Σ_{k−} |w_k| s_i s_j. The ×2 is a property of the coupler, not of
// the read-out; QuantizedModel(…, invTwice) scores it in software.

// Readout is how a relaxed class network is scored.
type Readout string

const (
	// ReadSpins: the samplers' spins and the programmed codes give
	// E_c = −Σ w·s_i·s_j (computed off the array, eq. 11).
	ReadSpins Readout = "spins"
	// ReadSupply: the couplers' measured supply power, through a
	// current-sense ADC (SupplyADC).
	ReadSupply Readout = "supply"
	// ReadInput (diagnostic): the energy of the loaded image with the
	// programmed codes, as if no spin moved: quantisation and mapping only.
	ReadInput Readout = "input"
	// ReadIdeal (diagnostic): the energy of the final phases' signs
	// (sign cos φ), a detector without errors.
	ReadIdeal Readout = "ideal"
)

// UnmarshalText implements encoding.TextUnmarshaler (the chip's
// read-outs: spins or supply).
func (r *Readout) UnmarshalText(b []byte) error {
	switch v := Readout(b); v {
	case ReadSpins, ReadSupply:
		*r = v
		return nil
	}
	return fmt.Errorf("unknown read-out %q (want spins or supply)", b)
}

// ADCWaldenFOM is the current-sense ADC's figure of merit when its
// conversion energy is not given: E = FOM·2^bits, 10 fJ per conversion
// step, an [A] typical of SAR ADCs at moderate speed (docs/oscnet.md).
const ADCWaldenFOM = 10e-15

// SupplyADC is the current-sense ADC of the supply read-out: one
// conversion of the couplers' mean supply current per class run.
type SupplyADC struct {
	// Bits is the resolution; 0 = an ideal read-out (no quantisation, no
	// energy).
	Bits int `json:"bits"`
	// FullScale is the largest current (A) it converts; 0 = the worst
	// case of the largest class network (every coupler at 1 ∓ cos = 2).
	FullScale float64 `json:"full_scale_a"`
	// EnergyPerConversion (J); 0 = ADCWaldenFOM·2^Bits.
	EnergyPerConversion float64 `json:"energy_per_conversion_j"`
}

// DefaultSupplyADC is the ADC of the supply read-out unless told
// otherwise, an [A] choice: 12 bits over the worst-case current. On the
// first 500 MNIST test images every resolution from 6 to 16 bits gave the
// ideal read-out's accuracy within 0.2 point (docs/oscnet.md), so 12 bits
// leave margin for networks whose class energies lie closer.
func DefaultSupplyADC() SupplyADC { return SupplyADC{Bits: 12} }

// conversionEnergy returns the energy of one conversion (J).
func (a SupplyADC) conversionEnergy() float64 {
	if a.EnergyPerConversion > 0 {
		return a.EnergyPerConversion
	}
	if a.Bits <= 0 {
		return 0
	}
	return ADCWaldenFOM * math.Exp2(float64(a.Bits))
}

// read returns the power the ADC reports for coupler power p (W) at
// supply vdd, with full scale fs (A) when the ADC gives none.
func (a SupplyADC) read(p, fs, vdd float64) float64 {
	if a.Bits <= 0 {
		return p
	}
	if a.FullScale > 0 {
		fs = a.FullScale
	}
	if !(fs > 0) {
		return p
	}
	L := math.Exp2(float64(a.Bits)) - 1
	code := math.Max(0, math.Min(L, math.Round(p/vdd/fs*L)))
	return code * fs / L * vdd
}

// supplyModel turns one class network's coupler power into its energy.
type supplyModel struct {
	vdd  float64 // supply (V)
	q    float64 // VDD²·g_unit/4: W per code unit of (1 ∓ cos Δ)
	c0   float64 // Σ_k m_k·|code_k| (m = 1 in-phase, 2 inverter path)
	unit float64 // weight per code step
}

// newSupplyModel describes a network programmed as codes with unit
// weight per code step on chip ch.
func newSupplyModel(ch *chip.Chip, codes []int, unit float64) supplyModel {
	vdd := ch.Netlist().Tech.VDD
	sm := supplyModel{vdd: vdd, q: vdd * vdd * ch.UnitConductance() / 4, unit: unit}
	for _, c := range codes {
		if c < 0 {
			sm.c0 -= 2 * float64(c)
		} else {
			sm.c0 += float64(c)
		}
	}
	return sm
}

// energy returns E'_c = (P/q − c0)·unit for measured power p (W).
func (sm supplyModel) energy(p float64) float64 { return (p/sm.q - sm.c0) * sm.unit }

// worstCurrent is the largest coupler supply current (A) of the network:
// every coupler at 1 ∓ cos Δ = 2.
func (sm supplyModel) worstCurrent() float64 { return 2 * sm.q * sm.c0 / sm.vdd }

// supplyModels returns each class network's supply model on chip ch (its
// codes from the quantiser the chip programs with) and the ADC's default
// full scale: the largest worst-case current.
func (o *OscNet) supplyModels(ch *chip.Chip) ([]supplyModel, float64, error) {
	maxCode := ch.Netlist().Couplings.MaxCode
	sms := make([]supplyModel, len(o.classEdges))
	fs := 0.0
	for c, es := range o.classEdges {
		q := coupling.Quantizer{MaxCode: maxCode, FullScale: o.classScale[c]}
		codes, _, err := q.Quantize(edgeWeights(es))
		if err != nil {
			return nil, 0, fmt.Errorf("oscnet: class %d: %w", c, err)
		}
		sms[c] = newSupplyModel(ch, codes, q.Value(1))
		fs = math.Max(fs, sms[c].worstCurrent())
	}
	return sms, fs, nil
}

// SupplyAccuracy re-scores a per-class result's measured coupler powers
// (ClassPower) through adc: the accuracy of the supply read-out with that
// ADC on the same runs. labels are the result's images' classes.
func (r OscNetResult) SupplyAccuracy(adc SupplyADC, labels []uint8) float64 {
	if len(r.ClassPower) == 0 || r.supply == nil {
		return 0
	}
	correct := 0
	for k, pw := range r.ClassPower {
		best, arg := math.Inf(1), 0
		for c, p := range pw {
			sm := r.supply[c]
			if e := sm.energy(adc.read(p, r.adcFS, sm.vdd)); e < best {
				best, arg = e, c
			}
		}
		if arg == int(labels[k]) {
			correct++
		}
	}
	return float64(correct) / float64(len(r.ClassPower))
}

// SupplyEnergy is E'_c of one programmed network for spins s: the energy
// the supply read-out measures with the rings binarised (noise off,
// nominal conductances), −Σ_{k+} w_k·s_I·s_J + 2·Σ_{k−} |w_k|·s_I·s_J.
func SupplyEnergy(edges []netlist.Edge, w []float64, s []int) float64 {
	e := 0.0
	for k, ed := range edges {
		m := 1.0
		if w[k] < 0 {
			m = 2
		}
		e -= m * w[k] * float64(s[ed.I]*s[ed.J])
	}
	return e
}
