package engine

import (
	"math"
	"oscsim/ringosc"
	"unsafe"
)

// Passes of the engine. A step is a start pass (noise increments and the
// trigonometric terms of the state) and one pass per integrator stage; the
// pool's barrier between passes is the only synchronisation. A pass is cut
// into chunks — pieces of rows (c.e.chunks, positions in the visiting
// order: ordRows) for the trig, stage and row-wise power passes, of inputs
// (c.e.lanes) for noise and the power sums, or with rows split on two
// workers one start-pass chunk per share of rows for its noise
// (setNoiseCopies) and halo trig rows (setHalo) — that the
// workers claim (pool.go), and every (ring, input) value is computed by
// the same arithmetic whatever the split and whichever worker runs its
// chunk.
const (
	opStart = iota
	opStage
	opTrigY // heun: trig terms of the predictor y (ybuf), into tb[0]
	opStep  // a whole step for the worker's inputs (split by inputs)
	opPower // coupler power split by inputs
	opPowerTrig
	opPowerRows
	opPowerSum
	opSync
)

// core is the state and the passes of an engine in precision T.
//
// Layout: index i·B+b for ring i and input b (the batch inner). The
// trigonometric buffer tb[0] holds what other rows read through the
// couplings: the phase model stores sin φ_j ‖ cos φ_j per row (2B values),
// the cycle model v(θ_j) (B values). Euler needs one such buffer, and so
// does Heun in float64, or on one worker, or with inputs split: its first
// stage writes its predictor y to ybuf and a trig pass after the barrier
// turns it into the second stage's terms in the same buffer. RK4, and Heun
// on a batch of one or in float32 with rows split among workers, alternate
// two buffers between stages (tb[1]) so a stage can write the next stage's
// terms while others still read.
//
// Memory (docs/performance.md): the couplers are read from the chip (CSR
// columns and float32 conductances, 8 B a coupler); per ring and input a
// float64 run keeps φ, sin φ ‖ cos φ and, for Heun, y (phase: 32 B), or φ,
// v, sin θ and nothing more for Heun (cycle: 24 B), and draws its noise
// inside the stage pass from a counter-based generator (noise64.go); a
// float32 run keeps φ, turns, its noise buffer and the trig terms (20 B).
type core[T real] struct {
	e  *Engine
	p  *Plan
	kn *kernels[T]
	N  int
	B  int

	phi   []T     // state; aliases e.phi (Plan.Phi) in float64
	turns []int32 // float32: whole turns removed from phi
	dw    []T     // Δω_i plus input offsets (N·B), or nil when dwRow serves
	dwRow []T     // Δω_i (N) when no input offsets its frequencies
	k1    []T     // rk4: k1 + 2·k2 + 2·k3 so far
	ybuf  []T     // heun, B > 1: the predictor y between its stages
	// ybufOwn: ybuf is its own array (not nz or gg).
	ybufOwn bool
	nz      []T // noise increments of the current step (float32 generator)
	keys    []uint64
	// keys: float64 noise, each input's counter-based stream (noise64.go);
	// step is the current step's index, the counter's high part.
	stepN uint64
	// xo: float32 noise, each input's generator (noise32.go). With rows
	// split among workers, xo[j] is noise chunk j's own copy of all the
	// generators: every noise chunk draws every input's whole step (the
	// copies stay equal) and keeps the rows of its share (rowShare), so
	// a worker reads only noise its own core wrote.
	xo       []xoStates
	rowShare []int32    // rows split on two workers: the stage pass's share of ring i (pool.go)
	halo     [][]int32  // per share: the other share's rings it reads (setHalo)
	haloOff  []int      // per share: its halo rows' offset after row N in tb[0]
	nzSink   [][]T      // per worker: 2B values the rows of other shares are drawn into
	nscr     [][]uint32 // per worker: one input's draws for a step (noise32)
	nzs      [][]T      // per worker: their normals
	tb       [2][]T     // trig buffers (see above)
	// gg: cycle model, own rows only: sin θ (N·B) for the analytic ring,
	// Γ(θ) ‖ Γp(θ) (2·N·B) for a tabulated one. back is tb[0] and gg in
	// one array, whose first 2·N·B values the coupler-power pass uses for
	// sin φ ‖ cos φ between steps.
	gg, back []T
	half     int // offset of cos in tb (phase: B) or of Γp in gg (cycle: N·B)

	rowPtr, col []int32
	vals        []float32 // the chip's g per coupler (S)
	a           T         // phase: h1/C, the rate per siemens (1 with path rows)
	mask        []T       // pump mask per ring
	gn, gt      []T       // cycle: Σ inverter-path |G|, Σ |G| per ring

	// Coupling paths (paths.go).
	colV     []int32 // columns the stage passes read
	sets     int     // row sets in the trig buffers
	rho      [2]T    // phase: ρ of the in-phase and inverter path
	pathGain [2]T    // phase: h1/C of the in-phase and inverter path
	// Phase: the pump's second-order drift (A0, A4, B4) and 1/(4·g2²·ω_ref).
	q2      [3]T
	q2scale T
	// q1 and q1set: a measured pump law's first-order terms (pump2).
	q1    [2]T
	q1set bool
	// Cycle model with a measured pump law (pathModel.cycleLaw): the
	// correction's terms, the steps between its updates, and the rings'
	// frequencies without it (c.dw then holds them plus the correction).
	law      [5]T
	lawEvery int
	dw0      []T

	scr [][]T // per worker: S ‖ C (2B), f (B), y (B), dw (B), noise (B)
	// Batch of one with the vector kernels: the rows in blocks
	// (sell.go) and per worker one block's sums S ‖ C.
	sell  *sell[T]
	sellS [][]T
	// per worker, tabulated ring: table positions of up to 64 inputs
	tabK      [][]int32
	tabF      [][]float64
	pw        [][]T // per worker: one row's values in T (float64) or TG weights
	pterm     []T   // coupler-power terms per (ring, input) when split by rows
	ptermOwn  bool  // pterm is its own array (not nz or ybuf)
	ptermNeed bool  // power passes split by rows need pterm
	bad       []int // per worker: first non-finite state index, or −1
	// injA, injB: injection at f0 per (ring, input), nil without (inject.go).
	injA, injB []T
	lane       []float64
	stages     int
	// trigFresh: the phase model's first trig buffer already holds
	// sin φ ‖ cos φ of the current state, left there by a coupler-power
	// pass (same layout, same kernels, so the same bits), and the next
	// step's start pass need not recompute it. A step or sync clears it.
	trigFresh bool

	// startMap: the start pass's chunks with float32 noise (setStartMap).
	startMap []int32

	// Current pass.
	op, stage int
	times     [4]float64 // stage times (s)
	wts       [4]T       // cycle: ω_ref·t at each stage (float32: mod 2π)
	ks        [4]T       // phase: 2·K_s·f(t) at each stage
	pump      [4]T       // cycle: pump current per q_max at each stage
	dt, h, c6 T
	sigma     float64
	g1, m2    T
	invC      T
	tabulated bool
	f32       bool
	fast1     bool // stagePass1Euler serves the stage pass
}

