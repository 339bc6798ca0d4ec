package eqprop

import (
	"context"
	"errors"
	"fmt"
	"math"

	"oscsim/internal/progress"
	"oscsim/phasedet"
)

// NoiseAware holds the layered trainer's remedies against a noisy chip in
// the training loop and its read-out's resolution (docs/ep.md §6.3): which
// mismatch instances it trains on, how many nudged relaxations it averages,
// how long a window its read-out integrates, how many bits its phase
// read-out has, and the input couplers' own full scale. The zero value is
// the trainer without any of them (a new mismatch draw every epoch, one
// relaxation per nudge, the final state read exactly).
type NoiseAware struct {
	// Instances is the number of chip instances (mismatch draws) trained
	// on: 0 draws instance = epoch (a new chip every epoch); n ≥ 1 cycles
	// instances First … First+n−1 minibatch by minibatch, for the whole
	// run (n = 1: one chip, as a chip in the loop is).
	Instances int `json:"instances,omitempty"`
	First     int `json:"first_instance,omitempty"`
	// Repeats is the number K of nudged relaxations per image and sign of
	// β, each with its own phase-noise realisation; the read phases are
	// their circular mean (a chip repeats the nudged phase K times and
	// averages its TDC readings). 0 or 1: one. Only with phase noise.
	Repeats int `json:"repeats,omitempty"`
	// Window is the read-out's integration window in network time
	// constants: every relaxation runs Time + Window and the phases read
	// are the circular mean of the engine's states over the last Window
	// (a TDC that averages its samples). 0: the final state. The mean
	// comes from the engine's trace of every step, so a relaxation with
	// a window holds inputs × steps × rings phases (784-256-10, K = 4,
	// window 30: ≈ 130 MB a nudged run).
	Window float64 `json:"window,omitempty"`
	// DetBits is the read-out's resolution: the output rings' phases, as
	// the trainer reads them for the decision, the cost and EP's estimate,
	// are the centres of D-bit TDC bins (phasedet.TDC). 0: exact. With
	// DetHidden the hidden rings' phases too (a chip in the loop must read
	// them for EP's estimate of their couplers).
	DetBits   int  `json:"det_bits,omitempty"`
	DetHidden bool `json:"det_hidden,omitempty"`
	// InputScale is the full scale of the input couplers (W[0]): they are
	// clipped to ±InputScale and their B-bit codes span it, while the
	// later layers keep WMax (a per-layer full scale, i.e. a second
	// coupler unit on the chip). 0: WMax.
	InputScale float64 `json:"input_scale,omitempty"`
}

// validate reports values no trainer can use.
func (a NoiseAware) validate() error {
	var errs []error
	if a.Instances < 0 || a.First < 0 || a.Repeats < 0 {
		errs = append(errs, fmt.Errorf("instances %d, first instance %d and repeats %d must be ≥ 0", a.Instances, a.First, a.Repeats))
	}
	if !(a.Window >= 0) || math.IsInf(a.Window, 0) || !(a.InputScale >= 0) || math.IsInf(a.InputScale, 0) {
		errs = append(errs, fmt.Errorf("window %g and input scale %g must be finite and ≥ 0", a.Window, a.InputScale))
	}
	if a.DetBits < 0 || a.DetBits > 16 {
		errs = append(errs, fmt.Errorf("detector bits %d: want 0 (exact) or 1…16", a.DetBits))
	}
	if a.DetHidden && a.DetBits == 0 {
		errs = append(errs, fmt.Errorf("det_hidden needs det_bits"))
	}
	return errors.Join(errs...)
}

// instance returns the chip instance (mismatch draw) of minibatch batch of
// epoch ep.
func (t *LayeredTrainer) instance(ep, batch int) int {
	a := t.S.Aware
	if a.Instances < 1 {
		return ep
	}
	return a.First + batch%a.Instances
}

// switchInstance rebuilds the machine when the current minibatch trains
// on another chip instance than the machine is (NoiseAware.Instances > 1
// with frequency mismatch; the caller programs it).
func (t *LayeredTrainer) switchInstance() error {
	if t.m == nil || t.S.FreqSigma == 0 || t.S.Aware.Instances < 2 {
		return nil
	}
	inst := t.instance(t.epoch, t.batch)
	if t.m.Cfg.Instance == inst {
		return nil
	}
	cfg := t.m.Cfg
	cfg.Instance = inst
	sub := Layered(t.W.Sizes[1:]...)
	t.syncSub(sub)
	m, err := Software(sub, cfg)
	if err != nil {
		return err
	}
	m.Noise, m.runs = t.m.Noise, t.m.runs
	t.m = m
	return nil
}

// inputScale returns the input couplers' full scale.
func (t *LayeredTrainer) inputScale() float64 {
	if s := t.S.Aware.InputScale; s > 0 {
		return s
	}
	return t.S.WMax
}

