package sweep

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"oscsim/internal/npy"
)

func load(t testing.TB, path string) *Spec {
	t.Helper()
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func run(t testing.TB, s *Spec, opt Options) Progress {
	t.Helper()
	pr, err := Run(context.Background(), s, opt)
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

func sameFiles(t testing.TB, want, got string) {
	t.Helper()
	if err := SameResults(want, got); err != nil {
		t.Error(err)
	}
}

// reference runs the tiny sweep once per test binary.
func reference(t testing.TB) (*Spec, string) {
	t.Helper()
	s := load(t, "testdata/tiny.toml")
	dir := t.TempDir()
	run(t, s, Options{Dir: dir, Jobs: 1})
	return s, dir
}

// TestJobsDoNotMatter runs the tiny sweep with 1 and 3 runs in flight.
func TestJobsDoNotMatter(t *testing.T) {
	t.Parallel()
	s, ref := reference(t)
	dir := t.TempDir()
	pr := run(t, s, Options{Dir: dir, Jobs: 3})
	if pr.PointsDone != 6 || pr.RunsDone != 24 {
		t.Errorf("progress %+v, want 6 points and 24 runs", pr)
	}
	sameFiles(t, ref, dir)
	// The header and one row, to pin the format.
	b, _ := os.ReadFile(filepath.Join(ref, RunsFile))
	lines := strings.Split(string(b), "\n")
	if want := "point,oscillators.linewidth_hz,couplings.sigma,instance,chip_seed,noise_seed,success_rate,mean_cut,area_m2,core_area_m2,power_w,energy_per_inference_j,time_to_solution_s"; lines[0] != want {
		t.Errorf("header\n%s\nwant\n%s", lines[0], want)
	}
	if len(lines) != 1+24+1 || !strings.HasPrefix(lines[24], "5,2e+07,0.1,1,7,2,") {
		t.Errorf("%d lines, last row %q", len(lines), lines[24])
	}
}

// TestPointAlone runs one point of the tiny sweep as a one-point sweep:
// its runs give the same numbers as in the sweep, with common and with
// independent streams.
func TestPointAlone(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/tiny.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, streams := range []string{"common", "independent"} {
		full := strings.Replace(string(src), "[workload]", "streams = \""+streams+"\"\n\n[workload]", 1)
		alone := full[:strings.Index(full, "[[axis]]")] +
			"[[point]]\ncouplings.sigma = \"10%\"\noscillators.linewidth = \"20MHz\"\n"
		dirs := [2]string{t.TempDir(), t.TempDir()}
		for i, src := range []string{full, alone} {
			s, err := Parse("testdata/"+streams+".toml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			run(t, s, Options{Dir: dirs[i]})
		}
		rows := func(dir string, point string) []string {
			b, _ := os.ReadFile(filepath.Join(dir, RunsFile))
			var out []string
			for _, l := range strings.Split(string(b), "\n")[1:] {
				if p, rest, ok := strings.Cut(l, ","); ok && p == point {
					f := strings.Split(rest, ",")
					out = append(out, strings.Join(f[2:], ",")) // without the axis cells (column order differs)
				}
			}
			return out
		}
		a, b := rows(dirs[0], "5"), rows(dirs[1], "0")
		if len(a) != 4 || strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Errorf("%s streams: point 5 in the sweep\n%s\nalone\n%s", streams, strings.Join(a, "\n"), strings.Join(b, "\n"))
		}
	}
}

// TestResumeAfterCut cuts runs.csv at random bytes (as a kill while
// appending would) and at block boundaries, leaves the summaries stale,
// and resumes: the results equal an uninterrupted run.
func TestResumeAfterCut(t *testing.T) {
	t.Parallel()
	s, ref := reference(t)
	runs, _ := os.ReadFile(filepath.Join(ref, RunsFile))
	meta, _ := os.ReadFile(filepath.Join(ref, MetaFile))
	rng := rand.New(rand.NewPCG(1, 2))
	cuts := []int{0, 10, len(runs) - 1, bytes.Index(runs, []byte("\n1,")) + 1}
	for i := 0; i < 4; i++ {
		cuts = append(cuts, rng.IntN(len(runs)))
	}
	for _, cut := range cuts {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, MetaFile), meta, 0o644)
		os.WriteFile(filepath.Join(dir, RunsFile), runs[:cut], 0o644)
		os.WriteFile(filepath.Join(dir, SummaryFile), []byte("stale"), 0o644)
		pr := run(t, s, Options{Dir: dir, Resume: true, Jobs: 2})
		if want := bytes.Count(runs[:cut], []byte("\n")) - 1; cut > 0 && pr.Resumed != max(0, want)/4 {
			t.Errorf("cut at %d: %d points resumed, want %d", cut, pr.Resumed, max(0, want)/4)
		}
		sameFiles(t, ref, dir)
	}
}