// isFloat32 reports whether T is float32.
func isFloat32[T real]() bool {
	var z T
	_, ok := any(z).(float32)
	return ok
}

func newCore[T real](e *Engine) *core[T] {
	p, N, B := e.p, e.p.N, e.p.B
	c := &core[T]{e: e, p: p, kn: kernelsFor[T](), N: N, B: B}
	size := N * B
	f32 := isFloat32[T]()
	c.f32 = f32
	if f32 {
		c.phi = make([]T, size)
		c.turns = make([]int32, size)
		for x, ph := range p.Phi {
			t := math.Round(ph / (2 * math.Pi))
			c.phi[x] = T(ph - t*2*math.Pi)
			c.turns[x] = int32(max(min(t, math.MaxInt32), math.MinInt32))
		}
	} else {
		c.phi = any(p.Phi).([]T)
		e.phi = p.Phi
	}
	if p.DwInput != nil {
		c.dw = toT[T](p.DwInput)
	} else {
		c.dwRow = make([]T, N)
		for i := range c.dwRow {
			c.dwRow[i] = T(p.DwRing[i])
		}
	}
	if l := p.Paths; p.Model == Cycle && p.tabulated() && l.CycleLawSet && p.Ks > 0 && p.G2 > 0 {
		if c.dw == nil {
			c.dw = make([]T, size)
			for x := range c.dw {
				c.dw[x] = c.dwRow[x/B]
			}
			c.dwRow = nil
		}
		c.dw0 = append([]T(nil), c.dw...)
		for k, x := range l.CycleLaw {
			c.law[k] = T(x)
		}
		c.q2scale = T(1 / (4 * p.G2 * p.G2 * p.Wref))
		c.lawEvery = max(1, int(math.Round(2*math.Pi/(p.Wref*p.Dt))))
	}

	c.rowPtr, c.col, c.vals = p.RowPtr, p.Col, p.G
	c.setupPaths()
	c.mask = toT[T](p.PumpMask)
	if p.InjA != nil { // inject.go
		c.injA, c.injB = toT[T](p.InjA), toT[T](p.InjB)
	}

	switch p.Integrator {
	case Heun:
		c.stages = 2
	case RK4:
		c.stages = 4
		c.k1 = make([]T, size)
	default:
		c.stages = 1
	}
	// Rows split on two workers (a batch; a batch of one's rows are a few
	// bytes): the shares' own noise and halo trig rows, where they apply.
	if e.workers == 2 && !e.byLanes && B > 1 {
		halo := p.Model == Phase && c.sets == 1 && c.stages == 1
		if halo || (p.Sigma != 0 && (f32 || p.Noise32)) {
			c.setRowShare()
		}
		if halo {
			c.setHalo()
		}
	}
	if p.Sigma != 0 {
		if f32 || p.Noise32 {
			c.nz = make([]T, size)
			c.xo = []xoStates{newXoStates(p.Keys32)}
			if c.rowShare != nil {
				c.setNoiseCopies()
			}
			// Scratch for the inputs after a worker's last whole vector
			// of 16 (noise32), for the workers that have such inputs.
			// Any worker may draw any input piece (pool.go).
			narrow := false
			for _, l := range e.lanes {
				narrow = narrow || (l[1]-l[0])%16 != 0
			}
			P := (N + 1) / 2
			for range e.workers {
				var u []uint32
				var z []T
				if narrow {
					u, z = make([]uint32, 2*P), make([]T, 2*P)
				}
				c.nscr = append(c.nscr, u)
				c.nzs = append(c.nzs, z)
			}
		} else {
			c.keys = p.Keys64
		}
	}
	c.sigma = p.Sigma
	if p.Model == Phase {
		c.half = B
		c.tb[0] = make([]T, 2*size*c.sets+2*c.haloRows()*B)
	} else {
		c.half = size
		ggLen := size
		if p.tabulated() {
			ggLen = 2 * size
		}
		c.back = make([]T, size*c.sets+ggLen)
		c.tb[0], c.gg = c.back[:size*c.sets], c.back[size*c.sets:]
		c.gn, c.gt = toT[T](p.GNeg), toT[T](p.GTot)
		c.g1, c.m2 = T(-p.Gamma1), T(-p.C2*2)
		c.invC = T(1 / p.C)
		c.tabulated = p.tabulated()
	}
	// RK4, Heun on a batch of one, and float32 Heun with rows split among
	// workers write each stage's successor's trig terms as they go, into
	// a second buffer: for one input it is N rows of 2 values and saves a
	// pass, which weighs on small chips; split among workers it saves a
	// pass and its barrier a step (8 B more per ring and input in the
	// phase model, 4 B in the cycle model). Otherwise Heun keeps its
	// predictor in ybuf for a trig pass (opTrigY): float64 could not spend
	// the 16 B (phase) and stay within twice its memory budget on sparse
	// chips (docs/performance.md, "Memory").
	if c.stages == 4 || (c.stages == 2 && (B == 1 || (f32 && e.workers > 1 && !e.byLanes))) {
		c.tb[1] = make([]T, len(c.tb[0]))
	}
	if c.stages == 2 && c.tb[1] == nil {
		switch {
		case c.nz != nil: // each row's y is written once its noise is used
			c.ybuf = c.nz
		case p.Model == Cycle: // the trig pass turns y into sin θ in place
			c.ybuf = c.gg[:size]
		default:
			c.ybuf, c.ybufOwn = make([]T, size), true
		}
	}
	dt := p.Dt
	c.dt, c.h, c.c6 = T(dt), T(0.5*dt), T(dt/6)
	deg := 0
	for i := 0; i < N; i++ {
		deg = max(deg, int(p.RowPtr[i+1]-p.RowPtr[i]))
	}
	if p.tabulated() {
		for range e.workers {
			c.tabK = append(c.tabK, make([]int32, min(B, 64)))
			c.tabF = append(c.tabF, make([]float64, min(B, 64)))
		}
	}
	if B == 1 && c.kn.gsum2 != nil {
		c.sell = newSell[T](p.Order, p.RowPtr, c.colV, p.G, p.Model == Phase)
		for range e.workers {
			c.sellS = append(c.sellS, make([]T, 2*sellHeight))
		}
	}
	for range e.workers {
		c.scr = append(c.scr, make([]T, 6*B))
		c.pw = append(c.pw, make([]T, deg))
		c.bad = append(c.bad, -1)
	}
	if e.workers > 1 && !e.byLanes {
		// Split by rows, the power passes keep per-row terms in a buffer
		// that is free between steps, or in their own array, made when a
		// run first asks for coupler power.
		c.ptermNeed = true
		switch {
		case c.nz != nil:
			c.pterm = c.nz
		case c.ybuf != nil && p.Model == Phase:
			c.pterm = c.ybuf
		case c.tb[1] != nil: // used within a step only
			c.pterm = c.tb[1][:size]
		}
	}
	if f32 {
		// Observers read float64 phases (e.phi). Between steps the first
		// trigonometric buffer (phase: 2·N·B float32) or v ‖ sin θ
		// (cycle) is free and at least N·B float64 long, so e.phi lives
		// there; sync refills it after a step or a coupler-power pass
		// used the space.
		buf := c.tb[0]
		if p.Model == Cycle {
			buf = c.back
		}
		e.phi = unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(buf))), size)
		c.syncRows([2]int{0, N})
	}
	c.lane = make([]float64, B)
	c.setStartMap()
	c.fast1 = f32 && p.Model == Phase && c.sell != nil && c.sell.pairs && c.stages == 1 &&
		c.sets == 1 && c.q2scale == 0 && c.injA == nil && c.dw == nil && c.keys == nil
	return c
}

