package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"oscsim/chip"
	"oscsim/internal/atomicfile"
	"oscsim/netlist"
	"oscsim/spice"
)

const spiceUsage = `
Usage: oscsim spice CHIP.toml [flags]

Writes a transistor-level ngspice deck of one chip instance: every ring as
its CMOS inverter stages with their node loads, every coupling as
transmission-gate fingers (code and mismatch of this instance) on the
in-phase path or behind the inverter path's extra inverter, the SHIL pump as
a current at 2·f_ref into each pumped ring's tap, initial conditions at the
run's initial phases, a .tran over the run, and the tap voltages and supply
currents needed to measure phases and power. Names in the deck are the
description's oscillator names.

With --run it simulates the deck in ngspice, runs the same chip (same
instance, phases and detuning, no noise) in the cycle and phase models, and
prints ngspice against both: frequencies, final phase differences and lock
times of the couplings, SHIL phases and lock decisions, the binarised state,
power, and the wall time of each. It fails when ngspice is missing or the
deck does not converge.

The rings and couplers are built as the chip's ring model was measured
(oscillators.ring_model, written by oscsim characterize); without one, from
the tech card's sizes with the built-in generic 45 nm cards.

Couplers load the taps they sit on. The deck gives that load back as
equivalent capacitance, which leaves each ring of an array a few hundredths
of a percent off its intended frequency, enough to change which way a
frustrated ring falls. With --run (unless --no-trim), and with --trim when
only writing the deck, two short ngspice runs of the deck with the couplers'
resistors open and no pump measure every ring's frequency and trim its load
to it, as a designer trims a coupled array (a few seconds for 16 rings).

Examples:
  oscsim spice configs/two-rings-inphase.toml -o two.cir
  oscsim spice spice/testdata/pair-inverter.toml --run
  oscsim spice my-chip.toml --models pdk.lib --nmos nch --pmos pch --run --keep decks/
`

