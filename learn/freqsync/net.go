package freqsync

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"oscsim/chip"
	"oscsim/internal/vocab"
	"oscsim/netlist"
	"oscsim/phasedet"
)

// Physics holds the oscillator network's settings (docs/sync.md, "Model").
type Physics struct {
	// K is the uniform coupling k (Hz): f_i = F_i + k·Σ_j sin(θ_j − θ_i).
	K float64
	// FMin and FMax bound the natural frequencies (Hz): F is clipped into
	// [FMin, FMax], the tuning range.
	FMin, FMax float64
	// Dt is the Euler step, T the simulated time and Tau the window of the
	// mean frequency at the end of the run (seconds).
	Dt, T, Tau float64
	// Linewidth is each ring's free-running linewidth Δ (Hz): phase noise
	// √(2π·dt·Δ)·N(0,1) a step (eq. 8). 0 = noise-free.
	Linewidth float64
	// FreqSigma is the relative 1σ natural-frequency mismatch of the rings
	// and CouplerSigma that of the couplings' conductance (0 = none).
	FreqSigma, CouplerSigma float64
}

// PaperPhysics returns the paper's settings: k = 10 MHz, F in [500, 680]
// MHz, explicit Euler with dt = 10 ps over T = 1 µs, f̄ over the last
// τ = 0.5 µs, no noise (Vodenicarevic et al. 2018, Sec. III).
func PaperPhysics() Physics {
	return Physics{K: 10e6, FMin: 500e6, FMax: 680e6, Dt: 10e-12, T: 1e-6, Tau: 0.5e-6}
}

// FastPhysics is PaperPhysics with a step of 200 ps: twenty times fewer
// steps. At the widest detuning of the range (180 MHz) a step advances a
// phase difference by 0.23 rad, and the coupling moves a phase by at most
// 2π·k·dt = 0.013 rad a step; docs/sync.md ("Step size") gives the
// measured effect on accuracy.
func FastPhysics() Physics {
	p := PaperPhysics()
	p.Dt = 200e-12
	return p
}

// Validate reports every setting that cannot run.
func (p Physics) Validate() error {
	var errs []error
	pos := func(name string, v float64) {
		if !(v > 0) || math.IsInf(v, 0) {
			errs = append(errs, fmt.Errorf("freqsync: %s must be positive and finite (got %g)", name, v))
		}
	}
	pos("k", p.K)
	pos("fmin", p.FMin)
	pos("dt", p.Dt)
	pos("T", p.T)
	pos("tau", p.Tau)
	if !(p.FMax > p.FMin) || math.IsInf(p.FMax, 0) {
		errs = append(errs, fmt.Errorf("freqsync: fmax %g must exceed fmin %g", p.FMax, p.FMin))
	}
	if p.Tau > p.T {
		errs = append(errs, fmt.Errorf("freqsync: tau %g longer than T %g", p.Tau, p.T))
	}
	for _, v := range []struct {
		n string
		x float64
	}{{"linewidth", p.Linewidth}, {"freq_sigma", p.FreqSigma}, {"coupler_sigma", p.CouplerSigma}} {
		if !(v.x >= 0) || math.IsInf(v.x, 0) {
			errs = append(errs, fmt.Errorf("freqsync: %s must be ≥ 0 (got %g)", v.n, v.x))
		}
	}
	return errors.Join(errs...)
}

// Center is the reference frequency of the chip: the middle of the tuning
// range (Hz).
func (p Physics) Center() float64 { return (p.FMin + p.FMax) / 2 }

// Steps returns the number of Euler steps and the steps of the f̄ window.
func (p Physics) Steps() (steps, win int) {
	steps = max(1, int(math.Round(p.T/p.Dt)))
	win = min(steps, max(1, int(math.Round(p.Tau/p.Dt))))
	return steps, win
}

