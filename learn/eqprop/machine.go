package eqprop

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"oscsim/chip"
	"oscsim/netlist"
	"oscsim/phasedet"
	"oscsim/ringosc"
)

// Config sets how a Machine runs its relaxations. Zero fields take the
// defaults of DefaultConfig.
type Config struct {
	// Kappa is the coupling rate of unit weight as a fraction of ω0
	// (software machine; a chip in the loop takes it from its couplers).
	Kappa float64
	// WMax is the largest |weight|: the couplers' full scale (weights are
	// clipped to it when programmed).
	WMax float64
	// Time is each relaxation's length in units of 1/(κ·r), with r the
	// larger of the network's largest row sum Σ_j |W_ij| and its largest
	// nudge: the same number of the network's own time constants whatever
	// the weights' scale.
	Time float64
	// StepRate bounds the Euler step: dt·λ ≤ StepRate with λ = 2·κ·r the
	// Gershgorin bound of the fastest rate (Euler's fixed points are the
	// flow's equilibria exactly, so the step sets only how fast they are
	// reached).
	StepRate float64
	// Rate, when positive, fixes the rate scale r instead (units of κ): the
	// step and the run's length then do not depend on the weights.
	Rate float64
	// Kick is the half-width (rad) of a uniform perturbation added to the
	// free equilibrium before the nudged phase. A binary equilibrium
	// ({0, π} phases) is an equilibrium of the nudged dynamics too (the
	// nudge's torque −β·sin(φ − ψ) vanishes at φ = ψ + π), so without a
	// kick (or the chip's phase noise) a wrong pixel never feels the
	// nudge (docs/ep.md, "binary equilibria are rigid"). 0 = none.
	Kick float64
	// Track cancels the free equilibrium's drift in the nudged phase (the
	// nudge at f0 then meets the network at rest in its frame): a network
	// with an even coupling part rotates at Ω ≠ 0, and a nudge weaker than
	// |Ω| cannot hold it (docs/ep.md §4). On the chip this is the nudge's
	// source tracking the rings' frequency, measured by a counter.
	Track bool
	// Seed seeds the kicks.
	Seed uint64
	// Ring is the software chip's ring model (nil: the analytic ring,
	// whose coupling function is odd).
	Ring *ringosc.Model
	// Workers is chip.RunOptions.Workers (0 = automatic).
	Workers int
	// Bits are the software chip's coupler bits (0: 16); FreqSigma its
	// rings' relative frequency mismatch and Linewidth their phase-noise
	// linewidth (Hz), both 0 by default; Instance picks the mismatch
	// draw (quantisation- and noise-aware training, docs/ep.md §6).
	Bits      int
	FreqSigma float64
	Linewidth float64
	Instance  int
	// Pump gives the software chip a SHIL pump at 2·f0 of full-strength
	// rate K_s = κ on every ring, at gain 0 until Machine.SetSHIL sets
	// each ring's strength (trainable SHIL, docs/ep.md §6.6).
	Pump bool
}

// DefaultConfig: κ = 10⁻³·ω0 (weak coupling), full scale 4, relaxations
// of 30 time constants, Euler at dt·λ = 1 (the engine's own bound).
var DefaultConfig = Config{Kappa: 1e-3, WMax: 4, Time: 30, StepRate: 1}

func (c Config) withDefaults() Config {
	d := DefaultConfig
	c.Kappa = cmp.Or(c.Kappa, d.Kappa)
	c.WMax = cmp.Or(c.WMax, d.WMax)
	c.Time = cmp.Or(c.Time, d.Time)
	c.StepRate = cmp.Or(c.StepRate, d.StepRate)
	return c
}

// Machine is one compiled chip running one Net's phase dynamics.
type Machine struct {
	Chip *chip.Chip
	Net  *Net
	Cfg  Config
	// Noise switches phase noise and detector jitter on (a chip in the
	// loop); NoiseSeed picks the realisation of the next relaxations.
	Noise     bool
	NoiseSeed int64
	// Model is the chip model relaxations run on (ModelPhase unless set).
	Model netlist.Model

	kappa float64 // rad/s per unit weight
	f0    float64 // reference frequency (Hz)
	det   int     // TDC bank reading every ring, or −1: exact phases
	bits  int
	lag   float64 // injection lag χ (chip.Chip.InjectionLag)
	held  []float64
	runs  int
	// rho and gain: the coupling function's even part ρ_p and its odd
	// gain relative to the in-phase path's, per path (0: in-phase, 1:
	// inverter), as the chip's phase model has them (chip/paths.go):
	// coupler ij adds K_ij·[sin Δ + ρ_p·(cos Δ − cos Δ*_p)].
	rho, gain [2]float64
	// drift, when set, is each input's common frequency (Hz) to cancel in
	// the next relaxation (EP's tracked nudge; see EP).
	drift []float64
	rng   *rand.Rand
}

