package freqsync

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"oscsim/chip"
	"oscsim/internal/progress"
	"oscsim/internal/vocab"
	"oscsim/netlist"
)

// Adam is the Adam optimiser (Kingma & Ba 2015) with the default betas.
type Adam struct {
	LR, Beta1, Beta2, Eps float64
	m, v                  []float64
	t                     int
}

// NewAdam returns Adam with learning rate lr and the default β1 = 0.9,
// β2 = 0.999, ε = 1e-8.
func NewAdam(lr float64) *Adam { return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8} }

// Step moves p against the gradient g.
func (a *Adam) Step(p, g []float64) {
	if a.m == nil {
		a.m, a.v = make([]float64, len(p)), make([]float64, len(p))
	}
	a.t++
	c1 := 1 - math.Pow(a.Beta1, float64(a.t))
	c2 := 1 - math.Pow(a.Beta2, float64(a.t))
	for k := range p {
		a.m[k] = a.Beta1*a.m[k] + (1-a.Beta1)*g[k]
		a.v[k] = a.Beta2*a.v[k] + (1-a.Beta2)*g[k]*g[k]
		p[k] -= a.LR * (a.m[k] / c1) / (math.Sqrt(a.v[k]/c2) + a.Eps)
	}
}

// Data is a labelled set: X[m] the input, Y[m][p] whether output pair p
// should synchronise for example m.
type Data struct {
	X [][]float64
	Y [][]bool
}

// Options set offline training.
type Options struct {
	Iterations int
	LR         float64 // Adam learning rate (paper: 0.03)
	Grad       Grad    // Forward or Reverse
	// NoClip switches off the tanh clipping of the Jacobian.
	NoClip bool
	// Seed drives the initial phases of every run (redrawn each run).
	Seed uint64
	// Noise runs the training passes with the network's own phase noise
	// (chip-in-the-loop fine-tuning on one chip instance: FineTune).
	Noise bool
	// Aware, when not nil, trains hardware-aware: every iteration runs on
	// a fresh chip instance with these physics (noise on, mismatch drawn
	// afresh), instead of the noise-free network.
	Aware *Physics
	// Progress reports iterations (nil = none).
	Progress *progress.Meter
	// Workers for Simulate (0 = GOMAXPROCS).
	Workers int
	// FDStep is the finite-difference gradient's step (Hz of natural
	// frequency per parameter; 0 = DefaultFDStep).
	FDStep float64
	// Draws runs every example from this many independent random initial
	// phases in each iteration and averages loss and gradient over them
	// (0 or 1 = one draw, the paper's setting; docs/sync.md, "Gradient
	// noise").
	Draws int
	// Balance weights every output pair's loss so that its two classes
	// (should / should not synchronise) count equally: a departure from
	// eq. 1's plain mean (docs/sync.md, "Fourth session").
	Balance bool
}

// Step is one iteration's record.
type Step struct {
	Loss     float64 // E_tot (eq. 1) before the update
	Accuracy float64 // training accuracy of that forward pass (0..1)
	// Constant: every example gave the same output bits (the classifier
	// answers one class whatever the input, e.g. "always no").
	Constant bool
}

// RandomPhases draws B×N initial phases uniform in [0, 2π).
func RandomPhases(rng *rand.Rand, B, N int) [][]float64 {
	th := make([][]float64, B)
	for b := range th {
		th[b] = make([]float64, N)
		for i := range th[b] {
			th[b][i] = 2 * math.Pi * rng.Float64()
		}
	}
	return th
}

