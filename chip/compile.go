package chip

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"

	"oscsim/chip/internal/engine"
	"oscsim/coupling"
	"oscsim/netlist"
	"oscsim/phasedet"
	"oscsim/ringosc"
	"oscsim/shil"
)

// Options select the chip instance to compile.
type Options struct {
	// Seed overrides the description's run seed when SetSeed is true.
	Seed    int64
	SetSeed bool
	// Instance numbers the chip instance: each instance draws its own
	// mismatch from (seed, instance).
	Instance int
	// Ring replaces the ring model: by default the description's
	// characterised one (netlist.Oscillators.Ring), else the analytic one.
	Ring *ringosc.Model
}

// Chip is one compiled chip instance: device rates with mismatch drawn and
// couplings programmed. A Chip is not safe for concurrent Program calls; Run
// may be called concurrently when no Program runs.
type Chip struct {
	nl       *netlist.Netlist
	seed     int64
	instance int
	ring     ringosc.Model
	packed   *ringosc.Packed // ring's tables packed for the engine (nil: analytic)
	n        int

	// Ring parameters.
	h1, g2   float64   // coupling and pump gains of the ring model
	h1inv    float64   // coupling gain of the inverter path (ringosc.Model.InverterGain)
	paths    pathModel // even part of H and the inverter's output (paths.go)
	c, vdd   float64   // node capacitance (F) and supply (V)
	f0, wref float64   // nominal frequency (Hz) and reference ω (rad/s)
	dOmega   []float64 // ω_i − ω_ref (rad/s), mismatch drawn
	diff     float64   // phase diffusion D (rad²/s)

	// Couplings.
	quant  coupling.Quantizer
	gUnit  float64 // unit finger conductance (S)
	edges  []netlist.Edge
	codes  []int
	report coupling.Report
	scale  float64 // full scale of the current program
	csr    csr
	order  []int32 // engine.RowOrder of csr (the stage passes' order)
	gPow   float64 // Σ|G| over the coupling TGs (S)

	// Pump.
	pumpI    float64 // pump current amplitude (A)
	ks       float64 // full-strength SHIL rate (rad/s)
	sched    shil.Schedule
	pumpMask []float64 // 1 for targeted rings (SetPumpGains: any gain)
	pumpBits int       // bits of the per-ring pump amplitude DACs (SetPumpDACs; 0: none)

	detectors []detector
	programs  int
	// ledgerMemo is the run-independent part of the ledger for the
	// current program (ledger.go).
	ledgerMemo atomic.Pointer[ledgerFixed]
}

type detector struct {
	netlist.Detector
	kind phasedet.Kind
}

// csr holds the coupling matrix with both directions of every pair: row i
// lists the rings j that inject into ring i.
type csr struct {
	rowPtr []int32
	col    []int32
	// g is the signed conductance (S): + in-phase path, − inverter path,
	// stored in float32 (8 B a coupler with its column, the budget of
	// docs/performance.md). Its 24-bit mantissa (6·10⁻⁸ relative) is far
	// below the couplers' mismatch (σ_G of percents), and every engine
	// precision reads it directly, so no run copies it.
	g []float32
	// The phase model's rates K_ij are not kept: Chip.rate derives them from
	// g when a run or the energy needs them (8 B a coupler less). Nor is
	// each entry's edge (4 B): Couplers re-derives it in csrOrder's order.
	gTot []float64 // Σ_j |G_ij|
	gNeg []float64 // Σ_j over inverter-path couplers of |G_ij|
	// Frequency offsets (rad/s) of the coupling paths per ring in the
	// phase and cycle models, or nil (paths.go).
	offPhase, offCycle []float64
}

// ErrStep is wrapped by errors about a time step the model cannot use.
var ErrStep = errors.New("step size")

