package sweep

import (
	"strconv"
	"strings"

	"oscsim/netlist"
)

// Unit names used in results: an SI symbol ("Hz", "s", "A", "V", "F",
// "Ohm", "m", "m2", "W", "J"), "ratio" for a dimensionless fraction that
// plots show in percent, "" for a plain number, and "text" for a
// categorical value (a technology card, a schedule name).
const (
	unitRatio = netlist.UnitRatio
	unitText  = netlist.UnitText
)

// labels are the plot labels of the chip and workload parameters a sweep
// knows. A chip key's unit comes from the chip schema (netlist.KeyUnit); a
// workload parameter's from workloadUnits.
var labels = map[string]string{
	"chip.tech":                 "technology",
	"tech.vdd":                  "VDD",
	"tech.node_cap":             "node capacitance",
	"tech.tg_ron":               "TG on-resistance",
	"oscillators.count":         "rings",
	"oscillators.stages":        "stages per ring",
	"oscillators.frequency":     "natural frequency f0",
	"oscillators.freq_sigma":    "frequency mismatch σ_f",
	"oscillators.linewidth":     "linewidth Δf",
	"oscillators.init":          "initial phases",
	"couplings.bits":            "weight bits",
	"couplings.max_code":        "largest code",
	"couplings.quantize":        "quantisation",
	"couplings.full_scale":      "weight full scale",
	"couplings.unit_resistance": "unit TG finger resistance",
	"couplings.unit_k":          "unit coupling K (of ω0)",
	"couplings.sigma":           "coupling mismatch σ_G",
	"couplings.topology":        "coupling fabric",
	"shil.current":              "SHIL pump current",
	"shil.ks":                   "SHIL strength K_s (of ω0)",
	"shil.schedule":             "SHIL schedule",
	"shil.ramp":                 "SHIL ramp time",
	"shil.start":                "SHIL start time",
	"detector.jitter":           "detector jitter",
	"detector.bits":             "TDC bits",
	"run.duration":              "run time",
	"run.cycles":                "run length (cycles)",
	"run.steps_per_cycle":       "steps per cycle",
	"run.model":                 "model",
	"run.integrator":            "integrator",
	"workload.k":                "connections kept per pixel k",
	"workload.fraction":         "fraction of connections kept",
	"workload.images":           "test images",
	"workload.runs":             "anneals per evaluation",
	"couplings.programmable":    "programmable fabric",
	"oscillators.phase_noise":   "phase noise",
	"chip.pads":                 "pads",
	"tech.energy_bit":           "energy per configuration bit",
	"tech.leak_inv":             "inverter leakage",
	"couplings.random_seed":     "random weights seed",
	"oscillators.rows":          "grid rows",
	"oscillators.cols":          "grid columns",
	"tech.avt_mv_um":            "A_VT (mV·µm)",
	"tech.inv_reff":             "inverter R_eff",
	"tech.short_circuit":        "short-circuit share",
	"tech.area_tg":              "TG area",
	"tech.c_unit":               "unit gate capacitance",
	"oscillators.init_phases":   "initial phases",
	"couplings.weights":         "weights file",
	"couplings.weights_key":     "weights array",
	"detector.every":            "sample period (cycles)",
	"detector.window":           "counter window",
	"detector.kind":             "detector",
	"shil.targets":              "pump targets",
	"oscillators.ring_model":    "ring model",
	"oscillators.layout":        "layout",
	"chip.name":                 "chip",
	"couplings.random_levels":   "random levels",
}

// workloadUnits are the units of the workload parameters labels names.
var workloadUnits = map[string]string{
	"workload.k": "", "workload.fraction": unitRatio, "workload.images": "", "workload.runs": "",
}

// knownUnit returns the unit and label of a path: "detector[2].jitter"
// reads as "detector.jitter".
func knownUnit(path string) (unit, label string, ok bool) {
	k := stripIndex(path)
	label, ok = labels[k]
	if !ok {
		return "", "", false
	}
	if u, isChip := netlist.KeyUnit(k); isChip {
		return u, label, true
	}
	unit, ok = workloadUnits[k]
	return unit, label, ok
}

// stripIndex removes array indices from a path: "detector[0].jitter" →
// "detector.jitter".
func stripIndex(path string) string { return netlist.StripIndex(path) }

// columnSuffix is the suffix a column of the given unit carries in result
// files: "_hz", "_s", "_m2", none for ratios, plain numbers and text.
func columnSuffix(unit string) string {
	switch unit {
	case "", unitRatio, unitText:
		return ""
	}
	return "_" + strings.ToLower(unit)
}

// formatFloat writes a float so that it reads back bit for bit.
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