// Train runs opt.Iterations full-batch Adam steps on the model (offline
// learning, Sec. III) and returns the per-iteration record.
func Train(ctx context.Context, net *Net, m *Model, d Data, opt Options) ([]Step, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := checkData(m, d); err != nil {
		return nil, err
	}
	if opt.Grad == NoGrad {
		opt.Grad = Reverse
	}
	adam := NewAdam(opt.LR)
	rng := rand.New(rand.NewPCG(opt.Seed, 0x7a1))
	var hist []Step
	// The iterate with the lowest E_tot so far is what Train leaves in m:
	// the loss of eqs. 3–4 jumps where pairs lock or unlock, and Adam's
	// fixed steps can leave a good point (docs/sync.md, "Training").
	best, bestLoss := append([]float64(nil), m.Params...), math.Inf(1)
	for it := 0; it < opt.Iterations; it++ {
		run, noise := net, opt.Noise
		if opt.Aware != nil {
			var err error
			run, err = NewNet(m.N, *opt.Aware, int64(opt.Seed), 1+it)
			if err != nil {
				return nil, err
			}
			noise = true
		}
		st, g, err := lossGrad(ctx, run, m, d, rng, opt, noise, int64(it+1))
		if err != nil {
			return nil, err
		}
		hist = append(hist, st)
		if loss := st.Loss; loss < bestLoss {
			bestLoss = loss
			copy(best, m.Params)
		}
		adam.Step(m.Params, g)
		m.project()
		opt.Progress.Add(1)
	}
	copy(m.Params, best)
	return hist, nil
}

// FineTune runs chip-in-the-loop fine-tuning (docs/sync.md, "Chip-in-the-
// loop fine-tuning"): steps finite-difference Adam steps on the model
// against one chip instance net — its mismatch and its phase noise in every
// run, the gradient from forward runs only (what a chip measures: counters
// read with each natural frequency nudged by ±fdStep Hz). It returns the
// tuned copy; m is left as it was.
func FineTune(ctx context.Context, net *Net, m *Model, d Data, steps int, lr, fdStep float64, seed uint64) (*Model, []Step, error) {
	c := m.Clone()
	h, err := Train(ctx, net, c, d, Options{Iterations: steps, LR: lr, Grad: FiniteDiff, FDStep: fdStep, Noise: net.Phys.Linewidth > 0, Seed: seed})
	return c, h, err
}

func checkData(m *Model, d Data) error {
	if len(d.X) == 0 || len(d.X) != len(d.Y) {
		return fmt.Errorf("freqsync: %d inputs and %d labels", len(d.X), len(d.Y))
	}
	for k := range d.X {
		if len(d.X[k]) != m.Dim || len(d.Y[k]) != len(m.Pairs) {
			return fmt.Errorf("freqsync: example %d has %d inputs and %d labels, want %d and %d", k, len(d.X[k]), len(d.Y[k]), m.Dim, len(m.Pairs))
		}
	}
	return nil
}

// outputRows lists the oscillators of the output pairs and each one's row.
func outputRows(m *Model) (rows []int, pos map[int]int) {
	pos = map[int]int{}
	for _, p := range m.Pairs {
		for _, i := range []int{p.I, p.J} {
			if _, ok := pos[i]; !ok {
				pos[i] = len(rows)
				rows = append(rows, i)
			}
		}
	}
	return rows, pos
}

// lossGrad runs one forward pass over the data set and returns E_tot, the
// accuracy and dE_tot/dParams (docs/sync.md, "Gradient").
func lossGrad(ctx context.Context, net *Net, m *Model, d Data, rng *rand.Rand, opt Options, noise bool, noiseSeed int64) (Step, []float64, error) {
	if opt.Grad == FiniteDiff {
		return fdLossGrad(ctx, net, m, d, rng, opt, noise, noiseSeed)
	}
	wt := pairWeights(d, opt.Balance)
	M, R := len(d.X), max(1, opt.Draws)
	F := make([][]float64, M*R)
	clip := make([][]bool, M*R)
	for k, x := range d.X {
		f, c := m.Frequencies(x)
		for r := 0; r < R; r++ {
			F[r*M+k], clip[r*M+k] = f, c
		}
	}
	rows, pos := outputRows(m)
	th := RandomPhases(rng, M*R, m.N)
	res, err := net.Simulate(ctx, F, th, SimOptions{Grad: opt.Grad, Rows: rows, Noise: noise, NoiseSeed: noiseSeed, Workers: opt.Workers})
	if err != nil {
		return Step{}, nil, err
	}
	k := net.Phys.K
	g := make([]float64, len(m.Params))
	dF := make([]float64, m.N)
	var loss float64
	correct := 0
	var cst constancy
	for e := 0; e < M*R; e++ {
		x, y := d.X[e%M], d.Y[e%M]
		fb, J := res.FBar[e], res.J[e]
		for a := range dF {
			dF[a] = 0
		}
		ok := true
		for p, pr := range m.Pairs {
			D := Desync(fb[pr.I], fb[pr.J], k)
			E, dEdD := PairLoss(D, y[p])
			w := wt.of(p, y[p])
			E, dEdD = w*E, w*dEdD
			loss += E
			if (D <= 1) != y[p] {
				ok = false
			}
			cst.see(p, D <= 1)
			s := 0.0
			if fb[pr.I] > fb[pr.J] {
				s = 1
			} else if fb[pr.I] < fb[pr.J] {
				s = -1
			}
			c := dEdD * s / (k / 2) // dE/df̄_I = −dE/df̄_J
			ri, rj := pos[pr.I]*m.N, pos[pr.J]*m.N
			for a := 0; a < m.N; a++ {
				ji, jj := J[ri+a], J[rj+a]
				if !opt.NoClip {
					ji, jj = math.Tanh(ji), math.Tanh(jj)
				}
				dF[a] += c * (ji - jj)
			}
		}
		if ok {
			correct++
		}
		m.paramGrad(g, x, dF, clip[e])
	}
	for i := range g {
		g[i] /= float64(M * R)
	}
	return Step{Loss: loss / float64(M*R), Accuracy: float64(correct) / float64(M*R), Constant: cst.constant()}, g, nil
}

