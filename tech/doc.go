// Package tech holds technology cards: the handful of device numbers per
// process node that oscsim's ring, coupling, pump and detector models need
// (supply voltage, node capacitance, inverter drive, transmission-gate finger
// resistance, cell areas, leakage and the Pelgrom mismatch coefficient).
//
// Every value carries its source in a comment: a public cell library, the
// project's own ngspice anchor (docs/model.md §9), or a
// textbook estimate tagged [U] in that file. A chip description picks a card
// by name and may override any field.
//
// The package knows nothing about a particular chip.
package tech
