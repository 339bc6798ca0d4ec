package eqprop

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"oscsim/coupling"
	"oscsim/internal/progress"
)

// DefaultLayeredSettings are the layered classifier's defaults (docs/ep.md
// §6): 5 epochs and β = 0.1 (of {0.05, 0.1, 0.2}) as the public
// configuration, but minibatches of 64, not 512 (Adam at lr 10⁻³ needs the
// updates: 938 an epoch instead of 117), weights clipped to ±0.5 at
// κ = 10⁻³·ω0, relaxations of 30 network time constants from the forward
// start, Adam on a cosine schedule (the last two measured in docs/ep.md
// §6.5: from phase 0 EP's estimate was far from the equilibrium gradient).
var DefaultLayeredSettings = LayeredSettings{
	Epochs: 5, Batch: 64, Beta: 0.1, LR: []float64{0.001, 0.001}, Optimizer: OptAdam, Init: 1,
	WMax: 0.5, Kappa: 1e-3, Time: 30, PixelPhase: PixelPhaseLinear, Readout: ReadoutCos,
	Start: StartForward, Estimator: EstimatorEP, Schedule: ScheduleCosine,
	Cost: CostCos, Gain: 4,
}

// WithDefaults returns s with zero fields set from DefaultLayeredSettings.
func (s LayeredSettings) WithDefaults() LayeredSettings {
	d := DefaultLayeredSettings
	set := func(v *float64, dv float64) {
		if *v == 0 {
			*v = dv
		}
	}
	if s.Epochs == 0 {
		s.Epochs = d.Epochs
	}
	if s.Batch == 0 {
		s.Batch = d.Batch
	}
	set(&s.Beta, d.Beta)
	set(&s.Init, d.Init)
	set(&s.WMax, d.WMax)
	set(&s.Kappa, d.Kappa)
	set(&s.Time, d.Time)
	if len(s.LR) == 0 {
		s.LR = slices.Clone(d.LR)
	}
	if s.Optimizer == "" {
		s.Optimizer = d.Optimizer
	}
	if s.PixelPhase == "" {
		s.PixelPhase = d.PixelPhase
	}
	if s.Readout == "" {
		s.Readout = d.Readout
	}
	s.Start = cmp.Or(s.Start, d.Start)
	s.Estimator = cmp.Or(s.Estimator, d.Estimator)
	s.Schedule = cmp.Or(s.Schedule, d.Schedule)
	s.Cost = cmp.Or(s.Cost, d.Cost)
	if s.Cost == CostXent {
		set(&s.Gain, d.Gain)
	}
	return s
}