// Compile builds one chip instance from a validated description.
func Compile(nl *netlist.Netlist, opt Options) (ch *Chip, err error) {
	if nl != nil && nl.File != "" {
		defer func() {
			// Errors found after parsing still name the file.
			if err != nil && !strings.Contains(err.Error(), nl.File) {
				err = fmt.Errorf("%s: %w", nl.File, err)
			}
		}()
	}
	if nl == nil || nl.Oscillators.N() == 0 {
		return nil, fmt.Errorf("chip: empty chip description")
	}
	o := nl.Oscillators
	ch = &Chip{nl: nl, seed: nl.Run.Seed, instance: opt.Instance, n: o.N()}
	if opt.SetSeed {
		ch.seed = opt.Seed
	}
	switch {
	case opt.Ring != nil:
		ch.ring = *opt.Ring
	case o.Ring != nil: // oscillators.ring_model, read and checked by netlist
		ch.ring = *o.Ring
	case o.RingModel != "":
		return nil, fmt.Errorf("chip: %s: oscillators.ring_model %q was not read (parsed with netlist.ParseOptions.NoRingModel)", nl.File, o.RingModel)
	default:
		// The analytic ring's gains follow from the card's devices
		// (ringosc.DeviceGains, docs/ringmodel.md).
		ch.ring = ringosc.FromDevices(nl.Tech, o.Stages, nl.Tech.NodeCap)
	}
	if s := nl.SHIL; s != nil && s.Port == netlist.PortSupply && !ch.ring.Tabulated() {
		// A port where both edges respond alike: Γp's second harmonic
		// equals Γ's first (netlist.PortSupply).
		ch.ring.C2 = ch.ring.Gamma1
	}
	if s := nl.SHIL; s != nil && s.Port == netlist.PortTap && s.Stage != o.TapStage {
		// The pump drives another node than the tap: the same ISF, later
		// by that node's phase, so the pump is driven later
		// (docs/ringmodel.md, "The tap node").
		ch.ring = ch.ring.PumpAtNode((s.Stage-o.TapStage+o.Stages)%o.Stages, o.Stages)
	}
	if err := ch.ring.Validate(); err != nil {
		return nil, fmt.Errorf("chip: %w", err)
	}
	ch.packed = ch.ring.Pack()
	ch.h1, ch.g2 = ch.ring.CouplingGain(), ch.ring.PumpGain()
	ch.h1inv = ch.ring.InverterGain()
	ch.paths = newPathModel(&ch.ring)
	ch.c, ch.vdd = nl.Tech.NodeCap, nl.Tech.VDD
	ch.f0 = o.Frequency
	ch.wref = 2 * math.Pi * ch.f0
	ch.diff = ringosc.Diffusion(o.Linewidth)

	// Frequency mismatch: ω_i = ω0·(1 + σ_f·z_i), z_i ~ N(0,1) per ring.
	// A characterised ring runs at its measured F0 (ω0 = 2π·F0), and the
	// description's frequency is then the reference only.
	ch.dOmega = make([]float64, ch.n)
	w0, base := ch.wref, 0.0
	if ch.ring.F0 > 0 {
		w0 = 2 * math.Pi * ch.ring.F0
		base = w0 - ch.wref
	}
	for i := range ch.dOmega {
		z := hashNormal(engine.Key(uint64(ch.seed), uint64(ch.instance), tagFreq, uint64(i)))
		ch.dOmega[i] = base + w0*o.FreqSigma*z
	}
	ch.ringExtras()

	// Coupling fabric.
	cp := nl.Couplings
	ch.quant = coupling.Quantizer{MaxCode: cp.MaxCode, FullScale: cp.FullScale, Exact: cp.Quantize == netlist.Exact}
	if cp.UnitResistance > 0 {
		ch.gUnit = 1 / cp.UnitResistance
	} else {
		ch.gUnit = coupling.UnitConductance(cp.UnitK*ch.wref, ch.h1, ch.c)
	}

	// Pump.
	ch.pumpMask = make([]float64, ch.n)
	if s := nl.SHIL; s != nil {
		for _, i := range s.Targets {
			ch.pumpMask[i] = 1
		}
		if s.Current > 0 {
			ch.pumpI = s.Current
			ch.ks = shil.Rate(s.Current, ch.g2, ch.c, ch.vdd)
		} else {
			ch.ks = s.Ks * ch.wref
			if ch.g2 > 0 {
				ch.pumpI = shil.Current(ch.ks, ch.g2, ch.c, ch.vdd)
			}
		}
		ch.sched = shil.Schedule{Kind: s.Schedule, Start: s.Start, Ramp: s.Ramp, End: nl.Run.Duration}
	}

	for _, d := range nl.Detectors {
		ch.detectors = append(ch.detectors, detector{Detector: d, kind: d.Kind})
	}

	if _, err := ch.Program(cp.Edges); err != nil {
		return nil, err
	}
	ch.programs = 0 // the initial programming is part of compilation
	return ch, nil
}

// Program replaces the chip's couplings with edges (one per unordered pair,
// I < J), quantising them onto codes. The instance's mismatch is kept: a
// coupler site's deviation depends only on (seed, instance, pair, path).
// With quantize = "scale" and no full_scale in the description, the largest
// |weight| maps to the largest code.
func (ch *Chip) Program(edges []netlist.Edge) (coupling.Report, error) {
	return ch.ProgramScale(edges, ch.nl.Couplings.FullScale)
}

