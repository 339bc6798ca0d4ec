package spice

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"oscsim/chip"
	"oscsim/internal/benchkit"
	"oscsim/netlist"
)

// Speed of the engine's models against ngspice on the 4×4 array
// (testdata/array4x4.toml), per ring-cycle: wall time (ns/ring-cycle) and
// the process's CPU time (cpu-ns/ring-cycle) / (rings × simulated reference
// cycles × inputs), over the same 200-cycle run. The cycle model runs at
// the description's 32 steps per cycle; the phase model at its default 4,
// at 1, and at the longest step the chip's rates allow
// (Chip.MinStepsPerCycle: 8 cycles a step here), which give the same final
// states on this chip. ngspice runs with one thread (Simulator.Threads).
// Record with
//
//	go test ./spice -run '^$' -bench . -benchtime 3x
//
// (the CPU's best kernels; OSCSIM_KERNELS=go for plain Go) and put the numbers into
// docs/fidelity.md, "Speed".

const benchCycles = 200

func benchPhases(b testing.TB, batch, n int) []chip.Input {
	r := rand.New(rand.NewPCG(1, 2))
	in := make([]chip.Input, batch)
	for k := range in {
		ph := make([]float64, n)
		for i := range ph {
			ph[i] = (2*r.Float64() - 1) * math.Pi
		}
		in[k] = chip.Input{Phases: ph}
	}
	return in
}

func BenchmarkEngine4x4(b *testing.B) {
	ch, _ := load(b, "array4x4.toml")
	dur := benchCycles / ch.Netlist().Oscillators.Frequency
	minSpc := ch.MinStepsPerCycle("phase", 1)
	for _, mc := range []struct {
		model   netlist.Model
		prec    string
		spc     float64
		batches []int
	}{
		{"cycle", "f64", 32, []int{1, 20, 64}}, {"cycle", "f32", 32, []int{64}},
		{"phase", "f64", 4, []int{1, 20}}, {"phase", "f64", 1, []int{1, 20}},
		{"phase", "f32", minSpc, []int{1, 20, 64}},
	} {
		model := mc.model
		prec := map[string]string{"f64": "float64", "f32": "float32"}[mc.prec]
		for _, batch := range mc.batches {
			name := fmt.Sprintf("%s/spc%g/batch%d", model, mc.spc, batch)
			if mc.prec != "f64" {
				name += "/" + mc.prec
			}
			b.Run(name, func(b *testing.B) {
				in := benchPhases(b, batch, ch.N())
				b.ReportAllocs()
				var wall time.Duration
				cpu0 := benchkit.CPUTime()
				for b.Loop() {
					res, err := ch.Run(context.Background(), in, chip.RunOptions{Model: model, StepsPerCycle: mc.spc, Duration: dur, NoNoise: true, Workers: 1, Precision: prec})
					if err != nil {
						b.Fatal(err)
					}
					wall += res.Wall
				}
				rc := float64(b.N * ch.N() * benchCycles * batch)
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/rc, "ns/ring-cycle")
				// CPU time (user + system, all threads: the GC's too) is
				// what a shared machine's load inflates least.
				b.ReportMetric(float64((benchkit.CPUTime()-cpu0).Nanoseconds())/rc, "cpu-ns/ring-cycle")
			})
		}
	}
}

func BenchmarkNgspice4x4(b *testing.B) {
	sim := needNgspice(b)
	ch, m := load(b, "array4x4.toml")
	d := NewDesign(ch.Netlist().Tech, m, "")
	dur := benchCycles / ch.Netlist().Oscillators.Frequency
	deck, err := Write(ch, d, DeckOptions{Phases: benchPhases(b, 1, ch.N())[0].Phases, Duration: dur})
	if err != nil {
		b.Fatal(err)
	}
	var wall, cpu time.Duration
	for b.Loop() {
		out, err := sim.Run(context.Background(), "bench4x4", deck.Text, dur)
		if err != nil {
			b.Fatal(err)
		}
		wall += out.Wall
		cpu += out.CPU
	}
	// ngspice is single-threaded: its CPU time is its wall time on an idle
	// core, and does not grow when other jobs share the machine.
	b.ReportMetric(float64(wall.Nanoseconds())/float64(b.N*ch.N()*benchCycles), "ns/ring-cycle")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*ch.N()*benchCycles), "cpu-ns/ring-cycle")
}
