package spice

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"oscsim/chip"
	"oscsim/netlist"
	"oscsim/ringosc"
)

var update = flag.Bool("update", false, "rewrite golden files")

// load compiles a chip description from testdata with its ring model.
func load(t testing.TB, name string) (*chip.Chip, *ringosc.Model) {
	t.Helper()
	nl, err := netlist.Load(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return compileWithModel(t, nl)
}

// goldenDeck writes the deck of testdata/golden.toml with the design of its
// tech card and ring model.
func goldenDeck(t testing.TB, opt DeckOptions) (*chip.Chip, Design, *Deck) {
	t.Helper()
	ch, m := load(t, "golden.toml")
	d := NewDesign(ch.Netlist().Tech, m, "")
	deck, err := Write(ch, d, opt)
	if err != nil {
		t.Fatal(err)
	}
	return ch, d, deck
}

func compileWithModel(t testing.TB, nl *netlist.Netlist) (*chip.Chip, *ringosc.Model) {
	t.Helper()
	m := nl.Oscillators.Ring
	if p := nl.Oscillators.RingFile(); p != "" && m == nil {
		mm, err := ringosc.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m = &mm
	}
	ch, err := chip.Compile(nl, chip.Options{Ring: m})
	if err != nil {
		t.Fatal(err)
	}
	return ch, m
}

// TestRisingEdgesAndPhases samples v = (1 + cos θ)/2 with θ = ω·t + φ0 and
// checks that the edges fall at θ = −π/2 (mod 2π) and EdgePhases returns
// φ0: with 200 samples a period, linear interpolation of a sine near its
// zero crossing is exact to O(h³), well under 1e-6 rad.
func TestRisingEdgesAndPhases(t *testing.T) {
	t.Parallel()
	const f = 1.3e9
	for _, phi0 := range []float64{0, 1, -2.5, math.Pi} {
		var ts, vs []float64
		dt := 1 / f / 200
		for k := 0; k < 200*10; k++ {
			tt := float64(k) * dt
			ts = append(ts, tt)
			vs = append(vs, 0.5*(1+math.Cos(2*math.Pi*f*tt+phi0)))
		}
		e := RisingEdges(ts, vs, 0.5)
		if len(e) < 9 {
			t.Fatalf("φ0 %g: %d edges in 10 periods", phi0, len(e))
		}
		for k, p := range EdgePhases(e, f) {
			if d := math.Abs(wrap(p - phi0)); d > 1e-6 {
				t.Errorf("φ0 %g: edge %d phase %g", phi0, k, p)
			}
		}
		fr, err := MeanFrequency(e, 0, 1)
		if err != nil || math.Abs(fr/f-1) > 1e-9 {
			t.Errorf("mean frequency %g, want %g (%v)", fr, f, err)
		}
	}
}

// TestEdgePhasesDetuned: a ring 1% fast gains 2π·0.01 rad a cycle on the
// reference, unwrapped without jumps.
func TestEdgePhasesDetuned(t *testing.T) {
	t.Parallel()
	const fref = 1e9
	var e []float64
	for k := 0; k < 300; k++ {
		e = append(e, (float64(k)+0.25)/(1.01*fref))
	}
	p := EdgePhases(e, fref)
	for k := 1; k < len(p); k++ {
		step := p[k] - p[k-1]
		want := 2 * math.Pi * (1 - 1/1.01)
		if math.Abs(step-want) > 1e-9 {
			t.Fatalf("step %d: %g, want %g", k, step, want)
		}
	}
}

// TestSettleTime: y = 1·e^(−t) settles within 0.1 of 0 at t = ln 10.
func TestSettleTime(t *testing.T) {
	t.Parallel()
	var s Series
	for k := 0; k <= 1000; k++ {
		tt := float64(k) * 0.01
		s.T = append(s.T, tt)
		s.Y = append(s.Y, math.Exp(-tt))
	}
	if got := SettleTime(s, 0, 0.1); math.Abs(got-math.Log(10)) > 1e-3 {
		t.Errorf("settle time %g, want ln 10", got)
	}
	s.Y[len(s.Y)-1] = 1
	if got := SettleTime(s, 0, 0.1); !math.IsInf(got, 1) {
		t.Errorf("a series that ends outside the band settles at %g, want +Inf", got)
	}
}

func TestMeanOver(t *testing.T) {
	t.Parallel()
	ts := []float64{0, 1, 3, 4}
	ys := []float64{0, 2, 2, 0}
	// Trapezoid: (1 + 4 + 1)/4 = 1.5.
	if got := MeanOver(ts, ys, 0, 4); math.Abs(got-1.5) > 1e-12 {
		t.Errorf("mean %g, want 1.5", got)
	}
}

func TestBinarise(t *testing.T) {
	t.Parallel()
	// Phases around an axis at 40°, ring 0 on the far side: the state is
	// reported with ring 0 at +1.
	a := 40 * math.Pi / 180
	ph := []float64{a + math.Pi + 0.1, a - 0.2, a + 0.05, a + math.Pi - 0.1}
	got := Binarise(ph)
	want := []int{1, -1, -1, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("state %v, want %v", got, want)
		}
	}
}