// ProgramScale is Program with an explicit full scale: the weight magnitude
// that maps to the largest code (0 = the largest |weight| of edges). Use it
// to program several weight sets on one common scale, so that their codes
// (and energies computed from them) are comparable.
func (ch *Chip) ProgramScale(edges []netlist.Edge, fullScale float64) (coupling.Report, error) {
	q := ch.quant
	if !q.Exact {
		q.FullScale = fullScale
	}
	if !q.Exact && !(q.FullScale > 0) {
		for _, e := range edges {
			q.FullScale = math.Max(q.FullScale, math.Abs(e.W))
		}
		if q.FullScale == 0 {
			q.FullScale = 1
		}
	}
	ws := make([]float64, len(edges))
	for k, e := range edges {
		if e.I < 0 || e.J < 0 || e.I >= ch.n || e.J >= ch.n || e.I == e.J {
			return coupling.Report{}, fmt.Errorf("chip: coupling %d: bad pair (%d, %d) for %d oscillators", k, e.I, e.J, ch.n)
		}
		ws[k] = e.W
	}
	codes, rep, err := q.Quantize(ws)
	if err != nil {
		return rep, fmt.Errorf("chip: %w", err)
	}
	// A fabric chip can only be programmed on the sites it builds
	// (netlist.HasSite: King's graph and grid neighbours, a mask's pairs).
	if top := ch.nl.Couplings.Topology; top != netlist.Explicit && top != netlist.AllToAll {
		for k, e := range edges {
			if codes[k] != 0 && !ch.nl.HasSite(e.I, e.J) {
				return rep, fmt.Errorf("chip: coupling %d (%s–%s) has no coupler site in the chip's %q fabric", k, ch.nl.Oscillators.Names[e.I], ch.nl.Oscillators.Names[e.J], top)
			}
		}
	}
	ents := make([]csrEntry, 0, 2*len(edges))
	sigma := ch.nl.Couplings.Sigma
	for k, e := range edges {
		c := codes[k]
		if c == 0 {
			continue
		}
		lo, hi := uint64(min(e.I, e.J)), uint64(max(e.I, e.J))
		if c > 0 {
			// In-phase path: one TG between the two taps, shared by both
			// directions, so both see the same conductance.
			z := hashNormal(engine.Key(uint64(ch.seed), uint64(ch.instance), tagTG, lo, hi, 0))
			g := coupling.Conductance(c, ch.gUnit, sigma, z)
			ents = append(ents, csrEntry{int32(e.I), int32(e.J), g, int32(k)}, csrEntry{int32(e.J), int32(e.I), g, int32(k)})
		} else {
			// Inverter path: one inverter + TG per direction, each with
			// its own mismatch.
			for dir, p := range [2][2]int{{e.I, e.J}, {e.J, e.I}} {
				z := hashNormal(engine.Key(uint64(ch.seed), uint64(ch.instance), tagTG, lo, hi, uint64(1+dir)))
				g := coupling.Conductance(c, ch.gUnit, sigma, z)
				ents = append(ents, csrEntry{int32(p[0]), int32(p[1]), -g, int32(k)})
			}
		}
	}
	ents = csrOrder(ch.n, ents)
	m := csr{
		rowPtr: make([]int32, ch.n+1),
		col:    make([]int32, len(ents)),
		g:      make([]float32, len(ents)),
		gTot:   make([]float64, ch.n),
		gNeg:   make([]float64, ch.n),
	}
	for x, e := range ents {
		m.rowPtr[e.row+1]++
		g := float32(e.g)
		m.col[x], m.g[x] = e.col, g
		m.gTot[e.row] += math.Abs(float64(g))
		if g < 0 {
			m.gNeg[e.row] -= float64(g)
		}
	}
	for i := 0; i < ch.n; i++ {
		m.rowPtr[i+1] += m.rowPtr[i]
	}
	ch.pathOffsets(&m)
	ch.loadOffsets(&m, edges, codes)
	ch.csr, ch.edges, ch.codes, ch.report, ch.scale = m, edges, codes, rep, q.FullScale
	// Per-program engine data, so that a Run does not redo them: the stage
	// passes' row order and Σ|G| over the TGs (each inverter-path
	// direction, each in-phase pair once).
	ch.order = engine.RowOrder(m.rowPtr, m.col)
	ch.gPow = 0
	for i := 0; i < ch.n; i++ {
		for x := m.rowPtr[i]; x < m.rowPtr[i+1]; x++ {
			if g := float64(m.g[x]); g < 0 || int(m.col[x]) > i {
				ch.gPow += math.Abs(g)
			}
		}
	}
	ch.programs++
	return rep, nil
}

