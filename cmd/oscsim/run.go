package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"oscsim/chip"
	"oscsim/internal/atomicfile"
	"oscsim/netlist"
)

const runUsage = `
Usage: oscsim run [CHIP.toml] [flags]

Runs one chip instance: compiles the description (mismatch drawn from the
seed, weights quantised onto coupler codes), integrates it in the cycle or
phase model, and prints a summary: chip, oscillators, couplings, simulated
time, final phases and spins, lock status, wall time. Without a file it runs
the embedded default chip (an 8-node max-cut ring with a SHIL ramp).

Examples:
  oscsim run
  oscsim run configs/two-rings-antiphase.toml --model phase
  oscsim run configs/shil-binarize.toml --seed 3 -o result.json --trace trace.csv
`

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", runUsage, stderr)
	seed := addSeedFlag(fs, "mismatch and noise")
	instance := fs.Int("instance", 0, "chip instance number (each draws its own mismatch)")
	model := fs.String("model", "", "fidelity: cycle or phase (default: the description's run.model)")
	out := fs.String("o", "", "write the full result as JSON to this file")
	trace := fs.String("trace", "", "write the phase trajectory as CSV to this file (one row per cycle)")
	traceEvery := fs.Int("trace-every", 0, "trace every N steps (default: one point per cycle)")
	noNoise := fs.Bool("no-noise", false, "switch phase noise and detector jitter off")
	workers := fs.Int("workers", 0, "goroutines (0 = automatic; results do not depend on it)")
	noProgress := noProgressFlag(fs)
	path, err := parseOptionalChip(fs, args)
	if err != nil {
		return err
	}
	ch, src, err := seed.compile(path, *instance)
	if err != nil {
		return err
	}
	nl := ch.Netlist()
	opt := chip.RunOptions{Model: netlist.Model(*model), NoNoise: *noNoise, Workers: *workers}
	if *trace != "" || *out != "" && *traceEvery > 0 {
		opt.TraceEvery = *traceEvery
		if opt.TraceEvery <= 0 {
			spc := nl.Run.StepsPerCycle
			if opt.Model != "" && opt.Model != nl.Run.Model {
				spc = opt.Model.DefaultStepsPerCycle()
			}
			opt.TraceEvery = max(1, int(math.Round(spc)))
		}
	}
	for _, w := range nl.Warnings {
		fmt.Fprintf(stderr, "oscsim run: %s\n", w)
	}
	m := newMeter(stderr, *noProgress, "run "+nl.Name, "steps")
	opt.Progress = m.Set
	res, err := ch.Run(ctx, nil, opt)
	m.Done()
	if err != nil {
		return err
	}
	printSummary(stdout, src, ch, res)
	if *out != "" {
		doc := newRunDoc(src, ch, res, *trace != "" || *traceEvery > 0)
		if err := atomicfile.WriteJSON(*out, doc); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "result    %s\n", *out)
	}
	if *trace != "" {
		if err := writeTraceCSV(*trace, nl, res); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "trace     %s (%d points)\n", *trace, len(res.Trace.Times))
	}
	return nil
}

// runDoc is the JSON result of `oscsim run`.
type runDoc struct {
	Source   string       `json:"source"`
	Seed     int64        `json:"seed"`
	Instance int          `json:"instance"`
	Settings runSettings  `json:"settings"`
	Result   *chip.Result `json:"result"`
	Spins    [][]int      `json:"spins"`
	// Ledger is the run's area, power and energy account (Result.Ledger).
	Ledger *chip.Ledger `json:"ledger"`
}

// runSettings are the settings actually used, with derived device rates.
type runSettings struct {
	Netlist         *netlist.Netlist `json:"netlist"`
	UnitKRadPerS    float64          `json:"unit_k_rad_per_s"`
	KsRadPerS       float64          `json:"ks_rad_per_s"`
	UnitConductance float64          `json:"unit_conductance_s"`
	PumpCurrent     float64          `json:"pump_current_a"`
	CouplingGain    float64          `json:"ring_coupling_gain_h1"`
	PumpGain        float64          `json:"ring_pump_gain_g2"`
	Quantization    string           `json:"quantization"`
	Codes           []int            `json:"codes"`
}