// Validate reports settings no trainer can use.
func (s LayeredSettings) Validate(pairs int) error {
	var errs []error
	if s.Epochs < 1 || s.Batch < 1 {
		errs = append(errs, fmt.Errorf("epochs %d and batch %d must be ≥ 1", s.Epochs, s.Batch))
	}
	if !(s.Beta > 0) || !(s.WMax > 0) || !(s.Kappa > 0) || !(s.Time > 0) || !(s.Init >= 0) {
		errs = append(errs, fmt.Errorf("beta %g, wmax %g, kappa %g and time %g must be > 0, init %g ≥ 0", s.Beta, s.WMax, s.Kappa, s.Time, s.Init))
	}
	if len(s.LR) != 1 && len(s.LR) != pairs {
		errs = append(errs, fmt.Errorf("%d learning rates for %d layer pairs (want 1 or %d)", len(s.LR), pairs, pairs))
	}
	for _, r := range s.LR {
		if !(r >= 0) || math.IsInf(r, 0) {
			errs = append(errs, fmt.Errorf("learning rate %g must be finite and ≥ 0", r))
		}
	}
	if s.Bits != 0 && (s.Bits < 2 || s.Bits > 16) {
		errs = append(errs, fmt.Errorf("bits %d: want 0 (float) or 2…16", s.Bits))
	}
	if s.Momentum < 0 || s.Momentum >= 1 || s.Linewidth < 0 || s.FreqSigma < 0 {
		errs = append(errs, fmt.Errorf("momentum %g must be in [0, 1), linewidth %g and freq_sigma %g ≥ 0", s.Momentum, s.Linewidth, s.FreqSigma))
	}
	if s.Optimizer != OptAdam && s.Optimizer != OptSGD {
		errs = append(errs, fmt.Errorf("optimizer %q: want %q or %q", s.Optimizer, OptAdam, OptSGD))
	}
	if s.PixelPhase != PixelPhaseLinear || s.Readout != ReadoutCos {
		errs = append(errs, fmt.Errorf("pixel phase %q and read-out %q: this trainer knows %q and %q", s.PixelPhase, s.Readout, PixelPhaseLinear, ReadoutCos))
	}
	if !slices.Contains(starts, s.Start) || !slices.Contains(estimators, s.Estimator) || !slices.Contains(schedules, s.Schedule) {
		errs = append(errs, fmt.Errorf("start %q, estimator %q, schedule %q: want one of %v, %v, %v", s.Start, s.Estimator, s.Schedule, starts, estimators, schedules))
	}
	if !slices.Contains(costs, s.Cost) || (s.Cost == CostXent && !(s.Gain > 0 && s.Gain < 1e3)) {
		errs = append(errs, fmt.Errorf("cost %q with read-out gain %g: want one of %v, a gain in (0, 1000) for %q", s.Cost, s.Gain, costs, CostXent))
	}
	if !(math.Abs(s.SHIL) <= s.WMax) || !(s.LRBias >= 0) || !(s.LRSHIL >= 0) || math.IsInf(s.LRBias+s.LRSHIL, 0) {
		errs = append(errs, fmt.Errorf("shil %g must be within ±wmax %g, lr_bias %g and lr_shil %g finite and ≥ 0", s.SHIL, s.WMax, s.LRBias, s.LRSHIL))
	}
	if s.Estimator == EstimatorBPTT && s.Noisy() {
		errs = append(errs, fmt.Errorf("estimator %q is the noise-free software reference: no linewidth or freq_sigma", s.Estimator))
	}
	errs = append(errs, s.Aware.validate()) // layered_noise.go
	return errors.Join(errs...)
}

func (s LayeredSettings) lr(pair int) float64 {
	if len(s.LR) == 1 {
		return s.LR[0]
	}
	return s.LR[pair]
}

// Noisy reports whether the settings put phase noise or frequency mismatch
// in the training loop.
func (s LayeredSettings) Noisy() bool { return s.Linewidth > 0 || s.FreqSigma > 0 }

// Examples are labelled images: N images of P grey levels (0 … 255, pixel
// x = level/255) one after another, and their classes.
type Examples struct {
	N, P   int
	Pix    []uint8
	Labels []uint8
}

// Check verifies the lengths and that every label is below classes.
func (d Examples) Check(classes int) error {
	if d.N < 0 || len(d.Pix) != d.N*d.P || len(d.Labels) != d.N {
		return fmt.Errorf("eqprop: %d examples of %d pixels: %d pixel values and %d labels", d.N, d.P, len(d.Pix), len(d.Labels))
	}
	for k, c := range d.Labels {
		if int(c) >= classes {
			return fmt.Errorf("eqprop: example %d has class %d, the network %d outputs", k, c, classes)
		}
	}
	return nil
}

// Init sets the weights to independent uniform values in ±Init/√(fan-in)
// (fan-in: the previous layer's size), biases to 0, from seed.
func (L *LayeredWeights) Init(init float64, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x696e6974))
	for l, w := range L.W {
		a := init / math.Sqrt(float64(L.Sizes[l]))
		for k := range w {
			w[k] = a * (2*rng.Float64() - 1)
		}
	}
	for l := 1; l < L.Layers(); l++ {
		clear(L.Bias[l])
	}
}

// LayeredTrainer trains a LayeredWeights by equilibrium propagation through
// the chip's engine (docs/ep.md §6). The rings the engine simulates are
// layers 1 … L−1; the input layer is held at the pixels' phases, so each
// held input ring j acts on ring i of layer 1 exactly as an injection at
// f0 of strength W0_ji and phase x_j would (the coupling term
// W·sin(x_j − φ_i) is Adler's law with β = W, ψ = x_j): per image the
// inputs and the bias sum to one injection phasor per ring of layer 1,
//
//	P_i = h_i + Σ_j W0_ji·e^{j·x_j},
//
// and the engine runs the (Sizes[1] + … ) rings with their sparse layered
// couplers and these injections: a minibatch is a batch of chip inputs.
type LayeredTrainer struct {
	W *LayeredWeights
	S LayeredSettings
	m *Machine
	// w0 is W[0] as the chip holds it (B-bit codes' values or the float
	// weights), P×H row-major.
	w0 []float64
	// epoch and batch number the relaxations (noise streams, instance).
	epoch, batch int
	// cos and sin of the 256 grey levels' phases.
	cosT, sinT [256]float64
	// Relaxations and coupler updates counted (speed records): Updates
	// in the engine, Equivalent on the whole chip (inputs' couplers
	// included, as a simulation of every ring would step them).
	Relaxations         int64
	Updates, Equivalent int64
}

