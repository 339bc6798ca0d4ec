// Package netlist reads and validates oscsim chip descriptions written in
// TOML: the oscillator array, the transmission-gate couplings, the SHIL pump,
// the phase detectors and the run settings.
//
// Values carry units as strings ("1.2GHz", "250ps", "30uA", "3%", "65nm")
// and words come from typed vocabularies (Model, Topology, shil.Kind, …),
// so the decoder reports a bad one at its line and column; unknown keys are
// errors; every semantic problem is reported at once, each with
// file:line:col and its key. The files a description names (weights, a
// sites mask, a characterised ring model) are read and checked here too.
// The result, a Netlist, holds plain SI values with every default filled
// in.
//
// The package does no physics. The only random numbers it draws are the
// weights of couplings.random_levels: a PCG stream seeded by
// couplings.random_seed alone, so a description always means the same
// couplings. Mismatch and noise are drawn by chip.Compile and chip.Run.
//
// It also holds what every configuration reader of oscsim shares: the SI
// reader (ParseQuantity), the key-position scanner (KeyPositions), the
// positioned Error and Errors types and DecodeProblem, which sweep files
// and workload parameters use as well.
package netlist
