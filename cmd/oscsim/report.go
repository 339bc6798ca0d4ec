package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"oscsim/bench"
	"oscsim/chip"
	"oscsim/netlist"
)

const reportUsage = `
Usage: oscsim report [CHIP.toml] [flags]
       oscsim report --sparsity [CHIP.toml] [flags]

Prints a chip's area, average power, energy per run and time to solution,
each broken down by component (absolute and %), with every figure traced to
the technology card and a formula (--formulas prints them; the JSON always
has them). By default the chip is run once so that the coupler power comes
from the phase differences its transmission gates carry; --static prices it
from the description alone (uniformly distributed phase differences).

--sparsity prices a coupler fabric per connection count k instead: the chip
(default: the embedded oscnet-784, the 28×28 OscNet v1.5 chip) is given a
per-pixel top-k topology of random weights for each k (nested in k; see
docs/power.md) and one row per k is printed: sites, core and die area,
power, energy per run and per OscNet inference (9 tournament matches).

Examples:
  oscsim report configs/moy-kings-1968.toml
  oscsim report embedded:cobi-replica --static --formulas
  oscsim report configs/lo-48.toml --json
  oscsim report --sparsity
  oscsim report --sparsity --k 10,56,783 --run --json
`

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", reportUsage, stderr)
	asJSON := fs.Bool("json", false, "print JSON instead of tables")
	static := fs.Bool("static", false, "do not run: estimate the coupler power with uniformly distributed phase differences")
	formulas := fs.Bool("formulas", false, "print each line's formula")
	seed := addSeedFlag(fs, "mismatch and noise")
	instance := fs.Int("instance", 0, "chip instance number")
	sparsity := fs.Bool("sparsity", false, "price per-pixel top-k fabrics for a list of k (default chip: embedded oscnet-784)")
	ks := fs.String("k", "10,16,28,56,84,128,256,full", "with --sparsity: connections per oscillator, comma-separated (\"full\" = N−1)")
	topkSeed := fs.Int64("topk-seed", 1, "with --sparsity: seed of the random top-k weights")
	run := fs.Bool("run", false, "with --sparsity: run each chip so the coupler power comes from a run")
	path, err := parseOptionalChip(fs, args)
	if err != nil {
		return err
	}
	if path == "" && *sparsity {
		path = "embedded:oscnet-784"
	}
	nl, src, err := loadChip(path)
	if err != nil {
		return err
	}
	if *sparsity {
		kl, err := parseKs(*ks, nl.Oscillators.N())
		if err != nil {
			return usageErr("report", "%v", err)
		}
		s := seed.or(nl.Run.Seed)
		tops := bench.RandomTopK(nl.Oscillators.N(), kl, *topkSeed)
		pts, err := bench.Sparsity(ctx, nl, tops, bench.SparsityOptions{Run: *run, Seed: s})
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdout, struct {
				Source   string                `json:"source"`
				TopKSeed int64                 `json:"topk_seed"`
				Points   []bench.SparsityPoint `json:"points"`
			}{src, *topkSeed, pts})
		}
		printSparsity(stdout, src, nl, pts, *topkSeed)
		return nil
	}
	ch, err := chip.Compile(nl, seed.options(*instance))
	if err != nil {
		return err
	}
	var res *chip.Result
	if !*static {
		if res, err = ch.Run(ctx, nil, chip.RunOptions{}); err != nil {
			return err
		}
	}
	L := ch.Ledger(res)
	if *asJSON {
		return writeJSON(stdout, struct {
			Source string       `json:"source"`
			Ledger *chip.Ledger `json:"ledger"`
		}{src, L})
	}
	printLedger(stdout, src, nl, L, *formulas)
	return nil
}

// parseKs reads "10,16,full" for a chip of n oscillators.
func parseKs(s string, n int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "full" {
			out = append(out, n-1)
			continue
		}
		k, err := strconv.Atoi(f)
		if err != nil || k < 1 {
			return nil, fmt.Errorf("--k: %q is not a positive integer or \"full\"", f)
		}
		out = append(out, k)
	}
	return out, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(v)
}