// Description returns the chip description (TOML) of an N-oscillator
// network with these physics: N rings at the centre frequency, every pair
// coupled through one in-phase TG of rate k, no pump, the phase model with
// explicit Euler at Dt. seed sets the chip's mismatch and noise streams.
func (p Physics) Description(n int, seed int64) string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	fc := p.Center()
	var b strings.Builder
	fmt.Fprintf(&b, "[chip]\nname = \"freqsync-%d\"\ntech = \"45nm\"\n\n", n)
	fmt.Fprintf(&b, "[oscillators]\ncount = %d\nfrequency = \"%sHz\"\ninit = \"zero\"\n", n, f(fc))
	fmt.Fprintf(&b, "freq_sigma = \"%s\"\nlinewidth = \"%sHz\"\n\n", f(p.FreqSigma), f(p.Linewidth))
	// One code step is the whole coupling: unit_k = k/f_ref (a fraction of
	// ω_ref), weight 1 on every pair.
	fmt.Fprintf(&b, "[couplings]\nbits = 1\nunit_k = \"%s\"\nsigma = \"%s\"\n\n", f(p.K/fc), f(p.CouplerSigma))
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			fmt.Fprintf(&b, "[[coupling]]\nfrom = %d\nto = %d\nweight = 1.0\n", i, j)
		}
	}
	fmt.Fprintf(&b, "\n[run]\nduration = \"%ss\"\nsteps_per_cycle = %s\nmodel = \"phase\"\nintegrator = \"euler\"\nseed = %d\n",
		f(p.T), f(1/(fc*p.Dt)), seed)
	return b.String()
}

// Net is one compiled oscillator network: the chip the forward pass runs
// on, and the coupling rates the gradient needs.
type Net struct {
	N    int
	Phys Physics
	Chip *chip.Chip
	// kmat[i·N+j] is the rate (Hz) with which ring j pulls ring i, read
	// back from the compiled chip (mismatch and float32 storage included).
	kmat []float64
}

