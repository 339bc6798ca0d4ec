package hrecm

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"oscsim/internal/vocab"
)

// Init is how Algorithm 1 starts J (its Step 1). Init, Select and Rule
// are vocabularies written like every other (internal/vocab; the same
// shape on purpose).
type Init string

const (
	// InitHebbian starts from the Hebbian couplings (1/N) Σ_p p pᵀ ([A]).
	InitHebbian Init = "hebbian"
	// InitGaussian starts from N(0, 0.01) couplings ([A] alternative).
	InitGaussian Init = "gaussian"
)

// UnmarshalText accepts "hebbian" or "gaussian".
func (i *Init) UnmarshalText(b []byte) error {
	return vocab.Set(i, b, "init", InitHebbian, InitGaussian)
}

// Select is which iterate Train returns (docs/hrecm.md, "Convergence").
type Select string

const (
	// SelectLast returns J after T_iter iterations (Algorithm 1 as
	// published).
	SelectLast Select = "last"
	// SelectExact checks J_0 and every CheckEvery-th iterate by the exact
	// count of spurious states (CountGap, N ≤ MaxCount) and returns the
	// one with the fewest, the latest on ties; with Patience it stops
	// after that many checks without a better count.
	SelectExact Select = "exact"
)

// UnmarshalText accepts "last" or "exact".
func (s *Select) UnmarshalText(b []byte) error {
	return vocab.Set(s, b, "select", SelectLast, SelectExact)
}

// Config holds Algorithm 1's settings; the zero values of Samples, Sweeps,
// Iters, Eta and T take the defaults of DefaultConfig.
type Config struct {
	// Gamma weighs the regulariser R(J) (eq 8); 0 turns it off.
	Gamma float64
	// Eta is the ascent step.
	Eta float64
	// Samples is m, the Gibbs samples per iteration.
	Samples int
	// Sweeps per Gibbs chain and the sampling temperature T.
	Sweeps int
	T      float64
	// Iters is T_iter, the fixed number of iterations (Step 4).
	Iters int
	// Init picks J_0.
	Init Init
	// KeepDesired keeps Gibbs samples equal to ±p (p ∈ D) in the
	// eigenvalue term; by default ([A]) they are removed from it.
	KeepDesired bool
	// Seed drives the Gibbs samples (and a Gaussian J_0).
	Seed uint64
	// Select picks the returned iterate ("" = SelectLast); CheckEvery
	// (default 25) and Patience (0 = never stop early) steer SelectExact.
	Select     Select
	CheckEvery int
	Patience   int
}

// DefaultConfig returns the [A] defaults of docs/hrecm.md: γ = 0.1,
// η = 0.01, m = 100, 10 sweeps at T = 1, T_iter = 1000, Hebbian J_0.
func DefaultConfig() Config {
	return Config{Gamma: 0.1, Eta: 0.01, Samples: 100, Sweeps: 10, T: 1, Iters: 1000, Init: InitHebbian}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	c.Eta = cmp.Or(c.Eta, d.Eta)
	c.Samples = cmp.Or(c.Samples, d.Samples)
	c.Sweeps = cmp.Or(c.Sweeps, d.Sweeps)
	c.T = cmp.Or(c.T, d.T)
	c.Iters = cmp.Or(c.Iters, d.Iters)
	c.Init = cmp.Or(c.Init, d.Init)
	c.Select = cmp.Or(c.Select, SelectLast)
	c.CheckEvery = cmp.Or(c.CheckEvery, 25)
	return c
}

// Validate reports settings Algorithm 1 cannot run with.
func (c Config) Validate() error {
	switch {
	case c.Gamma < 0 || math.IsNaN(c.Gamma):
		return fmt.Errorf("hrecm: gamma must be ≥ 0 (got %v)", c.Gamma)
	case c.Eta < 0 || math.IsNaN(c.Eta):
		return fmt.Errorf("hrecm: eta must be > 0 (got %v)", c.Eta)
	case c.Samples < 0 || c.Sweeps < 0 || c.Iters < 0:
		return fmt.Errorf("hrecm: samples, sweeps and iterations must be ≥ 0 (got %d, %d, %d)", c.Samples, c.Sweeps, c.Iters)
	case c.T < 0:
		return fmt.Errorf("hrecm: temperature must be > 0 (got %v)", c.T)
	case c.CheckEvery < 0 || c.Patience < 0:
		return fmt.Errorf("hrecm: check interval and patience must be ≥ 0 (got %d, %d)", c.CheckEvery, c.Patience)
	case c.Select != "" && c.Select != SelectLast && c.Select != SelectExact:
		return fmt.Errorf("hrecm: unknown select %q", c.Select)
	}
	return nil
}

// Hebbian returns J = (1/N) Σ_p p pᵀ with zero diagonal.
func Hebbian(n int, patterns [][]int8) *Net {
	net := NewNet(n)
	for _, p := range patterns {
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				net.J[i*n+j] += float64(p[i]*p[j]) / float64(n)
			}
		}
	}
	symmetrize(net)
	return net
}

