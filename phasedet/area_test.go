package phasedet

import (
	"math"
	"testing"

	"oscsim/tech"
)

// Area and SampleEnergy of each detector kind against hand values on the
// 45 nm card (AreaInv 0.532, AreaNAND2 0.798, AreaDFF 4.522 µm²;
// EnergyDFF 3 fJ; NodeCap 10 fF; VDD 1.0 V).
func TestAreaEnergyHand(t *testing.T) {
	t.Parallel()
	c, _ := tech.Lookup("45nm")
	const um2, fJ = 1e-12, 1e-15
	for _, tc := range []struct {
		name      string
		got, want float64
	}{
		{"sampler area", Area(Sampler, 0, c), 4.522 * um2},
		{"xor area", Area(XOR, 0, c), (2*0.798 + 4.522) * um2},
		{"tdc6 area", Area(TDC, 6, c), (64*0.532 + 6*(4.522+0.798)) * um2},
		{"counter8 area", Area(Counter, 8, c), 8 * (4.522 + 0.798) * um2},
		{"sampler energy", SampleEnergy(Sampler, 0, c), 3 * fJ},
		{"xor energy", SampleEnergy(XOR, 0, c), 3 * fJ},
		{"tdc6 energy", SampleEnergy(TDC, 6, c), 6*3*fJ + 64*10*fJ},
		{"counter8 energy", SampleEnergy(Counter, 8, c), 4 * 3 * fJ},
	} {
		if math.Abs(tc.got/tc.want-1) > 1e-12 {
			t.Errorf("%s = %g, want %g", tc.name, tc.got, tc.want)
		}
	}
}
