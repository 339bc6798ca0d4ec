package chip_test

import (
	"fmt"

	"oscsim/chip"
	"oscsim/netlist"
)

// Like example_test.go's, these examples read alone: their own
// description and the same parse-and-compile lines, deliberately (the
// ledger's description is ledger_test.go's two rings).

// Price two coupled 45 nm rings from their description alone.
func ExampleChip_Ledger() {
	src := `
[chip]
tech = "45nm"
pads = 20
[oscillators]
count = 2
frequency = "1GHz"
[couplings]
bits = 2
unit_resistance = "100kOhm"
programmable = true
[[coupling]]
from = 0
to = 1
weight = 1
[run]
cycles = 50
`
	nl, err := netlist.Parse("two.toml", []byte(src), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	ch, err := chip.Compile(nl, chip.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	L := ch.Ledger(nil) // nil: no run, an estimate
	fmt.Printf("die %.4f mm², pad-limited %v, core %.1f µm²\n", L.DieArea*1e6, L.PadLimited, L.CoreArea*1e12)
	for _, l := range L.Power[:4] {
		fmt.Printf("%-24s %7.3f µW\n", l.Name, l.Value*1e6)
	}
	fmt.Printf("total %.3f µW, %.3f pJ per run\n", L.TotalPower*1e6, L.EnergyPerRun*1e12)
	// Output:
	// die 0.3025 mm², pad-limited true, core 30.4 µm²
	// rings: switching         106.300 µW
	// rings: short-circuit       1.169 µW
	// rings: leakage             0.005 µW
	// couplers: TG conduction    7.500 µW
	// total 115.103 µW, 5.815 pJ per run
}

// The die is the larger of the core and the pad ring's inner edge, plus
// the ring on both sides.
func ExampleDieGeometry() {
	s, ring, padLimited := chip.DieGeometry(0.1e-6, 120, 60e-6, 180e-6) // 0.1 mm² core, 120 pads
	fmt.Printf("side %.2f mm, pad ring %.3f mm², pad-limited %v\n", s*1e3, ring*1e6, padLimited)
	// Output:
	// side 2.16 mm, pad ring 1.426 mm², pad-limited true
}
