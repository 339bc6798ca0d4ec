package phasedet

import (
	"fmt"
	"math"

	"oscsim/tech"
)

// Kind is a detector type.
type Kind int

const (
	Sampler Kind = iota
	XOR
	TDC
	Counter
)

// ParseKind reads "sampler", "xor", "tdc" or "counter".
func ParseKind(s string) (Kind, error) {
	switch s {
	case "sampler":
		return Sampler, nil
	case "xor":
		return XOR, nil
	case "tdc":
		return TDC, nil
	case "counter":
		return Counter, nil
	}
	return 0, fmt.Errorf("phasedet: unknown kind %q", s)
}

func (k Kind) String() string {
	return [...]string{"sampler", "xor", "tdc", "counter"}[k]
}

// UnmarshalText reads a kind by name, so that a chip description's bad kind
// is reported at its line and column.
func (k *Kind) UnmarshalText(b []byte) error {
	x, err := ParseKind(string(b))
	if err != nil {
		return fmt.Errorf("unknown detector kind %q (want \"sampler\", \"xor\", \"tdc\" or \"counter\")", b)
	}
	*k = x
	return nil
}

// MarshalText writes the kind's name (results files carry names).
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Wrap returns φ wrapped to (−π, π].
func Wrap(phi float64) float64 {
	x := math.Mod(phi+math.Pi, 2*math.Pi)
	if x <= 0 {
		x += 2 * math.Pi
	}
	return x - math.Pi
}

// Read returns what a detector of kind k with bits of resolution outputs for
// a ring at phase φ (radians, relative to the reference; the caller adds any
// jitter first). Counter is read with Count instead.
func Read(k Kind, bits int, phi float64) float64 {
	switch k {
	case Sampler:
		// The flip-flop samples v = (1+cos θ)/2 at the reference edge (θ = φ
		// there): 1 when the output is above mid-rail.
		if math.Cos(phi) >= 0 {
			return 1
		}
		return -1
	case XOR:
		return math.Abs(Wrap(phi)) / math.Pi
	case TDC:
		steps := float64(int(1) << bits)
		x := math.Mod(-phi, 2*math.Pi)
		if x < 0 {
			x += 2 * math.Pi
		}
		c := math.Floor(x / (2 * math.Pi) * steps)
		if c >= steps {
			c = steps - 1
		}
		return c
	}
	return math.NaN()
}

// Phase decodes a reading back to a phase estimate (radians): the sampler's
// spin as 0 or π, the XOR's duty as |φ| (sign lost), the TDC code to the
// centre of its bin.
func Phase(k Kind, bits int, v float64) float64 {
	switch k {
	case Sampler:
		if v > 0 {
			return 0
		}
		return math.Pi
	case XOR:
		return v * math.Pi
	case TDC:
		steps := float64(int(1) << bits)
		return Wrap(-(v + 0.5) * 2 * math.Pi / steps)
	}
	return math.NaN()
}

// Count returns the number of rising edges of a ring whose total phase goes
// from theta0 to theta1 (radians, unwrapped, θ = ω_ref·t + φ); a rising
// edge is the mid-rail up-crossing at θ ≡ −π/2 (mod 2π).
func Count(theta0, theta1 float64) float64 {
	e := func(th float64) float64 { return math.Floor((th + math.Pi/2) / (2 * math.Pi)) }
	return e(theta1) - e(theta0)
}

// Area returns the area (m²) of one detector channel: a flip-flop for the
// sampler; an XOR (≈ 2 NAND2) plus an output flip-flop for the XOR detector;
// for an N-bit TDC a delay line of 2^N inverters and N flip-flops
// (thermometer-to-binary encoding counted as N NAND2); for a counter of N
// bits N flip-flops plus N NAND2 of carry logic.
func Area(k Kind, bits int, c tech.Card) float64 {
	b := float64(bits)
	switch k {
	case Sampler:
		return c.AreaDFF
	case XOR:
		return 2*c.AreaNAND2 + c.AreaDFF
	case TDC:
		return math.Ldexp(1, bits)*c.AreaInv + b*(c.AreaDFF+c.AreaNAND2)
	case Counter:
		return b * (c.AreaDFF + c.AreaNAND2)
	}
	return 0
}

// SampleEnergy returns the energy (J) of one read-out of one channel: one
// flip-flop sample for the sampler and XOR; N flip-flop samples plus the
// delay line's switching (2^N inverters at node capacitance C) for a TDC.
// A counter's energy is per counted edge: N/2 flip-flop toggles on average.
func SampleEnergy(k Kind, bits int, c tech.Card) float64 {
	b := float64(bits)
	switch k {
	case Sampler, XOR:
		return c.EnergyDFF
	case TDC:
		return b*c.EnergyDFF + math.Ldexp(1, bits)*c.NodeCap*c.VDD*c.VDD
	case Counter:
		return b / 2 * c.EnergyDFF
	}
	return 0
}