// csrEntry is one directed coupler while the CSR is built: both
// directions of every programmed edge, in-phase or inverter path.
type csrEntry struct {
	row, col int32
	g        float64
	edge     int32
}

// csrOrder returns ents ordered by (row, col), ties by edge: a counting
// sort by row, then each row by column (a reflection-based sort.Slice
// over all entries was a tenth of the OscNet tournament's CPU, which
// reprograms per match).
func csrOrder(n int, ents []csrEntry) []csrEntry {
	start := make([]int, n+1)
	for _, e := range ents {
		start[e.row+1]++
	}
	for i := 0; i < n; i++ {
		start[i+1] += start[i]
	}
	sorted := make([]csrEntry, len(ents))
	next := append([]int(nil), start[:n]...)
	for _, e := range ents {
		sorted[next[e.row]] = e
		next[e.row]++
	}
	for i := 0; i < n; i++ {
		slices.SortFunc(sorted[start[i]:start[i+1]], func(a, b csrEntry) int {
			if a.col != b.col {
				return cmp.Compare(a.col, b.col)
			}
			return cmp.Compare(a.edge, b.edge)
		})
	}
	return sorted
}

// rate is the phase-model rate K_ij (rad/s) of a coupler of signed
// conductance g: coupling.Rate with the ring's coupling gain, or, on the
// inverter path, the gain of the inverter's output (which a characterised
// ring model measures).
func (ch *Chip) rate(g float64) float64 {
	if g < 0 {
		return coupling.Rate(g, ch.h1inv, ch.c)
	}
	return coupling.Rate(g, ch.h1, ch.c)
}

// N returns the number of oscillators.
func (ch *Chip) N() int { return ch.n }

// Coupler is one directed coupler of the programmed chip: ring To receives
// current from ring From through conductance G (S, mismatch drawn). On the
// in-phase path (Inverted false) one TG serves both directions, so the pair
// appears twice with the same G; on the inverter path each direction has its
// own inverter and TG. Edge indexes Edges().
type Coupler struct {
	From, To, Edge int
	G              float64
	Inverted       bool
}

// Couplers returns every directed coupler, ordered by receiving ring.
func (ch *Chip) Couplers() []Coupler {
	m := &ch.csr
	// The entries' edges, in the order Program stored them.
	ents := make([]csrEntry, 0, len(m.col))
	for k, e := range ch.edges {
		if ch.codes[k] != 0 {
			ents = append(ents, csrEntry{row: int32(e.I), col: int32(e.J), edge: int32(k)}, csrEntry{row: int32(e.J), col: int32(e.I), edge: int32(k)})
		}
	}
	ents = csrOrder(ch.n, ents)
	out := make([]Coupler, 0, len(m.col))
	for i := 0; i < ch.n; i++ {
		for x := m.rowPtr[i]; x < m.rowPtr[i+1]; x++ {
			g := float64(m.g[x])
			out = append(out, Coupler{From: int(m.col[x]), To: i, Edge: int(ents[x].edge), G: math.Abs(g), Inverted: g < 0})
		}
	}
	return out
}

// Netlist returns the description the chip was compiled from.
func (ch *Chip) Netlist() *netlist.Netlist { return ch.nl }

// Seed returns the seed the instance was drawn with.
func (ch *Chip) Seed() int64 { return ch.seed }

// Instance returns the instance number.
func (ch *Chip) Instance() int { return ch.instance }

// FullScale returns the weight magnitude that the current program maps to
// the largest code.
func (ch *Chip) FullScale() float64 { return ch.scale }

// CodeValue returns the weight a signed code stands for in the current
// program.
func (ch *Chip) CodeValue(code int) float64 {
	q := ch.quant
	q.FullScale = ch.scale
	return q.Value(code)
}

// Quantization returns the report of the last programming.
func (ch *Chip) Quantization() coupling.Report { return ch.report }

// Codes returns the signed code of every programmed edge.
func (ch *Chip) Codes() []int { return append([]int(nil), ch.codes...) }

// Edges returns the programmed edges.
func (ch *Chip) Edges() []netlist.Edge { return append([]netlist.Edge(nil), ch.edges...) }

// Reprograms returns how many times Program was called after Compile.
func (ch *Chip) Reprograms() int { return ch.programs }

// NumCouplers returns the number of nonzero directed coupling entries.
func (ch *Chip) NumCouplers() int { return len(ch.csr.col) }

// Detuning returns ω_i − ω_ref (rad/s) of every ring, mismatch included.
func (ch *Chip) Detuning() []float64 { return append([]float64(nil), ch.dOmega...) }

