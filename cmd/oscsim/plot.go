package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"oscsim/sweep"
)

const plotUsage = `
Usage: oscsim plot RESULTS [flags]

Draws the figures of a sweep's results directory (from 'oscsim sweep' or
'oscsim merge'), as PNG and SVG by default:

  accuracy-vs-AXIS     accuracy against each numeric axis: mean, min–max band
                       over chip instances and noise seeds, 95% interval bars
  accuracy-vs-power    every point at its mean power, Pareto front marked
                       (when the points' power differs)
  breakdown-area       the ledger's area lines stacked, per point
  breakdown-power      the ledger's power lines stacked, per point

Examples:
  oscsim plot results/maxcut-noise
  oscsim plot results/oscnet-sparsity -o docs/img/sparsity --format png
`

func runPlot(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("plot", plotUsage, stderr)
	out := fs.String("o", "", "directory for the figures (default RESULTS/plots)")
	format := fs.String("format", "png,svg", "comma-separated formats: png, svg, pdf")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("plot", "want one results directory, got %d", len(pos))
	}
	var formats []string
	for _, f := range strings.Split(*format, ",") {
		f = strings.TrimSpace(f)
		switch f {
		case "png", "svg", "pdf":
			formats = append(formats, f)
		case "":
		default:
			return usageErr("plot", "unknown format %q (want png, svg or pdf)", f)
		}
	}
	if len(formats) == 0 {
		return usageErr("plot", "no format given")
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join(pos[0], "plots")
	}
	files, err := sweep.Plot(pos[0], dir, formats)
	for _, f := range files {
		fmt.Fprintln(stdout, f)
	}
	return err
}