// toT returns x in precision T: x itself in float64 (shared, not copied).
func toT[T real](x []float64) []T {
	if y, ok := any(x).([]T); ok {
		return y
	}
	y := make([]T, len(x))
	for i, v := range x {
		y[i] = T(v)
	}
	return y
}

// bytes is the memory the state and the per-run arrays take (arrays
// shared with the chip are counted with the chip).
func (c *core[T]) bytes() int64 {
	w := int64(8)
	if c.f32 {
		w = 4
	}
	n := int64(len(c.phi)+len(c.dw)+len(c.dwRow)+len(c.k1)+len(c.nz)+len(c.tb[0])+len(c.tb[1])+len(c.gg)) * w
	if c.ybufOwn {
		n += int64(len(c.ybuf)) * w
	}
	n += int64(len(c.turns)+2*len(c.keys)+len(c.rowShare)) * 4
	for _, x := range c.xo {
		n += int64(len(x.s0)) * 16
	}
	for _, z := range c.nzSink {
		n += int64(len(z)) * w
	}
	if c.ptermOwn {
		n += int64(len(c.pterm)) * w
	}
	if len(c.colV) > 0 && &c.colV[0] != &c.col[0] {
		n += int64(len(c.colV)) * 4
	}
	if c.f32 {
		n += int64(len(c.mask)+len(c.gn)+len(c.gt)) * w // float64 shares the chip's
	}
	for k := range c.scr {
		n += int64(len(c.scr[k])+len(c.pw[k])) * w
	}
	for k := range c.nscr {
		n += int64(len(c.nscr[k]))*4 + int64(len(c.nzs[k]))*w
	}
	return n
}

// setTimes prepares the stage times and time-dependent rates of step n
// (the same expressions the engine has always used, so float64 keeps its
// bits: t = n·dt, then t + dt/2 and t + dt).
func (c *core[T]) setTimes(n int) {
	p := c.p
	dt := p.Dt
	t := float64(n) * dt
	c.times[0] = t
	switch c.stages {
	case 2:
		c.times[1] = t + dt
	case 4:
		c.times[1], c.times[2], c.times[3] = t+0.5*dt, t+0.5*dt, t+dt
	}
	f32 := c.f32
	for s := 0; s < c.stages; s++ {
		ts := c.times[s]
		if p.Model == Phase {
			c.ks[s] = T(2 * (p.Ks * p.KsScale * p.Schedule.Factor(ts)))
			continue
		}
		wt := p.Wref * ts
		c.pump[s] = T(p.PumpI * p.KsScale * p.Schedule.Factor(ts) * math.Cos(2*wt) / (p.C * p.VDD))
		if f32 {
			wt = math.Mod(wt, 2*math.Pi)
		}
		c.wts[s] = T(wt)
	}
}

// step advances the state by one step from t = n·dt. With rows split
// among workers a step is a start pass and one pass per stage; with inputs
// split (c.e.byLanes) the workers share nothing within a step, so a step
// is one pass.
func (c *core[T]) step(n int) {
	c.setTimes(n)
	c.stepN = uint64(n)
	if c.lawEvery > 0 && n%c.lawEvery == 0 {
		c.lawUpdate(float64(n) * c.p.Dt)
	}
	p := c.e.pool
	for k := range c.bad {
		c.bad[k] = -1
	}
	rows, lanes := len(c.e.chunks), len(c.e.lanes)
	if c.e.byLanes {
		c.op = opStep
		p.run(lanes)
		c.trigFresh = false
	} else {
		c.op = opStart
		p.run(c.startNoise() + rows)
		c.trigFresh = false
		for s := 0; s < c.stages; s++ {
			if s == 1 && c.ybuf != nil {
				c.op = opTrigY // heun: the predictor's trig terms
				p.run(rows)
			}
			c.op, c.stage = opStage, s
			p.run(rows)
		}
	}
	c.e.bad = -1
	for _, x := range c.bad {
		if x >= 0 && (c.e.bad < 0 || x < c.e.bad) {
			c.e.bad = x
		}
	}
}

// lawUpdate sets the cycle model's pumped rings' frequencies to their own
// plus the measured pump law's averaged correction at their phases now
// (pathModel.cycleLaw), held until the next update.
func (c *core[T]) lawUpdate(t float64) {
	p := c.p
	kp := T(2 * p.Ks * p.KsScale * p.Schedule.Factor(t))
	l := &c.law
	B := c.B
	for i := 0; i < c.N; i++ {
		m := c.mask[i]
		row := c.dw[i*B : (i+1)*B]
		base := c.dw0[i*B : (i+1)*B]
		if m == 0 || kp == 0 {
			copy(row, base)
			continue
		}
		ki := kp * m
		kq := ki * ki * c.q2scale
		for b, p := range c.phi[i*B : (i+1)*B] {
			s, k := math.Sincos(float64(p))
			row[b] = base[b] + pump2Term(T(s), T(k), kq, l[2], l[3], l[4], true, ki, l[0], l[1])
		}
	}
}

// startNoise is the number of the start pass's chunks that draw noise
// (the inputs' pieces): none without float32 noise.
func (c *core[T]) startNoise() int {
	if c.nz == nil && c.halo == nil {
		return 0
	}
	return len(c.e.lanes)
}

// setStartMap lays out the start pass's chunks when it draws float32
// noise: the inputs' pieces (−1 − j for c.e.lanes[j]) spread evenly among
// the rows' pieces (their index in c.e.chunks), so each worker's share of
// the pass (pool.go) holds its part of the noise.
func (c *core[T]) setStartMap() {
	L, R := c.startNoise(), len(c.e.chunks)
	if L == 0 {
		return
	}
	c.startMap = make([]int32, 0, L+R)
	r := 0
	for j := range L {
		for ; r < R*j/L; r++ {
			c.startMap = append(c.startMap, int32(r))
		}
		c.startMap = append(c.startMap, int32(-1-j))
	}
	for ; r < R; r++ {
		c.startMap = append(c.startMap, int32(r))
	}
}

