package eqprop

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

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
	d := dataSplit(t, W.Settings.Data, "test", 0)
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
			cl[b] = tr.clamps(re, im, b, nil, nil)
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

// TestMLPReference trains a plain 784-H-10 perceptron (tanh hidden units,
// softmax cross-entropy, Adam 10⁻³, minibatch 64, uniform ±1/√fan-in
// initialisation, the layered trainer's image order) on the ablation
// protocol of docs/ep.md §6.5: what the same layer sizes reach with a
// standard neuron on the same images and updates. It runs only with
// OSCSIM_EP_MLP=train,test,epochs (e.g. 20000,2000,2), on MNIST or on
// OSCSIM_EP_MLP_DATA=fashion-mnist.
func TestMLPReference(t *testing.T) {
	spec := os.Getenv("OSCSIM_EP_MLP")
	if spec == "" {
		t.Skip("set OSCSIM_EP_MLP=train,test,epochs to train the reference perceptron")
	}
	var nTrain, nTest, epochs int
	if _, err := fmt.Sscanf(spec, "%d,%d,%d", &nTrain, &nTest, &epochs); err != nil {
		t.Fatal(err)
	}
	name := os.Getenv("OSCSIM_EP_MLP_DATA") // mnist (default) or fashion-mnist
	if name == "" {
		name = "mnist"
	}
	train, test := dataSplit(t, name, "train", nTrain), dataSplit(t, name, "test", nTest)
	const H, K, B = 256, 10, 64
	P := train.P
	rng := rand.New(rand.NewPCG(1, 2))
	uni := func(n int, a float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = a * (2*rng.Float64() - 1)
		}
		return v
	}
	params := [][]float64{uni(P*H, 1/math.Sqrt(float64(P))), make([]float64, H), uni(H*K, 1/math.Sqrt(H)), make([]float64, K)}
	mom := make([][]float64, 8)
	for k, p := range params {
		mom[2*k], mom[2*k+1] = make([]float64, len(p)), make([]float64, len(p))
	}
	mat := func(r, c int, d []float64) blas64.General {
		return blas64.General{Rows: r, Cols: c, Stride: c, Data: d}
	}
	forward := func(d Examples, idx []int) (x, h, o blas64.General) {
		n := len(idx)
		x = mat(n, P, make([]float64, n*P))
		for b, k := range idx {
			for j, g := range d.Pix[k*P : (k+1)*P] {
				x.Data[b*P+j] = float64(g) / 255
			}
		}
		h = mat(n, H, make([]float64, n*H))
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, x, mat(P, H, params[0]), 0, h)
		for b := 0; b < n; b++ {
			for i := 0; i < H; i++ {
				h.Data[b*H+i] = math.Tanh(h.Data[b*H+i] + params[1][i])
			}
		}
		o = mat(n, K, make([]float64, n*K))
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, h, mat(H, K, params[2]), 0, o)
		for b := 0; b < n; b++ {
			row := o.Data[b*K : (b+1)*K]
			for k := range row {
				row[k] += params[3][k]
			}
			softmaxInPlace(row)
		}
		return x, h, o
	}
	step := 0
	for ep := 0; ep < epochs; ep++ {
		order := Order(train.N, 1, ep)
		for lo := 0; lo < train.N; lo += B {
			idx := order[lo:min(lo+B, train.N)]
			n := len(idx)
			x, h, o := forward(train, idx)
			// δo = (softmax − onehot)/n, δh = (δo·W1ᵀ)⊙(1 − h²).
			for b, k := range idx {
				o.Data[b*K+int(train.Labels[k])] -= 1
			}
			for i := range o.Data {
				o.Data[i] /= float64(n)
			}
			g := [][]float64{make([]float64, P*H), make([]float64, H), make([]float64, H*K), make([]float64, K)}
			blas64.Gemm(blas.Trans, blas.NoTrans, 1, h, o, 0, mat(H, K, g[2]))
			dh := mat(n, H, make([]float64, n*H))
			blas64.Gemm(blas.NoTrans, blas.Trans, 1, o, mat(H, K, params[2]), 0, dh)
			for b := 0; b < n; b++ {
				for k := 0; k < K; k++ {
					g[3][k] += o.Data[b*K+k]
				}
				for i := 0; i < H; i++ {
					v := h.Data[b*H+i]
					dh.Data[b*H+i] *= 1 - v*v
					g[1][i] += dh.Data[b*H+i]
				}
			}
			blas64.Gemm(blas.Trans, blas.NoTrans, 1, x, dh, 0, mat(P, H, g[0]))
			step++
			c1, c2 := 1-math.Pow(0.9, float64(step)), 1-math.Pow(0.999, float64(step))
			for k, p := range params {
				m, v := mom[2*k], mom[2*k+1]
				for i := range p {
					m[i] = 0.9*m[i] + 0.1*g[k][i]
					v[i] = 0.999*v[i] + 0.001*g[k][i]*g[k][i]
					p[i] -= 1e-3 * (m[i] / c1) / (math.Sqrt(v[i]/c2) + 1e-8)
				}
			}
		}
		idx := make([]int, test.N)
		for i := range idx {
			idx[i] = i
		}
		_, _, o := forward(test, idx)
		correct := 0
		for b, k := range idx {
			if argmax(o.Data[b*K:(b+1)*K]) == int(test.Labels[k]) {
				correct++
			}
		}
		t.Logf("epoch %d: test %.2f%% on %d", ep+1, 100*float64(correct)/float64(test.N), test.N)
	}
}

func argmax(v []float64) int {
	k := 0
	for i, x := range v {
		if x > v[k] {
			k = i
		}
	}
	return k
}

// dataSplit is the first n images (0: all) of split ("train" or "test")
// of the data set name ("" is MNIST, what files without the setting were
// trained on), from the user cache; the test skips when the data cannot be
// had.
func dataSplit(t *testing.T, name, split string, n int) Examples {
	t.Helper()
	if name == "" {
		name = "mnist"
	}
	dir, err := dataset.Locate(context.Background(), name, "")
	if err != nil {
		t.Skip(err)
	}
	im, lb, err := dataset.LoadSplit(dir, split)
	if err != nil {
		t.Fatal(err)
	}
	if n > 0 && n < im.N {
		im, lb = im.Slice(0, n), lb[:n]
	}
	return Examples{N: im.N, P: im.Pixels(), Pix: im.Pix, Labels: lb}
}