// NewLayeredTrainer returns a trainer of W with settings s (defaults
// filled in). W.SHIL must be nil: this trainer has no pump.
func NewLayeredTrainer(W *LayeredWeights, s LayeredSettings) (*LayeredTrainer, error) {
	s = s.WithDefaults()
	if err := W.Check(); err != nil {
		return nil, fmt.Errorf("eqprop: %w", err)
	}
	if err := s.Validate(len(W.W)); err != nil {
		return nil, fmt.Errorf("eqprop: layered settings: %w", err)
	}
	if W.SHIL == nil && (s.SHILTrain || s.SHIL != 0) {
		W.EnableSHIL(s.SHIL)
	}
	t := &LayeredTrainer{W: W, S: s}
	for g := range 256 {
		t.sinT[g], t.cosT[g] = math.Sincos(PixelPhase(float64(g) / 255))
	}
	if err := t.setEpoch(s.Epoch); err != nil {
		return nil, err
	}
	return t, nil
}

// setEpoch builds the machine of epoch ep: with frequency mismatch, a new
// chip instance every epoch (so that the weights do not learn one
// instance's mismatch).
func (t *LayeredTrainer) setEpoch(ep int) error {
	s := t.S
	sub := Layered(t.W.Sizes[1:]...)
	cfg := Config{Kappa: s.Kappa, WMax: s.WMax, Time: s.Time, Rate: s.Rate, Bits: s.Bits,
		FreqSigma: s.FreqSigma, Linewidth: s.Linewidth, Instance: t.instance(ep, 0), Seed: s.Seed, Pump: t.W.SHIL != nil}
	t.syncSub(sub)
	m, err := Software(sub, cfg)
	if err != nil {
		return err
	}
	m.Noise = s.Noisy()
	t.m, t.epoch, t.batch = m, ep, 0
	return t.program()
}

// syncSub copies W[1:] into the simulated network's edges (the same order:
// Layered numbers them layer pair by layer pair, row-major).
func (t *LayeredTrainer) syncSub(sub *Net) {
	k := 0
	for _, w := range t.W.W[1:] {
		k += copy(sub.W[k:], w)
	}
}

// program clips every weight and bias to ±WMax, programs layers 1… onto
// the chip and sets the input couplers' held values (B-bit codes or float).
func (t *LayeredTrainer) program() error {
	if err := t.switchInstance(); err != nil { // layered_noise.go
		return err
	}
	wm := t.S.WMax
	for _, p := range t.W.Params() {
		for k, v := range p {
			p[k] = math.Max(-wm, math.Min(wm, v))
		}
	}
	wm = t.inputScale() // layered_noise.go: the input couplers' full scale
	for k, v := range t.W.W[0] {
		t.W.W[0][k] = math.Max(-wm, math.Min(wm, v))
	}
	t.syncSub(t.m.Net)
	if err := t.m.Program(); err != nil {
		return err
	}
	if err := t.programSHIL(); err != nil {
		return err
	}
	w := t.W.W[0]
	if t.S.Bits == 0 {
		t.w0 = w
		return nil
	}
	q := coupling.Quantizer{MaxCode: 1<<t.S.Bits - 1, FullScale: wm}
	if len(t.w0) != len(w) || &t.w0[0] == &w[0] {
		t.w0 = make([]float64, len(w))
	}
	for k, v := range w {
		c, _, err := q.Code(v)
		if err != nil {
			return fmt.Errorf("eqprop: input coupler %d: %w", k, err)
		}
		t.w0[k] = q.Value(c)
	}
	return nil
}

// Machine returns the machine the relaxations run on.
func (t *LayeredTrainer) Machine() *Machine { return t.m }