// work runs chunk x of the current pass on worker k (pool.go): a piece
// of rows (c.e.chunks) or of inputs (c.e.lanes). Worker k's scratch is
// its own; which worker runs a chunk changes no result.
func (c *core[T]) work(k, x int) {
	clearUpper(c.kn.level)
	switch c.op {
	case opStart:
		if c.startMap != nil {
			if j := c.startMap[x]; j < 0 {
				s := int(-1 - j)
				switch {
				case c.nz == nil:
				case len(c.xo) > 1: // rows split on two workers: share s's noise
					c.noise32(k, s, [2]int{0, c.B})
				default:
					c.noise(k, c.e.lanes[s])
				}
				if c.halo != nil {
					c.haloTrig(k, s)
				}
				return
			} else {
				x = int(j)
			}
		}
		rows := c.e.chunks[x]
		switch {
		case c.trigFresh:
		case c.B == 1:
			c.trig1(k, 0, rows, c.phi, c.wts[0])
		default:
			c.trigOrd(k, 0, x, c.phi, c.wts[0])
		}
	case opStage:
		if c.B == 1 {
			c.stagePass1(k, c.e.chunks[x])
		} else {
			c.stagePass(k, c.stage, c.e.chunks[x], [2]int{0, c.B})
		}
	case opTrigY:
		c.trigOrd(k, 0, x, c.ybuf, c.wts[1])
	case opStep:
		all, l := [2]int{0, c.N}, c.e.lanes[x]
		c.noise(k, l)
		if !c.trigFresh {
			c.trig(k, 0, all, l, c.phi, c.wts[0])
		}
		for s := 0; s < c.stages; s++ {
			if s == 1 && c.stages == 2 {
				c.trig(k, 0, all, l, c.ybuf, c.wts[1])
			}
			c.stagePass(k, s, all, l)
		}
	case opPower:
		c.powerLanes(k, c.e.lanes[x])
	case opPowerTrig:
		c.rowRuns(x, func(rows [2]int) { c.powerTrig(rows, [2]int{0, c.B}) })
	case opPowerRows:
		c.rowRuns(x, func(rows [2]int) { c.powerRows(k, rows) })
	case opPowerSum:
		c.powerSum(c.e.lanes[x])
	case opSync:
		c.rowRuns(x, c.syncRows)
	}
}

// rowRuns calls f on the rows of row chunk x: on one worker once, with
// all rows in index order (the arrays streamed in address order); on
// more, ring by ring in the chunk's visiting order (ordRows).
func (c *core[T]) rowRuns(x int, f func(rows [2]int)) {
	if c.e.workers == 1 {
		f([2]int{0, c.N}) // the one chunk
		return
	}
	for _, i := range c.ordRows(x) {
		f([2]int{int(i), int(i) + 1})
	}
}

// ordRows are the rings of row chunk x: positions c.e.chunks[x] of the
// visiting order. Every row pass visits a chunk's rings in that order
// (a batch of one's start pass excepted: trig1 runs along index rows), so
// a worker that keeps its share of the chunks (pool.go) reads and writes
// the same rows' state, noise and trig terms in every pass.
func (c *core[T]) ordRows(x int) []int32 {
	pos := c.e.chunks[x]
	return c.p.Order[pos[0]:pos[1]]
}

// noise draws the step's increments σ·ξ of the float32 generator for
// inputs [lo, hi) into nz (float64 runs draw theirs in the stage passes:
// rowNoise).
func (c *core[T]) noise(k int, l [2]int) {
	if c.nz == nil || l[0] == l[1] {
		return
	}
	c.noise32(k, 0, l)
}

// setRowShare sets rowShare, the share of the stage passes' chunks
// (pool.go) that updates ring i, for rows split on two workers.
func (c *core[T]) setRowShare() {
	e := c.e
	c.rowShare = make([]int32, c.N)
	R := len(e.chunks)
	for x, pos := range e.chunks {
		s := shareOf(x, R, e.workers)
		for _, i := range c.p.Order[pos[0]:pos[1]] {
			c.rowShare[i] = int32(s)
		}
	}
}

// setNoiseCopies prepares the float32 noise for rows split on two
// workers: the start pass has one noise chunk per share (startNoise), and
// chunk j draws with its own copy xo[j] of the generators and keeps the
// rows of share j (rowShare), so no worker reads noise written on another
// core (on the 2-vCPU machine of docs/performance.md, "Two workers", a
// line read from the other core costs more than drawing the whole step
// twice). Each copy advances every input's stream over every ring, so the
// copies stay equal and the numbers are those of one generator: the bits
// do not change. Two workers only: each worker draws the whole step, so
// with w workers the noise would not split at all; with more than two the
// noise chunks keep drawing shares of the inputs.
func (c *core[T]) setNoiseCopies() {
	e := c.e
	for range len(e.lanes) - 1 {
		c.xo = append(c.xo, newXoStates(c.p.Keys32))
	}
	for range e.workers {
		c.nzSink = append(c.nzSink, make([]T, 2*c.B))
	}
}

// setHalo gives each share of rows (phase model, Euler, a batch, rows
// split on two workers) its own copy of the trig terms its rows read
// from the other share's rings: halo[s] lists those rings in the order
// share s's rows first read them, their terms are rows N + haloOff[s] + h
// of tb[0], which share s's start-pass chunk recomputes from their φ
// (haloTrig), and colV sends share s's couplers from them there. So no
// stage pass reads trig terms another core wrote; the start pass reads
// those rings' φ rows instead, half the bytes (docs/performance.md,
// "Two workers", fifth session). Every term is computed by the same
// kernel from the same φ, so the sums read the same values: the bits do
// not change.
func (c *core[T]) setHalo() {
	N := c.N
	c.halo = make([][]int32, 2)
	at := [2][]int32{make([]int32, N), make([]int32, N)} // halo index + 1
	for _, i := range c.p.Order {
		s := c.rowShare[i]
		for _, j := range c.col[c.rowPtr[i]:c.rowPtr[i+1]] {
			if c.rowShare[j] != s && at[s][j] == 0 {
				c.halo[s] = append(c.halo[s], j)
				at[s][j] = int32(len(c.halo[s]))
			}
		}
	}
	c.haloOff = []int{0, len(c.halo[0])}
	c.colV = make([]int32, len(c.col))
	for i := range N {
		s := c.rowShare[i]
		for x := c.rowPtr[i]; x < c.rowPtr[i+1]; x++ {
			j := c.col[x]
			c.colV[x] = j
			if c.rowShare[j] != s {
				c.colV[x] = int32(N+c.haloOff[s]) + at[s][j] - 1
			}
		}
	}
}

// haloRows is the number of halo rows in tb[0] (setHalo).
func (c *core[T]) haloRows() int {
	n := 0
	for _, h := range c.halo {
		n += len(h)
	}
	return n
}

// haloTrig fills share s's halo rows of tb[0] from the current state.
func (c *core[T]) haloTrig(k, s int) {
	B := c.B
	for h, j := range c.halo[s] {
		c.trigRow(k, 0, c.N+c.haloOff[s]+h, 0, c.phi[int(j)*B:int(j+1)*B], c.wts[0])
	}
}

// rowNoise returns the noise increments of row i for inputs b0 … b0+n−1 at
// the current step (nil without noise): the slice of nz, or the float64
// counter-based draws (noise64.go) in worker k's scratch.
func (c *core[T]) rowNoise(k, i, b0, n int) []T {
	if c.nz == nil && c.keys == nil { // small enough to inline: no call without noise
		return nil
	}
	return c.rowNoiseDraw(k, i, b0, n)
}