// classWeights are the per-pair loss weights of Options.Balance: pos[p]
// for examples that should synchronise pair p, neg[p] for the others
// (nil: every weight 1, eq. 1's plain mean).
type classWeights struct{ pos, neg []float64 }

// pairWeights returns the class weights of d: with balance, 1/(2·share)
// for each class of each pair, so that a constant answer costs a loss of
// ½ per pair whatever the class shares; without, none.
func pairWeights(d Data, balance bool) classWeights {
	if !balance || len(d.Y) == 0 {
		return classWeights{}
	}
	P := len(d.Y[0])
	w := classWeights{pos: make([]float64, P), neg: make([]float64, P)}
	for p := 0; p < P; p++ {
		n := 0
		for _, y := range d.Y {
			if y[p] {
				n++
			}
		}
		w.pos[p], w.neg[p] = 1, 1
		if n > 0 && n < len(d.Y) {
			share := float64(n) / float64(len(d.Y))
			w.pos[p], w.neg[p] = 1/(2*share), 1/(2*(1-share))
		}
	}
	return w
}

// of is the weight of pair p's loss for an example whose label is sync.
func (w classWeights) of(p int, sync bool) float64 {
	switch {
	case w.pos == nil:
		return 1
	case sync:
		return w.pos[p]
	default:
		return w.neg[p]
	}
}

// constancy tracks whether every example so far gave the same output bits.
type constancy struct {
	first  []bool
	differ bool
}

// see records output bit out of pair p of the next example (pairs in
// order, example by example).
func (c *constancy) see(p int, out bool) {
	if c.differ {
		return
	}
	if p >= len(c.first) {
		c.first = append(c.first, out)
		return
	}
	// Pairs of the first example fill c.first; later examples compare.
	c.differ = c.first[p] != out
}

func (c *constancy) constant() bool { return !c.differ }

// DefaultFDStep is the finite-difference gradient's step: 2 MHz of natural
// frequency (a tenth of the Adler locking width 2k), wide enough to see
// examples cross the lock edge, narrow against the 180 MHz range
// (docs/sync.md, "Gradient noise").
const DefaultFDStep = 2e6

