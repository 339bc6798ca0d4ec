package coupling

import (
	"math"
	"testing"

	"oscsim/tech"
)

// Site hardware of the Lo 2023 coupler (codes −14…+14, 4 magnitude bits):
// in-phase bank 14 fingers + two inverter-path banks of 14 = 42 fingers,
// 2 inverters, 4 + 1 sign = 5 configuration bits (docs/model.md §10 [D]:
// "≥5 bits per coupler").
func TestSites(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		got  Site
		want Site
	}{
		{"programmable 14/4", ProgrammableSite(14, 4), Site{42, 2, 5}},
		{"programmable 2/2", ProgrammableSite(2, 2), Site{6, 2, 3}},
		{"fixed +3", FixedSite(3), Site{3, 0, 0}},
		{"fixed −3", FixedSite(-3), Site{6, 2, 0}},
		{"fixed 0", FixedSite(0), Site{}},
		{"sum", FixedSite(3).Add(FixedSite(-1)), Site{5, 2, 0}},
		{"scale", ProgrammableSite(2, 2).Scale(10), Site{60, 20, 30}},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, tc.got, tc.want)
		}
	}
}

// Area and power of a site against hand values on the 65 nm card:
// AreaTG = AreaInv = 0.532·(65/45)² µm² = 1.1100 µm², AreaSRAM 0.525 µm²;
// Lo site: 42·1.1100 + 2·1.1100 + 5·0.525 µm². Two path inverters at
// 1 GHz: 2·0.7 fF·1.44 V²·1 GHz·1.08 = 2.1773 µW. Leakage
// (42 + 2 + 2·5)·0.3 nW = 16.2 nW.
func TestSiteAreaPower(t *testing.T) {
	t.Parallel()
	c, _ := tech.Lookup("65nm")
	s := ProgrammableSite(14, 4)
	tg, inv, cfg := s.Area(c)
	unit := 0.532e-12 * (65.0 / 45) * (65.0 / 45)
	for _, x := range []struct {
		name      string
		got, want float64
	}{
		{"TG area", tg, 42 * unit},
		{"inverter area", inv, 2 * unit},
		{"config area", cfg, 5 * 0.525e-12},
		{"inverter power", InverterPower(2, c, 1e9), 2 * 0.7e-15 * 1.44 * 1e9 * 1.08},
		{"leakage", s.Leakage(c), 54 * 0.3e-9},
	} {
		if math.Abs(x.got/x.want-1) > 1e-9 {
			t.Errorf("%s = %.6g, want %.6g", x.name, x.got, x.want)
		}
	}
}

// The TG dissipation carries the phase difference across it
// (Power = G·VDD²·(1 − s·cos Δ)/4): zero for an in-phase-locked pair on
// the in-phase path, and its maximum G·VDD²/2 for an anti-phase pair; the
// inverter path is the mirror image; a uniformly distributed Δ averages to
// G·VDD²/4 on either path.
func TestPowerPhaseDependence(t *testing.T) {
	t.Parallel()
	const G, V = 1e-5, 1.2
	max := G * V * V / 2
	for _, tc := range []struct {
		name  string
		delta float64
		inv   bool
		want  float64
	}{
		{"in-phase path, locked in phase", 0, false, 0},
		{"in-phase path, anti-phase", math.Pi, false, max},
		{"inverter path, anti-phase", math.Pi, true, 0},
		{"inverter path, in phase", 0, true, max},
		{"in-phase path, quadrature", math.Pi / 2, false, max / 2},
	} {
		if got := Power(G, V, tc.delta, tc.inv); math.Abs(got-tc.want) > 1e-18 {
			t.Errorf("%s: %g W, want %g W", tc.name, got, tc.want)
		}
	}
	for _, inv := range []bool{false, true} {
		const M = 360
		s := 0.0
		for k := 0; k < M; k++ {
			s += Power(G, V, 2*math.Pi*float64(k)/M, inv)
		}
		if got := s / M; math.Abs(got/(G*V*V/4)-1) > 1e-12 {
			t.Errorf("inverted %v: uniform-phase mean %g, want G·VDD²/4 = %g", inv, got, G*V*V/4)
		}
	}
}