// drive returns the per-image injection phasors of layer 1 (B×H,
// real and imaginary parts) and the cos and sin of the pixels' phases
// (B×P): Re = cos X·W0 + h, Im = sin X·W0.
func (t *LayeredTrainer) drive(d Examples, idx []int) (re, im, cx, sx blas64.General) {
	B, P, H := len(idx), d.P, t.W.Sizes[1]
	cx = blas64.General{Rows: B, Cols: P, Stride: P, Data: make([]float64, B*P)}
	sx = blas64.General{Rows: B, Cols: P, Stride: P, Data: make([]float64, B*P)}
	for b, n := range idx {
		for j, g := range d.Pix[n*P : (n+1)*P] {
			cx.Data[b*P+j], sx.Data[b*P+j] = t.cosT[g], t.sinT[g]
		}
	}
	w0 := blas64.General{Rows: P, Cols: H, Stride: H, Data: t.w0}
	re = blas64.General{Rows: B, Cols: H, Stride: H, Data: make([]float64, B*H)}
	im = blas64.General{Rows: B, Cols: H, Stride: H, Data: make([]float64, B*H)}
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, cx, w0, 0, re)
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, sx, w0, 0, im)
	h := t.W.Bias[1]
	for b := 0; b < B; b++ {
		row := re.Data[b*H : (b+1)*H]
		for i := range row {
			row[i] += h[i]
		}
	}
	return re, im, cx, sx
}

// clamps returns image b's injections on the simulated rings: layer 1's
// phasors (inputs and bias) and every later layer's bias, plus, when nre
// is not nil, the output layer's nudge phasors nre + j·nim (nudge). Each
// ring's terms are summed into one phasor (Machine.injection does the
// same).
func (t *LayeredTrainer) clamps(re, im blas64.General, b int, nre, nim []float64) []Nudge {
	L := t.W
	H := L.Sizes[1]
	n := t.m.Net.N
	pr, pi := make([]float64, n), make([]float64, n)
	copy(pr, re.Data[b*H:(b+1)*H])
	copy(pi, im.Data[b*H:(b+1)*H])
	off := H
	for l := 2; l < L.Layers(); l++ {
		for i, h := range L.Bias[l] {
			pr[off+i] += h
		}
		off += L.Sizes[l]
	}
	if nre != nil {
		out := n - L.Sizes[L.Layers()-1]
		for k := range nre {
			pr[out+k] += nre[k]
			pi[out+k] += nim[k]
		}
	}
	ns := make([]Nudge, 0, n)
	for i := range pr {
		if r := math.Hypot(pr[i], pi[i]); r > 0 {
			ns = append(ns, Nudge{Unit: i, Beta: r, Phase: math.Atan2(pi[i], pr[i])})
		}
	}
	return ns
}

// start returns the free relaxations' initial phases for the images whose
// layer-1 phasors are re + j·im (drive): every ring at 0, or the forward
// start (StartForward).
func (t *LayeredTrainer) start(re, im blas64.General) [][]float64 {
	L, n := t.W, t.m.Net.N
	B, H := re.Rows, L.Sizes[1]
	init := make([][]float64, B)
	for b := range init {
		init[b] = make([]float64, n)
	}
	if t.S.Start != StartForward {
		return init
	}
	for b, phi := range init {
		for i := 0; i < H; i++ {
			phi[i] = math.Atan2(im.Data[b*H+i], re.Data[b*H+i])
		}
		// Layer l ≥ 2: arg(h_k + Σ_i W_ik·e^{jφ_i}) from layer l−1 (the
		// couplers as the chip holds them).
		prev, off, e := 0, H, 0
		for l := 2; l < L.Layers(); l++ {
			np, nl := L.Sizes[l-1], L.Sizes[l]
			forwardLayer(phi[off:off+nl], L.Bias[l], t.m.held[e:e+np*nl], phi[prev:prev+np])
			prev, off, e = off, off+nl, e+np*nl
		}
	}
	return init
}