// NewNet compiles an N-oscillator network; instance picks the chip
// instance (its mismatch) drawn from seed.
func NewNet(n int, p Physics, seed int64, instance int) (*Net, error) {
	if n < 2 {
		return nil, fmt.Errorf("freqsync: a network needs at least 2 oscillators (got %d)", n)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	nl, err := netlist.Parse("", []byte(p.Description(n, seed)), nil)
	if err != nil {
		return nil, fmt.Errorf("freqsync: chip description: %w", err)
	}
	ch, err := chip.Compile(nl, chip.Options{Instance: instance})
	if err != nil {
		return nil, err
	}
	return NetOnChip(ch, p)
}

// NetOnChip wraps an already compiled chip (e.g. from configs/sync-iris.toml)
// whose phase model is the network: its couplings' rates become k_ij.
//
// p's frequencies must be centred on the chip's reference frequency.
func NetOnChip(ch *chip.Chip, p Physics) (*Net, error) {
	n := ch.N()
	if f0 := ch.Netlist().Oscillators.Frequency; math.Abs(p.Center()-f0) > 1e-9*f0 {
		return nil, fmt.Errorf("freqsync: tuning range [%g, %g] Hz is not centred on the chip's frequency %g Hz", p.FMin, p.FMax, f0)
	}
	net := &Net{N: n, Phys: p, Chip: ch, kmat: make([]float64, n*n)}
	ring := ch.Ring()
	c := ch.Netlist().Tech.NodeCap
	for _, cp := range ch.Couplers() {
		if cp.Inverted {
			return nil, fmt.Errorf("freqsync: coupling %d–%d uses the inverter path; the classifier needs in-phase couplings", cp.From, cp.To)
		}
		// The engine's rate: (h1/C)·G with G as the chip stores it.
		net.kmat[cp.To*n+cp.From] += ring.CouplingGain() / c * cp.G / (2 * math.Pi)
	}
	return net, nil
}

// Grad selects how Simulate differentiates f̄ with respect to F.
type Grad int

// Gradient methods.
const (
	// NoGrad runs the forward pass only.
	NoGrad Grad = iota
	// Forward propagates the sensitivities dθ/dF along the run (eq. 7).
	Forward
	// Reverse runs the adjoint of the Euler steps backwards over the
	// recorded trajectory.
	Reverse
	// FiniteDiff is a trainer's method, not Simulate's: central
	// differences of E_tot in every parameter, all runs from the same
	// initial phases (docs/sync.md, "Gradient noise"). Simulate treats
	// it as NoGrad.
	FiniteDiff
)

var gradNames = []string{"none", "forward", "reverse", "fd"}

func (g Grad) String() string { return vocab.Name(g, "Grad", gradNames...) }

// UnmarshalText accepts "none", "forward", "reverse" or "fd".
func (g *Grad) UnmarshalText(b []byte) error {
	return vocab.Index(g, b, "gradient method", gradNames...)
}

// SimOptions set one Simulate call.
type SimOptions struct {
	Grad Grad
	// Rows are the oscillators whose Jacobian rows df̄_r/dF are wanted
	// (nil = all N).
	Rows []int
	// Noise switches on the chip's phase noise (Physics.Linewidth);
	// NoiseSeed picks the realisation and Index gives each input its
	// global index (its noise stream; nil = 0..B−1).
	Noise     bool
	NoiseSeed int64
	Index     []int
	// Workers runs chunks of the batch concurrently (0 = GOMAXPROCS).
	Workers int
	// MemBudget bounds the reverse mode's trajectory buffer per worker
	// (bytes; 0 = 256 MiB): larger batches run in chunks.
	MemBudget int64
	// Model is the chip's fidelity: netlist.ModelPhase (default, also
	// "") or netlist.ModelCycle (evaluation only: no gradient).
	Model netlist.Model
	// Counter reads f̄ as a frequency counter does: whole rising edges
	// of each ring (θ = ω_ref·t + φ) counted over the window, divided by
	// the window (phasedet.Count); the resolution is 1/τ.
	Counter bool
}

// Result is what Simulate returns for a batch of B examples.
type Result struct {
	// FBar[b][i] is oscillator i's mean frequency over the last τ (Hz).
	FBar [][]float64
	// J[b][r·N+a] = df̄_{Rows[r]}/dF_a (nil without a gradient).
	J    [][]float64
	Rows []int
	// Ledger is the chip's area, power and energy account of the run of
	// the batch's first chunk (chip.Run): the ring array and couplers
	// only, not the tuning DACs or the MAC (docs/sync.md, "On the chip").
	Ledger *chip.Ledger
}

// Simulate runs the natural frequencies F[b] (Hz, N per example) from the
// initial phases theta0[b] (radians) on the network's chip and returns the
// mean frequencies and, if asked, the Jacobian rows.
func (net *Net) Simulate(ctx context.Context, F, theta0 [][]float64, opt SimOptions) (*Result, error) {
	B, N := len(F), net.N
	if opt.Grad == FiniteDiff {
		opt.Grad = NoGrad
	}
	if len(theta0) != B {
		return nil, fmt.Errorf("freqsync: %d initial phase vectors for %d examples", len(theta0), B)
	}
	for b := range F {
		if len(F[b]) != N || len(theta0[b]) != N {
			return nil, fmt.Errorf("freqsync: example %d has %d frequencies and %d phases, want %d", b, len(F[b]), len(theta0[b]), N)
		}
		for i, f := range F[b] {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("freqsync: example %d: natural frequency of oscillator %d is not finite", b, i)
			}
		}
	}
	rows := opt.Rows
	if rows == nil {
		rows = make([]int, N)
		for i := range rows {
			rows[i] = i
		}
	}
	for _, r := range rows {
		if r < 0 || r >= N {
			return nil, fmt.Errorf("freqsync: Jacobian row %d out of range for %d oscillators", r, N)
		}
	}
	res := &Result{FBar: make([][]float64, B), Rows: rows}
	if opt.Grad != NoGrad {
		res.J = make([][]float64, B)
	}
	if B == 0 {
		return res, nil
	}
	steps, _ := net.Phys.Steps()
	w := opt.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	per := (B + w - 1) / w
	if opt.Grad == Reverse {
		budget := opt.MemBudget
		if budget <= 0 {
			budget = 256 << 20
		}
		per = max(1, min(per, int(budget/(int64(steps)*int64(N)*8))))
	}
	type chunk struct{ lo, hi int }
	var chunks []chunk
	for lo := 0; lo < B; lo += per {
		chunks = append(chunks, chunk{lo, min(B, lo+per)})
	}
	errs := make([]error, len(chunks))
	next := make(chan int)
	var wg sync.WaitGroup
	for k := 0; k < min(w, len(chunks)); k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				errs[c] = net.simChunk(ctx, F, theta0, chunks[c].lo, chunks[c].hi, rows, opt, res)
			}
		}()
	}
	for c := range chunks {
		next <- c
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return res, nil
}