func runSpice(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("spice", spiceUsage, stderr)
	out := fs.String("o", "", "write the deck to this file (default: stdout, unless --run)")
	ng := addNgspiceFlags(fs, "the ring model's, else the built-in generic 45 nm cards")
	run := fs.Bool("run", false, "simulate in ngspice and compare with the cycle and phase models")
	durText := fs.String("duration", "", "simulated time, e.g. 50ns (default: the description's run)")
	cycles := fs.Float64("cycles", 0, "simulated time in reference cycles (instead of --duration)")
	seed := addSeedFlag(fs, "mismatch and random initial phases")
	instance := fs.Int("instance", 0, "chip instance number")
	steps := fs.Float64("steps", 0, "ngspice time-step limit in steps per cycle (default: the ring model's, else 64)")
	maxRings := fs.Int("detail", 8, "per-ring rows up to this many rings; summary rows above")
	trim := fs.Bool("trim", false, "trim the rings' loads in ngspice before writing the deck (--run does unless --no-trim)")
	noTrim := fs.Bool("no-trim", false, "with --run: do not trim the rings' loads")
	noProgress := noProgressFlag(fs)
	path, err := ng.parseChip(args)
	if err != nil {
		return err
	}
	var dur netlist.Duration
	if *durText != "" {
		if err := dur.UnmarshalText([]byte(*durText)); err != nil || !(dur > 0) {
			return usageErr("spice", "--duration %q: want a positive time such as 50ns", *durText)
		}
	}
	ch, _, err := seed.compile(path, *instance)
	if err != nil {
		return err
	}
	nl := ch.Netlist()
	for _, w := range nl.Warnings {
		fmt.Fprintf(stderr, "oscsim spice: %v\n", w)
	}
	d, err := designFor(ch, ng, *steps, stderr)
	if err != nil {
		return err
	}
	duration := float64(dur)
	if *cycles > 0 {
		duration = *cycles / nl.Oscillators.Frequency
	}
	if *trim && *noTrim {
		return fmt.Errorf("oscsim spice: --trim and --no-trim contradict each other")
	}
	if !*run {
		dopt := spice.DeckOptions{Duration: duration}
		if *trim && len(ch.Couplers()) > 0 {
			pm := newMeter(stderr, *noProgress, "ngspice", "ps")
			defer pm.Done()
			sim, err := ng.simulator(pm)
			if err != nil {
				return err
			}
			t, err := spice.TrimLoads(ctx, sim, ch, d, nil, 2)
			if err != nil {
				return err
			}
			dopt.LoadTrim = t.Factors
			fmt.Fprintf(stderr, "oscsim spice: trimmed the rings' loads (largest frequency error %.4f%%, %.4f%% after one trim; ngspice %s)\n",
				100*t.MaxError(0), 100*t.MaxError(1), t.Wall.Round(time.Millisecond))
		}
		deck, err := spice.Write(ch, d, dopt)
		if err != nil {
			return err
		}
		for _, w := range deck.Warnings {
			fmt.Fprintf(stderr, "oscsim spice: warning: %s\n", w)
		}
		if *out == "" {
			_, err = io.WriteString(stdout, deck.Text)
			return err
		}
		if err := atomicfile.Write(*out, func(f *bufio.Writer) error { _, err := f.WriteString(deck.Text); return err }); err != nil {
			return err
		}
		// ngspice -b runs a deck's .tran only when it has an output: -r
		// writes the .save'd vectors to a raw file. One OpenMP thread, as
		// spice.Simulator runs it (see Simulator.Threads).
		raw := strings.TrimSuffix(*out, filepath.Ext(*out)) + ".raw"
		fmt.Fprintf(stdout, "deck      %s (%d rings, %s simulated, time step ≤ %s)\nrun it    OMP_THREAD_LIMIT=1 ngspice -b -r %s %s\n",
			*out, len(deck.Rings), netlist.FormatSI(deck.Tstop, "s"), netlist.FormatSI(deck.Tmax, "s"), raw, *out)
		return nil
	}
	pm := newMeter(stderr, *noProgress, "ngspice", "ps")
	defer pm.Done()
	sim, err := ng.simulator(pm)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "oscsim spice: simulating %s in ngspice (%d rings)…\n", nl.Name, ch.N())
	opt := spice.CheckOptions{Design: d, Sim: sim, Duration: duration, NoTrim: *noTrim}
	var deckFile *os.File
	if *out != "" {
		if deckFile, err = os.Create(*out); err != nil {
			return err
		}
		opt.Deck = deckFile
	}
	res, err := spice.CrossCheck(ctx, ch, opt)
	if deckFile != nil {
		if cerr := deckFile.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		if errors.Is(err, spice.ErrNoConvergence) {
			return fmt.Errorf("%w (try a smaller time step with --steps, or keep the deck with --keep to inspect it)", err)
		}
		return err
	}
	for _, w := range res.Deck.Warnings {
		fmt.Fprintf(stderr, "oscsim spice: warning: %s\n", w)
	}
	fmt.Fprintf(stdout, "chip %s (%s), %d rings, %s simulated (%.4g cycles), ring model %q\n\n",
		nl.Name, nl.File, ch.N(), netlist.FormatSI(res.Deck.Tstop, "s"), res.Spice.Cycles, ch.Ring().Name)
	return res.WriteTable(stdout, *maxRings)
}

// designFor returns the transistor-level design of a compiled chip, from its
// ring model's measured circuit or the tech card, with the user's cards.
func designFor(ch *chip.Chip, ng ngspiceFlags, steps float64, stderr io.Writer) (spice.Design, error) {
	ring := ch.Ring()
	var rp = &ring
	if ring.Measured == nil {
		rp = nil
	}
	models := *ng.models
	d := spice.NewDesign(ch.Netlist().Tech, rp, models)
	ng.design(&d)
	if steps > 0 {
		d.StepsPerCycle = steps
	}
	if rp == nil && models != "" {
		fmt.Fprintf(stderr, "oscsim spice: warning: no characterised ring model for %s; coupler sizing and load trims use the generic cards' calibration (run oscsim characterize with these cards first)\n", models)
	}
	if rp != nil && models != "" && ring.Measured.Models != models {
		fmt.Fprintf(stderr, "oscsim spice: warning: the ring model was measured with %s, the deck uses %s\n", ring.Measured.Models, models)
	}
	return d, d.Validate()
}
