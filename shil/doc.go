// Package shil models the sub-harmonic injection-locking (SHIL) pump: a
// current at 2·f_ref injected into each targeted ring, which makes the phases
// 0 and π (relative to the reference) the two stable states and so binarises
// the rings (Wang & Roychowdhury, OIM, UCNC 2019; docs/model.md §11).
//
// It gives the pump's strength in the phase model (K_s from the pump current
// and the ring's pump gain), its schedule over a run (constant, linear ramp,
// ramp then hold), and its area and power. It does not integrate.
package shil
