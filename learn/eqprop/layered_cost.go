package eqprop

import "math"

// The layered classifier's output costs and their nudges (OutputCost,
// docs/ep.md §6.6). Outputs are the last layer's rings; phases are in the
// reference's frame (the inputs and biases fix it).

// outCost returns the cost of output phases out for class c.
func (t *LayeredTrainer) outCost(out []float64, c int) float64 {
	if t.S.Cost != CostXent {
		var s float64
		for k, p := range out {
			s += 1 - math.Cos(p-t.target(k, c))
		}
		return s
	}
	p := t.softmax(out)
	return -math.Log(math.Max(p[c], 1e-300))
}

// target returns output k's target phase for class c under CostCos.
func (t *LayeredTrainer) target(k, c int) float64 {
	if k == c {
		return 0
	}
	return OffTarget
}

// softmax returns softmax(Gain·cos φ_k) over the outputs.
func (t *LayeredTrainer) softmax(out []float64) []float64 {
	p := make([]float64, len(out))
	for k, phi := range out {
		p[k] = t.S.Gain * math.Cos(phi)
	}
	softmaxInPlace(p)
	return p
}

// softmaxInPlace replaces the logits in p by their softmax (shifted by
// their maximum so that no exponential overflows).
func softmaxInPlace(p []float64) {
	mx := math.Inf(-1)
	for _, x := range p {
		mx = math.Max(mx, x)
	}
	var z float64
	for k := range p {
		p[k] = math.Exp(p[k] - mx)
		z += p[k]
	}
	for k := range p {
		p[k] /= z
	}
}

// outGrad sets g[k] = ∂C/∂φ_k at output phases out for class c.
func (t *LayeredTrainer) outGrad(out []float64, c int, g []float64) {
	if t.S.Cost != CostXent {
		for k, p := range out {
			g[k] = math.Sin(p - t.target(k, c))
		}
		return
	}
	p := t.softmax(out)
	for k, phi := range out {
		y := 0.0
		if k == c {
			y = 1
		}
		// C = −log p_c, z_k = Gain·cos φ_k: ∂C/∂z_k = p_k − y_k.
		g[k] = -t.S.Gain * (p[k] - y) * math.Sin(phi)
	}
}

// nudge returns the output layer's nudge phasors (real and imaginary
// parts) of strength beta for class c, the free equilibrium's output
// phases being out: under CostCos beta·e^{jψ_k} (an injection at the
// target), under CostXent beta·Gain·(y_k − p_k) at phase 0, whose force
// −beta·Gain·(y_k − p_k)·sin φ_k is −beta·∂C/∂φ_k at the free equilibrium.
func (t *LayeredTrainer) nudge(out []float64, c int, beta float64) (re, im []float64) {
	K := len(out)
	re, im = make([]float64, K), make([]float64, K)
	if t.S.Cost != CostXent {
		for k := range re {
			s, co := math.Sincos(t.target(k, c))
			re[k], im[k] = beta*co, beta*s
		}
		return re, im
	}
	p := t.softmax(out)
	for k := range re {
		y := 0.0
		if k == c {
			y = 1
		}
		re[k] = beta * t.S.Gain * (y - p[k])
	}
	return re, im
}

// targets returns CostCos's output targets of class c in the simulated
// rings' numbering (NaN: not an output), as Sample.Target takes them.
func (t *LayeredTrainer) targets(c int) []float64 {
	n := t.m.Net.N
	K := t.W.Sizes[t.W.Layers()-1]
	y := make([]float64, n)
	for i := range y {
		y[i] = math.NaN()
	}
	for k := 0; k < K; k++ {
		y[n-K+k] = t.target(k, c)
	}
	return y
}