func newRunDoc(src string, ch *chip.Chip, res *chip.Result, withTrace bool) runDoc {
	uk, ks, _ := ch.Rates()
	ring := ch.Ring()
	r := *res
	if !withTrace {
		r.Trace = nil
	}
	d := runDoc{Source: src, Seed: ch.Seed(), Instance: ch.Instance(), Result: &r, Ledger: res.Ledger,
		Settings: runSettings{Netlist: ch.Netlist(), UnitKRadPerS: uk, KsRadPerS: ks, UnitConductance: ch.UnitConductance(),
			PumpCurrent: ch.PumpCurrent(), CouplingGain: ring.CouplingGain(), PumpGain: ring.PumpGain(),
			Quantization: ch.Quantization().String(), Codes: ch.Codes()}}
	for b := range res.Final {
		d.Spins = append(d.Spins, res.Spins(b))
	}
	return d
}

func writeTraceCSV(path string, nl *netlist.Netlist, res *chip.Result) error {
	return atomicfile.Write(path, func(f *bufio.Writer) error {
		w := bufio.NewWriter(f)
		fmt.Fprint(w, "t_ns")
		for _, n := range nl.Oscillators.Names {
			fmt.Fprintf(w, ",%s_rad", n)
		}
		fmt.Fprintln(w)
		for k, t := range res.Trace.Times {
			w.WriteString(strconv.FormatFloat(t*1e9, 'f', 6, 64))
			for _, p := range res.Trace.Phases[0][k] {
				w.WriteByte(',')
				w.WriteString(strconv.FormatFloat(p, 'f', 6, 64))
			}
			w.WriteByte('\n')
		}
		return w.Flush()
	})
}

func deg(p float64) float64 { return p * 180 / math.Pi }