// simChunk runs examples lo..hi−1 as one batch of chip inputs.
func (net *Net) simChunk(ctx context.Context, F, theta0 [][]float64, lo, hi int, rows []int, opt SimOptions, res *Result) error {
	N, B := net.N, hi-lo
	// The chip's reference frequency and the engine's step: Physics' dt
	// in the phase model, the description's steps per cycle in the cycle
	// model (evaluation only).
	fc := net.Chip.Netlist().Oscillators.Frequency
	model, spc := netlist.ModelPhase, 1/(fc*net.Phys.Dt)
	if opt.Model == netlist.ModelCycle {
		if opt.Grad != NoGrad {
			return fmt.Errorf("freqsync: gradients need the phase model (got %q)", opt.Model)
		}
		model, spc = netlist.ModelCycle, net.Chip.Netlist().Run.StepsPerCycle
	} else if opt.Model != "" {
		if err := opt.Model.Check(); err != nil {
			return fmt.Errorf("freqsync: %w", err)
		}
	}
	steps := max(1, int(math.Round(net.Phys.T*fc*spc)))
	win := min(steps, max(1, int(math.Round(net.Phys.Tau*fc*spc))))
	inputs := make([]chip.Input, B)
	for b := range inputs {
		off := make([]float64, N)
		for i := range off {
			off[i] = F[lo+b][i] - fc
		}
		inputs[b] = chip.Input{Phases: theta0[lo+b], FreqOffset: off}
	}
	idx := make([]int, B)
	for b := range idx {
		idx[b] = lo + b
		if opt.Index != nil {
			idx[b] = opt.Index[lo+b]
		}
	}
	ro := chip.RunOptions{Model: model, Duration: net.Phys.T, StepsPerCycle: spc,
		Workers: 1, Indices: idx, NoNoise: !opt.Noise, NoiseSeed: opt.NoiseSeed, NoPower: true}
	start := steps - win
	startPhi := make([]float64, N*B)
	var fw *fwdSens
	var traj []float64
	switch opt.Grad {
	case Forward:
		fw = newFwdSens(net, B, rows, start, 1/(fc*spc)) // the engine's dt
	case Reverse:
		traj = make([]float64, steps*N*B)
	}
	var stepsSeen int
	ro.OnStep = func(n int, phi []float64) {
		stepsSeen = n
		if n == start {
			copy(startPhi, phi)
		}
		if n == steps {
			return
		}
		switch opt.Grad {
		case Forward:
			fw.step(n, phi)
		case Reverse:
			copy(traj[n*N*B:(n+1)*N*B], phi)
		}
	}
	out, err := net.Chip.Run(ctx, inputs, ro)
	if err != nil {
		return fmt.Errorf("freqsync: %w", err)
	}
	if lo == 0 {
		res.Ledger = out.Ledger
	}
	if stepsSeen != steps || out.Steps != steps {
		return fmt.Errorf("freqsync: the engine ran %d steps, the network expects %d (dt %g s)", out.Steps, steps, net.Phys.Dt)
	}
	tw := 2 * math.Pi * float64(win) * out.Dt
	w0, t1 := 2*math.Pi*fc, float64(steps)*out.Dt
	t0 := float64(start) * out.Dt
	for b := 0; b < B; b++ {
		fb := make([]float64, N)
		for i := 0; i < N; i++ {
			if opt.Counter {
				fb[i] = phasedet.Count(w0*t0+startPhi[i*B+b], w0*t1+out.Unwrapped[b][i]) / (t1 - t0)
			} else {
				fb[i] = fc + (out.Unwrapped[b][i]-startPhi[i*B+b])/tw
			}
		}
		res.FBar[lo+b] = fb
	}
	switch opt.Grad {
	case Forward:
		for b := 0; b < B; b++ {
			res.J[lo+b] = fw.jacobian(b)
		}
	case Reverse:
		for b, j := range net.adjoint(traj, B, steps, win, rows, out.Dt) {
			res.J[lo+b] = j
		}
	}
	return nil
}

// fwdSens carries the forward sensitivities S_ia = dθ_i/dF_a of a batch
// (eq. 7) and sums df_r/dF_a over the window.
type fwdSens struct {
	net       *Net
	B         int
	rows      []int
	start     int
	dt        float64
	S, acc    []float64 // S[b·N²+i·N+a]; acc[b·R·N+r·N+a]
	df, si, c []float64 // scratch: df (N²), sin θ, cos θ (N)
	win       int
}

func newFwdSens(net *Net, B int, rows []int, start int, dt float64) *fwdSens {
	N := net.N
	_, win := net.Phys.Steps()
	return &fwdSens{net: net, B: B, rows: rows, start: start, dt: dt, win: win,
		S: make([]float64, B*N*N), acc: make([]float64, B*len(rows)*N),
		df: make([]float64, N*N), si: make([]float64, N), c: make([]float64, N)}
}