// fdLossGrad returns E_tot, the accuracy and a finite-difference gradient:
// for every example and every oscillator a whose natural frequency the
// parameters set, dE/dF_a ≈ (E(F + h·e_a) − E(F − h·e_a))/(2h), then the
// chain rule to the parameters as for the other methods (a clipped F_a
// passes nothing). All 2·A+1 copies of the data set (A such oscillators)
// run as one batch, each copy of an example from the same initial phases
// and noise stream (common random numbers), so a difference sees only the
// frequency change. The cost is 2A+1 forward passes whatever the number of
// parameters (13 for N = 6).
func fdLossGrad(ctx context.Context, net *Net, m *Model, d Data, rng *rand.Rand, opt Options, noise bool, noiseSeed int64) (Step, []float64, error) {
	h := opt.FDStep
	if h <= 0 {
		h = DefaultFDStep
	}
	var osc []int
	for a := 0; a < m.N; a++ {
		if m.Arch == Extended || m.trainable(a) {
			osc = append(osc, a)
		}
	}
	M, R := len(d.X), max(1, opt.Draws)
	th := RandomPhases(rng, M*R, m.N)
	base := make([][]float64, M)
	clip := make([][]bool, M)
	for k, x := range d.X {
		base[k], clip[k] = m.Frequencies(x)
	}
	copies := 1 + 2*len(osc)
	n := copies * M * R
	F := make([][]float64, 0, n)
	phases := make([][]float64, 0, n)
	idx := make([]int, 0, n)
	for c := 0; c < copies; c++ {
		for e := 0; e < M*R; e++ {
			f := base[e%M]
			if c > 0 {
				f = append([]float64(nil), f...)
				if c%2 == 1 {
					f[osc[(c-1)/2]] += h
				} else {
					f[osc[(c-1)/2]] -= h
				}
			}
			F = append(F, f)
			phases = append(phases, th[e])
			idx = append(idx, e)
		}
	}
	res, err := net.Simulate(ctx, F, phases, SimOptions{Noise: noise, NoiseSeed: noiseSeed, Index: idx, Workers: opt.Workers})
	if err != nil {
		return Step{}, nil, err
	}
	wt := pairWeights(d, opt.Balance)
	var cst constancy
	lossOf := func(c, e int) (float64, bool) {
		fb, y := res.FBar[c*M*R+e], d.Y[e%M]
		E, ok := 0.0, true
		for p, pr := range m.Pairs {
			D := Desync(fb[pr.I], fb[pr.J], net.Phys.K)
			x, _ := PairLoss(D, y[p])
			E += wt.of(p, y[p]) * x
			ok = ok && (D <= 1) == y[p]
			if c == 0 {
				cst.see(p, D <= 1)
			}
		}
		return E, ok
	}
	g := make([]float64, len(m.Params))
	dF := make([]float64, m.N)
	var loss float64
	correct := 0
	for e := 0; e < M*R; e++ {
		E, ok := lossOf(0, e)
		loss += E
		if ok {
			correct++
		}
		for a := range dF {
			dF[a] = 0
		}
		for i, a := range osc {
			ep, _ := lossOf(1+2*i, e)
			em, _ := lossOf(2+2*i, e)
			dF[a] = (ep - em) / (2 * h)
		}
		m.paramGrad(g, d.X[e%M], dF, clip[e%M])
	}
	for i := range g {
		g[i] /= float64(M * R)
	}
	return Step{Loss: loss / float64(M*R), Accuracy: float64(correct) / float64(M*R), Constant: cst.constant()}, g, nil
}

// EvalOptions set an evaluation.
type EvalOptions struct {
	// Noise runs with the network's phase noise; NoiseSeed picks the
	// realisation (a trial).
	Noise     bool
	NoiseSeed int64
	// Seed draws the initial phases.
	Seed    uint64
	Workers int
	// DACBits, when > 0, quantises every natural frequency onto 2^DACBits
	// levels spanning [DACLo, DACHi] (a tuning DAC; both 0: the model's
	// [FMin, FMax]).
	DACBits      int
	DACLo, DACHi float64
	// Counter reads f̄ with frequency counters (SimOptions.Counter).
	Counter bool
	// Model is the chip's fidelity (SimOptions.Model).
	Model netlist.Model
}

// Quantize rounds f onto 2^bits levels spanning [lo, hi] (bits ≤ 0: f).
func Quantize(f, lo, hi float64, bits int) float64 {
	if bits <= 0 {
		return f
	}
	n := float64(int(1)<<bits - 1)
	q := math.Round((f - lo) / (hi - lo) * n)
	return lo + math.Max(0, math.Min(n, q))*(hi-lo)/n
}

// Predict returns, per example, whether each output pair synchronised
// (D ≤ 1) and the D values.
func Predict(ctx context.Context, net *Net, m *Model, X [][]float64, opt EvalOptions) ([][]bool, [][]float64, error) {
	pred, Ds, _, err := predict(ctx, net, m, X, opt)
	return pred, Ds, err
}

