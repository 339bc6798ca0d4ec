package eqprop

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"oscsim/chip"
	"oscsim/phasedet"
)

// TestNoiseAwareResume: a run with every NoiseAware remedy on (two chip
// instances cycled by minibatch, K = 3 repeats, a read-out window, 4-bit
// TDCs on every ring, an input full scale of its own) resumes bit for bit.
func TestNoiseAwareResume(t *testing.T) {
	s := LayeredSettings{Epochs: 3, DecayEpochs: 3, Batch: 8, Seed: 5, Bits: 4, Linewidth: 2e4, FreqSigma: 2e-4,
		Aware: NoiseAware{Instances: 2, First: 3, Repeats: 3, Window: 5, DetBits: 4, DetHidden: true, InputScale: 0.3}}
	testLayeredResume(t, s.WithDefaults())
}

// TestNoiseAwareRead checks the read-out's parts against closed forms: the
// circular mean of repeats straddling ±π, the window mean of a trace, the
// TDC bins, the instance schedule and the input couplers' full scale.
func TestNoiseAwareRead(t *testing.T) {
	// Repeats: phases π − 0.1 and −π + 0.3 average to π + 0.1 (≡ −π + 0.1).
	got := repeatMean([][]float64{{math.Pi - 0.1, 0}, {-math.Pi + 0.3, 1}}, 1, 2)
	if d := phasedet.Wrap(got[0][0] - (-math.Pi + 0.1)); math.Abs(d) > 1e-12 || math.Abs(got[0][1]-0.5) > 1e-12 {
		t.Errorf("repeatMean = %v, want [−π+0.1, 0.5]", got[0])
	}
	// Window: states at t = 0 … 4, the last half (t ≥ 2) average 3·0.1.
	tr := &Relaxation{Trace: &chip.Trace{Times: []float64{0, 1, 2, 3, 4},
		Phases: [][][]float64{{{9}, {9}, {0.2}, {0.3}, {0.4}}}}}
	if w := windowMean(tr, 0.5); math.Abs(w[0][0]-0.3) > 1e-3 {
		t.Errorf("windowMean = %v, want 0.3 (circular mean of 0.2, 0.3, 0.4)", w[0][0])
	}
	W, _ := NewLayered(4, 3, 2)
	W.Init(1, 1)
	s := LayeredSettings{Bits: 3, WMax: 0.5, FreqSigma: 1e-4,
		Aware: NoiseAware{Instances: 3, First: 7, DetBits: 2, InputScale: 0.1}}.WithDefaults()
	tr2, err := NewLayeredTrainer(W, s)
	if err != nil {
		t.Fatal(err)
	}
	if tr2.Machine().Cfg.Instance != 7 || tr2.instance(4, 5) != 9 {
		t.Errorf("instances: machine %d (want 7), batch 5 → %d (want 9)", tr2.Machine().Cfg.Instance, tr2.instance(4, 5))
	}
	// 2-bit TDC: bins of π/2, centres at −π/4, −3π/4, 3π/4, π/4; the
	// outputs (rings 3, 4) are read (the TDC counts −φ: 0.1 falls in the
	// bin of centre π/4, −0.1 in that of −π/4), the hidden ones (0…2) not.
	read := tr2.detRead([][]float64{{0.1, 0.1, 0.1, 0.1, -0.1}}, 2, false)
	want := []float64{0.1, 0.1, 0.1, math.Pi / 4, -math.Pi / 4}
	for i, v := range want {
		if math.Abs(read[0][i]-v) > 1e-12 {
			t.Errorf("detRead ring %d = %v, want %v", i, read[0][i], v)
		}
	}
	// Input couplers on 3-bit codes of full scale 0.1: every held value a
	// multiple of 0.1/7, none beyond 0.1.
	for k, v := range tr2.w0 {
		if c := v / (0.1 / 7); math.Abs(v) > 0.1+1e-12 || math.Abs(c-math.Round(c)) > 1e-9 {
			t.Fatalf("input coupler %d holds %v: not a 3-bit code of full scale 0.1", k, v)
		}
	}
	bad := s
	bad.Aware = NoiseAware{Repeats: -1, DetHidden: true}
	if err := bad.Validate(2); err == nil || !strings.Contains(err.Error(), "repeats -1") || !strings.Contains(err.Error(), "det_hidden") {
		t.Errorf("Validate = %v, want errors naming repeats and det_hidden", err)
	}
}