// TestResumeGuards: existing results need --resume; another sweep's
// results and a damaged middle of runs.csv are refused.
func TestResumeGuards(t *testing.T) {
	t.Parallel()
	s, ref := reference(t)
	if _, err := Run(context.Background(), s, Options{Dir: ref}); !errors.Is(err, ErrExists) {
		t.Errorf("rerun without resume: %v, want ErrExists", err)
	}
	src, _ := os.ReadFile("testdata/tiny.toml")
	other, err := Parse("testdata/tiny.toml", bytes.Replace(src, []byte("seed = 7"), []byte("seed = 8"), 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), other, Options{Dir: ref, Resume: true}); err == nil || !strings.Contains(err.Error(), "another sweep") {
		t.Errorf("resume with another seed: %v", err)
	}
	dir := t.TempDir()
	runs, _ := os.ReadFile(filepath.Join(ref, RunsFile))
	meta, _ := os.ReadFile(filepath.Join(ref, MetaFile))
	os.WriteFile(filepath.Join(dir, MetaFile), meta, 0o644)
	bad := bytes.Replace(runs, []byte("\n1,0,0.1,"), []byte("\n1,0,0.1,x,"), 1)
	os.WriteFile(filepath.Join(dir, RunsFile), bad, 0o644)
	if _, err := Run(context.Background(), s, Options{Dir: dir, Resume: true}); err == nil || !strings.Contains(err.Error(), "runs.csv: line 6") {
		t.Errorf("damaged middle: %v", err)
	}
}

// TestMerge runs 4 shards and merges them into the unsharded result;
// an incomplete shard set is refused.
func TestMerge(t *testing.T) {
	t.Parallel()
	s, ref := reference(t)
	var dirs []string
	for i := 0; i < 4; i++ {
		d := filepath.Join(t.TempDir(), "shard")
		pr := run(t, s, Options{Dir: d, Shard: i, Shards: 4})
		if want := []int{2, 2, 1, 1}[i]; pr.Points != want {
			t.Errorf("shard %d has %d points, want %d", i, pr.Points, want)
		}
		dirs = append(dirs, d)
	}
	out := t.TempDir()
	if _, err := Merge(out, dirs[:3]); !errors.Is(err, ErrIncomplete) {
		t.Errorf("3 of 4 shards: %v, want ErrIncomplete", err)
	}
	if _, err := Merge(out, dirs); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, ref, out)
}

// TestPlot draws the tiny sweep's figures.
func TestPlot(t *testing.T) {
	t.Parallel()
	_, ref := reference(t)
	files, err := Plot(ref, filepath.Join(ref, "plots"), []string{"png", "svg"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v, %d bytes", f, err, st.Size())
		}
		names = append(names, filepath.Base(f))
	}
	// The max-cut anneal's time to solution, and so its energy per
	// inference, changes with linewidth; its power and area do not.
	want := "accuracy-vs-oscillators-linewidth.png accuracy-vs-oscillators-linewidth.svg accuracy-vs-couplings-sigma.png accuracy-vs-couplings-sigma.svg accuracy-vs-energy.png accuracy-vs-energy.svg breakdown-area.png breakdown-area.svg breakdown-power.png breakdown-power.svg"
	got := strings.Join(names, " ")
	got = strings.Replace(got, "accuracy-vs-power.png accuracy-vs-power.svg ", "", 1)
	if got != want {
		t.Errorf("figures %s\nwant %s", got, want)
	}
}