// Software returns a machine that runs net on a chip made for it: net.N
// 5-stage rings at 1 GHz (45 nm card; cfg.Ring: that ring model at its own
// frequency, else the analytic ring) without frequency mismatch
// or phase noise, couplers of 16 bits (65535 levels over ±WMax) without
// conductance mismatch, phase model with Euler steps, phases read exactly.
// It is "EP in software through the engine".
func Software(net *Net, cfg Config) (*Machine, error) {
	cfg = cfg.withDefaults()
	bits := 16
	if cfg.Bits > 0 {
		bits = cfg.Bits
	}
	maxCode := 1<<bits - 1
	// The reference runs at the ring's own frequency: a characterised
	// ring's F0 (so that the nudge at f0 is at the rings' frequency).
	f0 := 1e9
	if cfg.Ring != nil && cfg.Ring.F0 > 0 {
		f0 = cfg.Ring.F0
	}
	src := fmt.Sprintf(`[chip]
name = "eqprop-software"
tech = "45nm"
[oscillators]
count = %d
frequency = "%gHz"
stages = 5
init = "zero"
freq_sigma = %g
linewidth = "%gHz"
[couplings]
bits = %d
quantize = "scale"
full_scale = %g
unit_k = "%g"
[run]
model = "phase"
integrator = "euler"
cycles = 100
`, net.N, f0, cfg.FreqSigma, cfg.Linewidth, bits, cfg.WMax, cfg.Kappa*cfg.WMax/float64(maxCode))
	if cfg.Pump {
		src += fmt.Sprintf("[shil]\nks = %g\nschedule = \"constant\"\n", cfg.Kappa)
	}
	nl, err := netlist.Parse("eqprop-software.toml", []byte(src), nil)
	if err != nil {
		return nil, fmt.Errorf("eqprop: %w", err)
	}
	ch, err := chip.Compile(nl, chip.Options{Ring: cfg.Ring, Instance: cfg.Instance})
	if err != nil {
		return nil, fmt.Errorf("eqprop: %w", err)
	}
	m := &Machine{Chip: ch, Net: net, Cfg: cfg, det: -1, Model: netlist.ModelPhase}
	if cfg.Pump {
		if err := ch.SetPumpGains(make([]float64, net.N)); err != nil {
			return nil, fmt.Errorf("eqprop: %w", err)
		}
	}
	return m, m.init()
}

// InTheLoop returns a machine that runs net on a described chip instance:
// its couplers' codes on full scale cfg.WMax (the description's bits and
// conductance mismatch), its rings' mismatch and phase noise, and phases
// read through the description's first TDC bank, which must read every
// ring. κ is the rate of a weight of 1 on the chip's nominal couplers.
// The description's integrator should be "euler" for BPTT to be exact.
func InTheLoop(ch *chip.Chip, net *Net, cfg Config) (*Machine, error) {
	cfg = cfg.withDefaults()
	nl := ch.Netlist()
	if ch.N() != net.N {
		return nil, fmt.Errorf("eqprop: %s has %d rings, the network %d units", nl.File, ch.N(), net.N)
	}
	m := &Machine{Chip: ch, Net: net, Cfg: cfg, det: -1, Noise: true, Model: netlist.ModelPhase}
	for d, det := range nl.Detectors {
		if det.Kind == phasedet.TDC && len(det.Targets) == net.N {
			m.det, m.bits = d, det.Bits
			break
		}
	}
	if m.det < 0 {
		return nil, fmt.Errorf("eqprop: %s: no TDC detector reads all %d rings", nl.File, net.N)
	}
	return m, m.init()
}

