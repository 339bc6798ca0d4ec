// Package coupling models the transmission-gate (TG) couplers between rings.
//
// Each coupled pair has two paths (OscNet v1.5 §5; docs/model.md §4): an
// in-phase path, a TG between the two rings' tap nodes, and an inverter
// path, the same TG fed through an extra inverter, so the neighbour's
// complement drives the node. A positive weight uses the in-phase path, a
// negative one the inverter path. The weight's magnitude becomes an integer
// code: the number of parallel unit TG fingers switched on, up to MaxCode.
//
// The package quantises weights onto codes, draws nothing at random (the
// caller passes the mismatch deviates), and gives each coupler's
// conductance, phase-model rate, power (which depends on the phase
// difference across it) and area. It does not integrate; package chip does.
package coupling
