package netlist

import (
	"math"
	"strings"
	"testing"
)

// TestFullScaleWarning: with quantize = "scale" and no full_scale, a chip
// whose couplings all have one magnitude gets ±max_code everywhere, which
// the description warns about; weights of several magnitudes, a full_scale
// or exact quantisation do not warn.
func TestFullScaleWarning(t *testing.T) {
	t.Parallel()
	const base = "[chip]\nname = \"q\"\n[oscillators]\nnames = [\"a\", \"b\", \"c\"]\n[couplings]\nbits = 4\n%s\n[[coupling]]\nfrom = \"a\"\nto = \"b\"\nweight = %s\n%s"
	second := "[[coupling]]\nfrom = \"b\"\nto = \"c\"\nweight = -1.0\n"
	for _, c := range []struct {
		name, keys, w, more string
		warn                string
	}{
		{"single weight", "", "1.0", "", "the only coupling becomes ±15"},
		{"±1 everywhere", "", "1.0", second, "every coupling becomes ±15"},
		{"two magnitudes", "", "2.0", second, ""},
		{"full_scale", "full_scale = 15.0", "1.0", "", ""},
		{"exact", "quantize = \"exact\"", "1", "", ""},
	} {
		src := strings.Replace(strings.Replace(strings.Replace(base, "%s", c.keys, 1), "%s", c.w, 1), "%s", c.more, 1)
		nl, err := Parse("q.toml", []byte(src), nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := nl.Warnings.Error()
		if nl.Warnings == nil {
			got = ""
		}
		if c.warn == "" && strings.Contains(got, "full_scale") {
			t.Errorf("%s: unexpected warning %q", c.name, got)
		}
		if c.warn != "" && (!strings.Contains(got, c.warn) || !strings.Contains(got, "couplings.quantize")) {
			t.Errorf("%s: warnings %q, want one naming couplings.quantize and %q", c.name, got, c.warn)
		}
	}
}

// TestRingExtras: per-ring frequency offsets and tap loads are read with
// their units, and a wrong count, a non-finite or negative value is an
// error naming the key.
func TestRingExtras(t *testing.T) {
	t.Parallel()
	const base = "[chip]\nname = \"x\"\n[oscillators]\nnames = [\"a\", \"b\"]\nfrequency = \"1GHz\"\n"
	nl, err := Parse("x.toml", []byte(base+"freq_offsets = [\"+1MHz\", \"-0.5MHz\"]\ntap_loads = [\"1fF\", \"0F\"]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	o := nl.Oscillators
	if o.FreqOffsets[0] != 1e6 || o.FreqOffsets[1] != -0.5e6 || o.TapLoads[0] != 1e-15 || o.TapLoads[1] != 0 {
		t.Fatalf("offsets %v, loads %v", o.FreqOffsets, o.TapLoads)
	}
	for _, c := range []struct{ src, want string }{
		{"freq_offsets = [\"1MHz\"]\n", "oscillators.freq_offsets: want 2 frequency offsets"},
		{"freq_offsets = [\"1MHz\", \"0.6GHz\"]\n", "oscillators.freq_offsets: offset 1 must be finite"},
		{"tap_loads = [\"1fF\", \"-1fF\"]\n", "oscillators.tap_loads: tap load 1 must be a capacitance ≥ 0"},
		{"tap_loads = [\"1fF\"]\n", "oscillators.tap_loads: want 2 tap loads"},
	} {
		_, err := Parse("x.toml", []byte(base+c.src), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.src, err, c.want)
		}
	}
}

// TestTGGeometry: a coupler finger given by its TG's geometry takes its
// conductance (1/⟨G⟩ over the common mode) and capacitance from the card's
// switch table, and an impossible geometry is an error naming its key.
func TestTGGeometry(t *testing.T) {
	t.Parallel()
	const base = "[chip]\nname = \"g\"\ntech = \"%s\"\n[oscillators]\ncount = 2\n[couplings]\n%s\n"
	nl, err := Parse("g.toml", []byte(fmtBase(base, "45nm", "tg_l = \"450nm\"\ntg_fingers = 2")), nil)
	if err != nil {
		t.Fatal(err)
	}
	tg := nl.Couplings.TG
	// 90/180 nm at 450 nm: 28.97 kΩ per TG (tech.TestTGTable), two in parallel.
	if tg == nil || tg.WN != 90e-9 || tg.WP != 180e-9 || tg.Fingers != 2 || math.Abs(nl.Couplings.UnitResistance-14485) > 5 {
		t.Fatalf("TG %+v, unit resistance %g Ω", tg, nl.Couplings.UnitResistance)
	}
	for _, c := range []struct{ tech, keys, want string }{
		{"45nm", "tg_wn = \"90nm\"", "couplings.tg_l: a coupler given by its TG geometry needs the channel length"},
		{"45nm", "tg_l = \"30nm\"", "couplings.tg_l: channel length 30nm is below the 45nm card's minimum 45nm"},
		{"45nm", "tg_l = \"2um\"", "couplings.tg_l: the 45nm card cannot build this TG: channel length 2000 nm is outside the measured 45–1000 nm"},
		{"45nm", "tg_l = \"100nm\"\ntg_wn = \"50nm\"", "couplings.tg_wn: width 50nm is below the 45nm card's minimum device width 90nm"},
		{"45nm", "tg_l = \"100nm\"\ntg_fingers = 0", "couplings.tg_fingers: a finger is 1–64 parallel TGs (got 0)"},
		{"45nm", "tg_l = \"100nm\"\nunit_resistance = \"10kOhm\"", "couplings.tg_l: give the coupler as a TG geometry"},
		{"65nm", "tg_l = \"100nm\"", "couplings.tg_l: the 65nm card has no measured transmission-gate table"},
	} {
		_, err := Parse("g.toml", []byte(fmtBase(base, c.tech, c.keys)), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q: error %v, want %q", c.tech, c.keys, err, c.want)
		}
	}
}

func fmtBase(base, tech, keys string) string {
	return strings.Replace(strings.Replace(base, "%s", tech, 1), "%s", keys, 1)
}

// TestTapStage: oscillators.tap_stage and shil.stage name ring stages
// (default 0 and the tap's); a stage outside the ring, or a pump stage on
// the supply port, is an error naming the key.
func TestTapStage(t *testing.T) {
	t.Parallel()
	const base = "[chip]\nname = \"t\"\n[oscillators]\ncount = 2\nstages = 5\n%s\n[shil]\nks = 0.01\n%s\n"
	parse := func(osc, sh string) (*Netlist, error) {
		return Parse("t.toml", []byte(fmtBase(base, osc, sh)), nil)
	}
	nl, err := parse("", "")
	if err != nil {
		t.Fatal(err)
	}
	if nl.Oscillators.TapStage != 0 || nl.SHIL.Stage != 0 {
		t.Fatalf("defaults: tap %d, pump %d", nl.Oscillators.TapStage, nl.SHIL.Stage)
	}
	if nl, err = parse("tap_stage = 2", ""); err != nil || nl.SHIL.Stage != 2 {
		t.Fatalf("pump stage follows the tap: %v, %+v", err, nl.SHIL)
	}
	if nl, err = parse("tap_stage = 2", "stage = 4"); err != nil || nl.Oscillators.TapStage != 2 || nl.SHIL.Stage != 4 {
		t.Fatalf("tap 2, pump 4: %v", err)
	}
	for _, c := range []struct{ osc, sh, want string }{
		{"tap_stage = 5", "", "oscillators.tap_stage: the tap is the output of a stage 0…4 of the 5-stage ring (got 5)"},
		{"tap_stage = -1", "", "oscillators.tap_stage: the tap is the output of a stage 0…4"},
		{"", "stage = 7", "shil.stage: the pump drives the output of a stage 0…4 of the 5-stage ring (got 7)"},
		{"", "stage = 1\nport = \"supply\"", "shil.stage: a pump into the \"supply\" port drives no ring node"},
	} {
		_, err := parse(c.osc, c.sh)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q %q: error %v, want %q", c.osc, c.sh, err, c.want)
		}
	}
}

// TestBuiltinRing: ring_model = "builtin" selects the embedded
// characterisation of the chip's ring, whose measured frequency is the
// reference when the description gives none; a ring with none is an error
// naming the key and the rings there are.
func TestBuiltinRing(t *testing.T) {
	t.Parallel()
	const base = "[chip]\nname = \"b\"\ntech = \"45nm\"\n[tech]\nnode_cap = \"3fF\"\n[oscillators]\ncount = 2\nstages = %s\nring_model = \"builtin\"\n"
	nl, err := Parse("b.toml", []byte(fmtBase(base, "5", "")), nil)
	if err != nil {
		t.Fatal(err)
	}
	o := nl.Oscillators
	if o.Ring == nil || o.Ring.Name != "builtin:generic45-n5-c3f" || o.Frequency != o.Ring.F0 || o.FrequencyDerived {
		t.Fatalf("ring %v, frequency %g (derived %v)", o.Ring, o.Frequency, o.FrequencyDerived)
	}
	_, err = Parse("b.toml", []byte(fmtBase(base, "7", "")), nil)
	if err == nil || !strings.Contains(err.Error(), "oscillators.ring_model: no built-in characterisation of a 7-stage ring with 3 fF") ||
		!strings.Contains(err.Error(), "generic45-n5-c3f (5 stages, 3 fF") {
		t.Fatalf("7 stages: error %v", err)
	}
}

// TestRiseFall: tech.rise_fall sets the card's tap asymmetry through
// tech.TapH2FromRiseFall; with tap_h2 too, or out of range, it is an error
// naming the key.
func TestRiseFall(t *testing.T) {
	t.Parallel()
	const base = "[chip]\nname = \"r\"\ntech = \"45nm\"\n[tech]\n%s\n[oscillators]\ncount = 1\n%s"
	nl, err := Parse("r.toml", []byte(fmtBase(base, "rise_fall = 0.867", "")), nil)
	if err != nil {
		t.Fatal(err)
	}
	if x := nl.Tech.TapH2; math.Abs(x-0.1413) > 5e-4 {
		t.Fatalf("tap_h2 %g, want 0.1413", x)
	}
	for _, c := range []struct{ keys, want string }{
		{"rise_fall = 0.9\ntap_h2 = 0.1", "tech.rise_fall: give either tap_h2 or rise_fall"},
		{"rise_fall = 0", "tech.rise_fall: the ring nodes' rise/fall time ratio must be in (0.2, 5)"},
	} {
		_, err := Parse("r.toml", []byte(fmtBase(base, c.keys, "")), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.keys, err, c.want)
		}
	}
}
