package ringosc

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// FileFormat names the ring-model file format written by Encode. A chip
// description references such a file as oscillators.ring_model.
const FileFormat = "oscsim-ring-model/1"

// ErrFormat is wrapped by Decode errors about a malformed ring-model file.
var ErrFormat = errors.New("bad ring-model file")

// fileModel is the TOML layout of a ring-model file.
type fileModel struct {
	Format    string        `toml:"format"`
	Name      string        `toml:"name"`
	F0        float64       `toml:"f0_hz"`
	Power     float64       `toml:"power_w"`
	PumpPhase float64       `toml:"pump_phase_rad"`
	Measured  *fileMeasured `toml:"measured"`
	Tables    fileTables    `toml:"tables"`
}

type fileMeasured struct {
	Tool          string  `toml:"tool"`
	Models        string  `toml:"models"`
	NMOS          string  `toml:"nmos"`
	PMOS          string  `toml:"pmos"`
	Stages        int     `toml:"stages"`
	VDD           float64 `toml:"vdd_v"`
	NodeCap       float64 `toml:"node_cap_f"`
	L             float64 `toml:"l_m"`
	WN            float64 `toml:"wn_m"`
	WP            float64 `toml:"wp_m"`
	DevCap        float64 `toml:"dev_cap_f"`
	CouplerCin    float64 `toml:"coupler_cin_f"`
	CouplerWN     float64 `toml:"coupler_wn_m"`
	CouplerWP     float64 `toml:"coupler_wp_m"`
	InverterPull  float64 `toml:"inverter_pull"`
	TGRon         float64 `toml:"tg_ron_ohm"`
	TGWN          float64 `toml:"tg_wn_m"`
	TGWP          float64 `toml:"tg_wp_m"`
	TGCap         float64 `toml:"tg_cap_f"`
	ISFPoints     int     `toml:"isf_points"`
	Charge        float64 `toml:"charge_fraction"`
	C1            float64 `toml:"isf_c1"`
	C2            float64 `toml:"isf_c2"`
	StepsPerCycle float64 `toml:"steps_per_cycle"`
	SpiceOptions  string  `toml:"spice_options"`
	// The measured pump law (PumpLaw), present when pump_law_current_a > 0.
	PumpLawCurrent float64 `toml:"pump_law_current_a"`
	PumpLawS2      float64 `toml:"pump_law_s2"`
	PumpLawC2      float64 `toml:"pump_law_c2"`
	PumpLawQ0      float64 `toml:"pump_law_q0"`
	PumpLawQ4S     float64 `toml:"pump_law_q4s"`
	PumpLawQ4C     float64 `toml:"pump_law_q4c"`
	PumpLawRMS     float64 `toml:"pump_law_rms"`
	ISFPumpPhase   float64 `toml:"isf_pump_phase_rad"`
}

type fileTables struct {
	Points int         `toml:"points"`
	Wave   []float64   `toml:"wave"`
	ISF    []float64   `toml:"isf"`
	Pump   []float64   `toml:"pump"`
	Inv    []float64   `toml:"inv"`
	Nodes  [][]float64 `toml:"nodes"`
}

// ReadFile reads the ring-model file at path (Decode).
func ReadFile(path string) (Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return Model{}, fmt.Errorf("ringosc: %w", err)
	}
	defer f.Close()
	return Decode(f, path)
}

