package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"oscsim/repro"
)

const reproduceUsage = `
Usage: oscsim reproduce NAME [--json] [--quick] [--seed N] [--plots DIR] [--data DIR] [--weights DIR]
       oscsim reproduce --list

Re-runs one table or figure of a paper oscsim models and prints our
numbers next to the paper's (percent where the paper gives percent; a
dash where the paper gives no number). Where the paper has a figure, the
plot is written to --plots DIR (default: the current directory; "" for
none).

--json prints {"name": NAME, "rows": [{"key": K, "ours": x, "paper": y}, ...]}
(paper null where the paper gives none; "spread", "unit", "notes" and
"plots" are added where they apply). --quick runs a reduced version that
finishes in seconds (fewer seeds, items, iterations), as CI does; the keys
are the same.

Examples:
  oscsim reproduce --list
  oscsim reproduce oscnet-table2
  oscsim reproduce oscnet-table4 --quick --json
  oscsim reproduce ep-mnist --weights trained/   # trained/ep-mnist-seed1.npz … seed3
`

// runReproduce implements 'oscsim reproduce'.
func runReproduce(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("reproduce", reproduceUsage, stderr)
	var (
		asJSON  = fs.Bool("json", false, "print the rows as JSON")
		quick   = fs.Bool("quick", false, "run the reduced version (CI)")
		seed    = fs.Int64("seed", 1, "base seed of every random stream")
		plots   = fs.String("plots", ".", "directory for plots (\"\" writes none)")
		dataDir = fs.String("data", "", "directory holding the data set's files (default: fetch into the user cache)")
		list    = fs.Bool("list", false, "list the experiments")
		weights = fs.String("weights", "", "directory of trained models: NAME-seed<s>.npz is read instead of training seed s, or written after training it (ep-mnist, ep-fmnist)")
	)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *list {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		for _, e := range repro.All() {
			fmt.Fprintf(tw, "%s\t%s\t(%s)\n", e.Name, e.Summary, e.Paper)
		}
		return tw.Flush()
	}
	if len(pos) != 1 {
		return usageErr("reproduce", "name one experiment (got %q); 'oscsim reproduce --list' lists them", strings.Join(pos, " "))
	}
	if _, err := repro.Find(pos[0]); err != nil {
		return usageErr("reproduce", "%v", err)
	}
	if *plots != "" {
		if err := os.MkdirAll(*plots, 0o755); err != nil {
			return err
		}
	}
	res, err := repro.Run(ctx, pos[0], repro.Env{Quick: *quick, Seed: *seed, PlotDir: *plots, DataDir: *dataDir, Weights: *weights, Log: stderr})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return repro.WriteText(stdout, res)
}
