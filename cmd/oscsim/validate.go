package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/BurntSushi/toml"

	"oscsim/chip"
	"oscsim/sweep"
)

const validateUsage = `
Usage: oscsim validate CHIP.toml|SWEEP.toml...

Checks chip descriptions (and sweep files, with every point of the sweep). For a bad file it prints every problem at once,
each as file:line:col: key: message; for a good one a one-line summary. It
also compiles the chip, so weights files, code ranges and step sizes the
models cannot integrate are reported too. Exit code 1 if any file is bad.

Examples:
  oscsim validate configs/*.toml
  oscsim validate my-chip.toml
  oscsim validate configs/sweeps/maxcut-noise.toml
`

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate", validateUsage, stderr)
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usageErr("validate", "name at least one chip file")
	}
	bad := 0
	for _, f := range files {
		if isSweepFile(f) {
			s, err := sweep.Load(f)
			if err != nil {
				bad++
				fmt.Fprintln(stdout, err)
				continue
			}
			fmt.Fprintf(stdout, "ok  %s\n    sweep %s: %d points × %d instances × %d seeds, workload %s, chip %s\n",
				f, s.Name, len(s.Points), s.Instances, s.Seeds, s.Workload.Kind, s.Chip)
			continue
		}
		nl, src, err := loadChip(f)
		if err == nil {
			var ch *chip.Chip
			ch, err = chip.Compile(nl, chip.Options{})
			if err == nil {
				err = ch.CheckStep(nl.Run.Model, nl.Run.StepsPerCycle)
				if err != nil {
					err = fmt.Errorf("%s: run.steps_per_cycle: %w", src, err)
				}
			}
		}
		if err != nil {
			bad++
			fmt.Fprintln(stdout, err)
			continue
		}
		fmt.Fprintf(stdout, "ok  %s\n    %s\n", src, nl.Summary())
		for _, w := range nl.Warnings {
			fmt.Fprintf(stdout, "    %s\n", w)
		}
	}
	if bad > 0 {
		return errors.New(plural(bad, "invalid chip description"))
	}
	return nil
}

func plural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return fmt.Sprintf("%d %ss", n, s)
}

// isSweepFile reports whether path is a TOML file with a [sweep] table (a
// sweep file, which validate checks with its points instead of as a chip).
func isSweepFile(path string) bool {
	src, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var probe struct {
		Sweep       *toml.Primitive `toml:"sweep"`
		Oscillators *toml.Primitive `toml:"oscillators"`
	}
	_, err = toml.Decode(string(src), &probe)
	return err == nil && probe.Sweep != nil && probe.Oscillators == nil
}
