package main

import (
	"flag"

	"oscsim/learn/eqprop"
)

// awareFlags registers 'oscsim train ep”s flags of noise- and
// quantisation-aware training (eqprop.NoiseAware, docs/ep.md §6.3) and the
// initial weights' and κ's scale, and returns the function that writes
// them into the settings.
func awareFlags(fs *flag.FlagSet) func(s *eqprop.LayeredSettings) {
	def := eqprop.DefaultLayeredSettings
	var a eqprop.NoiseAware
	fs.IntVar(&a.Instances, "instances", 0, "chip instances (mismatch draws) trained on, cycled by minibatch (0: a new one every epoch)")
	fs.IntVar(&a.First, "first-instance", 0, "first chip instance trained on (with --instances)")
	fs.IntVar(&a.Repeats, "repeats", 0, "nudged relaxations per image and sign, read phases averaged (with phase noise)")
	fs.Float64Var(&a.Window, "window", 0, "read-out window in time constants: relax time+window, average the phases over the window")
	fs.IntVar(&a.DetBits, "det-bits", 0, "read the output rings through D-bit TDCs in the loop and in evaluation (0: exact)")
	fs.BoolVar(&a.DetHidden, "det-hidden", false, "read the hidden rings through the D-bit TDCs too")
	fs.Float64Var(&a.InputScale, "input-scale", 0, "input couplers' full scale (0: --wmax)")
	init := fs.Float64("init", def.Init, "initial weights' half-width in units of 1/sqrt(fan-in)")
	kappa := fs.Float64("kappa", def.Kappa, "rate of unit weight as a fraction of ω0")
	return func(s *eqprop.LayeredSettings) {
		s.Aware, s.Init, s.Kappa = a, *init, *kappa
	}
}