// rowNoiseDraw is rowNoise with noise on.
func (c *core[T]) rowNoiseDraw(k, i, b0, n int) []T {
	switch {
	case c.nz != nil:
		base := i*c.B + b0
		return c.nz[base : base+n]
	case c.keys != nil:
		out := c.scr[k][5*c.B : 5*c.B+n]
		noise64Row(c.keys, c.stepN, c.N, i, b0, c.sigma, out)
		return out
	}
	return nil
}

// noise32 draws the step's increments from the float32 generator
// (noise32.go) for inputs l: two rings from each normal pair of an
// input's stream, in ring order. Whole vectors of inputs advance together
// (noise2); the inputs after them draw a whole step's uniforms first and
// transform them along the rings (bm), so a batch of one is vectorised
// too. Both give the same bits.
//
// j is the generators' copy and, with rows split (rowShare), the share
// whose rows are kept: a pair of rings with one row kept is drawn whole
// (the other row into worker k's sink), a pair with none only advances
// the generators (xoSkip: no Box–Muller).
func (c *core[T]) noise32(k, j int, l [2]int) {
	B, N := c.B, c.N
	a, b := l[0], l[1]
	wide := a + (b-a)/16*16
	x := c.xo[j]
	sigma := T(c.sigma)
	own := func(i int) bool { return c.rowShare == nil || int(c.rowShare[i]) == j }
	if wide > a {
		s0, s1, s2, s3 := x.s0[a:wide], x.s1[a:wide], x.s2[a:wide], x.s3[a:wide]
		var sink [2][]T
		if c.rowShare != nil {
			z := c.nzSink[k]
			sink = [2][]T{z[:wide-a], z[B : B+wide-a]}
		}
		skip := 0 // pairs of rings neither of which is kept, not yet drawn
		for i := 0; i < N; i += 2 {
			if !own(i) && (i+1 >= N || !own(i+1)) {
				skip++
				continue
			}
			if skip > 0 {
				c.kn.xoSkip(s0, s1, s2, s3, 2*skip) // a pair is two draws
				skip = 0
			}
			cur := c.nz[i*B+a : i*B+wide]
			if !own(i) {
				cur = sink[0]
			}
			var next []T
			if i+1 < N {
				next = c.nz[(i+1)*B+a : (i+1)*B+wide]
				if !own(i + 1) {
					next = sink[1]
				}
			}
			c.kn.noise2(s0, s1, s2, s3, sigma, cur, next)
		}
		if skip > 0 {
			c.kn.xoSkip(s0, s1, s2, s3, 2*skip) // every copy ends the step alike
		}
	}
	P := (N + 1) / 2
	for lane := wide; lane < b; lane++ {
		u, z := c.nscr[k], c.nzs[k]
		x1, x2, z0, z1 := u[:P], u[P:2*P], z[:P], z[P:2*P]
		for m := range x1 {
			x1[m] = xoNext(&x.s0[lane], &x.s1[lane], &x.s2[lane], &x.s3[lane])
			x2[m] = xoNext(&x.s0[lane], &x.s1[lane], &x.s2[lane], &x.s3[lane])
		}
		c.kn.bm(x1, x2, sigma, z0, z1)
		nz := c.nz[lane:]
		for m, v := range z0 {
			if own(2 * m) {
				nz[2*m*B] = v
			}
			if 2*m+1 < N && own(2*m+1) {
				nz[(2*m+1)*B] = z1[m]
			}
		}
	}
}

// trig fills trig buffer tb[buf] (and the cycle model's Γ, Γp) for rows
// rows[0] ≤ i < rows[1] and inputs l[0] ≤ b < l[1] from state y (indexed
// like phi) at ω_ref·t = wt.
func (c *core[T]) trig(k, buf int, rows, l [2]int, y []T, wt T) {
	for i := rows[0]; i < rows[1]; i++ {
		c.trigRow(k, buf, i, l[0], y[i*c.B+l[0]:i*c.B+l[1]], wt)
	}
}

// trigOrd is trig for all inputs of the rings of row chunk x (rowRuns):
// the rows the stage passes give the same chunk, so with rows split among
// workers a worker computes the trig terms of the rows whose state it
// updates and the state stays in its core's caches from pass to pass
// (the terms are per row, so the order changes no bit).
func (c *core[T]) trigOrd(k, buf, x int, y []T, wt T) {
	c.rowRuns(x, func(rows [2]int) { c.trig(k, buf, rows, [2]int{0, c.B}, y, wt) })
}

// trigRow fills row i's trig terms for inputs b0 ≤ b < b0 + len(y).
func (c *core[T]) trigRow(k, buf, i, b0 int, y []T, wt T) {
	B, n := c.B, len(y)
	if c.p.Model == Phase {
		o := i*2*B + b0
		c.kn.sincos(y, c.tb[buf][o:o+n], c.tb[buf][o+B:o+B+n])
		if c.sets > 1 {
			c.pathRows(buf, i, b0, n)
		}
		return
	}
	o := i*B + b0
	v := c.tb[buf][o : o+n]
	if !c.tabulated {
		c.kn.cycleTrig(y, wt, v, c.gg[o:o+n])
		return
	}
	var notInv []T
	if c.sets > 1 {
		notInv = c.tb[buf][c.N*B+o : c.N*B+o+n] // inverter path (paths.go)
	}
	gam, gamp := c.gg[o:o+n], c.gg[c.half+o:c.half+o+n]
	pk := c.p.Packed
	if n < 8 { // fewer inputs than a vector: no kernel call
		ringosc.SampleRows(pk, wt, y, v, gam, gamp, notInv)
		return
	}
	// Table positions by the vector kernel into worker k's scratch, then
	// the loads (ringosc.SampleRows in two passes, the same bits).
	scale, invM, fm := pk.Reduction()
	kk, ff := c.tabK[k], c.tabF[k]
	for a := 0; a < n; a += len(kk) {
		m := min(len(kk), n-a)
		c.kn.tabIdx(wt, y[a:a+m], scale, invM, fm, kk[:m], ff[:m])
		var ni []T
		if notInv != nil {
			ni = notInv[a : a+m]
		}
		ringosc.SampleIndexed(pk, kk[:m], ff[:m], v[a:a+m], gam[a:a+m], gamp[a:a+m], ni)
	}
}

// rowVals returns the chip's conductances of couplers [lo, hi) in T: the
// chip's float32 array itself, or (float64) widened into worker k's
// scratch, once per row rather than once per vector of inputs in the
// sparse product's inner loop.
func (c *core[T]) rowVals(k int, lo, hi int32) []T {
	if c.f32 { // T is float32: the chip's array as it is
		return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(c.vals[lo:hi]))), hi-lo)
	}
	w := c.pw[k][:hi-lo]
	for x, g := range c.vals[lo:hi] {
		w[x] = T(g)
	}
	return w
}

