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
