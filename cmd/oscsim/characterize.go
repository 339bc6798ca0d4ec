package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"oscsim/internal/atomicfile"
	"oscsim/netlist"
	"oscsim/ringosc"
	"oscsim/spice"
)

const characterizeUsage = `
Usage: oscsim characterize CHIP.toml [--ring NAME] [-o RING.toml] [flags]

Measures one of the chip's rings in ngspice (its stages, supply and node
load, built with the tech card's device sizes and the built-in generic
45 nm cards or your own): free-running frequency, the waveform of every
stage node, supply current and power, and the impulse sensitivity function
(ISF) of the tap, by injecting small charge pulses at 64 points of the cycle
and measuring the phase shift each causes. It also measures what the SPICE
deck of a chip needs to rebuild the ring and its couplers (device
capacitance, coupler inverter load and pull, switch resistance and
capacitance), and the pump's averaged law by phase slip: rings pumped at
twice a reference detuned beyond the lock range, at two pump currents
(--pump-current and half of it), give the drift against the phase to second
order in the pump, which the phase model uses instead of the ISF's.

It writes a ring-model file. Name it in the chip description,

  [oscillators]
  ring_model = "RING.toml"

and the cycle model runs with the measured waveform and ISF instead of the
analytic default, the phase model with the coupling gain h1 and pump gain g2
derived from them and the measured pump law, and the rings at the measured
frequency.

Examples:
  oscsim characterize spice/testdata/pair-inphase.toml -o ring.toml
  oscsim characterize chip.toml --ring left --models ptm45hp.pm -o ptm-ring.toml
`

func runCharacterize(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("characterize", characterizeUsage, stderr)
	ring := fs.String("ring", "", "oscillator to characterise (default: the first; all rings of a chip share one design)")
	out := fs.String("o", "", "write the ring model to this file (default: <chip>-<ring>.ring.toml)")
	ng := addNgspiceFlags(fs, "the built-in generic 45 nm cards")
	points := fs.Int("points", 64, "charge injections over one cycle (a multiple of 16)")
	charge := fs.Float64("charge", 0.02, "injected charge as a fraction of q_max = C·VDD")
	steps := fs.Float64("steps", spice.DefaultStepsPerCycle, "ngspice time-step limit in steps per cycle")
	options := fs.String("spice-options", "", "ngspice .options for the measurement, e.g. reltol=1e-4 (recorded in the model; decks built from it use them)")
	pumpI := fs.Float64("pump-current", 0, "larger pump amplitude (A) of the pump-law run (default: the chip's shil.current, else the current whose ISF rate is 0.25% of ω0; < 0: skip the run)")
	showISF := fs.Bool("isf", false, "also print the measured ISF samples (θ, Γ)")
	noProgress := noProgressFlag(fs)
	chipPath, err := ng.parseChip(args)
	if err != nil {
		return err
	}
	nl, _, err := loadChipWith(chipPath, netlist.ParseOptions{NoRingModel: true}) // it writes the ring model
	if err != nil {
		return err
	}
	d := spice.NewDesign(nl.Tech, nil, *ng.models)
	ng.design(&d)
	d.StepsPerCycle = *steps
	d.Options = *options
	spec, err := spice.SpecFor(nl, *ring, d)
	if err != nil {
		return err
	}
	spec.Points, spec.Charge = *points, *charge
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "pump-current" {
			spec.PumpCurrent = *pumpI
		}
	})
	pm := newMeter(stderr, *noProgress, "ngspice", "ps")
	defer pm.Done()
	sim, err := ng.simulator(pm)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "oscsim characterize: measuring %s in ngspice…\n", spec.Name)
	c, err := spice.Characterize(ctx, sim, spec)
	if err != nil {
		return err
	}
	path := *out
	if path == "" {
		r := *ring
		if r == "" {
			r = nl.Oscillators.Names[0]
		}
		base := strings.TrimSuffix(filepath.Base(nl.File), filepath.Ext(nl.File))
		path = fmt.Sprintf("%s-%s.ring.toml", base, r)
	}
	if err := atomicfile.Write(path, func(f *bufio.Writer) error { return ringosc.Encode(f, c.Model) }); err != nil {
		return err
	}
	if err := c.WriteReport(stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "model       %s (reference it as oscillators.ring_model)\n", path)
	if *showISF {
		fmt.Fprintln(stdout, "\nθ (°)     Γ(θ)")
		for k := range c.Theta {
			fmt.Fprintf(stdout, "%7.1f  %8.4f\n", c.Theta[k]*180/math.Pi, c.Gamma[k])
		}
	}
	return nil
}