// stagePass evaluates integrator stage s for inputs [l[0], l[1]) of the
// rings at positions [pos[0], pos[1]) of the visiting order c.p.Order.
//
// Stochastic Heun (Euler–Heun with additive noise ξ): the first stage
// takes f1 = f(φ), writes the predictor y = φ + dt·f1 + ξ to ybuf and
// advances φ to φ + h·f1 + ξ in place; after the trig pass the second
// stage adds h·f2 with f2 = f(y): φ' = φ + (dt/2)·(f1 + f2) + ξ, one
// rounding apart from summing the stages first.
func (c *core[T]) stagePass(k, s int, pos, l [2]int) {
	B := c.B
	b0, n := l[0], l[1]-l[0]
	if n == 0 {
		return
	}
	src, dst := 0, 0
	if c.tb[1] != nil {
		src, dst = s&1, (s+1)&1
	}
	scr := c.scr[k]
	SC, f, y, dwb := scr[:2*n], scr[2*B:2*B+n], scr[3*B:3*B+n], scr[4*B:4*B+n]
	final := s == c.stages-1
	tb := c.tb[src]
	var nextWt T
	if !final {
		nextWt = c.wts[s+1]
	}
	order := c.p.Order
	for r := pos[0]; r < pos[1]; r++ {
		i := int(order[r])
		lo, hi := c.rowPtr[i], c.rowPtr[i+1]
		cols, vals := c.colV[lo:hi], c.rowVals(k, lo, hi)
		base := i*B + b0
		dw := dwb
		if c.dw != nil {
			dw = c.dw[base : base+n]
		} else {
			w := c.dwRow[i]
			for b := range dwb {
				dwb[b] = w
			}
		}
		// f = dφ/dt for row i at this stage.
		out := f
		if c.stages == 4 && s == 0 {
			out = c.k1[base : base+n] // rk4's running sum
		}
		if c.p.Model == Phase {
			c.kn.spmm2(cols, vals, tb[b0:], 2*B, B, n, SC)
			o := i*2*B + b0
			kp := c.ks[s] * c.mask[i]
			c.kn.phaseF(out, dw, tb[o:o+n], tb[o+B:o+B+n], SC[:n], SC[n:], c.a, kp)
			c.pump2(out, tb[o:o+n], tb[o+B:o+B+n], kp, kp*kp*c.q2scale) // paths.go
			if c.injA != nil {
				c.injectPhase(out, base, tb[o:o+n], tb[o+B:o+B+n]) // inject.go
			}
		} else {
			c.kn.spmm1(cols, vals, tb[b0:], B, n, SC[:n])
			v := tb[base : base+n]
			pm := c.pump[s] * c.mask[i]
			if c.tabulated {
				c.kn.cycleF(out, dw, v, c.gg[base:base+n], c.gg[c.half+base:c.half+base+n], SC[:n], c.gn[i], c.gt[i], c.invC, pm)
			} else {
				c.kn.cycleFs(out, dw, v, c.gg[base:base+n], SC[:n], c.gn[i], c.gt[i], c.invC, pm, c.g1, c.m2)
			}
			if c.injA != nil {
				c.injectCycle(out, s, base) // inject.go
			}
		}
		phi := c.phi[base : base+n]
		if final {
			switch c.stages {
			case 1:
				c.kn.axpy(phi, phi, c.dt, out)
			case 2:
				c.kn.axpy(phi, phi, c.h, out) // heun: noise went in with the first stage
			case 4:
				c.kn.rk4(phi, phi, c.c6, c.k1[base:base+n], out)
			}
			if c.stages != 2 {
				if nz := c.rowNoise(k, i, b0, n); nz != nil {
					c.kn.add(phi, nz)
				}
			}
			var turns []int32
			if c.turns != nil {
				turns = c.turns[base : base+n]
			}
			if !c.kn.wrap(phi, turns) {
				for b, p := range phi {
					if p-p != 0 && (c.bad[k] < 0 || base+b < c.bad[k]) {
						c.bad[k] = base + b
						break
					}
				}
			}
			continue
		}
		// Intermediate state y of the next stage.
		switch {
		case c.stages == 2: // heun predictor with the step's noise
			c.kn.axpy(y, phi, c.dt, out)
			c.kn.axpy(phi, phi, c.h, out)
			if nz := c.rowNoise(k, i, b0, n); nz != nil {
				c.kn.add(y, nz)
				c.kn.add(phi, nz)
			}
			if c.ybuf != nil {
				copy(c.ybuf[base:base+n], y) // may overwrite nz or sin θ: both used
				continue
			}
		case s == 0: // rk4
			c.kn.axpy(y, phi, c.h, out)
		case s == 1:
			c.kn.acc2(c.k1[base:base+n], out)
			c.kn.axpy(y, phi, c.h, out)
		default:
			c.kn.acc2(c.k1[base:base+n], out)
			c.kn.axpy(y, phi, c.dt, out)
		}
		c.trigRow(k, dst, i, b0, y, nextWt)
	}
}

// sincosT is the precision's scalar sine and cosine.
func sincosT[T real](x T) (T, T) {
	if v, ok := any(x).(float32); ok {
		s, c := sincos32(v)
		return T(s), T(c)
	}
	s, c := math.Sincos(float64(x))
	return T(s), T(c)
}

// trig1 is trig for a batch of one input, without a kernel call per row.
func (c *core[T]) trig1(k, buf int, rows [2]int, y []T, wt T) {
	tb := c.tb[buf]
	if c.p.Model == Phase && c.f32 && c.sell != nil && c.sets == 1 {
		// Vector sine and cosine along the rows (the same bits as
		// sincosT), 16 rows at a time into worker k's scratch.
		sc := c.sellS[k]
		for a := rows[0]; a < rows[1]; a += sellHeight {
			b := min(a+sellHeight, rows[1])
			s, cs := sc[:b-a], sc[sellHeight:sellHeight+b-a]
			c.kn.sincos(y[a:b], s, cs)
			for q := range s {
				tb[2*(a+q)], tb[2*(a+q)+1] = s[q], cs[q]
			}
		}
		return
	}
	if c.p.Model == Phase {
		for i := rows[0]; i < rows[1]; i++ {
			tb[2*i], tb[2*i+1] = sincosT(y[i])
			if c.sets > 1 {
				c.pathRows1(tb, i)
			}
		}
		return
	}
	if c.tabulated {
		c.trig(k, buf, rows, [2]int{0, 1}, y, wt)
		return
	}
	for i := rows[0]; i < rows[1]; i++ {
		s, cs := sincosT(wt + y[i])
		tb[i] = 0.5 * (1 + cs)
		c.gg[i] = s
	}
}

