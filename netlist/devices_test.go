package netlist

import (
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