// PredictLedger is Predict that also returns the chip's ledger of the run.
func PredictLedger(ctx context.Context, net *Net, m *Model, X [][]float64, opt EvalOptions) ([][]bool, *chip.Ledger, error) {
	pred, _, L, err := predict(ctx, net, m, X, opt)
	return pred, L, err
}

func predict(ctx context.Context, net *Net, m *Model, X [][]float64, opt EvalOptions) ([][]bool, [][]float64, *chip.Ledger, error) {
	F := make([][]float64, len(X))
	for k, x := range X {
		if len(x) != m.Dim {
			return nil, nil, nil, fmt.Errorf("freqsync: input %d has %d values, want %d", k, len(x), m.Dim)
		}
		F[k], _ = m.Frequencies(x)
		for i := range F[k] {
			lo, hi := m.FMin, m.FMax
			if opt.DACHi > opt.DACLo {
				lo, hi = opt.DACLo, opt.DACHi
			}
			F[k][i] = Quantize(F[k][i], lo, hi, opt.DACBits)
		}
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0xe7a1))
	th := RandomPhases(rng, len(X), m.N)
	res, err := net.Simulate(ctx, F, th, SimOptions{Noise: opt.Noise, NoiseSeed: opt.NoiseSeed, Workers: opt.Workers, Counter: opt.Counter, Model: opt.Model})
	if err != nil {
		return nil, nil, nil, err
	}
	out := make([][]bool, len(X))
	Ds := make([][]float64, len(X))
	for k := range X {
		for _, p := range m.Pairs {
			D := Desync(res.FBar[k][p.I], res.FBar[k][p.J], net.Phys.K)
			out[k] = append(out[k], D <= 1)
			Ds[k] = append(Ds[k], D)
		}
	}
	return out, Ds, res.Ledger, nil
}

// Accuracy returns the share of examples (0..1) whose every output bit is
// right.
func Accuracy(ctx context.Context, net *Net, m *Model, d Data, opt EvalOptions) (float64, error) {
	if err := checkData(m, d); err != nil {
		return 0, err
	}
	pred, _, err := Predict(ctx, net, m, d.X, opt)
	if err != nil {
		return 0, err
	}
	return Score(pred, d.Y), nil
}

// Score returns the share of examples (0..1) whose every predicted output
// bit equals the label.
func Score(pred, y [][]bool) float64 {
	c := 0
	for k := range pred {
		ok := true
		for p := range pred[k] {
			ok = ok && pred[k][p] == y[k][p]
		}
		if ok {
			c++
		}
	}
	return float64(c) / float64(len(pred))
}

// Push is how the online rule sizes a push (a pair that synchronises but
// should not): docs/sync.md, "The online rule" (tenth session).
type Push string

// The pushes: each oscillator of the pair moves away from the other by
// Alpha·PushWeight (decayed as the pull is) times the difference named.
const (
	// PushThreshold: k/2, the observed frequency difference at the
	// decision threshold D = 1 (the rule of the first sessions).
	PushThreshold Push = "threshold"
	// PushObserved: |f̄_i − f̄_j|, the observed difference, as the pull;
	// zero for a locked pair, so it hardly pushes (measured: the pair
	// ends synchronised on nearly the whole grid on three of five seeds).
	PushObserved Push = "observed"
	// PushNatural: |F_i − F_j|, the pair's natural-frequency difference.
	PushNatural Push = "natural"
)

// pushes lists the Push words (UnmarshalText and TrainOnline's check).
func pushes() []Push { return []Push{PushThreshold, PushObserved, PushNatural} }

// UnmarshalText accepts "threshold", "observed" or "natural".
func (p *Push) UnmarshalText(b []byte) error {
	return vocab.Set(p, b, "online push", pushes()...)
}

// OnlinePushWeight is PaperSpec's push weight: with Alpha = 0.1 and
// PushThreshold a push moves each oscillator of the pair by 0.1·20·k/2 = k,
// so one push (the pair's separation + 2k) unlocks any isolated locked pair
// (Adler: locked iff |F_i − F_j| ≤ 2k), the greedy step of a rule that
// treats pairs as isolated; the per-pass decay 1/(1 + p) then makes the
// steps, and the frequencies, settle (docs/sync.md, "The online rule",
// tenth session).
const OnlinePushWeight = 20