// relax runs one batch of relaxations from phases init with the clamps
// given (trace: every step's state kept), and counts them.
func (t *LayeredTrainer) relax(ctx context.Context, init [][]float64, clamps [][]Nudge, seed int64, trace bool) (*Relaxation, error) {
	t.m.NoiseSeed = seed
	rel, err := t.m.Relax(ctx, init, clamps, trace)
	if err != nil {
		return nil, err
	}
	steps := int64(rel.Res.Steps)
	t.Relaxations += int64(len(init))
	// Coupler updates: the engine's (each directed coupler of the
	// simulated rings once per step and input), and the whole chip's
	// equivalent (the held inputs' couplers too, which the fold turns
	// into one product per image instead of one per step).
	t.Updates += steps * int64(len(init)) * int64(2*len(t.m.Net.Edges))
	t.Equivalent += steps * int64(len(init)) * int64(2*len(t.m.Net.Edges)+len(t.w0))
	return rel, nil
}

// noiseSeed is the noise realisation of relaxation kind k of the current
// batch: a function of (seed, epoch, batch), so a resumed run draws the
// same noise as an uninterrupted one.
func (t *LayeredTrainer) noiseSeed(k int) int64 {
	return int64((t.S.Seed*1_000_003+uint64(t.epoch))*1_000_003+uint64(t.batch))*4 + int64(k) + 1
}

// StepResult is one minibatch's outcome at its free equilibria.
type StepResult struct {
	Cost    float64 // mean Σ_out (1 − cos(φ_k − ψ_k))
	Correct int     // images read as their class
}

// Step runs one EP update on the images idx of d: a free relaxation, the
// ±β nudged relaxations (one chip run of 2·B inputs, from the free
// equilibria), the symmetric estimate
//
//	∂L/∂θ ≈ −(1/2β)·[∂E/∂θ(φ^{+β}) − ∂E/∂θ(φ^{−β})]·(−1)
//
// for every coupling (−cos Δ) and bias (−cos φ_i), and an SGD step with
// momentum on the shadow weights, then programs them.
func (t *LayeredTrainer) Step(ctx context.Context, d Examples, idx []int) (StepResult, error) {
	g, res, err := t.Gradient(ctx, d, idx)
	if err != nil {
		return res, err
	}
	t.update(g)
	t.batch++
	return res, t.program()
}

// Gradient returns EP's symmetric estimate of the mean cost's gradient
// over images idx, one slice per parameter block (Params' order), and the
// free phase's outcome.
func (t *LayeredTrainer) Gradient(ctx context.Context, d Examples, idx []int) ([][]float64, StepResult, error) {
	var res StepResult
	B := len(idx)
	if B == 0 {
		return nil, res, fmt.Errorf("eqprop: empty minibatch")
	}
	L, beta := t.W, t.S.Beta
	re, im, cx, sx := t.drive(d, idx)
	free := make([][]Nudge, B)
	for b := range idx {
		free[b] = t.clamps(re, im, b, nil, nil)
	}
	if t.S.Estimator == EstimatorBPTT {
		return t.bpttGradient(ctx, d, idx, t.start(re, im), free, cx, sx)
	}
	fr, err := t.relaxRead(ctx, t.start(re, im), free, t.noiseSeed(0), false)
	if err != nil {
		return nil, res, err
	}
	n := t.m.Net.N
	K := L.Sizes[L.Layers()-1]
	init := make([][]float64, 2*B)
	nud := make([][]Nudge, 2*B)
	for b, k := range idx {
		c := int(d.Labels[k])
		out := fr.Read[b][n-K:]
		res.Cost += t.outCost(out, c) / float64(B)
		if Classify(out, 0) == c {
			res.Correct++
		}
		init[b], init[B+b] = fr.Final[b], fr.Final[b]
		nre, nim := t.nudge(out, c, beta)
		nud[b] = t.clamps(re, im, b, nre, nim)
		for k := range nre {
			nre[k], nim[k] = -nre[k], -nim[k]
		}
		nud[B+b] = t.clamps(re, im, b, nre, nim)
	}
	nr, err := t.relaxRead(ctx, init, nud, t.noiseSeed(1), true)
	if err != nil {
		return nil, res, err
	}
	// ∂L/∂θ ≈ (1/2β)·[∂E/∂θ(+β) − ∂E/∂θ(−β)] with ∂E/∂W = −cos Δ,
	// ∂E/∂h = −cos φ.
	sc := 1 / (2 * beta * float64(B))
	// Input layer: −Σ_b [cos(x_j − φ⁺_i) − cos(x_j − φ⁻_i)]
	//            = −[Cxᵀ·(cos φ⁺ − cos φ⁻) + Sxᵀ·(sin φ⁺ − sin φ⁻)].
	H, P := L.Sizes[1], d.P
	dc := blas64.General{Rows: B, Cols: H, Stride: H, Data: make([]float64, B*H)}
	ds := blas64.General{Rows: B, Cols: H, Stride: H, Data: make([]float64, B*H)}
	for b := 0; b < B; b++ {
		hi, lo := nr.Read[b], nr.Read[B+b]
		for i := 0; i < H; i++ {
			sh, ch := math.Sincos(hi[i])
			sl, cl := math.Sincos(lo[i])
			dc.Data[b*H+i], ds.Data[b*H+i] = ch-cl, sh-sl
		}
	}
	g0 := blas64.General{Rows: P, Cols: H, Stride: H, Data: make([]float64, P*H)}
	blas64.Gemm(blas.Trans, blas.NoTrans, -sc, cx, dc, 0, g0)
	blas64.Gemm(blas.Trans, blas.NoTrans, -sc, sx, ds, 1, g0)
	// Simulated layers: −(cos Δ⁺ − cos Δ⁻) per edge.
	gs := make([]float64, len(t.m.Net.Edges))
	for b := 0; b < B; b++ {
		hi, lo := nr.Read[b], nr.Read[B+b]
		for e, p := range t.m.Net.Edges {
			i, j := p[0], p[1]
			gs[e] -= sc * (math.Cos(hi[i]-hi[j]) - math.Cos(lo[i]-lo[j]))
		}
	}
	// Biases: −(cos φ⁺ − cos φ⁻); SHIL strengths: −½·(cos 2φ⁺ − cos 2φ⁻).
	grads, err := L.gradBlocks("gradient", g0.Data, gs, B, func(b, u int) float64 {
		return -sc * (math.Cos(nr.Read[b][u]) - math.Cos(nr.Read[B+b][u]))
	}, func(b, u int) float64 {
		return -sc / 2 * (math.Cos(2*nr.Read[b][u]) - math.Cos(2*nr.Read[B+b][u]))
	})
	if err != nil {
		return nil, res, err
	}
	return grads, res, nil
}