// step advances the sensitivities from step n (phases phi at t = n·dt) to
// n+1: df_i/dF_a = δ_ia + Σ_j k_ij·cos(θ_j − θ_i)·(S_ja − S_ia), then
// S += 2π·dt·df.
func (f *fwdSens) step(n int, phi []float64) {
	N, B, K := f.net.N, f.B, f.net.kmat
	R := len(f.rows)
	for b := 0; b < B; b++ {
		for i := 0; i < N; i++ {
			f.si[i], f.c[i] = math.Sincos(phi[i*B+b])
		}
		S := f.S[b*N*N : (b+1)*N*N]
		for i := 0; i < N; i++ {
			d := f.df[i*N : (i+1)*N]
			for a := range d {
				d[a] = 0
			}
			d[i] = 1
			Si := S[i*N : (i+1)*N]
			for j := 0; j < N; j++ {
				kij := K[i*N+j]
				if kij == 0 {
					continue
				}
				kc := kij * (f.c[j]*f.c[i] + f.si[j]*f.si[i])
				Sj := S[j*N : (j+1)*N]
				for a := 0; a < N; a++ {
					d[a] += kc * (Sj[a] - Si[a])
				}
			}
		}
		if n >= f.start {
			acc := f.acc[b*R*N : (b+1)*R*N]
			for r, i := range f.rows {
				for a := 0; a < N; a++ {
					acc[r*N+a] += f.df[i*N+a]
				}
			}
		}
		h := 2 * math.Pi * f.dt
		for x := range S {
			S[x] += h * f.df[x]
		}
	}
}

func (f *fwdSens) jacobian(b int) []float64 {
	N, R := f.net.N, len(f.rows)
	J := make([]float64, R*N)
	for x := range J {
		J[x] = f.acc[b*R*N+x] / float64(f.win)
	}
	return J
}

// adjoint returns the Jacobian rows of every example of a chunk by running
// the adjoint of the Euler steps backwards over the recorded phases
// traj[n·N·B + i·B + b] (docs/sync.md, "Reverse mode"). For the output
// f̄_r = (1/w)·Σ_{n ≥ S−w} f_r(n) and θ(n+1) = θ(n) + 2π·dt·f(n), with
// λ(n) = ∂f̄_r/∂θ(n):
//
//	g(n)   = [n ≥ S−w]·e_r/w + 2π·dt·λ(n+1)      (∂f̄_r/∂f(n))
//	J_ra  += g_a(n)                               (f_a(n) = F_a + …)
//	λ_j(n) = λ_j(n+1) + Σ_i C_ij·(g_i·k_ij − g_j·k_ji),  C_ij = cos(θ_j − θ_i)
//
// with λ(S) = 0. One backward sweep serves all rows and examples (the
// examples inner, so the trajectory is read in order); each row costs
// O(N²) a step.
func (net *Net) adjoint(traj []float64, B, steps, win int, rows []int, dt float64) [][]float64 {
	N, R, K := net.N, len(rows), net.kmat
	J := make([]float64, B*R*N)
	lam := make([]float64, B*R*N)
	g := make([]float64, R*N)
	s, c := make([]float64, N), make([]float64, N)
	kc := make([]float64, N*N)
	h := 2 * math.Pi * dt
	inv := 1 / float64(win)
	start := steps - win
	for n := steps - 1; n >= 0; n-- {
		base := n * N * B
		for b := 0; b < B; b++ {
			for i := 0; i < N; i++ {
				s[i], c[i] = math.Sincos(traj[base+i*B+b])
			}
			// kc[i·N+j] = k_ij·C_ij; rowK[j] = Σ_i k_ji·C_ji.
			for i := 0; i < N; i++ {
				for j := 0; j < N; j++ {
					kc[i*N+j] = K[i*N+j] * (c[i]*c[j] + s[i]*s[j])
				}
			}
			lb, Jb := lam[b*R*N:(b+1)*R*N], J[b*R*N:(b+1)*R*N]
			for r, ro := range rows {
				gr, lr, Jr := g[r*N:(r+1)*N], lb[r*N:(r+1)*N], Jb[r*N:(r+1)*N]
				for a := 0; a < N; a++ {
					gr[a] = h * lr[a]
				}
				if n >= start {
					gr[ro] += inv
				}
				for a := 0; a < N; a++ {
					Jr[a] += gr[a]
				}
				for j := 0; j < N; j++ {
					in, out := 0.0, 0.0
					for i := 0; i < N; i++ {
						in += kc[i*N+j] * gr[i]
						out += kc[j*N+i]
					}
					lr[j] += in - gr[j]*out
				}
			}
		}
	}
	out := make([][]float64, B)
	for b := range out {
		out[b] = J[b*R*N : (b+1)*R*N]
	}
	return out
}