// OnlineDecay is PaperSpec's per-pass decay of the online rule's steps:
// pass p uses Alpha/(1 + p).
const OnlineDecay = 1

// OnlineOptions set the reference classifier's online rule.
type OnlineOptions struct {
	Iterations int
	// Alpha weighs the pull (a fraction of the observed frequency
	// difference); Alpha·PushWeight weighs the push (Push says of what;
	// "" = PushThreshold); PushWeight 0 means 1. docs/sync.md.
	Alpha      float64
	Push       Push
	PushWeight float64
	// Decay shrinks the step pass by pass: pass p (from 0) uses
	// Alpha/(1 + Decay·p) (0 = a constant step).
	Decay    float64
	Seed     uint64
	Progress *progress.Meter
}

// TrainOnline runs the Vassilieva-style online rule (Sec. III; docs/sync.md,
// "The online rule" (tenth session)): each example in turn runs on the
// network; for every output pair of tuning oscillators that should
// synchronise but does not, the natural frequencies are pulled together by
// a·(f̄_j − f̄_i) each; for one that synchronises but should not, they are
// pushed apart by a·PushWeight times the Push difference each; a =
// Alpha/(1 + Decay·p) in pass p. The rule moves the two frequencies by
// opposite amounts, so their sum never changes (save at the range's edges,
// where they are projected back). An iteration presents every example
// once, in a fresh random order.
func TrainOnline(ctx context.Context, net *Net, m *Model, d Data, opt OnlineOptions) ([]Step, error) {
	if m.Arch != Reference {
		return nil, fmt.Errorf("freqsync: the online rule trains the reference architecture only")
	}
	if err := checkData(m, d); err != nil {
		return nil, err
	}
	if opt.Push == "" {
		opt.Push = PushThreshold
	}
	if err := vocab.Check(opt.Push, "online push", pushes()...); err != nil {
		return nil, fmt.Errorf("freqsync: %w", err)
	}
	if !(opt.PushWeight >= 0) || math.IsInf(opt.PushWeight, 0) || !(opt.Decay >= 0) || math.IsInf(opt.Decay, 0) {
		return nil, fmt.Errorf("freqsync: online push weight %g and decay %g must be finite and non-negative", opt.PushWeight, opt.Decay)
	}
	wPush := opt.PushWeight
	if wPush == 0 {
		wPush = 1
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x0411))
	k := net.Phys.K
	var hist []Step
	for it := 0; it < opt.Iterations; it++ {
		a := opt.Alpha / (1 + opt.Decay*float64(it))
		correct := 0
		for _, e := range rng.Perm(len(d.X)) {
			F, _ := m.Frequencies(d.X[e])
			res, err := net.Simulate(ctx, [][]float64{F}, RandomPhases(rng, 1, m.N), SimOptions{Workers: 1})
			if err != nil {
				return nil, err
			}
			fb := res.FBar[0]
			ok := true
			for p, pr := range m.Pairs {
				if !m.trainable(pr.I) || !m.trainable(pr.J) {
					continue
				}
				D := Desync(fb[pr.I], fb[pr.J], k)
				want := d.Y[e][p]
				switch {
				case want && D > 1:
					ok = false
					dI := a * (fb[pr.J] - fb[pr.I]) / m.Unit
					m.Params[pr.I] += dI
					m.Params[pr.J] -= dI
				case !want && D <= 1:
					ok = false
					s := 1.0
					if m.Params[pr.J] < m.Params[pr.I] {
						s = -1
					}
					var diff float64
					switch opt.Push {
					case PushThreshold:
						diff = k / 2
					case PushObserved:
						diff = math.Abs(fb[pr.J] - fb[pr.I])
					case PushNatural:
						diff = math.Abs(F[pr.J] - F[pr.I])
					}
					step := a * wPush * diff / m.Unit
					m.Params[pr.I] -= s * step
					m.Params[pr.J] += s * step
				}
			}
			m.project()
			if ok {
				correct++
			}
		}
		hist = append(hist, Step{Accuracy: float64(correct) / float64(len(d.X))})
		opt.Progress.Add(1)
	}
	return hist, nil
}
