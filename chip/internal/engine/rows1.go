package engine

// A batch of one has no inputs to cut into shards (shards.go), so on two
// or more workers its rows are split among them: each pass of a step (the
// start pass: noise and trig terms; one pass per stage) is cut into
// chunks of rows that a persistent pool runs (pool.go), with a barrier
// between passes. The chunks are positions in the visiting order in whole
// blocks of 16 rows (the vector kernels' blocks, sell.go), up to eight a
// worker, each worker's share an equal number of blocks give or take one,
// so the shares end together; the start pass's trig chunks are index rows
// (its vector sin/cos runs along contiguous rows). Every row is computed
// by the same arithmetic on any worker, so the bits are one worker's
// (TestWorkersAgreeBits). Coupler power and the observers' phases stay on
// the calling goroutine (a batch of one's are a few µs).
//
// Measured on random16k (16,384 rings, 16 couplers each) under load (load
// average 21–23, the branch's start cf275db, which split the same way):
// two workers 1.25–1.77× one in phase f32 and 0.94–3.3× in cycle f32 per
// wall clock, at 0.89–0.98 of one worker's updates per CPU-second; on
// oscnet784 (784 rings) 0.52–0.69× (docs/performance.md, "Batch shards").

// worker1 is a worker's scratch for a batch of one.
type worker1[T real] struct {
	scr   []T // as core.scr (6 values)
	sellS []T // one block's sums S ‖ C (sell.go)
	bad   int // first non-finite ring of its rows this step, or −1
}

// Passes of a batch of one split among workers.
const (
	op1Start = iota
	op1Stage
)

// setOne sets up a batch of one: its workers' scratch and, on more than
// one worker (e.workers), the rows' chunks and the pool.
func (c *core[T]) setOne() {
	e := c.e
	for k := range e.workers {
		w := &worker1[T]{scr: c.scr, bad: -1}
		if k > 0 {
			w.scr = make([]T, len(c.scr))
		}
		if c.sell != nil {
			w.sellS = make([]T, 2*sellHeight)
		}
		c.one = append(c.one, w)
	}
	if e.workers == 1 {
		return
	}
	N, W := c.N, e.workers
	blocks := (N + sellHeight - 1) / sellHeight
	m := max(1, min(8, blocks/W))
	for s := range W {
		b0, b1 := blocks*s/W, blocks*(s+1)/W
		for q := range m {
			lo, hi := b0+(b1-b0)*q/m, b0+(b1-b0)*(q+1)/m
			if lo < hi {
				c.chunks = append(c.chunks, [2]int{lo * sellHeight, min(hi*sellHeight, N)})
			}
		}
	}
	e.pool = newPool(W, c.work1)
}

// step1 is a step of a batch of one (core.step).
func (c *core[T]) step1() {
	for _, w := range c.one {
		w.bad = -1
	}
	if c.e.pool == nil {
		w, all := c.one[0], [2]int{0, c.N}
		c.noise()
		if !c.trigFresh {
			c.trig1(w, 0, all, c.phi, c.wts[0])
		}
		c.trigFresh = false
		for s := range c.stages {
			c.stage = s
			c.stagePass1(w, all)
		}
	} else {
		noise := 0
		if c.nz != nil {
			noise = 1 // one input's stream: one chunk
		}
		c.op1, c.noise1 = op1Start, noise
		c.e.pool.run(noise + len(c.chunks))
		c.trigFresh = false
		c.op1 = op1Stage
		for s := range c.stages {
			c.stage = s
			c.e.pool.run(len(c.chunks))
		}
	}
	for _, w := range c.one {
		if w.bad >= 0 && (c.bad < 0 || w.bad < c.bad) {
			c.bad = w.bad
		}
	}
}

// work1 runs chunk x of the current pass of a batch of one on worker k.
func (c *core[T]) work1(k, x int) {
	clearUpper(c.kn.level)
	w := c.one[k]
	switch c.op1 {
	case op1Start:
		if x < c.noise1 {
			c.noise()
			return
		}
		if !c.trigFresh {
			c.trig1(w, 0, c.chunks[x-c.noise1], c.phi, c.wts[0])
		}
	case op1Stage:
		c.stagePass1(w, c.chunks[x])
	}
}
