// Package ringosc models one CMOS ring oscillator: its natural frequency
// from stage count and device parameters, its output waveform and impulse
// sensitivity function (ISF), the phase diffusion set by its linewidth, its
// frequency mismatch, and its power.
//
// The ISF follows Hajimiri & Lee (JSSC 33(2), 1998): a charge Δq injected
// into a node at phase θ shifts the ring's phase by Γ(θ)·Δq/q_max with
// q_max = C_node·VDD. From the waveform and the ISF the package derives the
// two gains of the phase model: the coupling gain (first harmonic of the
// cycle-averaged interaction through a transmission gate) and the pump gain
// (second harmonic seen by a 2·f0 injection). Without a characterised
// ring the gains follow from the technology card in closed form
// (FromDevices, DeviceGains; docs/ringmodel.md).
//
// It does not model couplings or integrate anything; package chip does.
package ringosc