// symmetrize copies the upper triangle onto the lower.
func symmetrize(net *Net) {
	n := net.N
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			net.J[j*n+i] = net.J[i*n+j]
		}
	}
}

func checkPatterns(patterns [][]int8) (int, error) {
	if len(patterns) == 0 {
		return 0, fmt.Errorf("hrecm: no desired patterns")
	}
	n := len(patterns[0])
	if n < 2 || n > MaxSpins {
		return 0, fmt.Errorf("hrecm: patterns of %d spins, want 2…%d", n, MaxSpins)
	}
	for k, p := range patterns {
		if len(p) != n {
			return 0, fmt.Errorf("hrecm: pattern %d has %d spins, pattern 0 has %d", k, len(p), n)
		}
		for i, v := range p {
			if v != 1 && v != -1 {
				return 0, fmt.Errorf("hrecm: pattern %d spin %d is %d, want ±1", k, i, v)
			}
		}
	}
	return n, nil
}

// Snapshot is called by Train after each iteration it (1…Iters) and once
// before the first with it = 0; returning an error stops training.
type Snapshot func(it int, net *Net) error

// Train runs Algorithm 1 (docs/hrecm.md): from J_0, repeat T_iter times:
// draw m Gibbs samples M under H (eq 5), take the top eigenvector of A(σ)
// for every σ in D and M, and ascend the sampled gradient (12),
//
//	ΔJ_ij = η ( E_M[−σ_iσ_j (v_i−v_j)²] − E_D[−σ_iσ_j (v_i−v_j)²]
//	          + γ (E_D[σ_iσ_j] − E_M[σ_iσ_j]) ).
//
// It is deterministic for a given Config.Seed.
func Train(ctx context.Context, patterns [][]int8, cfg Config, snap Snapshot) (*Net, error) {
	n, err := checkPatterns(patterns)
	if err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rng := NewRand(cfg.Seed, 1)
	var net *Net
	switch cfg.Init {
	case InitHebbian:
		net = Hebbian(n, patterns)
	case InitGaussian:
		net = NewNet(n)
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				net.Set(i, j, 0.1*rng.NormFloat64())
			}
		}
	default:
		return nil, fmt.Errorf("hrecm: unknown init %q", cfg.Init)
	}
	if snap != nil {
		if err := snap(0, net); err != nil {
			return net, err
		}
	}
	desired := Distinct(patterns)
	tr := &trainer{net: net, ws: NewWorkspace(net), v: make([]float64, n), grad: make([]float64, n*n)}
	gb := Gibbs{Net: net, T: cfg.T, Sweeps: cfg.Sweeps}
	sel, err := newSelector(ctx, net, patterns, cfg)
	if err != nil {
		return nil, err
	}
	for it := 1; it <= cfg.Iters; it++ {
		if err := ctx.Err(); err != nil {
			return net, err
		}
		samples := gb.Sample(rng, cfg.Samples)
		tr.step(patterns, samples, desired, cfg)
		if snap != nil {
			if err := snap(it, net); err != nil {
				return net, err
			}
		}
		if sel != nil && (it%cfg.CheckEvery == 0 || it == cfg.Iters) {
			stop, err := sel.check(ctx, it)
			if err != nil {
				return net, err
			}
			if stop {
				break
			}
		}
	}
	if sel != nil {
		copy(net.J, sel.bestJ)
	}
	return net, nil
}

// selector keeps the best checked iterate for SelectExact.
type selector struct {
	net      *Net
	patterns [][]int8
	patience int
	best     uint64
	bestIt   int
	bestJ    []float64
	since    int // checks since the last improvement
}

// newSelector returns nil for SelectLast, else a selector that has
// checked J_0.
func newSelector(ctx context.Context, net *Net, patterns [][]int8, cfg Config) (*selector, error) {
	if cfg.Select != SelectExact {
		return nil, nil
	}
	if net.N > MaxCount {
		return nil, fmt.Errorf("hrecm: select %q counts all states, N ≤ %d (got %d)", cfg.Select, MaxCount, net.N)
	}
	sel := &selector{net: net, patterns: patterns, patience: cfg.Patience, best: math.MaxUint64}
	_, err := sel.check(ctx, 0)
	return sel, err
}

// check counts the spurious states of the current J and keeps it if it
// has no more than the best so far; it reports whether patience ran out.
func (s *selector) check(ctx context.Context, it int) (bool, error) {
	g, err := CountGap(ctx, s.net, s.patterns, Options{Workers: 1})
	if err != nil {
		return false, err
	}
	if g.Spurious < s.best {
		s.since = 0
	} else {
		s.since++
	}
	if g.Spurious <= s.best {
		s.best, s.bestIt = g.Spurious, it
		s.bestJ = append(s.bestJ[:0], s.net.J...)
	}
	return s.patience > 0 && s.since >= s.patience, nil
}

type trainer struct {
	net  *Net
	ws   *Workspace
	v    []float64
	grad []float64 // upper triangle used
}

