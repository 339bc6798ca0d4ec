package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"oscsim/netlist"
	"oscsim/sweep"
)

const sweepUsage = `
Usage: oscsim sweep SWEEP.toml [flags]

Runs a design-space sweep: a base chip and a workload, evaluated at every
point of the sweep's axes (any chip parameter by its TOML path, or a
workload parameter), on several chip instances (mismatch) and noise seeds
per point. Every point is validated before the first run. Results go to a
directory: runs.csv (one row per point × instance × seed), summary.csv (one
row per point: mean, min, max and 95% interval of each metric),
breakdown.csv (area, power and energy per component) and meta.json.

A finished point is written at once, so a killed sweep loses only the
points in flight; --resume continues it. --shard i/n runs points i, i+n,
i+2n, … (0 ≤ i < n) for an array job; 'oscsim merge' joins the shards into
the result of an unsharded run. Results do not depend on --jobs.

Examples:
  oscsim sweep configs/sweeps/maxcut-noise.toml
  oscsim sweep configs/sweeps/maxcut-noise.toml -o results/noise --resume
  oscsim sweep configs/sweeps/maxcut-noise.toml --shard 2/8 -o /shared/noise/shard-2
  oscsim sweep --list configs/sweeps/maxcut-mismatch.toml
  oscsim sweep configs/sweeps/oscnet-noise.toml --set workload.images=100 -o results/oscnet-noise-100
  oscsim plot results/maxcut-noise
`

func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sweep", sweepUsage, stderr)
	out := fs.String("o", "", "results directory (default results/NAME, or results/NAME/shard-I-of-N with --shard)")
	resume := fs.Bool("resume", false, "continue the results in the directory")
	shard := fs.String("shard", "", "run shard `i/n` of the points (0 ≤ i < n)")
	jobs := fs.Int("jobs", 0, "runs in flight (0 = one per core; results do not depend on it)")
	list := fs.Bool("list", false, "validate the sweep and list its points without running")
	noProgress := noProgressFlag(fs)
	var sets multiFlag
	fs.Var(&sets, "set", "fixed override `path=value` at every point, added to the file's [set] (repeatable)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("sweep", "want one sweep file, got %d", len(pos))
	}
	i, n := 0, 1
	if *shard != "" {
		if i, n, err = parseShard(*shard); err != nil {
			return usageErr("sweep", "%v", err)
		}
	}
	// A shard builds only its own points' workloads; --list checks all.
	li, ln := i, n
	if *list {
		li, ln = 0, 1
	}
	s, err := sweep.LoadWith(pos[0], sweep.LoadOptions{Shard: li, Shards: ln, Set: sets})
	if err != nil {
		return err
	}
	if *list {
		return listPoints(stdout, s, i, n)
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("results", s.Name)
		if n > 1 {
			dir = filepath.Join(dir, fmt.Sprintf("shard-%d-of-%d", i, n))
		}
	}
	opt := sweep.Options{Dir: dir, Resume: *resume, Shard: i, Shards: n, Jobs: *jobs}
	m := newMeter(stderr, *noProgress, "sweep "+s.Name, "runs")
	opt.Progress = func(p sweep.Progress) { m.Set(p.RunsDone, p.Runs) }
	start := time.Now()
	pr, err := sweep.Run(ctx, s, opt)
	m.Done()
	if err != nil {
		return err
	}
	wall := time.Since(start)
	if err := printSweepSummary(stdout, dir); err != nil {
		return err
	}
	resumed := ""
	if pr.Resumed > 0 {
		resumed = fmt.Sprintf(", %d found done", pr.Resumed)
	}
	fmt.Fprintf(stdout, "results  %s (%d points × %d instances × %d seeds%s), wall %s\n",
		dir, pr.Points, s.Instances, s.Seeds, resumed, wall.Round(time.Millisecond))
	if n > 1 {
		fmt.Fprintf(stdout, "shard    %d/%d: join the shards with 'oscsim merge -o %s %s'\n", i, n,
			filepath.Join("results", s.Name), shardGlob(dir, i, n))
	}
	return nil
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ", ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// parseShard reads "i/n" with 0 ≤ i < n.
func parseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		i, err = strconv.Atoi(a)
		if err == nil {
			n, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("--shard %q: want i/n with 0 ≤ i < n, e.g. 0/4", s)
	}
	return i, n, nil
}

