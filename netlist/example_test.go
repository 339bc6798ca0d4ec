package netlist_test

import (
	"fmt"

	"oscsim/netlist"
)

func ExampleParse() {
	src := `
[oscillators]
names = ["a", "b"]
frequency = "1.2GHz"
linewidth = "10kHz"

[[coupling]]
from = "a"
to = "b"
weight = -1.0
`
	n, err := netlist.Parse("chip.toml", []byte(src), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n.Summary())
	// Output: chip: 2 rings (5 stages, 1.2GHz, line) on 45nm, 1 couplings (4-bit, max code 15), no SHIL, 1 detector bank(s), phase model, 50 cycles × 4 steps
}

// Every problem is reported at once, each with file:line:col and its key.
func ExampleParse_errors() {
	src := `
[oscillators]
count = 2
frequency = "-1GHz"
stages = 4
colour = "blue"
`
	_, err := netlist.Parse("bad.toml", []byte(src), nil)
	fmt.Println(err)
	// Output:
	// bad.toml:4:1: oscillators.frequency: frequency must be positive (got -1e+09 Hz)
	// bad.toml:5:1: oscillators.stages: a single-ended ring needs an odd number of stages ≥ 3 (got 4)
	// bad.toml:6:1: oscillators.colour: unknown key (known keys here: count, names, stages, frequency, layout, rows, cols, freq_sigma, linewidth, phase_noise, init, init_phases, ring_model, freq_offsets, tap_loads, tap_stage)
}