// stagePass1 is stagePass for a batch of one input: the same arithmetic
// as the kernels, written out per ring so a row costs no kernel calls.
func (c *core[T]) stagePass1(k int, pos [2]int) {
	if c.fast1 {
		c.stagePass1Euler(k, pos)
		return
	}
	s := c.stage
	final := s == c.stages-1
	src, next := 0, 0
	if c.tb[1] != nil { // rk4, heun
		src, next = s&1, (s+1)&1
	}
	tb := c.tb[src]
	var nextWt T
	if !final {
		nextWt = c.wts[s+1]
	}
	phase := c.p.Model == Phase
	ks, pump := c.ks[s], c.pump[s]
	one := c.scr[k][:1]
	var sums [2][2]T
	order := c.p.Order
	for r := pos[0]; r < pos[1]; r++ {
		i := int(order[r])
		var S, C T
		if c.sell != nil {
			// A block's sums at a time, a row to a vector lane
			// (sell.go); a worker's share may start mid-block.
			q := r % sellHeight
			if q == 0 || r == pos[0] {
				bk, ss := r/sellHeight, c.sellS[k]
				if phase {
					c.kn.gsum2(c.sell.cols[bk], c.sell.vals[bk], tb, ss, ss[sellHeight:])
				} else {
					c.kn.gsum1(c.sell.cols[bk], c.sell.vals[bk], tb, ss[:sellHeight])
				}
			}
			if c.sell.pairs {
				S, C = c.sellS[k][2*q], c.sellS[k][2*q+1]
			} else {
				S, C = c.sellS[k][q], c.sellS[k][sellHeight+q]
			}
		} else {
			// Row sums two rows at a time: four independent chains
			// instead of two, each still summed in its row's order.
			if (r-pos[0])&1 == 0 {
				next := -1
				if r+1 < pos[1] {
					next = int(order[r+1])
				}
				if phase {
					c.rowSums2(i, next, tb, &sums)
				} else {
					c.rowSums1(i, next, tb, &sums)
				}
			}
			S, C = sums[(r-pos[0])&1][0], sums[(r-pos[0])&1][1]
		}
		var dw T
		if c.dw != nil {
			dw = c.dw[i]
		} else {
			dw = c.dwRow[i]
		}
		var f T
		if phase {
			sn, cs := tb[2*i], tb[2*i+1]
			kp := ks * c.mask[i]
			f = dw + c.a*(cs*S-sn*C) - kp*sn*cs
			if c.q2scale != 0 {
				f += c.pump2One(sn, cs, kp, kp*kp*c.q2scale)
			}
			if c.injA != nil {
				f += c.inject1(i, s, sn, cs) // inject.go
			}
		} else {
			pm := pump * c.mask[i]
			v := tb[i]
			cur := S + c.gn[i] - c.gt[i]*v
			if c.tabulated {
				f = dw + c.gg[i]*cur*c.invC + c.gg[c.half+i]*pm
			} else {
				sn := c.gg[i]
				f = dw + c.g1*sn*cur*c.invC + c.m2*sn*(2*v-1)*pm
			}
			if c.injA != nil {
				f += c.inject1(i, s, 0, 0) // inject.go
			}
		}
		p := c.phi[i]
		if final {
			switch c.stages {
			case 1:
				p = p + c.dt*f
			case 2:
				p = p + c.h*f
			case 4:
				p = p + c.c6*(c.k1[i]+f)
			}
			if c.stages != 2 {
				if nz := c.rowNoise(k, i, 0, 1); nz != nil {
					p += nz[0]
				}
			}
			if c.f32 && (p > T(pi32) || p < -T(pi32)) {
				w, t := wrapTurn32(float32(p), c.turns[i])
				p, c.turns[i] = T(w), t
			}
			c.phi[i] = p
			if p-p != 0 && (c.bad[k] < 0 || i < c.bad[k]) {
				c.bad[k] = i
			}
			continue
		}
		var y T
		switch {
		case c.stages == 2:
			y = p + c.dt*f
			p = p + c.h*f
			if nz := c.rowNoise(k, i, 0, 1); nz != nil {
				y += nz[0]
				p += nz[0]
			}
			c.phi[i] = p
		case s == 0:
			c.k1[i] = f
			y = p + c.h*f
		case s == 1:
			c.k1[i] += 2 * f
			y = p + c.h*f
		default:
			c.k1[i] += 2 * f
			y = p + c.dt*f
		}
		switch {
		case phase:
			c.tb[next][2*i], c.tb[next][2*i+1] = sincosT(y)
			if c.sets > 1 {
				c.pathRows1(c.tb[next], i)
			}
		case c.tabulated:
			one[0] = y
			c.trigRow(k, next, i, 0, one, nextWt)
		default:
			sn, cs := sincosT(nextWt + y)
			c.tb[next][i] = 0.5 * (1 + cs)
			c.gg[i] = sn
		}
	}
}

// stagePass1Euler is stagePass1 for the commonest batch of one: the
// float32 phase model with Euler–Maruyama, the row sums from the SELL
// blocks, no path rows, second-order pump terms or injection and the
// rings' own frequencies (fast1). The same operations in the same order,
// without the general loop's per-row branches and calls (the loop's own
// work is about a sixth of the step; this made the step 14–21% cheaper
// in CPU time, docs/performance.md).
func (c *core[T]) stagePass1Euler(k int, pos [2]int) {
	tb, phi, turns, nz := c.tb[0], c.phi, c.turns, c.nz
	dwRow, mask := c.dwRow, c.mask
	ks, a, dt := c.ks[0], c.a, c.dt
	ss := c.sellS[k]
	order := c.p.Order
	bad := c.bad[k]
	for r := pos[0]; r < pos[1]; r++ {
		i := int(order[r])
		q := r % sellHeight
		if q == 0 || r == pos[0] {
			bk := r / sellHeight
			c.kn.gsum2(c.sell.cols[bk], c.sell.vals[bk], tb, ss, ss[sellHeight:])
		}
		S, C := ss[2*q], ss[2*q+1]
		sn, cs := tb[2*i], tb[2*i+1]
		kp := ks * mask[i]
		f := dwRow[i] + a*(cs*S-sn*C) - kp*sn*cs
		p := phi[i] + dt*f
		if nz != nil {
			p += nz[i]
		}
		if p > T(pi32) || p < -T(pi32) {
			w, t := wrapTurn32(float32(p), turns[i])
			p, turns[i] = T(w), t
		}
		phi[i] = p
		if p-p != 0 && (bad < 0 || i < bad) {
			bad = i
		}
	}
	c.bad[k] = bad
}

// rowSums2 sets sums[0] = (G·sin φ, G·cos φ) of row a and sums[1] that of
// row b (b < 0: none) for a batch of one, interleaving the two rows' chains.
func (c *core[T]) rowSums2(a, b int, tb []T, sums *[2][2]T) {
	a0, a1 := c.rowPtr[a], c.rowPtr[a+1]
	colA, valA := c.colV[a0:a1], c.vals[a0:a1]
	valA = valA[:len(colA)]
	var s0, c0, s1, c1 T
	x := 0
	if b >= 0 {
		b0, b1 := c.rowPtr[b], c.rowPtr[b+1]
		colB, valB := c.colV[b0:b1], c.vals[b0:b1]
		m := min(len(colA), len(colB))
		colB, valB = colB[:m], valB[:m]
		for ; x < m; x++ {
			ja, jb := 2*int(colA[x]), 2*int(colB[x])
			va, vb := T(valA[x]), T(valB[x])
			s0 += va * tb[ja]
			c0 += va * tb[ja+1]
			s1 += vb * tb[jb]
			c1 += vb * tb[jb+1]
		}
		b0 += int32(m)
		for y, j := range c.colV[b0:b1] {
			v := T(c.vals[int(b0)+y])
			s1 += v * tb[2*int(j)]
			c1 += v * tb[2*int(j)+1]
		}
	}
	for ; x < len(colA); x++ {
		j, v := 2*int(colA[x]), T(valA[x])
		s0 += v * tb[j]
		c0 += v * tb[j+1]
	}
	sums[0] = [2]T{s0, c0}
	sums[1] = [2]T{s1, c1}
}

