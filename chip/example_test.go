package chip_test

import (
	"context"
	"fmt"
	"math"

	"oscsim/chip"
	"oscsim/netlist"
)

// Each example reads alone in the package documentation, so each parses
// and compiles its own description with the same few lines (no test
// helper): the duplicates tool pairs them, deliberately.

// Two rings on the inverter path settle half a cycle apart.
func Example() {
	src := `
[oscillators]
names = ["a", "b"]
frequency = "1GHz"
init_phases = [0.0, 20.0]
[couplings]
unit_k = 0.002
[[coupling]]
from = "a"
to = "b"
weight = -1.0
[run]
cycles = 200
model = "phase"
`
	nl, err := netlist.Parse("example.toml", []byte(src), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	ch, err := chip.Compile(nl, chip.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := ch.Run(context.Background(), nil, chip.RunOptions{NoNoise: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	d := math.Abs(math.Remainder(res.Final[0][1]-res.Final[0][0], 2*math.Pi))
	fmt.Printf("phase difference %.1f°, synchronised %v\n", d*180/math.Pi, res.Locks[0].Synchronised)
	// Output: phase difference 180.0°, synchronised true
}

// Program reprograms the couplings of the same chip instance; a batch of
// inputs runs together.
func ExampleChip_Program() {
	nl, _ := netlist.Parse("p.toml", []byte("[oscillators]\ncount = 3\nfrequency = \"1GHz\"\n[shil]\nks = 0.02\n[run]\ncycles = 150\n"), nil)
	ch, _ := chip.Compile(nl, chip.Options{})
	rep, _ := ch.Program([]netlist.Edge{{I: 0, J: 1, W: 1}, {I: 1, J: 2, W: -1}})
	fmt.Println(rep.Positive, "in-phase,", rep.Negative, "inverter")
	in := []chip.Input{{Phases: []float64{0.3, 0.2, 0.1}}, {Phases: []float64{2.8, 2.9, 3.0}}}
	res, _ := ch.Run(context.Background(), in, chip.RunOptions{NoNoise: true})
	fmt.Println(res.Spins(0), res.Spins(1))
	// Output:
	// 1 in-phase, 1 inverter
	// [1 1 -1] [-1 -1 1]
}
