package main

import (
	"context"
	"fmt"
	"io"

	"oscsim/sweep"
)

const mergeUsage = `
Usage: oscsim merge -o OUT SHARD_DIR...

Joins the results directories of a sharded sweep (one per 'oscsim sweep
--shard i/n', for every i) into OUT. OUT then holds the same files, byte
for byte, as one unsharded run of the sweep: runs.csv, summary.csv,
breakdown.csv and meta.json. Every shard must be complete; an unfinished
one is named with the command that finishes it (--resume).

Examples:
  oscsim merge -o results/noise results/noise/shard-*
  oscsim merge -o /shared/noise /shared/noise/shard-0 /shared/noise/shard-1
`

func runMerge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("merge", mergeUsage, stderr)
	out := fs.String("o", "", "results directory to write (required)")
	dirs, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *out == "" {
		return usageErr("merge", "-o OUT is required")
	}
	if len(dirs) == 0 {
		return usageErr("merge", "give the shards' results directories")
	}
	m, err := sweep.Merge(*out, dirs)
	if err != nil {
		return err
	}
	if err := printSweepSummary(stdout, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "merged   %d shards of %s into %s (%d points)\n", len(dirs), m.Name, *out, m.Points)
	return nil
}