// shardGlob returns a shell pattern matching the results directories of
// every shard, given shard i's directory: the last number i in its base
// name (shard-2-of-8, noise-2, run2) becomes "*". A name without i gets
// the list spelled out with "SHARD_DIR_k" for the others.
func shardGlob(dir string, i, n int) string {
	base, num := filepath.Base(dir), strconv.Itoa(i)
	for k := strings.LastIndex(base, num); k >= 0; k = strings.LastIndex(base[:k], num) {
		before := k == 0 || base[k-1] < '0' || base[k-1] > '9'
		after := k+len(num) == len(base) || base[k+len(num)] < '0' || base[k+len(num)] > '9'
		if before && after {
			return filepath.Join(filepath.Dir(dir), base[:k]+"*"+base[k+len(num):])
		}
	}
	dirs := make([]string, n)
	for k := range dirs {
		dirs[k] = fmt.Sprintf("SHARD_DIR_%d", k)
	}
	dirs[i] = dir
	return strings.Join(dirs, " ")
}

// listPoints prints the points of a sweep (of one shard).
func listPoints(w io.Writer, s *sweep.Spec, i, n int) error {
	pts := s.ShardPoints(i, n)
	fmt.Fprintf(w, "sweep     %s: %d points (%d in this shard) × %d instances × %d seeds, workload %s, chip %s\n",
		s.Name, len(s.Points), len(pts), s.Instances, s.Seeds, s.Workload.Kind, s.Chip)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "point")
	for _, a := range s.Axes {
		fmt.Fprintf(tw, "\t%s", a.Path)
	}
	fmt.Fprintln(tw, "\tchip")
	for _, p := range pts {
		fmt.Fprintf(tw, "%d", p.Index)
		for _, v := range p.Values {
			fmt.Fprintf(tw, "\t%s", v.Text)
		}
		fmt.Fprintf(tw, "\t%d rings, %d couplings\n", p.Netlist.Oscillators.N(), len(p.Netlist.Couplings.Edges))
	}
	return tw.Flush()
}

// printSweepSummary prints one line per point of a results directory:
// its axis values, accuracy (mean, 95% interval, min–max), power, energy
// and area.
func printSweepSummary(w io.Writer, dir string) error {
	t, err := sweep.ReadSummary(dir)
	if err != nil {
		return err
	}
	m := t.Meta
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "point\t")
	for _, a := range m.Axes {
		fmt.Fprintf(tw, "%s\t", a.Path)
	}
	fmt.Fprintf(tw, "%s\t95%% interval\tmin–max\tpower\tenergy/inference\tdie area\t\n", m.Accuracy)
	for r := 0; r < t.Len(); r++ {
		fmt.Fprintf(tw, "%d\t", t.Point[r])
		for a, ax := range m.Axes {
			fmt.Fprintf(tw, "%s\t", formatCell(t.Axis[r][a], ax.Unit))
		}
		acc := t.Stat(r, m.Accuracy)
		fmt.Fprintf(tw, "%.4g\t[%.4g, %.4g]\t%.4g–%.4g\t%s\t%s\t%s\t\n", acc.Mean, acc.CI95Lo, acc.CI95Hi, acc.Min, acc.Max,
			netlist.FormatSI(t.Stat(r, sweep.MetricPower).Mean, "W"),
			netlist.FormatSI(t.Stat(r, sweep.MetricEnergy).Mean, "J"),
			formatArea(t.Stat(r, sweep.MetricArea).Mean))
	}
	return tw.Flush()
}

func formatCell(s, unit string) string {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	switch unit {
	case "ratio":
		return strconv.FormatFloat(100*v, 'g', 4, 64) + "%"
	case "", "text":
		return s
	case "m2":
		return formatArea(v)
	}
	return netlist.FormatSI(v, unit)
}

func formatArea(a float64) string {
	return strconv.FormatFloat(a*1e6, 'g', 4, 64) + "mm²"
}
