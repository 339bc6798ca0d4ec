// Package repro re-runs the tables and figures of the papers oscsim
// models and sets our numbers next to the published ones. Each paper has
// one file here (oscnet.go, …) whose experiments are listed by All; the
// command `oscsim reproduce NAME [--json] [--quick]` runs one.
//
// An experiment returns rows {key, ours, paper}: numbers in percent
// where the paper gives percent, paper nil (JSON null) where it gives no
// number. The names and keys are a contract other tools read: keep them.
//
// What it does not own: physics (chip and the device packages), training
// internals (learn), data loading (dataset). It composes them.
package repro

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat"

	"oscsim/configs"
	"oscsim/netlist"
)

// Row is one number of a table or figure: ours next to the paper's.
type Row struct {
	Key  string  `json:"key"`
	Ours float64 `json:"ours"`
	// Paper is the published number, nil where the paper gives none.
	Paper *float64 `json:"paper"`
	// Spread is the standard deviation of Ours over seeds or trials, when
	// Ours is a mean (omitted otherwise).
	Spread *float64 `json:"spread,omitempty"`
	// Unit says what Ours is in ("%", "points", "nJ", "mm2", …).
	Unit string `json:"unit,omitempty"`
}

// Result is what one experiment produced.
type Result struct {
	Name string `json:"name"`
	Rows []Row  `json:"rows"`
	// Notes are sentences a reader needs next to the numbers: settings,
	// choices the paper leaves open, why a number differs.
	Notes []string `json:"notes,omitempty"`
	// Plots are the files written (empty when Env.PlotDir is "").
	Plots []string `json:"plots,omitempty"`
}

// embeddedChip parses the embedded chip description name (package
// configs), called "embedded:name" in messages as on the command line.
func embeddedChip(name string) (*netlist.Netlist, error) {
	src, err := configs.Read(name)
	if err != nil {
		return nil, err
	}
	return netlist.Parse("embedded:"+name, src, nil)
}

// Plot draws the plot file name into env.PlotDir with draw and lists it
// in r.Plots; it does nothing when env.PlotDir is "".
func (r *Result) Plot(env Env, name string, draw func(path string) error) error {
	if env.PlotDir == "" {
		return nil
	}
	path := filepath.Join(env.PlotDir, name)
	if err := draw(path); err != nil {
		return err
	}
	r.Plots = append(r.Plots, path)
	return nil
}

// Add appends a row; paper < 0 is not allowed, pass NoPaper for none.
func (r *Result) Add(key string, ours float64, paper *float64, unit string) *Row {
	r.Rows = append(r.Rows, Row{Key: key, Ours: ours, Paper: paper, Unit: unit})
	return &r.Rows[len(r.Rows)-1]
}

// Paper returns a pointer to a published number (for Row.Paper).
func Paper(v float64) *float64 { return &v }

// NoPaper is the Row.Paper of a number the paper does not give.
var NoPaper *float64

// Row returns the row with key, or nil.
func (r *Result) Row(key string) *Row {
	for i := range r.Rows {
		if r.Rows[i].Key == key {
			return &r.Rows[i]
		}
	}
	return nil
}

// Env is what an experiment may use from its caller.
type Env struct {
	// Quick runs a reduced version (fewer seeds, items, iterations) that
	// finishes in seconds, for CI; the keys stay the same.
	Quick bool
	// Seed is the base seed; experiments derive every random stream from
	// it (same seed, same numbers).
	Seed int64
	// PlotDir is where plots are written; "" writes none.
	PlotDir string
	// DataDir overrides the data cache (directory holding a data set's
	// files); "" fetches into the user cache as `oscsim data fetch` does.
	DataDir string
	// Weights is a directory of trained models ("" = none): an
	// experiment that trains one per seed (ep-mnist, ep-fmnist) reads
	// seed s's from Weights/NAME-seed<s>.npz when that file exists instead
	// of training, and writes it there after training when it does not.
	Weights string
	// Log receives progress and remarks (stderr); nil discards them.
	Log io.Writer
}

// Logf writes a remark to env.Log.
func (e Env) Logf(format string, args ...any) {
	if e.Log != nil {
		fmt.Fprintf(e.Log, format+"\n", args...)
	}
}

// Experiment is one named table or figure.
type Experiment struct {
	Name    string
	Paper   string // short citation
	Summary string // what it re-runs
	Run     func(ctx context.Context, env Env) (*Result, error)
}

// All lists every experiment, sorted by name. Each paper's file
// contributes its own list, a table of Experiment literals of one shape
// (Name, Paper, Summary, Run): the duplicates tool pairs those tables,
// deliberately (they are data).
func All() []Experiment {
	var all []Experiment
	for _, list := range [][]Experiment{
		oscnetExperiments(),
		hrecmExperiments(),
		epExperiments(),
		epMNISTExperiments(),
		syncExperiments(),
		oscnetChipExperiments(),
	} {
		all = append(all, list...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all
}

// Find returns the experiment called name.
func Find(name string) (Experiment, error) {
	all := All()
	i := slices.IndexFunc(all, func(e Experiment) bool { return e.Name == name })
	if i < 0 {
		names := make([]string, len(all))
		for k, e := range all {
			names[k] = e.Name
		}
		return Experiment{}, fmt.Errorf("no experiment %q (have: %s)", name, strings.Join(names, ", "))
	}
	return all[i], nil
}

// Run runs the experiment called name and checks its result's shape.
func Run(ctx context.Context, name string, env Env) (*Result, error) {
	e, err := Find(name)
	if err != nil {
		return nil, err
	}
	res, err := e.Run(ctx, env)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	res.Name = name
	seen := map[string]bool{}
	for _, r := range res.Rows {
		if seen[r.Key] {
			return nil, fmt.Errorf("%s: key %q twice", name, r.Key)
		}
		seen[r.Key] = true
	}
	return res, nil
}

// WriteText prints a result as an aligned table: key, ours (± spread),
// paper, difference.
func WriteText(w io.Writer, res *Result) error {
	kw := len("key")
	for _, r := range res.Rows {
		kw = max(kw, len(r.Key))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", res.Name)
	fmt.Fprintf(&b, "%-*s %16s %10s %9s  %s\n", kw, "key", "ours", "paper", "diff", "unit")
	for _, r := range res.Rows {
		ours := fmt.Sprintf("%.2f", r.Ours)
		if r.Spread != nil {
			ours += fmt.Sprintf(" ± %.2f", *r.Spread)
		}
		paper, diff := "—", ""
		if r.Paper != nil {
			paper = fmt.Sprintf("%.2f", *r.Paper)
			diff = fmt.Sprintf("%+.2f", r.Ours-*r.Paper)
		}
		fmt.Fprintf(&b, "%-*s %16s %10s %9s  %s\n", kw, r.Key, ours, paper, diff, r.Unit)
	}
	for _, n := range res.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	for _, p := range res.Plots {
		fmt.Fprintf(&b, "plot: %s\n", p)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// meanStd returns the mean and the sample standard deviation (0 for
// fewer than two values) of the numbers of several seeds or trials.
func meanStd(xs []float64) (float64, float64) {
	if len(xs) < 2 {
		return stat.Mean(xs, nil), 0
	}
	return stat.MeanStdDev(xs, nil)
}
