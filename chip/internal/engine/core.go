package engine

import (
	"math"
	"oscsim/ringosc"
	"unsafe"
)

// A step of the engine is a start pass (noise increments and the
// trigonometric terms of the state) and one pass per integrator stage,
// each over every ring and input in turn, on one goroutine: a batch on
// several workers is cut into shards, each its own engine (shards.go),
// and only a batch of one splits its passes' rows among workers
// (rows1.go). Every (ring, input) value is computed by the same
// arithmetic whatever batch it is in.

// core is the state and the passes of an engine in precision T.
//
// Layout: index i·B+b for ring i and input b (the batch inner). The
// trigonometric buffer tb[0] holds what other rows read through the
// couplings: the phase model stores sin φ_j ‖ cos φ_j per row (2B values),
// the cycle model v(θ_j) (B values). Euler needs one such buffer, and so
// does Heun on a batch: its first stage writes its predictor y to ybuf and
// a trig pass turns it into the second stage's terms in the same buffer.
// RK4, and Heun on a batch of one, alternate two buffers between stages
// (tb[1]) so a stage can write the next stage's terms while later rows
// still read this stage's.
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
	// xo: float32 noise, each input's generator (noise32.go).
	xo   xoStates
	nscr []uint32 // one input's draws for a step (noise32)
	nzs  []T      // their normals
	tb   [2][]T   // trig buffers (see above)
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

	scr []T // S ‖ C (2B), f (B), y (B), dw (B), noise (B)
	// Batch of one with the vector kernels: the rows in blocks (sell.go).
	sell *sell[T]
	// A batch of one: per worker, its scratch (rows1.go); more than one
	// when its rows are split among workers.
	one []*worker1[T]
	// With its rows split among workers: the chunks (positions in the
	// visiting order; index rows in the start pass), the current pass and
	// whether the start pass has a noise chunk (rows1.go).
	chunks      [][2]int
	op1, noise1 int
	// tabulated ring: table positions of up to 64 inputs
	tabK []int32
	tabF []float64
	pw   []T // one row's values in T (float64) or TG weights
	bad  int // first non-finite state index after a step, or −1
	// injA, injB: injection at f0 per (ring, input), nil without (inject.go).
	injA, injB []T
	lane       []float64
	stages     int
	// trigFresh: the phase model's first trig buffer already holds
	// sin φ ‖ cos φ of the current state, left there by a coupler-power
	// pass (same layout, same kernels, so the same bits), and the next
	// step's start pass need not recompute it. A step or sync clears it.
	trigFresh bool

	// The current step.
	stage     int
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
	if p.Sigma != 0 {
		if f32 || p.Noise32 {
			c.nz = make([]T, size)
			c.xo = newXoStates(p.Keys32)
			// Scratch for the inputs after the last whole vector of 16
			// (noise32).
			if B%16 != 0 {
				P := (N + 1) / 2
				c.nscr, c.nzs = make([]uint32, 2*P), make([]T, 2*P)
			}
		} else {
			c.keys = p.Keys64
		}
	}
	c.sigma = p.Sigma
	if p.Model == Phase {
		c.half = B
		c.tb[0] = make([]T, 2*size*c.sets)
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
	// RK4 and Heun on a batch of one write each stage's successor's trig
	// terms as they go, into a second buffer: for one input it is N rows
	// of 2 values and saves a pass, which weighs on small chips. Otherwise
	// Heun keeps its predictor in ybuf for a trig pass: float64 could not
	// spend the 16 B (phase) and stay within twice its memory budget on
	// sparse chips (docs/performance.md, "Memory").
	if c.stages == 4 || (c.stages == 2 && B == 1) {
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
		c.tabK, c.tabF = make([]int32, min(B, 64)), make([]float64, min(B, 64))
	}
	if B == 1 && c.kn.gsum2 != nil {
		c.sell = newSell[T](p.Order, p.RowPtr, c.colV, p.G, p.Model == Phase)
	}
	c.scr, c.pw, c.bad = make([]T, 6*B), make([]T, deg), -1
	if B == 1 {
		c.setOne()
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
		c.syncRows()
	}
	c.lane = make([]float64, B)
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
	n += int64(len(c.turns)+2*len(c.keys)+4*len(c.xo.s0)+len(c.nscr)) * 4
	if len(c.colV) > 0 && &c.colV[0] != &c.col[0] {
		n += int64(len(c.colV)) * 4
	}
	if c.f32 {
		n += int64(len(c.mask)+len(c.gn)+len(c.gt)) * w // float64 shares the chip's
	}
	n += int64(len(c.scr)+len(c.pw)+len(c.nzs)) * w
	for k, o := range c.one {
		if k > 0 {
			n += int64(len(o.scr)) * w
		}
		n += int64(len(o.sellS)) * w
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

// step advances the state by one step from t = n·dt: the start pass
// (noise, then the trig terms of the state), and each stage's pass (Heun
// on a batch: the predictor's trig terms before its second).
func (c *core[T]) step(n int) {
	clearUpper(c.kn.level)
	c.setTimes(n)
	c.stepN = uint64(n)
	if c.lawEvery > 0 && n%c.lawEvery == 0 {
		c.lawUpdate(float64(n) * c.p.Dt)
	}
	c.bad = -1
	if c.B == 1 {
		c.step1() // rows1.go
		c.e.bad = c.bad
		return
	}
	c.noise()
	if !c.trigFresh {
		c.trig(0, c.phi, c.wts[0])
	}
	c.trigFresh = false
	for s := 0; s < c.stages; s++ {
		if s == 1 && c.ybuf != nil {
			c.trig(0, c.ybuf, c.wts[1]) // heun: the predictor's trig terms
		}
		c.stage = s
		c.stagePass(s)
	}
	c.e.bad = c.bad
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

// noise draws the step's increments σ·ξ of the float32 generator into
// nz (float64 runs draw theirs in the stage passes: rowNoise).
func (c *core[T]) noise() {
	if c.nz != nil {
		c.noise32()
	}
}

// rowNoise returns the noise increments of row i at the current step (nil
// without noise): the row of nz, or the float64 counter-based draws
// (noise64.go) in scratch scr (6B values: the last B).
func (c *core[T]) rowNoise(i int, scr []T) []T {
	if c.nz == nil && c.keys == nil { // small enough to inline: no call without noise
		return nil
	}
	return c.rowNoiseDraw(i, scr)
}

// rowNoiseDraw is rowNoise with noise on.
func (c *core[T]) rowNoiseDraw(i int, scr []T) []T {
	B := c.B
	switch {
	case c.nz != nil:
		return c.nz[i*B : (i+1)*B]
	case c.keys != nil:
		out := scr[5*B : 6*B]
		noise64Row(c.keys, c.stepN, c.N, i, 0, c.sigma, out)
		return out
	}
	return nil
}

// noise32 draws the step's increments from the float32 generator
// (noise32.go): two rings from each normal pair of an input's stream, in
// ring order. Whole vectors of inputs advance together (noise2); the
// inputs after them draw a whole step's uniforms first and transform them
// along the rings (bm), so a batch of one is vectorised too. Both give the
// same bits.
func (c *core[T]) noise32() {
	B, N := c.B, c.N
	wide := B / 16 * 16
	x := c.xo
	sigma := T(c.sigma)
	if wide > 0 {
		s0, s1, s2, s3 := x.s0[:wide], x.s1[:wide], x.s2[:wide], x.s3[:wide]
		for i := 0; i < N; i += 2 {
			var next []T
			if i+1 < N {
				next = c.nz[(i+1)*B : (i+1)*B+wide]
			}
			c.kn.noise2(s0, s1, s2, s3, sigma, c.nz[i*B:i*B+wide], next)
		}
	}
	P := (N + 1) / 2
	for lane := wide; lane < B; lane++ {
		x1, x2, z0, z1 := c.nscr[:P], c.nscr[P:2*P], c.nzs[:P], c.nzs[P:2*P]
		for m := range x1 {
			x1[m] = xoNext(&x.s0[lane], &x.s1[lane], &x.s2[lane], &x.s3[lane])
			x2[m] = xoNext(&x.s0[lane], &x.s1[lane], &x.s2[lane], &x.s3[lane])
		}
		c.kn.bm(x1, x2, sigma, z0, z1)
		nz := c.nz[lane:]
		for m, v := range z0 {
			nz[2*m*B] = v
			if 2*m+1 < N {
				nz[(2*m+1)*B] = z1[m]
			}
		}
	}
}

// trig fills trig buffer tb[buf] (and the cycle model's Γ, Γp) from state
// y (indexed like phi) at ω_ref·t = wt.
func (c *core[T]) trig(buf int, y []T, wt T) {
	for i := range c.N {
		c.trigRow(buf, i, y[i*c.B:(i+1)*c.B], wt)
	}
}

// trigRow fills row i's trig terms from its state y (B values).
func (c *core[T]) trigRow(buf, i int, y []T, wt T) {
	B, n := c.B, len(y)
	if c.p.Model == Phase {
		o := i * 2 * B
		c.kn.sincos(y, c.tb[buf][o:o+n], c.tb[buf][o+B:o+B+n])
		if c.sets > 1 {
			c.pathRows(buf, i, 0, n)
		}
		return
	}
	o := i * B
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
	// Table positions by the vector kernel into the scratch, then
	// the loads (ringosc.SampleRows in two passes, the same bits).
	scale, invM, fm := pk.Reduction()
	kk, ff := c.tabK, c.tabF
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
// chip's float32 array itself, or (float64) widened into the
// scratch, once per row rather than once per vector of inputs in the
// sparse product's inner loop.
func (c *core[T]) rowVals(lo, hi int32) []T {
	if c.f32 { // T is float32: the chip's array as it is
		return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(c.vals[lo:hi]))), hi-lo)
	}
	w := c.pw[:hi-lo]
	for x, g := range c.vals[lo:hi] {
		w[x] = T(g)
	}
	return w
}

// stagePass evaluates integrator stage s for every input of every ring,
// in the visiting order c.p.Order.
//
// Stochastic Heun (Euler–Heun with additive noise ξ): the first stage
// takes f1 = f(φ), writes the predictor y = φ + dt·f1 + ξ to ybuf and
// advances φ to φ + h·f1 + ξ in place; after the trig pass the second
// stage adds h·f2 with f2 = f(y): φ' = φ + (dt/2)·(f1 + f2) + ξ, one
// rounding apart from summing the stages first.
func (c *core[T]) stagePass(s int) {
	B := c.B
	n := B
	src, dst := 0, 0
	if c.tb[1] != nil {
		src, dst = s&1, (s+1)&1
	}
	scr := c.scr
	SC, f, y, dwb := scr[:2*n], scr[2*B:2*B+n], scr[3*B:3*B+n], scr[4*B:4*B+n]
	final := s == c.stages-1
	tb := c.tb[src]
	var nextWt T
	if !final {
		nextWt = c.wts[s+1]
	}
	for _, r := range c.p.Order {
		i := int(r)
		lo, hi := c.rowPtr[i], c.rowPtr[i+1]
		cols, vals := c.colV[lo:hi], c.rowVals(lo, hi)
		base := i * B
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
			c.kn.spmm2(cols, vals, tb, 2*B, B, n, SC)
			o := i * 2 * B
			kp := c.ks[s] * c.mask[i]
			c.kn.phaseF(out, dw, tb[o:o+n], tb[o+B:o+B+n], SC[:n], SC[n:], c.a, kp)
			c.pump2(out, tb[o:o+n], tb[o+B:o+B+n], kp, kp*kp*c.q2scale) // paths.go
			if c.injA != nil {
				c.injectPhase(out, base, tb[o:o+n], tb[o+B:o+B+n]) // inject.go
			}
		} else {
			c.kn.spmm1(cols, vals, tb, B, n, SC[:n])
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
				if nz := c.rowNoise(i, scr); nz != nil {
					c.kn.add(phi, nz)
				}
			}
			var turns []int32
			if c.turns != nil {
				turns = c.turns[base : base+n]
			}
			if !c.kn.wrap(phi, turns) {
				for b, p := range phi {
					if p-p != 0 && (c.bad < 0 || base+b < c.bad) {
						c.bad = base + b
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
			if nz := c.rowNoise(i, scr); nz != nil {
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
		c.trigRow(dst, i, y, nextWt)
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

// trig1 is trig for a batch of one input, without a kernel call per row,
// for rows rows[0] ≤ i < rows[1] in index order, on worker w.
func (c *core[T]) trig1(w *worker1[T], buf int, rows [2]int, y []T, wt T) {
	tb := c.tb[buf]
	if c.p.Model == Phase && c.f32 && c.sell != nil && c.sets == 1 {
		// Vector sine and cosine along the rows (the same bits as
		// sincosT), 16 rows at a time into the scratch.
		sc := w.sellS
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
		for i := rows[0]; i < rows[1]; i++ {
			c.trigRow(buf, i, y[i:i+1], wt)
		}
		return
	}
	for i := rows[0]; i < rows[1]; i++ {
		s, cs := sincosT(wt + y[i])
		tb[i] = 0.5 * (1 + cs)
		c.gg[i] = s
	}
}

// stagePass1 is stagePass for a batch of one input: the same arithmetic
// as the kernels, written out per ring so a row costs no kernel calls,
// for the rings at positions [pos[0], pos[1]) of the visiting order, on
// worker w.
func (c *core[T]) stagePass1(w *worker1[T], pos [2]int) {
	if c.fast1 {
		c.stagePass1Euler(w, pos)
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
	one := w.scr[:1]
	var sums [2][2]T
	order := c.p.Order
	for r := pos[0]; r < pos[1]; r++ {
		i := int(order[r])
		var S, C T
		if c.sell != nil {
			// A block's sums at a time, a row to a vector lane
			// (sell.go); a worker's rows start at a whole block.
			q := r % sellHeight
			if q == 0 || r == pos[0] {
				bk, ss := r/sellHeight, w.sellS
				if phase {
					c.kn.gsum2(c.sell.cols[bk], c.sell.vals[bk], tb, ss, ss[sellHeight:])
				} else {
					c.kn.gsum1(c.sell.cols[bk], c.sell.vals[bk], tb, ss[:sellHeight])
				}
			}
			if c.sell.pairs {
				S, C = w.sellS[2*q], w.sellS[2*q+1]
			} else {
				S, C = w.sellS[q], w.sellS[sellHeight+q]
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
				if nz := c.rowNoise(i, w.scr); nz != nil {
					p += nz[0]
				}
			}
			if c.f32 && (p > T(pi32) || p < -T(pi32)) {
				w, t := wrapTurn32(float32(p), c.turns[i])
				p, c.turns[i] = T(w), t
			}
			c.phi[i] = p
			if p-p != 0 && (w.bad < 0 || i < w.bad) {
				w.bad = i
			}
			continue
		}
		var y T
		switch {
		case c.stages == 2:
			y = p + c.dt*f
			p = p + c.h*f
			if nz := c.rowNoise(i, w.scr); nz != nil {
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
			c.trigRow(next, i, one, nextWt)
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
func (c *core[T]) stagePass1Euler(w *worker1[T], pos [2]int) {
	tb, phi, turns, nz := c.tb[0], c.phi, c.turns, c.nz
	dwRow, mask := c.dwRow, c.mask
	ks, a, dt := c.ks[0], c.a, c.dt
	ss := w.sellS
	order := c.p.Order
	bad := w.bad
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
	w.bad = bad
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
// the TG weights (tgWeights: inverter path whole, in-phase halved, since
// both directions of an in-phase pair share one TG and see the same cos)
// and cos(φ_j − φ_i) = cos φ_i·cos φ_j + sin φ_i·sin φ_j. Each row's term
// is rounded in T and the terms are summed in float64 over rings in order
// for each input, so an input's power does not depend on its batch.

// powerSC is where the power pass keeps sin φ ‖ cos φ: the first trig
// buffer (phase) or the start of tb[0] ‖ gg (cycle), free between steps.
func (c *core[T]) powerSC() (sc []T, stride int) {
	if c.p.Model == Phase {
		return c.tb[0], 2 * c.B
	}
	return c.back[:2*c.N*c.B], c.B
}

// power computes c.lane for the current state.
func (c *core[T]) power() []float64 {
	clearUpper(c.kn.level)
	if c.B == 1 {
		c.power1()
	} else {
		c.powerB()
	}
	c.trigFresh = c.p.Model == Phase // path rows included
	return c.lane
}

// powerB is power for a batch.
func (c *core[T]) powerB() {
	sc, stride := c.powerSC()
	B := c.B
	for i := range c.N {
		o := i * stride
		c.kn.sincos(c.phi[i*B:(i+1)*B], sc[o:o+B], sc[o+c.half:o+c.half+B])
		if c.sets > 1 && c.p.Model == Phase {
			c.pathRows(0, i, 0, B) // so the next step may start from them
		}
	}
	acc := c.lane
	clear(acc)
	for i := range c.N {
		// SC = (w·sin φ ‖ w·cos φ) of row i, with w the TG weights of the
		// row's couplers (tgWeights).
		lo, hi := c.rowPtr[i], c.rowPtr[i+1]
		w := c.pw[:hi-lo]
		tgWeights(w, c.vals[lo:hi])
		SC := c.scr[:2*B]
		c.kn.spmm2(c.col[lo:hi], w, sc, stride, c.half, B, SC)
		o := i * stride
		c.kn.powAcc(acc, sc[o:o+B], sc[o+c.half:o+c.half+B], SC[:B], SC[B:])
	}
}

// power1 is power for a batch of one input, without kernel calls: the
// same arithmetic, per ring.
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

// syncRows writes the float64 phases of the state to e.phi.
func (c *core[T]) syncRows() {
	dst, turns := c.e.phi, c.turns
	for x, p := range c.phi {
		dst[x] = float64(p) + float64(turns[x])*(2*math.Pi)
	}
}

// sync refreshes e.phi (float32 only: in float64 it is the state).
func (c *core[T]) sync() {
	if c.turns == nil {
		return
	}
	c.syncRows()
	c.trigFresh = false // e.phi is written over the first trig buffer
}