// addEigen adds w·(−σ_iσ_j (v_i−v_j)²) for the top eigenvector v of A(σ),
// the gradient (9) of λ(σ), to the upper triangle of g.
func (tr *trainer) addEigen(s []int8, w float64) {
	n := tr.net.N
	tr.ws.LambdaVec(s, tr.v)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			d := tr.v[i] - tr.v[j]
			tr.grad[i*n+j] -= w * float64(s[i]*s[j]) * d * d
		}
	}
}

// addCorr adds w·σ_iσ_j to the upper triangle of g.
func (tr *trainer) addCorr(s []int8, w float64) {
	n := tr.net.N
	for i := 0; i < n; i++ {
		wi := w * float64(s[i])
		for j := i + 1; j < n; j++ {
			tr.grad[i*n+j] += wi * float64(s[j])
		}
	}
}

// step computes gradient (12) and ascends it.
func (tr *trainer) step(patterns, samples [][]int8, desired []uint64, cfg Config) {
	n := tr.net.N
	clear(tr.grad)
	var kept [][]int8
	for _, s := range samples {
		if cfg.KeepDesired || !slices.Contains(desired, Index(s)) {
			kept = append(kept, s)
		}
	}
	for _, s := range kept {
		tr.addEigen(s, 1/float64(len(kept)))
	}
	for _, p := range patterns {
		tr.addEigen(p, -1/float64(len(patterns)))
	}
	if cfg.Gamma > 0 {
		for _, p := range patterns {
			tr.addCorr(p, cfg.Gamma/float64(len(patterns)))
		}
		for _, s := range samples {
			tr.addCorr(s, -cfg.Gamma/float64(len(samples)))
		}
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			v := tr.net.J[i*n+j] + cfg.Eta*tr.grad[i*n+j]
			tr.net.J[i*n+j], tr.net.J[j*n+i] = v, v
		}
	}
}

// Objective returns L(J) of eq (8) by exact enumeration (N ≤ MaxEnumerate):
// min_{S\D} λ − max_D λ + γ·R(J), R(J) = (1/|D|) Σ_D log P_H(σ) with
// P_H ∝ exp(−H) over all 2^N states.
func Objective(ctx context.Context, net *Net, patterns [][]int8, gamma float64) (float64, error) {
	sp, err := Enumerate(ctx, net, Options{Workers: 1})
	if err != nil {
		return 0, err
	}
	g := ExactGap(sp, patterns)
	l := g.MinSpurious - g.MaxDesired
	if gamma != 0 {
		l += gamma * logLikelihood(net, sp, patterns)
	}
	return l, nil
}

// logLikelihood is R(J) = mean_D(−H) − log Z, Z over all 2^N states.
func logLikelihood(net *Net, sp *Spectrum, patterns [][]int8) float64 {
	m := math.Inf(1)
	for _, h := range sp.H {
		m = math.Min(m, h)
	}
	z := 0.0
	for _, h := range sp.H {
		z += 2 * math.Exp(-(h - m))
	}
	logZ := math.Log(z) - m
	r := 0.0
	for _, p := range patterns {
		r -= net.Hamiltonian(p)
	}
	return r/float64(len(patterns)) - logZ
}

// ExactGradient returns the Clarke gradient (11) of L at J (upper
// triangle of an N×N row-major slice, the lower mirrored): the
// eigenvalue gradients at the maximiser σ+ ∈ D and the minimiser
// σ− ∈ S\D (the first in index order when tied), plus γ·(E_D[σσᵀ] −
// E_{P_H}[σσᵀ]). Exact enumeration, N ≤ MaxEnumerate.
func ExactGradient(ctx context.Context, net *Net, patterns [][]int8, gamma float64) ([]float64, error) {
	n := net.N
	sp, err := Enumerate(ctx, net, Options{Workers: 1})
	if err != nil {
		return nil, err
	}
	d := Distinct(patterns)
	plus, minus := -1, -1
	for _, k := range d {
		if plus < 0 || sp.Lambda[k] > sp.Lambda[plus] {
			plus = int(k)
		}
	}
	for k, l := range sp.Lambda {
		if !slices.Contains(d, uint64(k)) && (minus < 0 || l < sp.Lambda[minus]) {
			minus = k
		}
	}
	tr := &trainer{net: net, ws: NewWorkspace(net), v: make([]float64, n), grad: make([]float64, n*n)}
	s := make([]int8, n)
	tr.addEigen(State(uint64(minus), s), 1)
	tr.addEigen(State(uint64(plus), s), -1)
	if gamma != 0 {
		for _, p := range patterns {
			tr.addCorr(p, gamma/float64(len(patterns)))
		}
		m := math.Inf(1)
		for _, h := range sp.H {
			m = math.Min(m, h)
		}
		z := 0.0
		for _, h := range sp.H {
			z += math.Exp(-(h - m))
		}
		for k, h := range sp.H {
			tr.addCorr(State(uint64(k), s), -gamma*math.Exp(-(h-m))/z)
		}
	}
	g := tr.grad
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			g[j*n+i] = g[i*n+j]
		}
	}
	return g, nil
}