// gradBlocks returns a gradient in the optimiser's block order (the EP
// estimate and BPTT share it): g0 (the input couplers, P×Sizes[1]), the
// simulated layers' couplers (gs, ordered as the edges of L.Net, one slice
// per L.W[1:]), then each simulated layer's biases, unit u's summed over
// the batch's B examples of perUnit(b, u) (u a ring's index, layer 1's
// rings first), then, when L has SHIL strengths, each layer's summed
// perSHIL(b, u). A non-finite entry is an error naming what (the
// estimator), the block and the entry.
func (L *LayeredWeights) gradBlocks(what string, g0, gs []float64, B int, perUnit, perSHIL func(b, u int) float64) ([][]float64, error) {
	grads := make([][]float64, 0, len(L.W)+L.Layers()-1)
	grads = append(grads, g0)
	k := 0
	for _, w := range L.W[1:] {
		grads = append(grads, gs[k:k+len(w)])
		k += len(w)
	}
	units := func(f func(b, u int) float64) {
		off := 0
		for l := 1; l < L.Layers(); l++ {
			gb := make([]float64, L.Sizes[l])
			for b := 0; b < B; b++ {
				for i := range gb {
					gb[i] += f(b, off+i)
				}
			}
			grads = append(grads, gb)
			off += L.Sizes[l]
		}
	}
	units(perUnit)
	if L.SHIL != nil {
		units(perSHIL)
	}
	for bl, g := range grads {
		if bad := firstNonFinite(g); bad >= 0 {
			return nil, fmt.Errorf("eqprop: %s block %d entry %d is not finite", what, bl, bad)
		}
	}
	return grads, nil
}

