// Package spice builds transistor-level ngspice decks of compiled chips,
// runs them, and holds the engine's models against them.
//
// It does three things:
//
//   - Write turns one compiled chip instance (chip.Chip: quantised codes,
//     mismatch, unit conductance, pump current, initial phases) into a
//     deck: each ring as its CMOS inverter stages with node loads, each
//     coupling as transmission-gate fingers on the in-phase path or behind
//     the inverter path's extra inverter, the SHIL pump as a current
//     I·cos(2·ω_ref·t + ψ) into each pumped ring's tap, initial conditions
//     on the ring's steady-state waveform at each initial phase, a .tran
//     over the run, and the tap voltages and supply currents to measure.
//   - Characterize measures one ring in ngspice (frequency, node waveforms,
//     supply power, the tap's impulse sensitivity function by charge
//     injection, and the device data a deck needs) into a ringosc.Model that
//     a chip description references as oscillators.ring_model.
//   - CrossCheck runs a deck in ngspice and the same chip in the engine's
//     cycle and phase models and measures all three the same way, from the
//     taps' rising mid-rail crossings: frequencies, phase differences and
//     lock times of the couplings, SHIL lock and phase, the binarised state,
//     power, wall time.
//
// Why here and not in netlist: a deck needs the compiled instance (codes,
// mismatch, derived conductances and pump current, the random initial
// phases), which only package chip computes, and netlist must not import
// chip. The package sits beside bench: it imports chip, netlist, ringosc and
// tech, and nothing below it imports it.
//
// Conventions. Phases are relative to the reference, θ = 2π·f_ref·t + φ; a
// ring's tap rises through VDD/2 at θ = −π/2 (for characterised models by
// construction, for the analytic one because its waveform (1+cos θ)/2 does).
// The ISF is normalised to q_max = C·VDD with C the tech card's node load.
//
// Design choices of the transistor-level realisation (see Design): a coupler
// finger is a minimum switch in series with a resistor that makes up the
// unit resistance (the switch takes at most 1/8 of it), so the finger is
// nearly the linear conductance the engine assumes; the switch sits at the
// driving end of the finger, and every tap gives up the load its couplers
// add to it (switch capacitance, coupler inverter input) and is trimmed for
// the inverter path's pull, so coupling does not detune the rings — as a
// designer trims a coupled array and as the engine assumes. The pump port
// is the tap: its ISF is the tap's, and the pump's phase ψ is aligned so a
// ring locks at φ = 0 or π (ringosc.AlignPump).
//
// The package does not model layout parasitics, the switches of fingers
// that are off, or the pump generator; ngspice is noiseless, so the engine
// runs without phase noise in a cross-check.
package spice