// rowSums1 is rowSums2 for the cycle model: sums[r][0] = (G·v) of the row.
func (c *core[T]) rowSums1(a, b int, tb []T, sums *[2][2]T) {
	for r, i := range [2]int{a, b} {
		if i < 0 {
			break
		}
		lo, hi := c.rowPtr[i], c.rowPtr[i+1]
		cols, vals := c.colV[lo:hi], c.vals[lo:hi]
		vals = vals[:len(cols)]
		var y T
		for x, j := range cols {
			y += T(vals[x]) * tb[j]
		}
		sums[r][0] = y
	}
}

// Coupler power. c.lane[b] = Σ_i Σ_j w_ij·cos(φ_j − φ_i) for input b, in
// siemens (the couplers' values are the chip's G in both models), with w
// the TG weights (tgWeights: inverter
// path whole, in-phase halved, since both directions of an in-phase pair
// share one TG and see the same cos) and cos(φ_j − φ_i) = cos φ_i·cos φ_j +
// sin φ_i·sin φ_j.
// Each row's term is rounded in T and the terms are summed in float64 over
// rings in order for each input, whichever way the work is split: by
// inputs (powerLanes: one pass) or by rows (powerTrig, powerRows into the
// free N·B buffer pterm, then powerSum: three passes).

// powerSC is where the power passes keep sin φ ‖ cos φ: the first trig
// buffer (phase) or the start of tb[0] ‖ gg (cycle), free between steps.
func (c *core[T]) powerSC() (sc []T, stride int) {
	if c.p.Model == Phase {
		return c.tb[0], 2 * c.B
	}
	return c.back[:2*c.N*c.B], c.B
}

// powerTrig fills powerSC for rows × inputs l.
func (c *core[T]) powerTrig(rows, l [2]int) {
	sc, stride := c.powerSC()
	B, n := c.B, l[1]-l[0]
	for i := rows[0]; i < rows[1]; i++ {
		o := i*stride + l[0]
		c.kn.sincos(c.phi[i*B+l[0]:i*B+l[1]], sc[o:o+n], sc[o+c.half:o+c.half+n])
		if c.sets > 1 && c.p.Model == Phase {
			c.pathRows(0, i, l[0], n) // so the next step may start from them
		}
	}
}

// powerSums sets SC = (w·sin φ ‖ w·cos φ) of row i for inputs l, with w
// the TG weights of the row's couplers (tgWeights).
func (c *core[T]) powerSums(k, i int, l [2]int) (SC, sn, cs []T) {
	sc, stride := c.powerSC()
	n := l[1] - l[0]
	lo, hi := c.rowPtr[i], c.rowPtr[i+1]
	w := c.pw[k][:hi-lo]
	tgWeights(w, c.vals[lo:hi])
	SC = c.scr[k][:2*n]
	c.kn.spmm2(c.col[lo:hi], w, sc[l[0]:], stride, c.half, n, SC)
	o := i*stride + l[0]
	return SC, sc[o : o+n], sc[o+c.half : o+c.half+n]
}

// powerLanes does the whole computation for inputs l.
func (c *core[T]) powerLanes(k int, l [2]int) {
	n := l[1] - l[0]
	if n == 0 {
		return
	}
	if c.B == 1 {
		c.power1()
		return
	}
	c.powerTrig([2]int{0, c.N}, l)
	acc := c.lane[l[0]:l[1]]
	clear(acc)
	for i := 0; i < c.N; i++ {
		SC, sn, cs := c.powerSums(k, i, l)
		c.kn.powAcc(acc, sn, cs, SC[:n], SC[n:])
	}
}

// power1 is powerLanes for a batch of one input, without kernel calls:
// the same arithmetic, per ring.
func (c *core[T]) power1() {
	sc, stride := c.powerSC()
	h := c.half
	phase := c.p.Model == Phase
	for i, p := range c.phi {
		sc[i*stride], sc[i*stride+h] = sincosT(p)
		if phase && c.sets > 1 {
			c.pathRows1(sc, i) // so the next step may start from them
		}
	}
	tab := [2]T{0.5, 1}
	acc := 0.0
	for i := 0; i < c.N; i++ {
		lo, hi := c.rowPtr[i], c.rowPtr[i+1]
		cols, vals := c.col[lo:hi], c.vals[lo:hi]
		vals = vals[:len(cols)]
		var S, C T
		for x, j := range cols {
			v := T(vals[x])
			w := v * tab[math.Float32bits(vals[x])>>31]
			o := int(j) * stride
			S += w * sc[o]
			C += w * sc[o+h]
		}
		acc += float64(sc[i*stride+h]*C + sc[i*stride]*S)
	}
	c.lane[0] = acc
}

// powerRows writes the terms of rows [lo, hi) to pterm, rounded in T as
// powAcc rounds them.
func (c *core[T]) powerRows(k int, rows [2]int) {
	B := c.B
	for i := rows[0]; i < rows[1]; i++ {
		SC, sn, cs := c.powerSums(k, i, [2]int{0, B})
		S, C := SC[:B], SC[B:]
		term := c.pterm[i*B : (i+1)*B]
		for b := range term {
			term[b] = cs[b]*C[b] + sn[b]*S[b]
		}
	}
}

// powerSum sums pterm over rows for inputs l.
func (c *core[T]) powerSum(l [2]int) {
	acc := c.lane[l[0]:l[1]]
	clear(acc)
	for i := 0; i < c.N; i++ {
		for b, t := range c.pterm[i*c.B+l[0] : i*c.B+l[1]] {
			acc[b] += float64(t)
		}
	}
}

// syncRows writes the float64 phases of rows [lo, hi) to e.phi.
func (c *core[T]) syncRows(rows [2]int) {
	lo, hi := rows[0]*c.B, rows[1]*c.B
	dst, turns := c.e.phi[lo:hi], c.turns[lo:hi]
	for x, p := range c.phi[lo:hi] {
		dst[x] = float64(p) + float64(turns[x])*(2*math.Pi)
	}
}

// sync refreshes e.phi (float32 only: in float64 it is the state).
func (c *core[T]) sync() {
	if c.turns == nil {
		return
	}
	c.op = opSync
	c.e.pool.run(len(c.e.chunks))
	c.trigFresh = false // e.phi is written over the first trig buffer
}

// power computes c.lane for the current state.
func (c *core[T]) power() []float64 {
	p := c.e.pool
	if c.ptermNeed && c.pterm == nil {
		c.pterm, c.ptermOwn = make([]T, c.N*c.B), true
	}
	rows, lanes := len(c.e.chunks), len(c.e.lanes)
	if c.pterm == nil {
		c.op = opPower
		p.run(lanes)
	} else {
		c.op = opPowerTrig
		p.run(rows)
		c.op = opPowerRows
		p.run(rows)
		c.op = opPowerSum
		p.run(lanes)
	}
	c.trigFresh = c.p.Model == Phase // path rows included
	return c.lane
}