// update takes one optimiser step on the shadow weights: Adam
// (Kingma & Ba 2015, β1 = Momentum or 0.9, β2 = 0.999, ε = 10⁻⁸) or SGD
// with momentum (v ← μ·v − η·g, θ ← θ + v), η per layer pair (LR).
func (t *LayeredTrainer) update(grads [][]float64) {
	L := t.W
	n := L.NParams()
	adam := t.S.Optimizer == OptAdam
	if adam && len(L.Opt) != 2*n {
		L.Opt = make([]float64, 2*n)
	} else if !adam && len(L.Opt) != n {
		L.Opt = make([]float64, n)
	}
	f := t.S.Schedule.rateFactor(t.S.Steps, t.S.totalUpdates())
	t.S.Steps++
	b1, b2 := t.S.Momentum, 0.999
	if b1 == 0 {
		b1 = 0.9
	}
	c1 := 1 - math.Pow(b1, float64(t.S.Steps))
	c2 := 1 - math.Pow(b2, float64(t.S.Steps))
	m, v := L.Opt[:n], L.Opt[n:]
	for bl, p := range L.Params() {
		eta := t.blockRate(bl) * f
		g := grads[bl]
		for k := range p {
			if adam {
				m[k] = b1*m[k] + (1-b1)*g[k]
				v[k] = b2*v[k] + (1-b2)*g[k]*g[k]
				p[k] -= eta * (m[k] / c1) / (math.Sqrt(v[k]/c2) + 1e-8)
			} else {
				m[k] = t.S.Momentum*m[k] - eta*g[k]
				p[k] += m[k]
			}
		}
		m = m[len(p):]
		if adam {
			v = v[len(p):]
		}
	}
}

// Predict relaxes the images idx of d freely (no noise unless the machine
// has it) and returns each image's class read from the output phases.
func (t *LayeredTrainer) Predict(ctx context.Context, d Examples, idx []int, seed int64) ([]int, error) {
	re, im, _, _ := t.drive(d, idx)
	cl := make([][]Nudge, len(idx))
	for b := range idx {
		cl[b] = t.clamps(re, im, b, nil, nil)
	}
	rel, err := t.relaxRead(ctx, t.start(re, im), cl, seed, false)
	if err != nil {
		return nil, err
	}
	n := t.m.Net.N
	K := t.W.Sizes[t.W.Layers()-1]
	out := make([]int, len(idx))
	for b := range idx {
		out[b] = Classify(rel.Read[b][n-K:], 0)
	}
	return out, nil
}

// Accuracy returns the fraction of d's first n images (0: all) classified
// correctly, in batches of batch.
func (t *LayeredTrainer) Accuracy(ctx context.Context, d Examples, n, batch int, meter *progress.Meter) (float64, error) {
	if n <= 0 || n > d.N {
		n = d.N
	}
	if n == 0 {
		return math.NaN(), nil
	}
	correct := 0
	for lo := 0; lo < n; lo += batch {
		idx := make([]int, 0, batch)
		for k := lo; k < min(lo+batch, n); k++ {
			idx = append(idx, k)
		}
		pred, err := t.Predict(ctx, d, idx, int64(lo+1))
		if err != nil {
			return 0, err
		}
		for b, k := range idx {
			if pred[b] == int(d.Labels[k]) {
				correct++
			}
		}
		meter.Add(int64(len(idx)))
	}
	return float64(correct) / float64(n), nil
}

// Order returns epoch ep's order of n training images: a permutation drawn
// from (seed, epoch), so a resumed run sees the same order.
func Order(n int, seed uint64, ep int) []int {
	rng := rand.New(rand.NewPCG(seed, uint64(ep)+0x6f72646572))
	return rng.Perm(n)
}

// LayeredRun says what TrainLayered does around the epochs.
type LayeredRun struct {
	// Checkpoint, when set, is the path a checkpoint (weights, settings,
	// optimiser state) is written to atomically after every epoch.
	Checkpoint string
	// TestN is the number of test images evaluated after each epoch (0:
	// all; negative: none).
	TestN int
	// Meter counts training images (nil: none); OnEpoch is called after
	// each epoch (nil: nothing).
	Meter   *progress.Meter
	OnEpoch func(EpochRecord)
}

