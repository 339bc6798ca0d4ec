package netlist

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"oscsim/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite the expected messages of testdata/invalid")

// Every file in testdata/invalid is rejected with exactly the message in
// its .err golden file (regenerate with go test -run Invalid -update).
func TestInvalidCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatal("no corpus", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, err := Load(f)
			if err == nil {
				t.Fatal("want an error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
			golden := strings.TrimSuffix(f, ".toml") + ".err"
			got := err.Error() + "\n"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if got != string(want) {
				t.Errorf("message:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestValidCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.toml")
	files = append(files, mustGlob(t, "../configs/*.toml")...)
	for _, f := range files {
		if _, err := Load(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func mustGlob(t *testing.T, p string) []string {
	m, err := filepath.Glob(p)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A weights file is symmetrised and its zeros dropped.
func TestWeightsFile(t *testing.T) {
	n, err := Load("testdata/valid/weights_file.toml")
	if err != nil {
		t.Fatal(err)
	}
	want := []Edge{{I: 0, J: 1, W: 0.5}, {I: 2, J: 3, W: -1}}
	if len(n.Couplings.Edges) != len(want) {
		t.Fatalf("edges %v, want %v", n.Couplings.Edges, want)
	}
	for k, e := range want {
		g := n.Couplings.Edges[k]
		if g.I != e.I || g.J != e.J || g.W != e.W {
			t.Errorf("edge %d = %+v, want %+v", k, g, e)
		}
	}
}

// Directed weights: both triangles → mean, one triangle → that value.
func TestSymmetrize(t *testing.T) {
	e, err := Symmetrize("x", 3, []int{0, 1, 1}, []int{1, 0, 2}, []float64{1, 3, -2})
	if err != nil {
		t.Fatal(err)
	}
	if len(e) != 2 || e[0].W != 2 || e[1].W != -2 {
		t.Errorf("got %+v, want (0,1)=2 and (1,2)=−2", e)
	}
	if _, err := Symmetrize("x", 3, []int{1}, []int{1}, []float64{1}); err == nil {
		t.Error("a diagonal weight must be an error")
	}
	if _, err := Symmetrize("x", 3, []int{0}, []int{1}, []float64{math.NaN()}); err == nil {
		t.Error("a NaN weight must be an error")
	}
}

func TestUnits(t *testing.T) {
	cases := []struct {
		in   string
		dst  interface{ UnmarshalText([]byte) error }
		want float64
		get  func() float64
	}{}
	var f Frequency
	var d Duration
	var c Current
	var r Ratio
	var res Resistance
	var a Area
	var l Length
	add := func(in string, dst interface{ UnmarshalText([]byte) error }, get func() float64, want float64) {
		cases = append(cases, struct {
			in   string
			dst  interface{ UnmarshalText([]byte) error }
			want float64
			get  func() float64
		}{in, dst, want, get})
	}
	add("1.2GHz", &f, func() float64 { return float64(f) }, 1.2e9)
	add("10kHz", &f, func() float64 { return float64(f) }, 1e4)
	add("250ps", &d, func() float64 { return float64(d) }, 250e-12)
	add("50ns", &d, func() float64 { return float64(d) }, 50e-9)
	add("30uA", &c, func() float64 { return float64(c) }, 30e-6)
	add("30µA", &c, func() float64 { return float64(c) }, 30e-6)
	add("3%", &r, func() float64 { return float64(r) }, 0.03)
	add("0.03", &r, func() float64 { return float64(r) }, 0.03)
	add("5kOhm", &res, func() float64 { return float64(res) }, 5e3)
	add("5kΩ", &res, func() float64 { return float64(res) }, 5e3)
	add("4.8mm2", &a, func() float64 { return float64(a) }, 4.8e-6)
	add("0.532um²", &a, func() float64 { return float64(a) }, 0.532e-12)
	add("65nm", &l, func() float64 { return float64(l) }, 65e-9)
	add("1e9", &f, func() float64 { return float64(f) }, 1e9)
	for _, tc := range cases {
		if err := tc.dst.UnmarshalText([]byte(tc.in)); err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got := tc.get(); math.Abs(got/tc.want-1) > 1e-12 {
			t.Errorf("%q = %g, want %g", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"1.2GHzz", "GHz", "", "fast", "1.2 Hz Hz", "nan", "inf"} {
		if err := f.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
	for _, bad := range []string{"1.2mm", "4um3", "2k"} {
		if err := a.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("area %q: want an error", bad)
		}
	}
	var p PhaseNoise
	if err := p.UnmarshalText([]byte("-83.3dBc/Hz@1MHz")); err != nil {
		t.Fatal(err)
	}
	// FWHM = 2π·L·Δf²: L = 10^(−8.33), Δf = 1 MHz → 2π·4.677 kHz = 29.4 kHz
	// (docs/model.md §2: A = 4.7 kHz for L(1 MHz) = −83.3 dBc/Hz).
	if lw := p.Linewidth(); math.Abs(lw/(2*math.Pi*4677.35)-1) > 1e-3 {
		t.Errorf("linewidth %g Hz, want %g", lw, 2*math.Pi*4677.35)
	}
}

// A bare TOML number reaches a unit type exactly: the decoder's fallback
// to UnmarshalText would print it with six decimals (2e-15 → 0).
func TestBareNumbersExact(t *testing.T) {
	t.Parallel()
	src := "[chip]\nname = \"n\"\n[tech]\nnode_cap = 2.5e-15\n[oscillators]\ncount = 2\nfreq_sigma = 1.234567891e-5\n" +
		"frequency = 1234567891\n[couplings]\nunit_k = 3.3e-7\n[[coupling]]\nfrom = 0\nto = 1\nweight = 1\n"
	nl, err := Parse("n.toml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key       string
		got, want float64
	}{
		{"node_cap", nl.Tech.NodeCap, 2.5e-15}, {"freq_sigma", nl.Oscillators.FreqSigma, 1.234567891e-5},
		{"frequency", nl.Oscillators.Frequency, 1234567891}, {"unit_k", nl.Couplings.UnitK, 3.3e-7},
	} {
		if c.got != c.want {
			t.Errorf("%s = %g, want %g", c.key, c.got, c.want)
		}
	}
	_, err = Parse("n.toml", []byte("[oscillators]\ncount = 2\nfrequency = [1]\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "n.toml:3:") {
		t.Errorf("array as a frequency: %v", err)
	}
}

// A bad unit is reported by the TOML decoder at its line and column; this
// pins the behaviour of BurntSushi/toml that the schema relies on.
// ParseQuantity reads any SI value with its canonical unit (the sweep's
// value columns rely on it).
func TestParseQuantity(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		v    float64
		unit string
		ok   bool
	}{
		{"1.2MHz", 1.2e6, "Hz", true}, {"3%", 0.03, UnitRatio, true}, {"65nm", 65e-9, "m", true},
		{"4.8mm2", 4.8e-6, "m2", true}, {"4.8mm²", 4.8e-6, "m2", true}, {"5kOhm", 5e3, "Ohm", true},
		{"2k", 2e3, "", true}, {"15ps", 15e-12, "s", true}, {"0Hz", 0, "Hz", true},
		{"pelgrom", 0, "", false}, {"-90dBc/Hz@1MHz", 0, "", false}, {"e5", 0, "", false},
	} {
		v, u, ok := ParseQuantity(c.in)
		if ok != c.ok || ok && (u != c.unit || math.Abs(v-c.v) > 1e-15*math.Abs(c.v)) {
			t.Errorf("ParseQuantity(%q) = %g %q %v, want %g %q %v", c.in, v, u, ok, c.v, c.unit, c.ok)
		}
	}
}

func TestBadValuePosition(t *testing.T) {
	_, err := Parse("chip.toml", []byte("[oscillators]\ncount = 2\n  frequency = \"fast\"\n"), nil)
	var es Errors
	if !errors.As(err, &es) || len(es) != 1 {
		t.Fatalf("want one error, got %v", err)
	}
	e := es[0]
	if e.Pos.Line != 3 || e.Pos.Col != 16 || e.Key != "oscillators.frequency" {
		t.Errorf("got %s at %d:%d, want oscillators.frequency at 3:16", e.Key, e.Pos.Line, e.Pos.Col)
	}
}

func TestKeyPositions(t *testing.T) {
	src := "a = 1\n[t]\n  x = [1,\n  2]\n  y = \"\"\"\nz = 1\n\"\"\"\n[[c]]\nk = 1\n[[c]]\n  k = 2 # c\n"
	p := KeyPositions(src)
	want := map[string]Pos{"a": {1, 1}, "t.x": {3, 3}, "t.y": {5, 3}, "c[0].k": {9, 1}, "c[1].k": {11, 3}}
	for k, w := range want {
		if p[k] != w {
			t.Errorf("%s at %v, want %v", k, p[k], w)
		}
	}
	if _, ok := p["t.z"]; ok {
		t.Error("z inside a multi-line string must not be a key")
	}
}

// FuzzLoad checks that no input makes Parse panic, and that every error is
// an Errors value with the file name.
func FuzzLoad(f *testing.F) {
	testkit.Seed(f, "testdata/*/*.toml", "../configs/*.toml")
	f.Fuzz(func(t *testing.T, src []byte) {
		n, err := Parse("fuzz.toml", src, func(string) ([]byte, error) { return nil, os.ErrNotExist })
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not wrapping ErrInvalid: %v", err)
			}
			return
		}
		if n.Oscillators.N() == 0 {
			t.Fatal("a valid netlist with no oscillators")
		}
	})
}

// KeyUnit reads each key's unit from the schema's field types.
func TestKeyUnit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		key, unit string
		ok        bool
	}{
		{"oscillators.frequency", "Hz", true}, {"detector[1].jitter", "s", true},
		{"tech.area_tg", "m2", true}, {"oscillators.freq_sigma", UnitRatio, true},
		{"couplings.bits", "", true}, {"run.model", UnitText, true}, {"shil.targets", UnitText, true},
		{"oscillators", "", false}, {"oscillators.nope", "", false}, {"nope", "", false},
	} {
		u, ok := KeyUnit(c.key)
		if u != c.unit || ok != c.ok {
			t.Errorf("KeyUnit(%q) = %q, %v; want %q, %v", c.key, u, ok, c.unit, c.ok)
		}
	}
}

// The ring model a description names is read and checked against the
// chip's ring where the description is parsed, so every caller gets it.
func TestRingModel(t *testing.T) {
	t.Parallel()
	src := func(stages int) string {
		return fmt.Sprintf("[chip]\ntech = \"45nm\"\n[oscillators]\ncount = 2\nstages = %d\nring_model = \"../spice/testdata/generic45.ring.toml\"\n", stages)
	}
	n, err := Parse("x.toml", []byte(src(5)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if n.Oscillators.Ring == nil || !n.Oscillators.Ring.Tabulated() {
		t.Fatal("ring model not read")
	}
	_, err = Parse("x.toml", []byte(src(7)), nil)
	want := "x.toml:6:1: oscillators.ring_model: ../spice/testdata/generic45.ring.toml: it was measured on a 5-stage ring, the chip has 7 stages (run 'oscsim characterize x.toml' again)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	n, err = ParseWith("x.toml", []byte(src(7)), ParseOptions{NoRingModel: true})
	if err != nil || n.Oscillators.Ring != nil {
		t.Errorf("NoRingModel: %v, ring %v", err, n.Oscillators.Ring != nil)
	}
}

// KeyPositions ends on input the decoder rejects, too (it runs first).
func TestKeyPositionsEnds(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"a = [}", "a = {]", "a = [1, }\n", "a = { b = ] }", "[[", "a = \"\"\"x", "= = ="} {
		done := make(chan struct{})
		go func() { KeyPositions(src); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("KeyPositions(%q) does not end", src)
		}
	}
}

// Every [tech] override buildTech does not handle by hand sets the card's
// field of the same name, in the unit of its type.
func TestTechOverrides(t *testing.T) {
	t.Parallel()
	rt := reflect.TypeFor[rawTech]()
	for i := range rt.NumField() {
		f := rt.Field(i)
		if techSpecial(f.Name) {
			continue
		}
		key := f.Tag.Get("toml")
		src := fmt.Sprintf("[chip]\ntech = \"45nm\"\n[tech]\n%s = 0.75\n[oscillators]\ncount = 2\nfrequency = \"1GHz\"\n", key)
		nl, err := Parse("tech.toml", []byte(src), nil)
		if err != nil {
			t.Errorf("%s: %v", key, err)
			continue
		}
		cf := reflect.ValueOf(nl.Tech).FieldByName(f.Name)
		if !cf.IsValid() || cf.Float() != 0.75 {
			t.Errorf("tech.%s = 0.75 did not set the card's %s (%v)", key, f.Name, cf)
		}
	}
}

// FormatSI picks the largest prefix at most the value (four digits), "f"
// below a femto-unit; ParseQuantity reads what it writes.
func TestFormatSI(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    float64
		unit string
		want string
	}{
		{1.4e9, "Hz", "1.4GHz"}, {999.6, "Hz", "0.9996kHz"}, {2.5e-15, "F", "2.5fF"}, {3e-6, "A", "3uA"},
		{1e-17, "F", "0.01fF"}, {0, "W", "0W"}, {-7.5e-12, "s", "-7.5ps"}, {12, "Ohm", "12Ohm"},
	} {
		got := FormatSI(c.v, c.unit)
		if got != c.want {
			t.Errorf("FormatSI(%g, %q) = %q, want %q", c.v, c.unit, got, c.want)
		}
		if v, u, ok := ParseQuantity(got); !ok || u != c.unit || math.Abs(v-c.v) > 1e-3*math.Abs(c.v) {
			t.Errorf("ParseQuantity(%q) = %g %q %v", got, v, u, ok)
		}
	}
}