func (m *Machine) init() error {
	unit, _, wref := m.Chip.Rates()
	q := m.Chip.Netlist().Couplings
	m.kappa = unit * float64(q.MaxCode) / m.Cfg.WMax
	m.f0 = wref / (2 * math.Pi)
	m.lag = m.Chip.InjectionLag()
	m.rng = rand.New(rand.NewPCG(m.Cfg.Seed, 0x6b69636b))
	m.rho, m.gain = pathTerms(m.Chip.Ring())
	if !(m.kappa > 0) {
		return fmt.Errorf("eqprop: the chip's unit coupling rate is %g", m.kappa)
	}
	return m.Program()
}

// Kappa returns the rate of unit weight (rad/s).
func (m *Machine) Kappa() float64 { return m.kappa }

// Program clips the network's weights to ±WMax and programs them onto the
// chip's couplers (on full scale WMax).
func (m *Machine) Program() error {
	edges := make([]netlist.Edge, len(m.Net.Edges))
	for e, p := range m.Net.Edges {
		w := math.Max(-m.Cfg.WMax, math.Min(m.Cfg.WMax, m.Net.W[e]))
		m.Net.W[e] = w
		edges[e] = netlist.Edge{I: p[0], J: p[1], W: w}
	}
	if _, err := m.Chip.ProgramScale(edges, m.Cfg.WMax); err != nil {
		return fmt.Errorf("eqprop: %w", err)
	}
	// The weights the chip holds: each edge's code value.
	codes := m.Chip.Codes()
	m.held = make([]float64, len(codes))
	for e, c := range codes {
		m.held[e] = m.Chip.CodeValue(c)
	}
	return nil
}

// Held returns the weights the chip holds now (the programmed codes'
// values).
func (m *Machine) Held() []float64 { return m.held }

// Relaxation is the outcome of one batch of relaxations.
type Relaxation struct {
	// Read are the phases as the machine reads them: exact, or the TDC
	// bank's codes decoded to their bins' centres.
	Read [][]float64
	// Final are the exact final phases (the state the chip holds).
	Final [][]float64
	// Trace is the engine's trace (one state per step) when asked.
	Trace *chip.Trace
	// Drift is each input's mean frequency offset from f0 over the run's
	// last fifth (Hz, chip.Lock): a free equilibrium of a network whose
	// coupling function has an even part rotates.
	Drift []float64
	// Dt is the engine's step (s).
	Dt  float64
	Res *chip.Result
}

// minRate floors the rate scale r of a relaxation (units of κ): a network
// with (nearly) no couplings and no nudge has nothing to relax, and its
// run need not be longer than a network with row sums of 1/4.
const minRate = 0.25

// ErrBatch is returned for a batch whose parts disagree in length.
var ErrBatch = errors.New("eqprop: batch")