// TrainLayered trains W (from epoch W.Settings.Epoch, so a checkpoint
// resumes) to s.Epochs epochs on train, evaluating on test after each
// epoch. The result equals an uninterrupted run's whatever epoch it
// resumed from: shuffling, noise and mismatch are functions of (seed,
// epoch, batch), and the checkpoint holds the optimiser's state.
func TrainLayered(ctx context.Context, W *LayeredWeights, s LayeredSettings, train, test Examples, run LayeredRun) (*LayeredTrainer, error) {
	s = s.WithDefaults()
	K := W.Sizes[len(W.Sizes)-1]
	if err := train.Check(K); err != nil {
		return nil, err
	}
	if train.P != W.Sizes[0] {
		return nil, fmt.Errorf("eqprop: images of %d pixels for an input layer of %d", train.P, W.Sizes[0])
	}
	if test.N > 0 {
		if err := test.Check(K); err != nil {
			return nil, err
		}
		if test.P != train.P {
			return nil, fmt.Errorf("eqprop: test images of %d pixels, training images of %d", test.P, train.P)
		}
	}
	s.Epoch = W.Settings.Epoch
	s.History = W.Settings.History
	s.Elapsed = W.Settings.Elapsed
	s.Data, s.Train = cmp.Or(s.Data, W.Settings.Data), train.N
	t, err := NewLayeredTrainer(W, s)
	if err != nil {
		return nil, err
	}
	for ep := s.Epoch; ep < s.Epochs; ep++ {
		start := time.Now()
		if err := t.setEpoch(ep); err != nil {
			return t, err
		}
		order := Order(train.N, s.Seed, ep)
		var rec EpochRecord
		rec.Epoch = ep + 1
		correct, batches := 0, 0
		for lo := 0; lo < train.N; lo += s.Batch {
			idx := order[lo:min(lo+s.Batch, train.N)]
			r, err := t.Step(ctx, train, idx)
			if err != nil {
				return t, fmt.Errorf("eqprop: epoch %d, batch %d: %w", ep+1, batches+1, err)
			}
			rec.Cost += r.Cost
			correct += r.Correct
			batches++
			run.Meter.Add(int64(len(idx)))
		}
		rec.Cost /= float64(batches)
		rec.TrainAcc = float64(correct) / float64(train.N)
		rec.TestAcc = math.NaN()
		if test.N > 0 && run.TestN >= 0 {
			ev := t.evaluator()
			if rec.TestAcc, err = ev.Accuracy(ctx, test, run.TestN, s.Batch, nil); err != nil {
				return t, err
			}
		}
		rec.Seconds = time.Since(start).Seconds()
		t.S.Epoch = ep + 1
		t.S.Elapsed += rec.Seconds
		t.S.History = append(t.S.History, rec)
		W.Settings = t.S
		if run.Checkpoint != "" {
			if err := W.Save(run.Checkpoint); err != nil {
				return t, err
			}
		}
		if run.OnEpoch != nil {
			run.OnEpoch(rec)
		}
	}
	W.Settings = t.S
	return t, nil
}

// evaluator returns a trainer over the same weights without noise or
// mismatch, at the training's coupler bits: the "software" accuracy.
func (t *LayeredTrainer) evaluator() *LayeredTrainer {
	s := t.S
	s.Linewidth, s.FreqSigma = 0, 0
	ev := &LayeredTrainer{W: t.W, S: s, cosT: t.cosT, sinT: t.sinT}
	sub := Layered(t.W.Sizes[1:]...)
	ev.syncSub(sub)
	cfg := t.m.Cfg
	cfg.FreqSigma, cfg.Linewidth = 0, 0
	m, err := Software(sub, cfg)
	if err != nil {
		return t
	}
	ev.m = m
	if ev.program() != nil {
		return t
	}
	return ev
}

// EvaluateLayered returns W's accuracy on the first n images of d (0:
// all) in software: the phase model without noise or mismatch, couplers at
// W's training bits (float when 0).
func EvaluateLayered(ctx context.Context, W *LayeredWeights, d Examples, n int, meter *progress.Meter) (float64, error) {
	s := W.Settings.WithDefaults()
	s.Linewidth, s.FreqSigma = 0, 0
	return accuracyWith(ctx, W, s, d, n, meter)
}

// accuracyWith returns W's accuracy on the first n images of d (0: all)
// on a trainer with settings s (W's optimiser state dropped).
func accuracyWith(ctx context.Context, W *LayeredWeights, s LayeredSettings, d Examples, n int, meter *progress.Meter) (float64, error) {
	t, err := NewLayeredTrainer(W.withoutOpt(), s)
	if err != nil {
		return 0, err
	}
	if err := d.Check(W.Sizes[len(W.Sizes)-1]); err != nil {
		return 0, err
	}
	return t.Accuracy(ctx, d, n, s.Batch, meter)
}

func (L *LayeredWeights) withoutOpt() *LayeredWeights {
	c := *L
	c.Opt = nil
	return &c
}
