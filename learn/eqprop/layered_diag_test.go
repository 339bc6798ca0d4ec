package eqprop

import (
	"context"
	"math"
	"os"
	"strconv"
	"testing"

	"oscsim/dataset"
)

// TestLayeredDiagnose measures, on trained MNIST weights, how far the
// layered trainer's relaxations are from equilibrium and how EP's estimate
// at the trainer's settings compares with BPTT through the same Euler
// steps (docs/ep.md §6.5). It needs weights and the data set, so it runs
// only with OSCSIM_EP_DIAG=weights.npz (OSCSIM_EP_DIAG_N test images for
// the accuracies, default 2000).
func TestLayeredDiagnose(t *testing.T) {
	path := os.Getenv("OSCSIM_EP_DIAG")
	if path == "" {
		t.Skip("set OSCSIM_EP_DIAG=weights.npz to diagnose trained layered weights")
	}
	nAcc := 2000
	if v, err := strconv.Atoi(os.Getenv("OSCSIM_EP_DIAG_N")); err == nil {
		nAcc = v
	}
	ctx := context.Background()
	W, err := LoadLayered(path)
	if err != nil {
		t.Fatal(err)
	}
	data := W.Settings.Data
	if data == "" {
		data = "mnist"
	}
	dir, err := dataset.Locate(ctx, data, "")
	if err != nil {
		t.Skip(err)
	}
	im, lb, err := dataset.LoadSplit(dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	d := Examples{N: im.N, P: im.Pixels(), Pix: im.Pix, Labels: lb}
	for l, w := range W.W {
		var mx, sum float64
		for _, v := range w {
			mx = math.Max(mx, math.Abs(v))
			sum += v * v
		}
		t.Logf("w%d: max |w| %.4f, rms %.4f", l, mx, math.Sqrt(sum/float64(len(w))))
	}
	idx := make([]int, 64)
	for b := range idx {
		idx[b] = b
	}
	base := W.Settings.WithDefaults()
	// The equilibrium gradient: BPTT through a relaxation of 480 time
	// constants (EP agrees with it there, cosine > 0.9999).
	sr := base
	sr.Time, sr.Start = 480, StartZero
	trr, err := NewLayeredTrainer(W.withoutOpt(), sr)
	if err != nil {
		t.Fatal(err)
	}
	eq := layeredBPTT(t, trr, d, idx)
	for _, c := range []struct {
		start FreeStart
		T     float64
	}{{StartZero, 30}, {StartForward, 30}, {StartZero, 120}, {StartForward, 120}, {StartForward, 240}, {StartZero, 480}} {
		T := c.T
		s := base
		s.Time, s.Start = T, c.start
		tr, err := NewLayeredTrainer(W.withoutOpt(), s)
		if err != nil {
			t.Fatal(err)
		}
		acc, err := tr.Accuracy(ctx, d, nAcc, 250, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Residual: relax, then relax as long again from there; the
		// phases' largest move and the hidden/output rings' mean move.
		re, im, _, _ := tr.drive(d, idx)
		cl := make([][]Nudge, len(idx))
		for b := range idx {
			cl[b] = tr.clamps(re, im, b, 0, 0)
		}
		r1, err := tr.relax(ctx, tr.start(re, im), cl, 1, false)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := tr.relax(ctx, r1.Final, cl, 1, false)
		if err != nil {
			t.Fatal(err)
		}
		H := W.Sizes[1]
		var mh, mo, sh, so float64
		for b := range idx {
			for i, p := range r1.Final[b] {
				dv := math.Abs(math.Remainder(r2.Final[b][i]-p, 2*math.Pi))
				if i < H {
					mh, sh = math.Max(mh, dv), sh+dv/float64(H*len(idx))
				} else {
					mo, so = math.Max(mo, dv), so+dv/float64((tr.m.Net.N-H)*len(idx))
				}
			}
		}
		t.Logf("start %s, time %g (%d Euler steps): accuracy %.2f%% on %d; a second relaxation as long moves hidden phases by max %.4f mean %.5f rad, outputs max %.4f mean %.5f rad",
			c.start, T, r1.Res.Steps, 100*acc, nAcc, mh, sh, mo, so)
		// EP (β = 0.1) and BPTT at this relaxation against the
		// equilibrium gradient, per block: cosine and norm ratio.
		tr.S.Beta = 0.1
		g, _, err := tr.Gradient(ctx, d, idx)
		if err != nil {
			t.Fatal(err)
		}
		tr.S.Estimator = EstimatorBPTT
		bp, _, err := tr.Gradient(ctx, d, idx)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []struct {
			name string
			g    [][]float64
		}{{"EP β=0.1", g}, {"BPTT", bp}} {
			t.Logf("  %-8s vs equilibrium: cosine all %.4f; w0 %.4f, w1 %.4f, b1 %.4f, b2 %.4f; norm ratio w0 %.3f, w1 %.3f",
				x.name, Cosine(flatten(x.g), flatten(eq)), Cosine(x.g[0], eq[0]), Cosine(x.g[1], eq[1]), Cosine(x.g[2], eq[2]), Cosine(x.g[3], eq[3]),
				norm(x.g[0])/norm(eq[0]), norm(x.g[1])/norm(eq[1]))
		}
		t.Logf("  EP vs BPTT at this relaxation: cosine %.4f", Cosine(flatten(g), flatten(bp)))
	}
}

func norm(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}