// printLedger prints a ledger as three breakdown tables and its totals.
func printLedger(w io.Writer, src string, nl *netlist.Netlist, L *chip.Ledger, formulas bool) {
	si := netlist.FormatSI
	fmt.Fprintf(w, "chip     %s (%s), %s card\n", L.Chip, src, L.Tech)
	if nl.Description != "" {
		fmt.Fprintf(w, "         %s\n", nl.Description)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(name, val string, frac float64, formula string) {
		pct := fmt.Sprintf("%6.1f%%", 100*frac)
		if formulas {
			fmt.Fprintf(tw, "  %s\t%12s\t%s\t%s\n", name, val, pct, formula)
		} else {
			fmt.Fprintf(tw, "  %s\t%12s\t%s\n", name, val, pct)
		}
	}
	section := func(title string, ls []chip.Line, total float64, unit func(float64) string, totalName string) {
		tw.Flush()
		fmt.Fprintln(w, title)
		for _, l := range ls {
			if l.Value == 0 && strings.HasPrefix(l.Name, "unused core") {
				continue // core-limited die: nothing unused
			}
			row(l.Name, unit(l.Value), l.Value/total, l.Formula)
		}
		row(totalName, unit(total), 1, "")
		tw.Flush()
	}
	mm2 := func(v float64) string { return fmt.Sprintf("%.4f mm²", v*1e6) }
	limit := "core-limited"
	if L.PadLimited {
		limit = "pad-limited"
	}
	pads := fmt.Sprintf("%d pads", L.Pads)
	if L.PadsAssumed {
		pads += " (assumed)"
	}
	section(fmt.Sprintf("area     die %.3f × %.3f mm, %s, %s; core %s", L.DieSide*1e3, L.DieSide*1e3, limit, pads, mm2(L.CoreArea)),
		L.Area, L.DieArea, mm2, "die")
	section(fmt.Sprintf("power    average over %s; coupler TG power from the %s", si(L.Duration, "s"), L.CouplerPowerFrom),
		L.Power, L.TotalPower, func(v float64) string { return si(v, "W") }, "total")
	section("energy   per run from a blank chip (program once, run once)",
		L.Energy, L.EnergyPerRun, func(v float64) string { return si(v, "J") }, "per run")
	fmt.Fprintf(w, "reconfig %s per reprogramming (%d configuration bits, %d sites%s)\n", si(L.ProgramEnergy, "J"), L.ConfigBits, L.Sites,
		map[bool]string{true: ", programmable", false: ", hard-wired"}[L.Programmable])
	fmt.Fprintf(w, "time     %s to solution (%.4g cycles at %s; programming time not modelled)\n",
		si(L.TimeToSolution, "s"), L.TimeToSolution*nl.Oscillators.Frequency, si(nl.Oscillators.Frequency, "Hz"))
	if len(L.Assumptions) > 0 {
		fmt.Fprintln(w, "assumptions")
		for _, a := range L.Assumptions {
			fmt.Fprintf(w, "  - %s\n", a)
		}
	}
}

// printSparsity prints one row per k.
func printSparsity(w io.Writer, src string, nl *netlist.Netlist, pts []bench.SparsityPoint, seed int64) {
	fmt.Fprintf(w, "chip     %s (%s), %d rings, %s card; per-oscillator top-k of random weights (seed %d), OR-symmetrised\n",
		nl.Name, src, nl.Oscillators.N(), nl.Tech.Name, seed)
	if len(pts) > 0 {
		fmt.Fprintf(w, "power    coupler TG power from the %s\n", pts[0].Ledger.CouplerPowerFrom)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "k\tsites\tcore mm²\tdie mm²\tpower mW\tcouplers mW\tenergy/run nJ\tenergy/inference nJ\t")
	for _, p := range pts {
		L := p.Ledger
		k := strconv.Itoa(p.K)
		if p.K >= nl.Oscillators.N()-1 {
			k = "full"
		}
		cpl := 0.0
		for _, l := range L.Power {
			if strings.HasPrefix(l.Name, "couplers:") {
				cpl += l.Value
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%.4f\t%.4f\t%.2f\t%.2f\t%.4g\t%.4g\t\n", k, p.Sites, L.CoreArea*1e6, L.DieArea*1e6,
			L.TotalPower*1e3, cpl*1e3, L.EnergyPerRun*1e9, p.EnergyPerInference*1e9)
	}
	tw.Flush()
	fmt.Fprintf(w, "energy/inference = %d tournament matches × (reprogramming + run)\n", bench.TournamentMatches)
}
