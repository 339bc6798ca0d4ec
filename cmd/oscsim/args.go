package main

import (
	"flag"

	"oscsim/spice"
)

// oneChipArg returns the one chip file a command takes.
func oneChipArg(cmd string, pos []string) (string, error) {
	if len(pos) != 1 {
		return "", usageErr(cmd, "want one chip file, got %d", len(pos))
	}
	return pos[0], nil
}

// optionalChipArg returns the chip file a command may take, "" when none
// is given (the command's default chip).
func optionalChipArg(cmd string, pos []string) (string, error) {
	if len(pos) > 1 {
		return "", usageErr(cmd, "want at most one chip file, got %d", len(pos))
	}
	if len(pos) == 1 {
		return pos[0], nil
	}
	return "", nil
}

// ngspiceFlags are the flags of the commands that run ngspice (spice,
// characterize): the MOSFET cards and their model names, the executable,
// and a directory that keeps the decks, raw files and logs.
type ngspiceFlags struct {
	models, nmos, pmos, keep, path *string
}

// addNgspiceFlags defines the ngspice flags on fs; models says what
// --models defaults to.
func addNgspiceFlags(fs *flag.FlagSet, models string) ngspiceFlags {
	return ngspiceFlags{
		models: fs.String("models", "", "MOSFET cards to .include (default: "+models+")"),
		nmos:   fs.String("nmos", "", "NMOS model name in --models (default nmos)"),
		pmos:   fs.String("pmos", "", "PMOS model name in --models (default pmos)"),
		keep:   fs.String("keep", "", "keep decks, raw files and logs in this directory"),
		path:   fs.String("ngspice", "", "path of the ngspice executable (default: ngspice on PATH)"),
	}
}

// check refuses model names without the cards that define them.
func (f ngspiceFlags) check(cmd string) error {
	if (*f.nmos != "" || *f.pmos != "") && *f.models == "" {
		return usageErr(cmd, "--nmos and --pmos name models in --models")
	}
	return nil
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