func printSummary(w io.Writer, src string, ch *chip.Chip, res *chip.Result) {
	nl := ch.Netlist()
	o := nl.Oscillators
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "chip\t%s (%s)\n", nl.Name, src)
	if nl.Description != "" {
		fmt.Fprintf(tw, "\t%s\n", nl.Description)
	}
	fdesc := netlist.FormatSI(o.Frequency, "Hz")
	if o.FrequencyDerived {
		fdesc += " (from the " + nl.Tech.Name + " card)"
	}
	fmt.Fprintf(tw, "oscillators\t%d rings × %d stages at %s, %s layout %d×%d, %s; mismatch σ_f %.3g%%, linewidth %s\n",
		o.N(), o.Stages, fdesc, o.Layout, o.Rows, o.Cols, nl.Tech.Name, 100*o.FreqSigma, netlist.FormatSI(o.Linewidth, "Hz"))
	uk, ks, wref := ch.Rates()
	q := ch.Quantization()
	fmt.Fprintf(tw, "couplings\t%d (%d in-phase path, %d inverter path), %d-bit codes up to ±%d, unit finger %s (K %.3g%% ω0 per code)\n",
		len(ch.Edges()), q.Positive, q.Negative, nl.Couplings.Bits, nl.Couplings.MaxCode,
		netlist.FormatSI(1/ch.UnitConductance(), "Ω"), 100*uk/wref)
	if q.Weights > 0 {
		fmt.Fprintf(tw, "quantised\t%s\n", q)
	}
	if nl.SHIL != nil {
		fmt.Fprintf(tw, "pump\tSHIL at 2·f0, %s, K_s %.3g%% ω0 (%s) on %d rings\n", nl.SHIL.Schedule, 100*ks/wref,
			netlist.FormatSI(ch.PumpCurrent(), "A"), len(nl.SHIL.Targets))
	}
	fmt.Fprintf(tw, "model\t%s, %s, %g steps/cycle, %d steps = %s (%.4g cycles), seed %d, instance %d\n",
		res.Model, nl.Run.Integrator, 1/(res.Dt*o.Frequency), res.Steps, netlist.FormatSI(res.Duration, "s"),
		res.Duration*o.Frequency, ch.Seed(), ch.Instance())
	fmt.Fprintf(tw, "engine\t%s kernels (OSCSIM_KERNELS=go|avx2|avx512 forces a lower level; the same bits at each)\n", chip.EngineKernels())
	lk := res.Locks[0]
	status := "not synchronised"
	if lk.Synchronised {
		status = "synchronised"
	}
	if nl.SHIL != nil {
		status += fmt.Sprintf(", %d/%d pump-locked", lk.PumpLocked, len(nl.SHIL.Targets))
	}
	status += fmt.Sprintf(", %d/%d binarised (within 20° of 0 or π)", lk.Binarised, o.N())
	fmt.Fprintf(tw, "lock\t%s\n", status)
	const maxShow = 16
	var ph, sp []string
	spins := res.Spins(0)
	for i, p := range res.Final[0] {
		if i == maxShow {
			ph = append(ph, fmt.Sprintf("… (%d more)", o.N()-maxShow))
			break
		}
		ph = append(ph, fmt.Sprintf("%s %.0f°", o.Names[i], deg(p)))
	}
	for _, s := range spins {
		if len(sp) == 64 {
			sp = append(sp, "…")
			break
		}
		sp = append(sp, map[int]string{1: "+", -1: "−"}[s])
	}
	fmt.Fprintf(tw, "phases\t%s\n", strings.Join(ph, ", "))
	fmt.Fprintf(tw, "spins\t%s\n", strings.Join(sp, " "))
	if edges := ch.Edges(); len(edges) > 0 {
		h, cut, tot := 0.0, 0, 0
		for _, e := range edges {
			h -= e.W * float64(spins[e.I]*spins[e.J])
			if spins[e.I] != spins[e.J] {
				cut++
			}
			tot++
		}
		fmt.Fprintf(tw, "ising\tH = −Σ w_ij·s_i·s_j = %.4g; %d of %d couplings cut (opposite spins)\n", h, cut, tot)
	}
	for _, ro := range res.Readouts {
		last := ro.Values[0][len(ro.Values[0])-1]
		var vals []string
		for k, v := range last {
			if k == maxShow {
				vals = append(vals, "…")
				break
			}
			switch ro.Kind {
			case "sampler":
				vals = append(vals, map[bool]string{true: "+", false: "−"}[v > 0])
			case "counter":
				vals = append(vals, netlist.FormatSI(v, "Hz"))
			default:
				vals = append(vals, strconv.FormatFloat(v, 'g', 4, 64))
			}
		}
		fmt.Fprintf(tw, "detector\t%s (%s, %d rings, %d samples), last: %s\n", ro.Detector, ro.Kind, len(ro.Targets), len(ro.Times), strings.Join(vals, " "))
	}
	fmt.Fprintf(tw, "power\tcoupler TGs %s average over the run (phase-dependent)\n", netlist.FormatSI(res.CouplerPower[0], "W"))
	if L := res.Ledger; L != nil {
		fmt.Fprintf(tw, "ledger\ttotal %s: %s\n", netlist.FormatSI(L.TotalPower, "W"), groupLines(L.Power, L.TotalPower, "W"))
		fmt.Fprintf(tw, "\tdie %.4g mm² (core %.4g mm², %d pads): %s\n", L.DieArea*1e6, L.CoreArea*1e6, L.Pads, groupLines(L.Area, L.DieArea, ""))
		fmt.Fprintf(tw, "\tenergy %s per run (programming %s + run %s), time to solution %s; details: oscsim report\n",
			netlist.FormatSI(L.EnergyPerRun, "J"), netlist.FormatSI(L.ProgramEnergy, "J"),
			netlist.FormatSI(L.EnergyPerRun-L.ProgramEnergy, "J"), netlist.FormatSI(L.TimeToSolution, "s"))
	}
	rate := float64(res.Steps) * float64(o.N()) / res.Wall.Seconds()
	fmt.Fprintf(tw, "wall\t%s (%.3g ring-steps/s)\n", res.Wall.Round(1000), rate)
	tw.Flush()
}

// groupLines sums ledger lines by component (the name before ":") and
// lists each group's share of total, e.g. "rings 43%, couplers 43%, …";
// with unit set, the absolute value is shown too.
func groupLines(ls []chip.Line, total float64, unit string) string {
	var names []string
	sum := map[string]float64{}
	for _, l := range ls {
		g, _, _ := strings.Cut(l.Name, ":")
		if _, ok := sum[g]; !ok {
			names = append(names, g)
		}
		sum[g] += l.Value
	}
	parts := make([]string, 0, len(names))
	for _, g := range names {
		if sum[g] == 0 {
			continue
		}
		v := fmt.Sprintf("%.0f%%", 100*sum[g]/total)
		if unit != "" {
			v = netlist.FormatSI(sum[g], unit) + " (" + v + ")"
		}
		parts = append(parts, g+" "+v)
	}
	return strings.Join(parts, ", ")
}
