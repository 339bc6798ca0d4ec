package eqprop

import "cmp"

// Trainable per-ring SHIL strengths of the layered classifier (docs/ep.md
// §6.6) and the per-block learning rates.
//
// A pump at 2·f0 of rate s_i·κ into ring i adds −(s_i/2)·cos 2φ_i to the
// energy (units of κ; chip.Chip.Energy's pump term with K_s = s_i·κ), so
// ∂E/∂s_i = −½·cos 2φ_i, local to the ring like a bias's −cos φ_i, and
// EP's symmetric estimate is
//
//	∂L/∂s_i ≈ −(1/4β)·[cos 2φ_i^{+β} − cos 2φ_i^{−β}].
//
// Negative s_i is a pump of the opposite phase (its minima at ±π/2).

// EnableSHIL gives every layer after the input a SHIL pump of strength s
// (units of κ) on each ring, replacing any strengths L had.
func (L *LayeredWeights) EnableSHIL(s float64) {
	L.SHIL = make([][]float64, L.Layers())
	L.SHIL[0] = []float64{}
	for l := 1; l < L.Layers(); l++ {
		L.SHIL[l] = make([]float64, L.Sizes[l])
		for i := range L.SHIL[l] {
			L.SHIL[l][i] = s
		}
	}
}

// pumpGains returns the simulated rings' SHIL strengths in the engine's
// numbering (layer 1's rings first), or nil without a pump.
func (L *LayeredWeights) pumpGains() []float64 {
	if L.SHIL == nil {
		return nil
	}
	var g []float64
	for _, s := range L.SHIL[1:] {
		g = append(g, s...)
	}
	return g
}

// programSHIL sets the machine's per-ring pump to the SHIL strengths (the
// software chip's pump has K_s = κ, so gain s_i is rate s_i·κ). They are
// clipped to ±WMax with the other parameters (program).
func (t *LayeredTrainer) programSHIL() error {
	g := t.W.pumpGains()
	if g == nil {
		return nil
	}
	return t.m.Chip.SetPumpGains(g)
}

// blockRate returns the learning rate of Params' block bl: the layer
// pair's LR for couplers, LRBias (or the pair's LR) for biases, LRSHIL
// (or the pair's LR) for SHIL strengths, 0 for SHIL strengths not trained.
func (t *LayeredTrainer) blockRate(bl int) float64 {
	nW, nB := len(t.W.W), t.W.Layers()-1
	switch {
	case bl < nW:
		return t.S.lr(bl)
	case bl < nW+nB:
		return cmp.Or(t.S.LRBias, t.S.lr(bl-nW))
	case !t.S.SHILTrain:
		return 0
	default:
		return cmp.Or(t.S.LRSHIL, t.S.lr(bl-nW-nB))
	}
}