// TestFitFourier recovers known coefficients from nonuniform samples.
func TestFitFourier(t *testing.T) {
	t.Parallel()
	want := []float64{0.1, 0.5, -0.3, 0.04, 0.02, 0, 0.01}
	var th, y []float64
	for k := 0; k < 40; k++ {
		x := 2*math.Pi*float64(k)/40 + 0.03*math.Sin(float64(k))
		th = append(th, x)
		y = append(y, evalFourier(want, x))
	}
	got, rms, err := fitFourier(th, y, 3)
	if err != nil {
		t.Fatal(err)
	}
	for k := range want {
		if math.Abs(got[k]-want[k]) > 1e-9 {
			t.Errorf("coefficient %d: %g, want %g", k, got[k], want[k])
		}
	}
	if rms > 1e-9 {
		t.Errorf("rms %g", rms)
	}
}

// rawFile builds a binary raw file as ngspice -r writes it.
func rawFile(names []string, rows [][]float64) []byte {
	var b bytes.Buffer
	b.WriteString("Title: * test\nDate: today\nPlotname: Transient Analysis\nFlags: real\n")
	b.WriteString("No. Variables: " + strconv.Itoa(len(names)) + "\nNo. Points: " + strconv.Itoa(len(rows)) + "    \nVariables:\n")
	for k, n := range names {
		kind := "voltage"
		if k == 0 {
			kind = "time"
		}
		b.WriteString("\t" + strconv.Itoa(k) + "\t" + n + "\t" + kind + "\n")
	}
	b.WriteString("Binary:\n")
	for _, r := range rows {
		for _, x := range r {
			binary.Write(&b, binary.LittleEndian, x)
		}
	}
	return b.Bytes()
}

func TestReadRaw(t *testing.T) {
	t.Parallel()
	data := rawFile([]string{"time", "v(A_n0)", "i(vdd_a)"}, [][]float64{{0, 0.1, -1e-5}, {1e-12, 0.2, -2e-5}})
	o, err := ReadRaw(bufio.NewReader(bytes.NewReader(data)))
	if err != nil {
		t.Fatal(err)
	}
	v, err := o.Vec("V(a_n0)")
	if err != nil || len(v) != 2 || v[1] != 0.2 || o.Time()[1] != 1e-12 {
		t.Fatalf("got %v %v (%v)", o.Names, o.Data, err)
	}
	if _, err := o.Vec("v(nope)"); err == nil {
		t.Error("a missing vector should be an error")
	}
	if _, err := ReadRaw(bufio.NewReader(strings.NewReader("Title: x\n"))); err == nil {
		t.Error("a truncated header should be an error")
	}
}

func TestSpiceNames(t *testing.T) {
	t.Parallel()
	got := spiceNames([]string{"left", "Left", "3rd", "a-b", "a_b", ""})
	want := []string{"left", "left_2", "r3rd", "a_b", "a_b_2", "r"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("names %q, want %q", got, want)
		}
	}
}

