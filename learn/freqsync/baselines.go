package freqsync

import (
	"math"
	"math/rand/v2"
)

// The paper's non-oscillator baselines (Sec. V): a perceptron and a
// two-layer tanh network. Both read standardised inputs (training mean and
// standard deviation) and predict the first output bit of Data.

// standardiser returns z(x) = (x − mean)/sd with the training statistics.
func standardiser(X [][]float64) func([]float64) []float64 {
	d := len(X[0])
	mean, sd := make([]float64, d), make([]float64, d)
	for l := 0; l < d; l++ {
		col := make([]float64, len(X))
		for k, x := range X {
			col[k] = x[l]
		}
		mean[l], sd[l] = MeanStd(col)
		if sd[l] == 0 {
			sd[l] = 1
		}
	}
	return func(x []float64) []float64 {
		z := make([]float64, d)
		for l := range z {
			z[l] = (x[l] - mean[l]) / sd[l]
		}
		return z
	}
}

// Perceptron trains Rosenblatt's perceptron (learning rate 1, weights from
// zero) for epochs passes over train in seeded random orders and returns
// its accuracy (0..1) on test.
func Perceptron(train, test Data, epochs int, seed uint64) float64 {
	std := standardiser(train.X)
	d := len(train.X[0])
	w := make([]float64, d+1)
	out := func(z []float64) bool {
		s := w[d]
		for l := range z {
			s += w[l] * z[l]
		}
		return s > 0
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e7c))
	for ep := 0; ep < epochs; ep++ {
		for _, k := range rng.Perm(len(train.X)) {
			z := std(train.X[k])
			y := train.Y[k][0]
			if out(z) != y {
				s := -1.0
				if y {
					s = 1
				}
				for l := range z {
					w[l] += s * z[l]
				}
				w[d] += s
			}
		}
	}
	c := 0
	for k, x := range test.X {
		if out(std(x)) == test.Y[k][0] {
			c++
		}
	}
	return float64(c) / float64(len(test.X))
}

// MLPParams is the number of parameters of a two-layer tanh network with
// dim inputs and h hidden units: (dim+1)·h + h + 1.
func MLPParams(dim, h int) int { return (dim+1)*h + h + 1 }

// MLP trains a two-layer network, tanh hidden layer of h units and a
// sigmoid output, on the logistic loss with full-batch Adam (learning rate
// lr, iters steps, Glorot-uniform initial weights) and returns its accuracy
// (0..1) on test.
func MLP(train, test Data, h, iters int, lr float64, seed uint64) float64 {
	std := standardiser(train.X)
	d := len(train.X[0])
	np := MLPParams(d, h)
	p := make([]float64, np) // W1 (h×(d+1)), then w2 (h+1)
	rng := rand.New(rand.NewPCG(seed, 0x1a7e))
	a1 := math.Sqrt(6 / float64(d+h))
	a2 := math.Sqrt(6 / float64(h+1))
	for k := 0; k < h*(d+1); k++ {
		if k%(d+1) != d {
			p[k] = a1 * (2*rng.Float64() - 1)
		}
	}
	for k := h * (d + 1); k < h*(d+1)+h; k++ {
		p[k] = a2 * (2*rng.Float64() - 1)
	}
	Z := make([][]float64, len(train.X))
	for k, x := range train.X {
		Z[k] = std(x)
	}
	hid := make([]float64, h)
	forward := func(z []float64) float64 {
		s := p[h*(d+1)+h]
		for j := 0; j < h; j++ {
			w := p[j*(d+1) : (j+1)*(d+1)]
			a := w[d]
			for l := 0; l < d; l++ {
				a += w[l] * z[l]
			}
			hid[j] = math.Tanh(a)
			s += p[h*(d+1)+j] * hid[j]
		}
		return s
	}
	adam := NewAdam(lr)
	g := make([]float64, np)
	for it := 0; it < iters; it++ {
		for k := range g {
			g[k] = 0
		}
		for k, z := range Z {
			s := forward(z)
			y := 0.0
			if train.Y[k][0] {
				y = 1
			}
			e := 1/(1+math.Exp(-s)) - y // dL/ds of the logistic loss
			g[h*(d+1)+h] += e
			for j := 0; j < h; j++ {
				g[h*(d+1)+j] += e * hid[j]
				dh := e * p[h*(d+1)+j] * (1 - hid[j]*hid[j])
				for l := 0; l < d; l++ {
					g[j*(d+1)+l] += dh * z[l]
				}
				g[j*(d+1)+d] += dh
			}
		}
		for k := range g {
			g[k] /= float64(len(Z))
		}
		adam.Step(p, g)
	}
	c := 0
	for k, x := range test.X {
		if (forward(std(x)) > 0) == test.Y[k][0] {
			c++
		}
	}
	return float64(c) / float64(len(test.X))
}