// Relax runs one relaxation per input from phases init[b] with nudges[b]
// (nil: free) and returns the equilibria. With trace every step's state is
// kept (for BPTT).
func (m *Machine) Relax(ctx context.Context, init [][]float64, nudges [][]Nudge, trace bool) (*Relaxation, error) {
	N := m.Net.N
	if nudges != nil && len(nudges) != len(init) {
		return nil, fmt.Errorf("%w: %d initial states, %d nudge sets", ErrBatch, len(init), len(nudges))
	}
	inputs := make([]chip.Input, len(init))
	var bmax float64
	for b := range init {
		if len(init[b]) != N {
			return nil, fmt.Errorf("%w: input %d has %d phases, want %d", ErrBatch, b, len(init[b]), N)
		}
		inputs[b].Phases = init[b]
		if m.drift != nil {
			off := make([]float64, N)
			for i := range off {
				off[i] = -m.drift[b]
			}
			inputs[b].FreqOffset = off
		}
		if nudges == nil || len(nudges[b]) == 0 {
			continue
		}
		in, mx, err := m.injection(nudges[b])
		if err != nil {
			return nil, err
		}
		inputs[b].Inject = in
		bmax = math.Max(bmax, mx)
	}
	r := math.Max(m.Net.RowSum(), bmax)
	r = math.Max(r, minRate)
	if m.Cfg.Rate > 0 {
		r = m.Cfg.Rate
	}
	lam := 2 * m.kappa * r
	dur := m.Cfg.Time / (m.kappa * r)
	dt := m.Cfg.StepRate / lam
	var spc float64
	if c := dt * m.f0; c >= 1 {
		// A whole number of cycles a step, at most 64 (the engine's
		// longest step when nothing bounds it).
		spc = 1 / math.Min(math.Floor(c), 64)
	} else {
		spc = math.Ceil(1 / c)
	}
	// The engine's own bound, from the couplers' actual (rounded) rates.
	spc = math.Max(spc, m.Chip.MinStepsPerCycle(netlist.ModelPhase, 1))
	opt := chip.RunOptions{Model: m.Model, StepsPerCycle: spc, Duration: dur, Workers: m.Cfg.Workers,
		NoNoise: !m.Noise, NoiseSeed: m.NoiseSeed, NoPower: true, InputBase: m.runs * len(init)}
	if m.Model == netlist.ModelCycle {
		opt.StepsPerCycle = 0 // the description's
	}
	if trace {
		opt.TraceEvery = 1
	}
	m.runs++
	res, err := m.Chip.Run(ctx, inputs, opt)
	if err != nil {
		return nil, fmt.Errorf("eqprop: %w", err)
	}
	out := &Relaxation{Final: res.Unwrapped, Read: res.Unwrapped, Trace: res.Trace, Dt: res.Dt, Res: res}
	out.Drift = make([]float64, len(init))
	for b, lk := range res.Locks {
		for _, f := range lk.FreqOffset {
			out.Drift[b] += f / float64(N)
		}
	}
	if m.det >= 0 {
		ro := res.Readouts[m.det]
		out.Read = make([][]float64, len(init))
		for b := range init {
			v := ro.Values[b][len(ro.Values[b])-1]
			row := make([]float64, N)
			for k, i := range ro.Targets {
				row[i] = phasedet.Phase(phasedet.TDC, m.bits, v[k])
			}
			out.Read[b] = row
		}
	}
	return out, nil
}

// injection turns a unit's nudges into the chip's injection: phasors
// summed per ring (−Σ β_k·sin(φ − ψ_k) = −R·sin(φ − Ψ) with
// R·e^{jΨ} = Σ β_k·e^{jψ_k}; negative β is the phase ψ + π), the phase
// advanced by the ring's injection lag so that it locks at Ψ. It returns
// the largest R (units of κ).
func (m *Machine) injection(ns []Nudge) (*chip.Injection, float64, error) {
	N := m.Net.N
	re, im := make([]float64, N), make([]float64, N)
	for _, n := range ns {
		if n.Unit < 0 || n.Unit >= N || math.IsNaN(n.Beta) || math.IsNaN(n.Phase) {
			return nil, 0, fmt.Errorf("%w: bad nudge %+v", ErrBatch, n)
		}
		s, c := math.Sincos(n.Phase)
		re[n.Unit] += n.Beta * c
		im[n.Unit] += n.Beta * s
	}
	in := &chip.Injection{Amp: make([]float64, N), Phase: make([]float64, N)}
	var mx float64
	for i := range re {
		R := math.Hypot(re[i], im[i])
		if R == 0 {
			continue
		}
		mx = math.Max(mx, R)
		in.Amp[i] = m.Chip.InjectionCurrent(R * m.kappa)
		in.Phase[i] = math.Atan2(im[i], re[i]) - m.lag
	}
	return in, mx, nil
}

// pathTerms returns the even part ρ_p and the relative odd gain of each
// coupling path of ring model r: ρ_p = (H_p(0) − H_p(π))/(2·A1_p) with A1_p
// the first sine harmonic of the path's interaction H_p (the definition the
// chip's phase model uses, chip/paths.go), gain_p = |A1_p|/A1_in. The
// analytic ring has ρ = 0 and gain 1 on both paths.
func pathTerms(r ringosc.Model) (rho, gain [2]float64) {
	gain = [2]float64{1, 1}
	if !r.Tabulated() {
		return rho, gain
	}
	a0 := r.CouplingHarmonics(false).A1
	for k, inv := range []bool{false, true} {
		a1 := r.CouplingHarmonics(inv).A1
		if a1 != 0 {
			rho[k] = (r.Interaction(inv, 0) - r.Interaction(inv, math.Pi)) / (2 * a1)
			gain[k] = math.Abs(a1 / a0)
		}
	}
	return rho, gain
}

// EvenPart returns the ring's ρ of the in-phase and the inverter path.
func (m *Machine) EvenPart() [2]float64 { return m.rho }