// TestLayeredNoisyEval evaluates trained layered weights on noisy,
// mismatched software chips (docs/ep.md §6.3). It needs weights and the
// data set, so it runs only with OSCSIM_EP_NOISY=a.npz,b.npz and
// OSCSIM_EP_NOISY_AT, a ';'-separated list of chips, each
// space-separated key=value of lw (Hz), fs (relative), bits (−1: the
// weights'), fsmax (1: codes' full scale the largest |parameter|), inst,
// det, window, e.g. "lw=2e4 fs=2e-4 inst=100;bits=3";
// OSCSIM_EP_NOISY_N test images (default 2000).
func TestLayeredNoisyEval(t *testing.T) {
	files := os.Getenv("OSCSIM_EP_NOISY")
	if files == "" {
		t.Skip("set OSCSIM_EP_NOISY=weights.npz,… and OSCSIM_EP_NOISY_AT to evaluate on noisy chips")
	}
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("OSCSIM_EP_NOISY_N")); err == nil {
		n = v
	}
	ctx := context.Background()
	var d Examples
	for _, path := range strings.Split(files, ",") {
		W, err := LoadLayered(path)
		if err != nil {
			t.Fatal(err)
		}
		if d.N == 0 {
			d = dataSplit(t, W.Settings.Data, "test", 0)
		}
		for l, w := range W.W {
			var mx, ss float64
			for _, v := range w {
				mx, ss = math.Max(mx, math.Abs(v)), ss+v*v
			}
			t.Logf("SIZE %s w%d: max |w| %.4f, rms %.4f", path, l, mx, math.Sqrt(ss/float64(len(w))))
		}
		for _, spec := range strings.Split(os.Getenv("OSCSIM_EP_NOISY_AT"), ";") {
			e := NoisyEval{Bits: -1}
			for _, kv := range strings.Fields(spec) {
				k, v, _ := strings.Cut(kv, "=")
				x, err := strconv.ParseFloat(v, 64)
				if err != nil {
					t.Fatalf("OSCSIM_EP_NOISY_AT: %q: %v", kv, err)
				}
				switch k {
				case "lw":
					e.Linewidth = x
				case "fs":
					e.FreqSigma = x
				case "bits":
					e.Bits = int(x)
				case "inst":
					e.Instance = int(x)
				case "det":
					e.Aware.DetBits = int(x)
				case "fsmax":
					e.FullScaleMax = x != 0
				case "window":
					e.Aware.Window = x
				default:
					t.Fatalf("OSCSIM_EP_NOISY_AT: unknown key %q", k)
				}
			}
			acc, err := EvaluateLayeredNoisy(ctx, W, d, n, e, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("NOISY %s | %s | %.2f%%", path, spec, 100*acc)
		}
	}
}

// TestLayeredNoisyGradient measures how much of EP's estimate survives
// phase noise in the loop (docs/ep.md §6.3): on trained weights, the
// cosine between the estimate over one minibatch of 64 test images with
// the rings' phase noise and the noise-free estimate at the same β, for
// the remedies a chip has (β, K repeats, a read-out window). It runs only
// with OSCSIM_EP_NOISY_GRAD=weights.npz (OSCSIM_EP_NOISY_LW: linewidth in
// Hz, default 2e4).
func TestLayeredNoisyGradient(t *testing.T) {
	path := os.Getenv("OSCSIM_EP_NOISY_GRAD")
	if path == "" {
		t.Skip("set OSCSIM_EP_NOISY_GRAD=weights.npz to measure EP's estimate under phase noise")
	}
	lw := 2e4
	if v, err := strconv.ParseFloat(os.Getenv("OSCSIM_EP_NOISY_LW"), 64); err == nil {
		lw = v
	}
	ctx := context.Background()
	W, err := LoadLayered(path)
	if err != nil {
		t.Fatal(err)
	}
	d := dataSplit(t, W.Settings.Data, "test", 0)
	idx := make([]int, 64)
	for b := range idx {
		idx[b] = b
	}
	grad := func(s LayeredSettings) []float64 {
		tr, err := NewLayeredTrainer(W.withoutOpt(), s)
		if err != nil {
			t.Fatal(err)
		}
		g, _, err := tr.Gradient(ctx, d, idx)
		if err != nil {
			t.Fatal(err)
		}
		return flatten(g)
	}
	base := W.Settings.WithDefaults()
	base.Linewidth, base.FreqSigma, base.Aware = 0, 0, NoiseAware{}
	for _, c := range []struct {
		beta   float64
		K      int
		window float64
	}{{0.1, 1, 0}, {0.3, 1, 0}, {1, 1, 0}, {0.1, 4, 0}, {0.1, 16, 0}, {0.1, 64, 0}, {0.1, 1, 30}, {0.1, 1, 120}, {0.3, 4, 30}} {
		s := base
		s.Beta = c.beta
		s.Aware.Window = c.window
		ref := grad(s)
		s.Linewidth = lw
		s.Aware.Repeats = c.K
		var cs []string
		for seed := range uint64(3) {
			s.Seed = 100 + seed
			cs = append(cs, fmt.Sprintf("%.3f", Cosine(ref, grad(s))))
		}
		t.Logf("GRAD lw %g Hz, β %g, K %d, window %g: cosine with the noise-free estimate %s", lw, c.beta, c.K, c.window, strings.Join(cs, ", "))
	}
}