// TestUnknownMetric: a metric the workload does not report stops the
// sweep at its first run, named at the sweep file's line.
func TestUnknownMetric(t *testing.T) {
	t.Parallel()
	src, _ := os.ReadFile("testdata/tiny.toml")
	s, err := Parse("testdata/tiny.toml", bytes.Replace(src, []byte(`metrics = ["mean_cut"]`), []byte(`metrics = ["mean_cut", "accuracy"]`), 1))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), s, Options{Dir: t.TempDir()})
	want := `testdata/tiny.toml:8:1: sweep.metrics: workload maxcut reports no metric "accuracy" (it reports best_cut, coupler_power_w, mean_cut, reference_cut, success_rate, time_to_solution_s)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestLoadShard builds workloads only for the shard's points.
func TestLoadShard(t *testing.T) {
	t.Parallel()
	s, err := LoadShard("testdata/tiny.toml", 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range s.Points {
		if got, want := p.Workload != nil, p.Index%4 == 1; got != want || p.Netlist == nil {
			t.Errorf("point %d: workload built %v, want %v", p.Index, got, want)
		}
	}
}

// TestFingerprint: comments and layout do not change a sweep's
// fingerprint; a seed does.
func TestFingerprint(t *testing.T) {
	t.Parallel()
	src, _ := os.ReadFile("testdata/tiny.toml")
	a := load(t, "testdata/tiny.toml")
	b, err := Parse("testdata/tiny.toml", append([]byte("# another comment\n\n"), bytes.ReplaceAll(src, []byte(" = "), []byte("  =  "))...))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("testdata/tiny.toml", bytes.Replace(src, []byte("seed = 7"), []byte("seed = 8"), 1))
	if err != nil {
		t.Fatal(err)
	}
	if a.Meta(0, 1).SweepSHA256 != b.Meta(0, 1).SweepSHA256 {
		t.Error("a comment changed the fingerprint")
	}
	if a.Meta(0, 1).SweepSHA256 == c.Meta(0, 1).SweepSHA256 {
		t.Error("another seed kept the fingerprint")
	}
}

// TestFingerprintFiles: the content of a file a point reads (here the
// chip's weights) is part of the fingerprint, its location is not.
func TestFingerprintFiles(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/ring6.toml")
	if err != nil {
		t.Fatal(err)
	}
	// ring6 with its couplings moved into a weights file.
	chipSrc := string(src[:bytes.Index(src, []byte("[[coupling]]"))]) + string(src[bytes.Index(src, []byte("[shil]")):])
	chipSrc = strings.Replace(chipSrc, "unit_k = 0.002", "unit_k = 0.002\nweights = \"w.npz\"", 1)
	sweepSrc, err := os.ReadFile("testdata/tiny.toml")
	if err != nil {
		t.Fatal(err)
	}
	write := func(dir string, w float64) string {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(filepath.Join(dir, "w.npz"))
		if err != nil {
			t.Fatal(err)
		}
		rows, cols, data := []int64{0, 1, 2, 3, 4, 5}, []int64{1, 2, 3, 4, 5, 0}, []float64{w, w, w, w, w, w}
		if err := npy.WriteArchive(f, []npy.Out{
			{Name: "row", Shape: []int{6}, Data: rows},
			{Name: "col", Shape: []int{6}, Data: cols},
			{Name: "data", Shape: []int{6}, Data: data},
		}); err != nil {
			t.Fatal(err)
		}
		f.Close()
		for name, b := range map[string][]byte{"ring6.toml": []byte(chipSrc), "tiny.toml": sweepSrc} {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return load(t, filepath.Join(dir, "tiny.toml")).Meta(0, 1).SweepSHA256
	}
	root := t.TempDir()
	a := write(filepath.Join(root, "a"), -1)
	moved := write(filepath.Join(root, "b"), -1)
	retrained := write(filepath.Join(root, "a"), -2)
	if a != moved {
		t.Error("moving the sweep and its files changed the fingerprint")
	}
	if a == retrained {
		t.Error("new content in the weights file kept the fingerprint")
	}
}

// A chip with a characterised ring model (oscillators.ring_model) sweeps
// like any other: the model is read where the chip is parsed, at every
// point, not by the command line.
func TestSweepCharacterisedChip(t *testing.T) {
	t.Parallel()
	src := "[sweep]\nchip = \"../../spice/testdata/array4x4.toml\"\naccuracy = \"success_rate\"\n\n" +
		"[workload]\nkind = \"maxcut\"\nruns = 2\n\n" +
		"[set]\nrun.cycles = 30\n\n" +
		"[[axis]]\npath = \"couplings.sigma\"\nvalues = [0, \"5%\"]\n"
	s, err := Parse("testdata/characterised.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range s.Points {
		if p.Netlist.Oscillators.Ring == nil || p.Netlist.Oscillators.Ring.Measured == nil {
			t.Fatalf("point %d: the ring model was not read", p.Index)
		}
	}
	pr := run(t, s, Options{Dir: t.TempDir(), Jobs: 1})
	if pr.PointsDone != 2 || pr.RunsDone != 2 {
		t.Fatalf("progress %+v, want 2 points and 2 runs done", pr)
	}
}
