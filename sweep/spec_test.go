package sweep

import (
	"errors"
	"strings"
	"testing"

	"oscsim/netlist"
)

// head is a valid sweep preamble on the test chip.
const head = "[sweep]\nchip = \"ring6.toml\"\naccuracy = \"success_rate\"\n\n[workload]\nkind = \"maxcut\"\nruns = 2\n\n"

// TestInvalidSweeps pins the message of each kind of bad sweep file: every
// problem at its line and column in the sweep file, before any run.
func TestInvalidSweeps(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, src, want string }{
		{"unknown chip key", head + "[[axis]]\npath = \"oscillators.linewdth\"\nvalues = [\"1MHz\"]\n",
			`x.toml:10:1: axis[0].path: oscillators.linewdth: unknown key (did you mean "linewidth"?)`},
		{"bad value names its element", head + "[[axis]]\npath = \"oscillators.linewidth\"\nvalues = [\"1MHz\",\n  \"fast\"]\n",
			`x.toml:12:3: axis[0].values[1]: oscillators.linewidth = "fast": "fast" is not a frequency (want a number with a unit, e.g. "2.5kHz")`},
		{"unknown section", head + "[[axis]]\npath = \"foo.bar\"\nvalues = [1]\n",
			`x.toml:10:1: axis[0].path: foo.bar: unknown path (want a chip key under chip, tech, oscillators, couplings, coupling, shil, detector, run, workload.NAME or tag.NAME)`},
		{"run.seed", head + "[[axis]]\npath = \"run.seed\"\nvalues = [1, 2]\n",
			`x.toml:10:1: axis[0].path: run.seed cannot be swept: sweep.seed, sweep.instances and sweep.seeds set the randomness`},
		{"unknown sweep key", "[sweep]\nchip = \"ring6.toml\"\ninstance = 3\n[workload]\nkind = \"maxcut\"\n[[axis]]\npath = \"couplings.bits\"\nvalues = [3, 4]\n",
			`x.toml:3:1: sweep.instance: unknown key (did you mean "instances"?)`},
		{"unknown workload parameter", head + "[[axis]]\npath = \"workload.rnus\"\nvalues = [1, 2]\n",
			`x.toml:10:1: axis[0].path: workload.rnus: unknown parameter of workload "maxcut" (did you mean "runs"?)`},
		{"bad workload value", head + "[[axis]]\npath = \"workload.runs\"\nvalues = [1, 0]\n",
			`x.toml:11:14: axis[0].values[1]: point (workload.runs = 0): workload.runs: must be ≥ 1 (got 0)`},
		{"workload value of the wrong type", head + "[[axis]]\npath = \"workload.runs\"\nvalues = [1, \"many\"]\n",
			`x.toml:11:14: axis[0].values[1]: point (workload.runs = "many"): workload.runs: wrong type: got string, want integer`},
		{"bad streams", "[sweep]\nchip = \"ring6.toml\"\nstreams = \"shared\"\n[workload]\nkind = \"maxcut\"\n[[axis]]\npath = \"couplings.bits\"\nvalues = [3, 4]\n",
			`x.toml:3:12: sweep.streams: unknown streams "shared" (want "common" or "independent")`},
		{"wrong type", "[sweep]\nchip = \"ring6.toml\"\ninstances = \"3\"\n[workload]\nkind = \"maxcut\"\n[[axis]]\npath = \"couplings.bits\"\nvalues = [3, 4]\n",
			`x.toml:3:1: sweep.instances: wrong type: got string, want integer`},
		{"bad scale", head + "[[axis]]\npath = \"shil.ks\"\nfrom = 0.01\nto = 0.02\ncount = 2\nscale = \"lin\"\n",
			`x.toml:14:10: axis[0].scale: unknown scale "lin" (want "linear" or "log")`},
		{"syntax", head + "[[axis]]\npath = \"couplings.bits\"\nvalues = [3, 4\n",
			`x.toml:11:15: expected a comma (',') or array terminator (']'), but got end of file`},
		{"points disagree", head + "[[point]]\noscillators.linewidth = \"1MHz\"\n[[point]]\ncouplings.sigma = 0.1\n",
			`x.toml:11:1: point[1]: every point must set the same parameters (oscillators.linewidth); this one sets couplings.sigma`},
		{"index out of range", head + "[[axis]]\npath = \"detector[3].jitter\"\nvalues = [\"1ps\"]\n",
			`x.toml:11:11: axis[0].values[0]: detector[3].jitter = "1ps": detector[3]: the base chip has 1 [[detector]] table(s)`},
		{"range without count", head + "[[axis]]\npath = \"shil.ks\"\nfrom = 0.01\nto = 0.05\n",
			`x.toml:9:1: axis[0]: count is required with from and to (≥ 2)`},
		{"a point's combination", head + "[[point]]\ncouplings.bits = 2\ncouplings.max_code = 7\n",
			`x.toml:11:1: point[0].couplings.max_code: couplings.max_code = 7: max_code must be in 1..3 for 2 bits (got 7)`},
		{"an error elsewhere in the chip", head + "[[axis]]\npath = \"oscillators.count\"\nvalues = [6, 4]\n",
			"x.toml:11:14: axis[0].values[1]: point (oscillators.count = 4): testdata/ring6.toml: coupling[3].to: no oscillator with index 4 (the chip has 4)\n" +
				"x.toml:11:14: axis[0].values[1]: point (oscillators.count = 4): testdata/ring6.toml: coupling[4].from: no oscillator with index 4 (the chip has 4)\n" +
				"x.toml:11:14: axis[0].values[1]: point (oscillators.count = 4): testdata/ring6.toml: coupling[4].to: no oscillator with index 5 (the chip has 4)\n" +
				"x.toml:11:14: axis[0].values[1]: point (oscillators.count = 4): testdata/ring6.toml: coupling[5].from: no oscillator with index 5 (the chip has 4)"},
		{"bad fixed override", head + "[set]\noscillators.freq_sigma = \"lots\"\n\n[[axis]]\npath = \"couplings.bits\"\nvalues = [3, 4]\n",
			`x.toml:10:1: set.oscillators.freq_sigma: oscillators.freq_sigma = "lots": "lots" is not a ratio or "pelgrom" (want e.g. "1.5%", 0.015 or "pelgrom")`},
		{"override also swept", head + "[set]\n\"couplings.bits\" = 4\n\n[[axis]]\npath = \"couplings.bits\"\nvalues = [3, 4]\n",
			`x.toml:10:1: set.couplings.bits: couplings.bits is also swept`},
		{"every problem at once", "[sweep]\nchip = \"nope.toml\"\ninstances = 0\n[workload]\nkind = \"maxcut2\"\n[[axis]]\npath = \"couplings.bits\"\nvalues = []\n",
			"x.toml:2:1: sweep.chip: cannot read the base chip: open testdata/nope.toml: no such file or directory\n" +
				"x.toml:3:1: sweep.instances: must be ≥ 1 (got 0)\n" +
				`x.toml:5:1: workload.kind: unknown workload "maxcut2" (want one of maxcut, oscnet-perclass, oscnet-pairwise, hrecm)` + "\n" +
				"x.toml:8:1: axis[0].values: want a non-empty list of values"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("testdata/x.toml", []byte(c.src))
			if err == nil {
				t.Fatalf("no error, want\n%s", c.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
			got := strings.ReplaceAll(err.Error(), "testdata/x.toml", "x.toml")
			if got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// TestPoints checks grid order (first axis slowest), listed points crossed
// with the grid, ranges, units and column names.
func TestPoints(t *testing.T) {
	t.Parallel()
	src := head + "[[point]]\n\"couplings.sigma\" = \"5%\"\n[[point]]\ncouplings.sigma = 0.1\n\n" +
		"[[axis]]\npath = \"oscillators.linewidth\"\nfrom = 1e6\nto = 100e6\ncount = 3\nscale = \"log\"\n\n" +
		"[[axis]]\npath = \"couplings.bits\"\nfrom = 3\nto = 4\ncount = 2\n"
	s, err := Parse("testdata/x.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, a := range s.Axes {
		cols = append(cols, a.Column+" ["+a.Unit+"]")
	}
	if got, want := strings.Join(cols, ", "), "couplings.sigma [ratio], oscillators.linewidth_hz [Hz], couplings.bits []"; got != want {
		t.Errorf("columns %s, want %s", got, want)
	}
	if len(s.Points) != 2*3*2 {
		t.Fatalf("%d points, want 12", len(s.Points))
	}
	var rows []string
	for _, p := range s.Points[:4] {
		var r []string
		for i, v := range p.Values {
			r = append(r, v.Cell(s.Axes[i].Unit))
		}
		rows = append(rows, strings.Join(r, " "))
	}
	if got, want := strings.Join(rows, "; "), "0.05 1e+06 3; 0.05 1e+06 4; 0.05 1e+07 3; 0.05 1e+07 4"; got != want {
		t.Errorf("first points %s, want %s", got, want)
	}
	if len(s.Set) != 0 {
		t.Errorf("set %v, want none", s.Set)
	}
	p := s.Points[11]
	if p.Netlist.Couplings.Sigma != 0.1 || p.Netlist.Oscillators.Linewidth != 100e6 || p.Netlist.Couplings.Bits != 4 {
		t.Errorf("last point's chip: sigma %g, linewidth %g, bits %d", p.Netlist.Couplings.Sigma, p.Netlist.Oscillators.Linewidth, p.Netlist.Couplings.Bits)
	}
	if p.Key != "couplings.bits=4;couplings.sigma=0.1;oscillators.linewidth=1e+08" {
		t.Errorf("key %q", p.Key)
	}
}

// TestSet applies [set] overrides at every point without result columns.
func TestSet(t *testing.T) {
	t.Parallel()
	src := head + "[set]\noscillators.freq_sigma = \"pelgrom\"\nworkload.runs = 3\n\n[[point]]\nchip.tech = \"65nm\"\ntag.node = 65\n[[point]]\nchip.tech = \"28nm\"\ntag.node = 28\n"
	s, err := Parse("testdata/x.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Axes) != 2 || s.Axes[0].Column != "chip.tech" || s.Axes[0].Unit != "text" || s.Axes[1].Column != "tag.node" || s.Axes[1].Unit != "" {
		t.Fatalf("axes %+v", s.Axes)
	}
	for _, p := range s.Points {
		if !p.Netlist.Oscillators.FreqSigmaPelgrom || p.Netlist.Oscillators.FreqSigma <= 0 {
			t.Errorf("point %d: freq_sigma %g not from the card", p.Index, p.Netlist.Oscillators.FreqSigma)
		}
	}
	if a, b := s.Points[0].Netlist.Oscillators.FreqSigma, s.Points[1].Netlist.Oscillators.FreqSigma; a == b {
		t.Errorf("65 nm and 28 nm cards give the same Pelgrom σ_f %g", a)
	}
}

// TestSetFlag: command-line overrides join and replace [set] entries.
func TestSetFlag(t *testing.T) {
	t.Parallel()
	s, err := LoadWith("testdata/tiny.toml", LoadOptions{Set: []string{"workload.runs=3", "oscillators.freq_sigma=2%", "run.cycles = 80"}})
	if err != nil {
		t.Fatal(err)
	}
	p := s.Points[0].Netlist
	if p.Oscillators.FreqSigma != 0.02 || p.Run.Cycles != 80 {
		t.Errorf("freq_sigma %g, cycles %g", p.Oscillators.FreqSigma, p.Run.Cycles)
	}
	if got := strings.Join(s.Meta(0, 1).Set, "; "); got != `workload.runs = 3; oscillators.freq_sigma = "2%"; run.cycles = 80` {
		t.Errorf("meta set %s", got)
	}
	_, err = LoadWith("testdata/tiny.toml", LoadOptions{Set: []string{"couplings.sigma=0.1", "nope"}})
	want := "testdata/tiny.toml: --set couplings.sigma: couplings.sigma is swept\ntestdata/tiny.toml: --set nope: want path=value"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// Every labelled parameter has a unit: a chip key's from the chip schema,
// a workload parameter's from workloadUnits; and every unit-bearing chip
// key is labelled, so that no chip key's unit is written twice.
func TestLabelsHaveUnits(t *testing.T) {
	t.Parallel()
	for k := range labels {
		if _, _, ok := knownUnit(k); !ok {
			t.Errorf("%s: labelled but has no unit (not a chip key and not in workloadUnits)", k)
		}
	}
	for k := range workloadUnits {
		if _, isChip := netlist.KeyUnit(k); isChip {
			t.Errorf("%s: a chip key in workloadUnits", k)
		}
	}
}
