package main

import (
	"flag"
	"strings"

	"oscsim/spice"
)

// parseChip parses a command's flags and returns the one chip file it
// takes.
func parseChip(fs *flag.FlagSet, args []string) (string, error) {
	pos, err := parseInterspersed(fs, args)
	if err == nil && len(pos) != 1 {
		err = usageErr(cmdName(fs), "want one chip file, got %d", len(pos))
	}
	if err != nil {
		return "", err
	}
	return pos[0], nil
}

// parseOptionalChip parses a command's flags and returns the chip file it
// may take, "" when none is given (the command's default chip).
func parseOptionalChip(fs *flag.FlagSet, args []string) (string, error) {
	pos, err := parseInterspersed(fs, args)
	if err == nil && len(pos) > 1 {
		err = usageErr(cmdName(fs), "want at most one chip file, got %d", len(pos))
	}
	if err != nil || len(pos) == 0 {
		return "", err
	}
	return pos[0], nil
}

// parseNoArgs parses the flags of a command that takes no arguments.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	pos, err := parseInterspersed(fs, args)
	if err == nil && len(pos) > 0 {
		err = usageErr(cmdName(fs), "unexpected argument %q", pos[0])
	}
	return err
}

// cmdName is the command a flag set of newFlags parses ("spice").
func cmdName(fs *flag.FlagSet) string { return strings.TrimPrefix(fs.Name(), "oscsim ") }

// ngspiceFlags are the flags of the commands that run ngspice (spice,
// characterize): the MOSFET cards and their model names, the executable,
// and a directory that keeps the decks, raw files and logs.
type ngspiceFlags struct {
	fs                             *flag.FlagSet
	models, nmos, pmos, keep, path *string
}

// addNgspiceFlags defines the ngspice flags on fs; models says what
// --models defaults to.
func addNgspiceFlags(fs *flag.FlagSet, models string) ngspiceFlags {
	return ngspiceFlags{
		fs:     fs,
		models: fs.String("models", "", "MOSFET cards to .include (default: "+models+")"),
		nmos:   fs.String("nmos", "", "NMOS model name in --models (default nmos)"),
		pmos:   fs.String("pmos", "", "PMOS model name in --models (default pmos)"),
		keep:   fs.String("keep", "", "keep decks, raw files and logs in this directory"),
		path:   fs.String("ngspice", "", "path of the ngspice executable (default: ngspice on PATH)"),
	}
}

// parseChip parses the command's flags (parseChip) and refuses model
// names without the cards that define them.
func (f ngspiceFlags) parseChip(args []string) (string, error) {
	path, err := parseChip(f.fs, args)
	if err == nil && (*f.nmos != "" || *f.pmos != "") && *f.models == "" {
		err = usageErr(cmdName(f.fs), "--nmos and --pmos name models in --models")
	}
	return path, err
}

// design sets d's model names from the flags.
func (f ngspiceFlags) design(d *spice.Design) {
	if *f.nmos != "" {
		d.NMOS = *f.nmos
	}
	if *f.pmos != "" {
		d.PMOS = *f.pmos
	}
}

// simulator returns the ngspice the flags name, found on this machine,
// reporting its progress to pm.
func (f ngspiceFlags) simulator(pm *meter) (spice.Simulator, error) {
	sim := spice.Simulator{Path: *f.path, KeepDir: *f.keep, Progress: pm.simProgress}
	_, err := sim.Find()
	return sim, err
}