// Rates returns the phase-model constants: the unit coupling rate per code
// step, the full-strength SHIL rate K_s (both rad/s) and the reference ω.
func (ch *Chip) Rates() (unitK, ks, wref float64) {
	return coupling.Rate(ch.gUnit, ch.h1, ch.c), ch.ks, ch.wref
}

// UnitConductance returns the conductance of one TG finger (S).
func (ch *Chip) UnitConductance() float64 { return ch.gUnit }

// PumpCurrent returns the pump amplitude (A).
func (ch *Chip) PumpCurrent() float64 { return ch.pumpI }

// Ring returns the ring model in use.
func (ch *Chip) Ring() ringosc.Model { return ch.ring }

// maxRate bounds the fastest relaxation rate of the phase model (rad/s):
// the Jacobian's eigenvalues are bounded by 2·max_i Σ_j |K_ij| + 2·K_s
// (Gershgorin), plus the fastest detuning.
func (ch *Chip) maxRate(ksScale float64) float64 {
	var mx float64
	for i := 0; i < ch.n; i++ {
		s := 0.0
		for x := ch.csr.rowPtr[i]; x < ch.csr.rowPtr[i+1]; x++ {
			s += math.Abs(ch.rate(float64(ch.csr.g[x])))
		}
		mx = math.Max(mx, 2*s+2*ch.ks*ksScale*math.Abs(ch.pumpMask[i])+math.Abs(ch.dOmega[i]))
	}
	return mx
}

// CheckStep reports whether steps per cycle spc can integrate the chip in
// model ("cycle" or "phase"). The phase model needs dt·λ ≤ 1 for the
// Gershgorin bound λ of its fastest rate: explicit Euler and Heun are
// stable on the negative real axis up to dt·λ = 2, so this keeps a margin
// of 2 on a bound that is itself pessimistic. The cycle model needs the same
// of its coupling and pump perturbation, plus netlist.MinStepsPerCycle
// samples of the waveform.
func (ch *Chip) CheckStep(model netlist.Model, spc float64) error {
	return ch.CheckStepScaled(model, spc, 1)
}

// CheckStepScaled is CheckStep with the pump scaled by ksScale (0 = 1), as
// RunOptions.KsScale does.
func (ch *Chip) CheckStepScaled(model netlist.Model, spc, ksScale float64) error {
	if model == netlist.ModelCycle && spc < netlist.MinStepsPerCycle {
		return fmt.Errorf("%w: the cycle model needs at least %d steps per cycle (got %g)", ErrStep, netlist.MinStepsPerCycle, spc)
	}
	if need := ch.MinStepsPerCycle(model, ksScale); spc < need {
		dt := 1 / (ch.f0 * spc)
		return fmt.Errorf("%w: a step of %s is too long for the fastest rate %.3g rad/s of this chip (coupling + pump + detuning); the %s model needs steps_per_cycle ≥ %g (got %g)",
			ErrStep, netlist.FormatSI(dt, "s"), need*ch.f0, model, need, spc)
	}
	return nil
}

// MinStepsPerCycle returns the fewest steps per cycle with which model can
// integrate the current program, the pump scaled by ksScale (0 = 1):
// dt·λ ≤ 1 ⇔ spc ≥ λ/f0, with λ the Gershgorin bound of maxRate (4× for
// the cycle model, whose instantaneous perturbation peaks above its cycle
// average: for the analytic ring |Γ·Δv| ≤ γ1 while h1 = γ1/4), and at least
// netlist.MinStepsPerCycle for the cycle model. The phase model follows
// phases in the reference's rotating frame, so its step is bounded by the
// chip's rates, not by the carrier: when λ < f0 a step may span several
// cycles (spc < 1; a whole number of them, so that the bound stays
// dt·λ ≤ 1). On the 4×4 test arrays (coupling and pump ≲ 0.3% of ω0) that
// is a step of 8–12 cycles, and 8 cycles a step gives the same final states
// as 4 steps a cycle in 20 of 20 initial conditions (docs/fidelity.md,
// "Speed").
func (ch *Chip) MinStepsPerCycle(model netlist.Model, ksScale float64) float64 {
	if ksScale == 0 {
		ksScale = 1
	}
	lam := ch.maxRate(ksScale)
	if model == netlist.ModelCycle {
		return math.Max(netlist.MinStepsPerCycle, math.Ceil(4*lam/ch.f0))
	}
	if need := lam / ch.f0; need > 1 {
		return math.Ceil(need)
	} else if need > 0 {
		return 1 / math.Floor(1/need) // a whole number of cycles per step
	}
	// No coupling, pump or detuning: nothing bounds the step. 64 cycles a
	// step still samples detectors and a pump schedule somewhat.
	return 1.0 / 64
}
