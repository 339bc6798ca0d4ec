package engine

import "runtime"

// Batch shards: a batch on two or more workers is cut into contiguous
// slices of inputs, and each worker owns a complete one-worker engine for
// its slice (a shard): its own state, trig buffers, noise generators,
// scratch and per-run arrays, allocated and first written by the worker
// that runs it (the pool's build pass; a worker claims its own share of a
// pass first, pool.go). The shards share only what they read: the chip's
// couplings, order, pump mask and ring tables in the plan. A step runs every
// shard's step and joins once (one pass of the pool).
//
// Why: the engine's earlier two-worker splits (rows with halo copies, or
// inputs within shared arrays) ran at 0.65–0.77× and 0.45–0.51× of one
// worker on an idle 2-core machine, while two engines that share nothing
// in one process reached 1.5–1.7× (docs/performance.md, "Two workers"):
// what the workers shared, not the work division, cost the factor.
//
// Bits: every input's numbers depend only on its own noise key, initial
// phases and frequencies, never on its batch or its position in it
// (TestBatchMatchesSingle), so a shard gives its inputs exactly the
// numbers one engine over the whole batch gives them. The shards' phases,
// non-finite index and coupler power are gathered back in the batch's
// order (index i·B + b).

const (
	shBuild = iota
	shStep
	shSync
	shPower
)

// shards is an engine's batch split among workers.
type shards struct {
	e     *Engine
	parts []*Engine
	from  []int // shard s has inputs from[s] ≤ b < from[s+1]
	errs  []error
	pool  *pool

	// The current pass.
	op    int
	n     int       // shStep: the first step
	count int       // shStep: the steps
	done  []int     // shStep: per shard, the steps done
	acc   []float64 // shPower: the caller's accumulator
	bad   []int     // shStep: per shard, the first non-finite index (batch's), or −1
}

// shareInputs cuts B inputs into up to w contiguous shares: equal ones, in
// whole vectors of vec inputs when there is one, and drops empty shares.
// vec is 16 with the float32 noise (it draws whole vectors of 16 inputs
// together and the inputs after them one at a time, noise32), else 8 (a
// vector of float64).
func shareInputs(B, w, vec int) []int {
	per := (B + w - 1) / w
	if B >= vec {
		per = (per + vec - 1) / vec * vec
	}
	from := []int{0}
	for b := per; b < B; b += per {
		from = append(from, b)
	}
	return append(from, B)
}

// newShards starts the workers and builds shard s of the inputs from[s] to
// from[s+1] on worker s, which runs it from then on (pool.go: a worker
// claims its own share of a pass first, and with as many chunks as
// workers its share is its shard): the shard's memory comes from that
// worker's allocation caches and is first written on its core. A build
// pass leaves the shards of workers not yet running to a later pass.
func newShards(e *Engine, from []int) (*shards, error) {
	S := len(from) - 1
	sh := &shards{e: e, from: from, parts: make([]*Engine, S), errs: make([]error, S), bad: make([]int, S), done: make([]int, S)}
	sh.pool = newPool(S, sh.work)
	sh.op = shBuild
	for built := false; !built; {
		sh.pool.run(S)
		built = true
		for s, part := range sh.parts {
			built = built && (part != nil || sh.errs[s] != nil)
		}
		if !built {
			runtime.Gosched() // let the workers start
		}
	}
	for _, err := range sh.errs {
		if err != nil {
			sh.close()
			return nil, err
		}
	}
	p := e.p
	if p.Precision == Float64 {
		e.phi = p.Phi // the observers' copy; the shards own their states
	} else {
		e.phi = make([]float64, p.N*p.B)
	}
	e.stale = true
	return sh, nil
}

// plan is shard s's plan: p's chip, its inputs' slices of p's per-input
// arrays, copied, and one worker.
func (sh *shards) plan(s int) *Plan {
	p := sh.e.p
	lo, hi := sh.from[s], sh.from[s+1]
	N, B, n := p.N, p.B, hi-lo
	q := *p
	q.B, q.Workers = n, 1
	cut := func(x []float64) []float64 {
		if x == nil {
			return nil
		}
		y := make([]float64, N*n)
		for i := range N {
			copy(y[i*n:(i+1)*n], x[i*B+lo:i*B+hi])
		}
		return y
	}
	q.Phi, q.DwInput, q.InjA, q.InjB = cut(p.Phi), cut(p.DwInput), cut(p.InjA), cut(p.InjB)
	q.Keys64 = append([]uint64(nil), p.Keys64[lo:hi]...)
	q.Keys32 = append([]uint64(nil), p.Keys32[lo:hi]...)
	return &q
}

// work runs the current pass for shard s on worker k.
func (sh *shards) work(k, s int) {
	part := sh.parts[s]
	switch sh.op {
	case shBuild:
		if k == s && part == nil && sh.errs[s] == nil {
			sh.parts[s], sh.errs[s] = New(sh.plan(s))
		}
	case shStep:
		d, x := part.StepMany(sh.n, sh.count)
		sh.done[s] = d
		if x >= 0 {
			n := part.p.B
			x = x/n*sh.e.p.B + sh.from[s] + x%n
		}
		sh.bad[s] = x
	case shSync:
		sh.scatter(s, part.Phases())
	case shPower:
		part.AccumulatePower(sh.acc[sh.from[s]:sh.from[s+1]])
	}
}

// scatter writes shard s's phases ph (its index i·n + b) into the
// engine's at i·B + from[s] + b.
func (sh *shards) scatter(s int, ph []float64) {
	B, lo := sh.e.p.B, sh.from[s]
	n := sh.from[s+1] - lo
	dst := sh.e.phi
	for i := range sh.e.p.N {
		copy(dst[i*B+lo:i*B+lo+n], ph[i*n:(i+1)*n])
	}
}

// step advances every shard by step n and returns the batch's first
// non-finite index, or −1.
func (sh *shards) step(n int) int {
	_, bad := sh.stepMany(n, 1)
	return bad
}

// stepMany advances every shard by up to count steps from n (Engine.StepMany).
func (sh *shards) stepMany(n, count int) (done, bad int) {
	sh.op, sh.n, sh.count = shStep, n, count
	sh.pool.run(len(sh.parts))
	done, bad = count, -1
	for s, x := range sh.bad {
		switch d := sh.done[s]; {
		case x < 0:
		case d < done || bad < 0:
			done, bad = d, x
		case d == done && x < bad:
			bad = x
		}
	}
	return done, bad
}

// sync gathers the shards' phases into e.phi.
func (sh *shards) sync() {
	sh.op = shSync
	sh.pool.run(len(sh.parts))
}

// power adds every shard's coupler power to acc.
func (sh *shards) power(acc []float64) {
	sh.op, sh.acc = shPower, acc
	sh.pool.run(len(sh.parts))
	sh.acc = nil
}

// bytes is the shards' memory and the observers' float64 phases.
func (sh *shards) bytes() int64 {
	n := int64(len(sh.e.phi)) * 8
	for _, part := range sh.parts {
		n += part.Bytes()
	}
	return n
}

// close stops the shards' workers (the shards' own engines run on them
// and have none).
func (sh *shards) close() {
	for _, part := range sh.parts {
		if part != nil {
			part.Close()
		}
	}
	sh.pool.close()
}
