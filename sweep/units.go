package sweep

import (
	"math"
	"strconv"
	"strings"
)

// Unit names used in results: an SI symbol ("Hz", "s", "A", "V", "F",
// "Ohm", "m", "m2", "W", "J"), "ratio" for a dimensionless fraction that
// plots show in percent, "" for a plain number, and "text" for a
// categorical value (a technology card, a schedule name).
const (
	unitRatio = "ratio"
	unitText  = "text"
)

// known describes chip and run parameters whose unit and plot label the
// sweep knows; other paths take their unit from their values.
var known = map[string]struct{ unit, label string }{
	"chip.tech":                 {unitText, "technology"},
	"tech.vdd":                  {"V", "VDD"},
	"tech.node_cap":             {"F", "node capacitance"},
	"tech.tg_ron":               {"Ohm", "TG on-resistance"},
	"oscillators.count":         {"", "rings"},
	"oscillators.stages":        {"", "stages per ring"},
	"oscillators.frequency":     {"Hz", "natural frequency f0"},
	"oscillators.freq_sigma":    {unitRatio, "frequency mismatch σ_f"},
	"oscillators.linewidth":     {"Hz", "linewidth Δf"},
	"oscillators.init":          {unitText, "initial phases"},
	"couplings.bits":            {"", "weight bits"},
	"couplings.max_code":        {"", "largest code"},
	"couplings.quantize":        {unitText, "quantisation"},
	"couplings.full_scale":      {"", "weight full scale"},
	"couplings.unit_resistance": {"Ohm", "unit TG finger resistance"},
	"couplings.unit_k":          {unitRatio, "unit coupling K (of ω0)"},
	"couplings.sigma":           {unitRatio, "coupling mismatch σ_G"},
	"couplings.topology":        {unitText, "coupling fabric"},
	"shil.current":              {"A", "SHIL pump current"},
	"shil.ks":                   {unitRatio, "SHIL strength K_s (of ω0)"},
	"shil.schedule":             {unitText, "SHIL schedule"},
	"shil.ramp":                 {"s", "SHIL ramp time"},
	"shil.start":                {"s", "SHIL start time"},
	"detector.jitter":           {"s", "detector jitter"},
	"detector.bits":             {"", "TDC bits"},
	"run.duration":              {"s", "run time"},
	"run.cycles":                {"", "run length (cycles)"},
	"run.steps_per_cycle":       {"", "steps per cycle"},
	"run.model":                 {unitText, "model"},
	"run.integrator":            {unitText, "integrator"},
	"workload.k":                {"", "connections kept per pixel k"},
	"workload.fraction":         {unitRatio, "fraction of connections kept"},
	"workload.images":           {"", "test images"},
	"workload.runs":             {"", "anneals per evaluation"},
	"couplings.programmable":    {unitText, "programmable fabric"},
	"oscillators.phase_noise":   {unitText, "phase noise"},
	"chip.pads":                 {"", "pads"},
	"tech.energy_bit":           {"J", "energy per configuration bit"},
	"tech.leak_inv":             {"W", "inverter leakage"},
	"couplings.random_seed":     {"", "random weights seed"},
	"oscillators.rows":          {"", "grid rows"},
	"oscillators.cols":          {"", "grid columns"},
	"tech.avt_mv_um":            {"", "A_VT (mV·µm)"},
	"tech.inv_reff":             {"Ohm", "inverter R_eff"},
	"tech.short_circuit":        {unitRatio, "short-circuit share"},
	"tech.area_tg":              {"m2", "TG area"},
	"tech.c_unit":               {"F", "unit gate capacitance"},
	"oscillators.init_phases":   {unitText, "initial phases"},
	"couplings.weights":         {unitText, "weights file"},
	"couplings.weights_key":     {unitText, "weights array"},
	"detector.every":            {"", "sample period (cycles)"},
	"detector.window":           {"s", "counter window"},
	"detector.kind":             {unitText, "detector"},
	"shil.targets":              {unitText, "pump targets"},
	"oscillators.ring_model":    {unitText, "ring model"},
	"oscillators.layout":        {unitText, "layout"},
	"chip.name":                 {unitText, "chip"},
	"couplings.random_levels":   {unitText, "random levels"},
}

// knownUnit returns the unit and label of a path: "detector[2].jitter"
// reads as "detector.jitter".
func knownUnit(path string) (unit, label string, ok bool) {
	k, found := known[stripIndex(path)]
	return k.unit, k.label, found
}

// stripIndex removes array indices from a path: "detector[0].jitter" →
// "detector.jitter".
func stripIndex(path string) string {
	var b strings.Builder
	depth := 0
	for _, r := range path {
		switch {
		case r == '[':
			depth++
		case r == ']':
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

var siPrefixes = map[string]float64{
	"f": 1e-15, "p": 1e-12, "n": 1e-9, "u": 1e-6, "µ": 1e-6, "m": 1e-3,
	"": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
}

// siUnits are the units parseSI recognises, longest first so that "m2"
// is tried before "m"; each maps to its canonical symbol.
var siUnits = []struct{ sym, canon string }{
	{"Ohm", "Ohm"}, {"ohm", "Ohm"}, {"Ω", "Ohm"}, {"Hz", "Hz"}, {"m2", "m2"},
	{"s", "s"}, {"A", "A"}, {"V", "V"}, {"F", "F"}, {"m", "m"}, {"W", "W"}, {"J", "J"},
}

// parseSI reads a value with an optional SI prefix and unit ("1.2MHz",
// "3%", "65nm", "2k") and returns it in SI base units with the canonical
// unit ("ratio" for a percentage, "" for none). ok is false for text that
// is not such a value.
func parseSI(s string) (v float64, unit string, ok bool) {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) {
		c := s[end]
		if (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-' {
			end++
			continue
		}
		if (c == 'e' || c == 'E') && end > 0 && end+1 < len(s) && (s[end+1] == '-' || s[end+1] == '+' || (s[end+1] >= '0' && s[end+1] <= '9')) {
			end++
			continue
		}
		break
	}
	x, err := strconv.ParseFloat(s[:end], 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, "", false
	}
	rest := strings.TrimSpace(s[end:])
	if rest == "%" {
		return x / 100, unitRatio, true
	}
	for _, u := range siUnits {
		if p, found := strings.CutSuffix(rest, u.sym); found {
			if f, ok := siPrefixes[p]; ok {
				if u.canon == "m2" {
					f *= f // a prefix of m² is squared: 1 mm² = 1e-6 m²
				}
				return x * f, u.canon, true
			}
		}
	}
	if f, ok := siPrefixes[rest]; ok {
		return x * f, "", true
	}
	return 0, "", false
}

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