// relaxRead runs one batch of relaxations as relax does and reads them as
// the chip in the loop would (NoiseAware): nudged relaxations repeated K
// times with their own noise and averaged, the phases integrated over the
// read-out window, and read through D-bit TDCs. Final stays the exact
// final state (of the first repeat).
func (t *LayeredTrainer) relaxRead(ctx context.Context, init [][]float64, clamps [][]Nudge, seed int64, nudged bool) (*Relaxation, error) {
	a := t.S.Aware
	B := len(init)
	K := 1
	if nudged && t.m.Noise && t.S.Linewidth > 0 && a.Repeats > 1 {
		K = a.Repeats
	}
	in, cl := init, clamps
	if K > 1 {
		in, cl = make([][]float64, 0, K*B), make([][]Nudge, 0, K*B)
		for range K {
			in, cl = append(in, init...), append(cl, clamps...)
		}
	}
	window := a.Window > 0
	if window {
		T := t.m.Cfg.Time
		t.m.Cfg.Time = T + a.Window
		defer func() { t.m.Cfg.Time = T }()
	}
	rel, err := t.relax(ctx, in, cl, seed, window)
	if err != nil {
		return nil, err
	}
	if window {
		rel.Read = windowMean(rel, a.Window/(t.m.Cfg.Time))
		rel.Trace = nil
	}
	if K > 1 {
		rel.Read = repeatMean(rel.Read, B, K)
		rel.Final = rel.Final[:B]
	}
	if a.DetBits > 0 {
		rel.Read = t.detRead(rel.Read, a.DetBits, a.DetHidden)
	}
	return rel, nil
}

// windowMean returns each input's phases averaged (circular mean) over
// the trace's states in the last fraction f of the run.
func windowMean(rel *Relaxation, f float64) [][]float64 {
	tr := rel.Trace
	end := tr.Times[len(tr.Times)-1]
	from := end * (1 - f)
	out := make([][]float64, len(tr.Phases))
	for b, states := range tr.Phases {
		n := len(states[0])
		re, im := make([]float64, n), make([]float64, n)
		for k, phi := range states {
			if tr.Times[k] < from {
				continue
			}
			for i, p := range phi {
				s, c := math.Sincos(p)
				re[i] += c
				im[i] += s
			}
		}
		out[b] = circMean(re, im)
	}
	return out
}

// repeatMean returns the circular mean of K repeats of B inputs' phases
// (repeat k of input b at read[k·B+b]).
func repeatMean(read [][]float64, B, K int) [][]float64 {
	out := make([][]float64, B)
	for b := range out {
		n := len(read[b])
		re, im := make([]float64, n), make([]float64, n)
		for k := range K {
			for i, p := range read[k*B+b] {
				s, c := math.Sincos(p)
				re[i] += c
				im[i] += s
			}
		}
		out[b] = circMean(re, im)
	}
	return out
}

// circMean returns arg(re + j·im) per entry.
func circMean(re, im []float64) []float64 {
	out := make([]float64, len(re))
	for i := range out {
		out[i] = math.Atan2(im[i], re[i])
	}
	return out
}

// detRead returns the phases as D-bit TDCs read them (each the centre of
// its bin, phasedet.Read then phasedet.Phase): the output rings', and the
// hidden rings' too when hidden.
func (t *LayeredTrainer) detRead(read [][]float64, bits int, hidden bool) [][]float64 {
	n := t.m.Net.N
	from := n - t.W.Sizes[t.W.Layers()-1]
	if hidden {
		from = 0
	}
	out := make([][]float64, len(read))
	for b, phi := range read {
		row := append([]float64(nil), phi...)
		for i := from; i < n; i++ {
			row[i] = phasedet.Phase(phasedet.TDC, bits, phasedet.Read(phasedet.TDC, bits, row[i]))
		}
		out[b] = row
	}
	return out
}

// NoisyEval is the chip an EvaluateLayeredNoisy runs W on: the trainer's
// software chip (phase model through the engine, κ and the relaxation of
// W's settings) with phase noise, ring frequency mismatch of one instance,
// coupler codes and a read-out.
type NoisyEval struct {
	// Linewidth (Hz) and FreqSigma (relative) of the rings; Instance the
	// mismatch draw (pick one the weights were not trained on to test
	// transfer).
	Linewidth, FreqSigma float64
	Instance             int
	// Bits are the coupler codes' bits (−1: W's training bits, 0: float);
	// with FullScaleMax their full scale is the largest |weight or bias|
	// (as the compiled chip maps float-trained weights), else W's WMax.
	Bits         int
	FullScaleMax bool
	// Aware sets the read-out (Repeats has no effect: no nudge; Window
	// and DetBits do); Instances and First are ignored (Instance is the
	// chip).
	Aware NoiseAware
	// Batch is the number of images per run (0: W's).
	Batch int
}

// EvaluateLayeredNoisy returns W's accuracy on the first n images of d (0:
// all) on the noisy, mismatched software chip e describes: what weights
// trained with or without noise in the loop deliver on one chip instance.
func EvaluateLayeredNoisy(ctx context.Context, W *LayeredWeights, d Examples, n int, e NoisyEval, meter *progress.Meter) (float64, error) {
	s := W.Settings.WithDefaults()
	s.Linewidth, s.FreqSigma = e.Linewidth, e.FreqSigma
	if e.Bits >= 0 {
		s.Bits = e.Bits
	}
	if e.FullScaleMax {
		s.WMax = 0
		for _, p := range W.Params() {
			for _, v := range p {
				s.WMax = math.Max(s.WMax, math.Abs(v))
			}
		}
	}
	s.Estimator = EstimatorEP
	s.Aware = e.Aware
	s.Aware.Instances, s.Aware.First = 1, e.Instance
	if e.Batch > 0 {
		s.Batch = e.Batch
	}
	return accuracyWith(ctx, W, s, d, n, meter)
}
