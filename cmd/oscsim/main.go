// Command oscsim simulates CMOS ring-oscillator chips described in TOML.
//
//	oscsim run [CHIP.toml]        run a chip (the embedded default without a file)
//	oscsim validate CHIP.toml...  check chip descriptions
//
// Run `oscsim help` for every command. This file only dispatches; each
// command lives in its own file with a usage text.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand: it parses its own flags from args and writes
// results to stdout and progress or logs to stderr.
type command struct {
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	summary string
}

func commands() map[string]command {
	return map[string]command{
		"run":       {runRun, "run a chip description (the embedded default without a file)"},
		"validate":  {runValidate, "check chip descriptions and report every problem"},
		"configs":   {runConfigs, "list or print the embedded example chips"},
		"report":    {runReport, "area, power, energy and time to solution of a chip, by component"},
		"sweep":     {runSweep, "run a design-space sweep (axes × chip instances × noise seeds)"},
		"merge":     {runMerge, "join the results of a sharded sweep"},
		"plot":      {runPlot, "draw the figures of a sweep's results"},
		"data":      {runData, "fetch and verify data sets (MNIST, Fashion-MNIST, Iris) into the user cache"},
		"eval":      {runEval, "classify test images on the simulated OscNet chip (per-class relaxation, pairwise tournament)"},
		"train":     {runTrain, "train OscNet v1.5 weights (Hebbian, normalisation, top-k) and score them in software"},
		"reproduce": {runReproduce, "re-run a paper's table or figure and print ours next to the paper's numbers"},
		"stability": {runStability, "which binary states a chip's Ising machine holds stable at its pump; the K_s window for a pattern set"},

		"spice":        {runSpice, "write a transistor-level ngspice deck of a chip; --run cross-checks it against the models"},
		"characterize": {runCharacterize, "measure a ring in ngspice (frequency, waveform, power, ISF) into a ring-model file"},
	}
}

// errUsage marks errors in how a command was called (exit code 2).
var errUsage = errors.New("usage")

func usage(w io.Writer) {
	fmt.Fprintln(w, "oscsim simulates CMOS ring-oscillator chips: accuracy, area and power in one run.")
	fmt.Fprintln(w, "\nUsage: oscsim <command> [flags] [args]\n\nCommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-11s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'oscsim <command> -h' for a command's flags and examples.")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(realMain(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// Exit codes: 0 success, 1 failure (bad input, failed run), 2 bad usage
// (unknown command, bad flag or argument), 3 an internal error (a bug).
const exitInternal = 3

// realMain runs one command and maps its error to an exit code (see
// exitInternal). A panic in the command is reported as an internal error
// with its stack, never as a usage error (Go's own exit code for an
// unrecovered panic is 2).
func realMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return dispatch(ctx, commands(), args, stdout, stderr)
}

func dispatch(ctx context.Context, cmds map[string]command, args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "oscsim: internal error (a bug; please report it with the command and input): %v\n%s", p, debug.Stack())
			code = exitInternal
		}
	}()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "oscsim: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	err := cmd.run(ctx, args[1:], stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "oscsim %s: %v\n", args[0], strings.TrimPrefix(err.Error(), "usage: "))
		return 2
	default:
		fmt.Fprintf(stderr, "oscsim %s: %v\n", args[0], err)
		return 1
	}
}

// newFlags returns a flag set whose usage prints text (with examples).
//
// Every command opens the same way: newFlags, its flags, then one parse
// (parseChip, parseOptionalChip, parseNoArgs or parseInterspersed). The
// duplicates tool pairs the openings of the commands with few flags
// (configs and validate, data and merge) and the flag lists of the
// commands with many (train sync and eval sync): deliberate, the shape of
// a flag set, not logic written twice.
func newFlags(name, text string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("oscsim "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, strings.TrimSpace(text))
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	return fs
}

// usageErr wraps a message as a usage error with a hint.
func usageErr(cmd, format string, args ...any) error {
	return fmt.Errorf("%w: %s (try 'oscsim %s -h')", errUsage, fmt.Sprintf(format, args...), cmd)
}

// parseInterspersed parses flags that may come before or after positional
// arguments and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			// The flag package has printed the problem and the flags.
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