// TestWriteGolden pins the deck of a small chip (run with -update after an
// intended change and read the diff).
func TestWriteGolden(t *testing.T) {
	t.Parallel()
	_, _, deck := goldenDeck(t, DeckOptions{})
	// The file path in the header depends on the working directory only
	// through "testdata/"; the generic cards are inlined.
	golden := filepath.Join("testdata", "golden.cir")
	if *update {
		if err := os.WriteFile(golden, []byte(deck.Text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./spice -run TestWriteGolden -update)", err)
	}
	if deck.Text != string(want) {
		t.Errorf("deck differs from %s (run with -update and review the diff)", golden)
	}
	if len(deck.Warnings) > 0 {
		t.Errorf("warnings: %v", deck.Warnings)
	}
}

var icRe = regexp.MustCompile(`v\(([a-z0-9_]+)\)=([-0-9.e+]+)`)

// TestDeckInitialConditions: every ring node starts on the model's
// waveform at the ring's initial phase.
func TestDeckInitialConditions(t *testing.T) {
	t.Parallel()
	ch, m := load(t, "golden.toml")
	deck, err := Write(ch, NewDesign(ch.Netlist().Tech, m, ""), DeckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ics := map[string]float64{}
	for _, line := range strings.Split(deck.Text, "\n") {
		if strings.HasPrefix(line, ".ic ") {
			for _, mm := range icRe.FindAllStringSubmatch(line, -1) {
				ics[mm[1]], _ = strconv.ParseFloat(mm[2], 64)
			}
		}
	}
	names := spiceNames(ch.Netlist().Oscillators.Names)
	for i, p := range deck.Phases {
		for s := 0; s < 5; s++ {
			node := names[i] + "_n" + strconv.Itoa(s)
			got, ok := ics[node]
			want := m.NodeV(s, 5, p) // VDD = 1 V
			if !ok || math.Abs(got-want) > 1e-5 {
				t.Errorf("%s: .ic %g, want %g", node, got, want)
			}
		}
	}
	if p := deck.Phases[1]; math.Abs(p-math.Pi/2) > 1e-12 {
		t.Errorf("ring mid starts at %g rad, want π/2 from init_phases", p)
	}
}

var capRe = regexp.MustCompile(`(?m)^C([a-z0-9_]+)_([0-9]) \S+ 0 (\S+)$`)

// deckCaps returns a deck's node load capacitors by "ring_stage".
func deckCaps(text string) map[string]float64 {
	out := map[string]float64{}
	for _, mm := range capRe.FindAllStringSubmatch(text, -1) {
		out[mm[1]+"_"+mm[2]], _ = strconv.ParseFloat(mm[3], 64)
	}
	return out
}

// TestDeckLoads: a ring's loads set its natural frequency through
// f ∝ 1/(C + C_dev), mismatch and detuning included; the taps give up the
// coupler load they carry.
func TestDeckLoads(t *testing.T) {
	t.Parallel()
	off := []float64{0, 5e6, -3e6}
	ch, m := load(t, "golden.toml")
	d := NewDesign(ch.Netlist().Tech, m, "")
	deck, err := Write(ch, d, DeckOptions{FreqOffset: off})
	if err != nil {
		t.Fatal(err)
	}
	caps := deckCaps(deck.Text)
	nl := ch.Netlist()
	det := ch.Detuning()
	names := spiceNames(nl.Oscillators.Names)
	C, cd := nl.Tech.NodeCap, d.DevCap
	for i, n := range names {
		fi := nl.Oscillators.Frequency + det[i]/(2*math.Pi) + off[i]
		// mid and Right-1 receive the inverter path: trimmed for its pull.
		g := 0.0
		for _, c := range ch.Couplers() {
			if c.Inverted && c.To == i {
				g += c.G
			}
		}
		fi -= d.InverterPull * g / C / (2 * math.Pi)
		want := (C+cd)*m.F0/fi - cd
		if got := caps[n+"_2"]; math.Abs(got/want-1) > 1e-5 {
			t.Errorf("ring %s: load %g, want %g", n, got, want)
		}
	}
	// left's tap carries the in-phase switch (2 fingers): 2·TGCap less.
	if got, want := caps["left_0"], caps["left_1"]-2*d.TGCap; math.Abs(got/want-1) > 1e-5 {
		t.Errorf("left tap load %g, want %g", got, want)
	}
	// mid's tap drives the inverter towards Right-1: CouplerCin less.
	if got, want := caps["mid_0"], caps["mid_1"]-d.CouplerCin; math.Abs(got/want-1) > 1e-5 {
		t.Errorf("mid tap load %g, want %g", got, want)
	}
}

// TestDeckTrimAndOpen: LoadTrim scales a ring's whole node load, device
// capacitance included ((C + C_dev)·k − C_dev on a plain node); the trim
// run's deck (Open) keeps every coupler device but no resistor and no
// pump, and gives each ring's uncoupled target frequency; a trim out of
// range is an error.
func TestDeckTrimAndOpen(t *testing.T) {
	t.Parallel()
	ch, d, base := goldenDeck(t, DeckOptions{})
	k := []float64{1.001, 0.999, 1}
	deck, err := Write(ch, d, DeckOptions{LoadTrim: k, Open: true})
	if err != nil {
		t.Fatal(err)
	}
	c0, c1 := deckCaps(base.Text), deckCaps(deck.Text)
	for i, n := range spiceNames(ch.Netlist().Oscillators.Names) {
		want := (c0[n+"_2"]+d.DevCap)*k[i] - d.DevCap
		if got := c1[n+"_2"]; math.Abs(got/want-1) > 1e-5 {
			t.Errorf("ring %s: trimmed load %g, want %g", n, got, want)
		}
		if deck.Rings[i].Uncoupled != base.Rings[i].Uncoupled || !(deck.Rings[i].Uncoupled > 0) {
			t.Errorf("ring %s: uncoupled frequency %g (untrimmed deck %g)", n, deck.Rings[i].Uncoupled, base.Rings[i].Uncoupled)
		}
	}
	count := func(text, prefix string) int {
		n := 0
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(l, prefix) {
				n++
			}
		}
		return n
	}
	for _, p := range []string{"Mc_", "Mci_"} {
		if a, b := count(base.Text, p), count(deck.Text, p); a != b || a == 0 {
			t.Errorf("%s devices: %d in the deck, %d in the trim run's", p, a, b)
		}
	}
	if count(base.Text, "Rc") == 0 || count(deck.Text, "Rc") != 0 {
		t.Errorf("coupler resistors: %d in the deck, %d in the trim run's (want none)", count(base.Text, "Rc"), count(deck.Text, "Rc"))
	}
	if count(base.Text, "Bpump_") == 0 || count(deck.Text, "Bpump_") != 0 {
		t.Errorf("pump sources: %d in the deck, %d in the trim run's (want none)", count(base.Text, "Bpump_"), count(deck.Text, "Bpump_"))
	}
	if _, err := Write(ch, d, DeckOptions{LoadTrim: []float64{1, 3, 1}}); err == nil {
		t.Error("a load trim of 3 was accepted")
	}
	if _, err := Write(ch, d, DeckOptions{LoadTrim: []float64{1}}); err == nil {
		t.Error("a load trim per ring of the wrong length was accepted")
	}
}

// TestDeckCouplerConductance: a finger lump's switch and resistor add up to
// the coupler's conductance G of this instance (mismatch included).
func TestDeckCouplerConductance(t *testing.T) {
	t.Parallel()
	ch, d, deck := goldenDeck(t, DeckOptions{})
	res := map[string]float64{}
	mult := map[string]float64{}
	for _, line := range strings.Split(deck.Text, "\n") {
		f := strings.Fields(line)
		if len(f) == 4 && strings.HasPrefix(f[0], "R") {
			res[f[0][1:]], _ = strconv.ParseFloat(f[3], 64)
		}
		if len(f) > 6 && strings.HasSuffix(f[0], "_tn") {
			mult[strings.TrimSuffix(f[0][1:], "_tn")], _ = strconv.ParseFloat(strings.TrimPrefix(f[len(f)-1], "m="), 64)
		}
	}
	names := spiceNames(ch.Netlist().Oscillators.Names)
	for _, c := range ch.Couplers() {
		label := "c_" + names[min(c.From, c.To)] + "_" + names[max(c.From, c.To)]
		if c.Inverted {
			label = "ci_" + names[c.From] + "_" + names[c.To]
		}
		r, ok := res[label]
		if !ok {
			t.Fatalf("no resistor for %s", label)
		}
		// Total resistance: R + R_sw/m (m switches in parallel).
		got := 1 / (r + d.TGRon/mult[label])
		if math.Abs(got/c.G-1) > 1e-5 {
			t.Errorf("%s: conductance %g, want %g", label, got, c.G)
		}
	}
}

func TestNoNgspice(t *testing.T) {
	t.Parallel()
	sim := Simulator{Path: filepath.Join(t.TempDir(), "no-ngspice")}
	if _, err := sim.Run(t.Context(), "x", "* x\n.end\n", 1e-9); !errors.Is(err, ErrNoNgspice) {
		t.Errorf("got %v, want ErrNoNgspice", err)
	}
}

// The ngspice output cache (Simulator.CacheDir) gives back what it stored.
func TestOutputCache(t *testing.T) {
	dir := t.TempDir()
	out := &Output{Names: []string{"time", "v(a_n0)"}, Data: [][]float64{{0, 1e-12, 2e-12}, {0.5, -0.25, 1.0 / 3}},
		Log: "log\n", Wall: 3 * time.Second, CPU: 2 * time.Second}
	if err := writeCached(dir, out); err != nil {
		t.Fatal(err)
	}
	got, err := readCached(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Cached || got.Log != out.Log || got.Wall != out.Wall || got.CPU != out.CPU || !reflect.DeepEqual(got.Names, out.Names) || !reflect.DeepEqual(got.Data, out.Data) {
		t.Errorf("cached output %+v, stored %+v", got, out)
	}
	if _, err := readCached(filepath.Join(dir, "none")); err == nil {
		t.Error("reading a missing cache entry did not fail")
	}
}
