// Package netlist reads and validates oscsim chip descriptions written in
// TOML: the oscillator array, the transmission-gate couplings, the SHIL pump,
// the phase detectors and the run settings.
//
// Values carry units as strings ("1.2GHz", "250ps", "30uA", "3%", "65nm");
// unknown keys are errors; every semantic problem is reported at once, each
// with file:line:col and its key. The result, a Netlist, holds plain SI
// values with every default filled in. The package does no physics and
// draws no random numbers; chip.Compile turns a Netlist into a chip instance.
package netlist