// Decode reads a ring-model file (format FileFormat, TOML) from r; name is
// used in messages. Unknown keys are errors, as in chip descriptions. The
// model is validated before it is returned.
func Decode(r io.Reader, name string) (Model, error) {
	var f fileModel
	md, err := toml.NewDecoder(r).Decode(&f)
	if err != nil {
		return Model{}, fmt.Errorf("ringosc: %s: %w: %v", name, ErrFormat, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return Model{}, fmt.Errorf("ringosc: %s: %w: unknown key %s", name, ErrFormat, und[0])
	}
	// TOML keys are case-sensitive, the decoder's field matching is not:
	// a key spelled in another case ("F0_HZ") is unknown too.
	for _, k := range md.Keys() {
		if !fileKey(reflect.TypeOf(fileModel{}), k) {
			return Model{}, fmt.Errorf("ringosc: %s: %w: unknown key %s (keys are case-sensitive)", name, ErrFormat, k)
		}
	}
	if f.Format != FileFormat {
		return Model{}, fmt.Errorf("ringosc: %s: %w: format %q, want %q", name, ErrFormat, f.Format, FileFormat)
	}
	t := f.Tables
	if t.Points != len(t.Wave) {
		return Model{}, fmt.Errorf("ringosc: %s: %w: tables.points = %d but wave has %d entries", name, ErrFormat, t.Points, len(t.Wave))
	}
	m := Model{Name: f.Name, Wave: t.Wave, ISF: t.ISF, Pump: t.Pump, Nodes: t.Nodes, Inv: t.Inv,
		F0: f.F0, Power: f.Power, PumpPhase: f.PumpPhase}
	if m.Name == "" {
		m.Name = name
	}
	if fm := f.Measured; fm != nil {
		m.Measured = &Measured{Tool: fm.Tool, Models: fm.Models, NMOS: fm.NMOS, PMOS: fm.PMOS,
			Stages: fm.Stages, VDD: fm.VDD, NodeCap: fm.NodeCap, L: fm.L, WN: fm.WN, WP: fm.WP,
			DevCap: fm.DevCap, CouplerCin: fm.CouplerCin, CouplerWN: fm.CouplerWN, CouplerWP: fm.CouplerWP, InverterPull: fm.InverterPull, TGRon: fm.TGRon, TGWN: fm.TGWN, TGWP: fm.TGWP, TGCap: fm.TGCap,
			ISFPoints: fm.ISFPoints, Charge: fm.Charge, C1: fm.C1, C2: fm.C2, StepsPerCycle: fm.StepsPerCycle, SpiceOptions: fm.SpiceOptions,
			ISFPumpPhase: fm.ISFPumpPhase}
		if fm.PumpLawCurrent > 0 {
			m.Measured.PumpLaw = &PumpLaw{Current: fm.PumpLawCurrent, S2: fm.PumpLawS2, C2: fm.PumpLawC2,
				Q0: fm.PumpLawQ0, Q4S: fm.PumpLawQ4S, Q4C: fm.PumpLawQ4C, RMS: fm.PumpLawRMS}
		}
	}
	if !(m.F0 >= 0) || !(m.Power >= 0) || math.IsInf(m.F0, 0) || math.IsNaN(m.PumpPhase) ||
		(m.Measured != nil && (math.IsNaN(m.Measured.ISFPumpPhase) || math.IsInf(m.Measured.ISFPumpPhase, 0))) {
		return Model{}, fmt.Errorf("ringosc: %s: %w: f0_hz and power_w must be finite and ≥ 0", name, ErrFormat)
	}
	if err := m.Validate(); err != nil {
		return Model{}, fmt.Errorf("ringosc: %s: %w: %v", name, ErrFormat, err)
	}
	return m, nil
}

// Encode writes m as a ring-model file. Numbers are written with 7
// significant digits, so a file written twice from the same model is the
// same bytes.
func Encode(w io.Writer, m Model) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if !m.Tabulated() {
		return fmt.Errorf("ringosc: only tabulated models are written to files (model %q is analytic)", m.Name)
	}
	b := bufio.NewWriter(w)
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', 7, 64) }
	arr := func(xs []float64) string {
		var s strings.Builder
		s.WriteByte('[')
		for k, x := range xs {
			switch {
			case k > 0 && k%8 == 0:
				s.WriteString(",\n  ")
			case k > 0:
				s.WriteString(", ")
			}
			s.WriteString(num(x))
		}
		s.WriteByte(']')
		return s.String()
	}
	fmt.Fprintf(b, "# oscsim ring model (oscsim characterize). Tables sample one cycle at\n")
	fmt.Fprintf(b, "# θ_k = 2πk/points; θ = −π/2 is the tap's rising mid-rail crossing.\n")
	fmt.Fprintf(b, "# wave, nodes and inv (the inverter path's inverter output) are volts/VDD;\n")
	fmt.Fprintf(b, "# isf and pump are Γ(θ) per q_max = C·VDD.\n")
	fmt.Fprintf(b, "format = %q\nname = %q\n", FileFormat, m.Name)
	fmt.Fprintf(b, "f0_hz = %s\npower_w = %s\npump_phase_rad = %s\n", num(m.F0), num(m.Power), num(m.PumpPhase))
	if ms := m.Measured; ms != nil {
		fmt.Fprintf(b, "\n[measured]\n")
		fmt.Fprintf(b, "tool = %q\nmodels = %q\nnmos = %q\npmos = %q\n", ms.Tool, ms.Models, ms.NMOS, ms.PMOS)
		fmt.Fprintf(b, "stages = %d\nvdd_v = %s\nnode_cap_f = %s\n", ms.Stages, num(ms.VDD), num(ms.NodeCap))
		fmt.Fprintf(b, "l_m = %s\nwn_m = %s\nwp_m = %s\n", num(ms.L), num(ms.WN), num(ms.WP))
		fmt.Fprintf(b, "dev_cap_f = %s\ncoupler_cin_f = %s\ncoupler_wn_m = %s\ncoupler_wp_m = %s\n", num(ms.DevCap), num(ms.CouplerCin), num(ms.CouplerWN), num(ms.CouplerWP))
		fmt.Fprintf(b, "inverter_pull = %s\n", num(ms.InverterPull))
		fmt.Fprintf(b, "tg_ron_ohm = %s\ntg_wn_m = %s\ntg_wp_m = %s\ntg_cap_f = %s\n", num(ms.TGRon), num(ms.TGWN), num(ms.TGWP), num(ms.TGCap))
		fmt.Fprintf(b, "isf_points = %d\ncharge_fraction = %s\nisf_c1 = %s\nisf_c2 = %s\n", ms.ISFPoints, num(ms.Charge), num(ms.C1), num(ms.C2))
		fmt.Fprintf(b, "steps_per_cycle = %s\n", num(ms.StepsPerCycle))
		if ms.SpiceOptions != "" {
			fmt.Fprintf(b, "spice_options = %q\n", ms.SpiceOptions)
		}
		if pl := ms.PumpLaw; pl != nil {
			fmt.Fprintf(b, "pump_law_current_a = %s\npump_law_s2 = %s\npump_law_c2 = %s\n", num(pl.Current), num(pl.S2), num(pl.C2))
			fmt.Fprintf(b, "pump_law_q0 = %s\npump_law_q4s = %s\npump_law_q4c = %s\npump_law_rms = %s\n", num(pl.Q0), num(pl.Q4S), num(pl.Q4C), num(pl.RMS))
		}
		if ms.ISFPumpPhase != 0 {
			fmt.Fprintf(b, "isf_pump_phase_rad = %s\n", num(ms.ISFPumpPhase))
		}
	}
	fmt.Fprintf(b, "\n[tables]\npoints = %d\n", len(m.Wave))
	fmt.Fprintf(b, "wave = %s\n", arr(m.Wave))
	fmt.Fprintf(b, "isf = %s\n", arr(m.ISF))
	fmt.Fprintf(b, "pump = %s\n", arr(m.Pump))
	if m.Inv != nil {
		fmt.Fprintf(b, "inv = %s\n", arr(m.Inv))
	}
	if len(m.Nodes) > 0 {
		fmt.Fprintf(b, "nodes = [\n")
		for _, n := range m.Nodes {
			fmt.Fprintf(b, " %s,\n", arr(n))
		}
		fmt.Fprintf(b, "]\n")
	}
	return b.Flush()
}

// fileKey reports whether the key path k names a field of t by its exact
// toml tag.
func fileKey(t reflect.Type, k toml.Key) bool {
	for _, part := range k {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return true // inside a value (arrays of numbers)
		}
		found := false
		for i := 0; i < t.NumField(); i++ {
			if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ","); tag == part {
				t, found = t.Field(i).Type, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
