package engine

import (
	"runtime"
	"sync/atomic"
)

// pool is a persistent set of goroutines that run one pass of the engine at
// a time. A pass is cut into chunks (the batch's shards, shards.go); fn(k,
// c) runs chunk c on worker k (k = 0 is the calling goroutine), and
// run(chunks) returns when every chunk has finished, which is the barrier
// between passes.
//
// Each worker has a share of the chunks, the same in every pass of the
// same size, so its data stays in its core's caches from pass to pass; it
// claims its own chunks one at a time and then claims what is left of the
// others' shares. So a worker that the operating system set aside (a
// machine shared with other jobs) holds up a pass by at most the chunk it
// is in, not by its share, and the pass ends without waiting for a worker
// that claimed nothing. Which worker runs a chunk changes no bit of the
// result (a shard's arithmetic is the same on any worker).
//
// Workers spin briefly between passes and then park, so a run of many
// short passes costs no goroutine creation, no allocation and, while
// passes come quickly, no scheduler wake-up.
type pool struct {
	n    int
	fn   func(k, c int)
	spin int // busy-wait iterations before parking

	// claims[k] is worker k's share of the current pass: the pass's
	// generation (bits 16–63) and its next unclaimed chunk (0–15). The
	// share's bounds follow from the pass's number of chunks, so run does
	// not write the claims: the first claim of a pass on a share starts
	// it. A claim is a compare-and-swap of the whole word, so a late
	// worker cannot claim a chunk of a pass that has moved on, and while
	// no one steals, a worker's claims stay in its own core's cache.
	claims []paddedWord

	parked []paddedFlag    // per worker: 1 while parked on wake[k]
	wake   []chan struct{} // one token wakes a parked worker

	finished chan struct{}

	// The words the workers share, each on its own cache line: gen is
	// written once a pass by run and read by all; done is added to once a
	// pass by each worker that ran chunks; callerParked is written by the
	// caller only when it parks. (A line written by one core and read by
	// another costs a transfer between the cores, about a microsecond on
	// the 2-vCPU machine of docs/performance.md; a pass costs a few.)
	_ [64]byte
	// gen is the current pass: its generation (bits 16–63, bumped by run
	// to start a pass) and its number of chunks (bits 0–15), read in one
	// load so a worker never pairs a pass with another's size.
	gen  atomic.Uint64
	quit atomic.Bool
	_    [52]byte
	done atomic.Int64 // chunks of the current pass finished
	_    [56]byte
	// callerParked is the generation of the pass the caller is parked on
	// (0 = not parked): only the worker that finishes that very pass's
	// last chunk may wake it.
	callerParked atomic.Uint64
	_            [56]byte
}

// paddedFlag keeps each worker's flag on its own cache line.
type paddedFlag struct {
	v atomic.Int32
	_ [60]byte
}

// paddedWord keeps each worker's claim word on its own cache line.
type paddedWord struct {
	v atomic.Uint64
	_ [56]byte
}

// spinIters bounds the busy-wait before parking (tens of µs).
const spinIters = 1 << 12

// maxChunks is the most chunks a pass may have (16 bits of gen and of a
// claim word).
const maxChunks = 1<<16 - 1

// newPool starts n−1 workers for fn; n = 1 runs everything on the caller.
func newPool(n int, fn func(k, c int)) *pool { return newPoolSpin(n, spinIters, fn) }

func newPoolSpin(n, spin int, fn func(k, c int)) *pool {
	p := &pool{n: n, fn: fn, spin: spin, claims: make([]paddedWord, n), parked: make([]paddedFlag, n), wake: make([]chan struct{}, n), finished: make(chan struct{}, 1)}
	for k := 1; k < n; k++ {
		p.wake[k] = make(chan struct{}, 1)
		go p.worker(k)
	}
	return p
}

// pass returns the current pass's generation (tests).
func (p *pool) pass() uint64 { return p.gen.Load() >> 16 }

// run executes a pass of chunks chunks and waits for all of them.
func (p *pool) run(chunks int) {
	if p.n == 1 || chunks <= 1 {
		for c := range chunks {
			p.fn(0, c)
		}
		return
	}
	if chunks > maxChunks {
		panic("engine: too many chunks in a pass")
	}
	g := p.gen.Load()>>16 + 1 // only run and close write gen
	p.done.Store(0)
	p.gen.Store(g<<16 | uint64(chunks))
	for k := 1; k < p.n; k++ {
		// A load first: the flag's line stays shared while the worker
		// spins, and a compare-and-swap would take it from the worker.
		if p.parked[k].v.Load() == 1 && p.parked[k].v.CompareAndSwap(1, 0) {
			p.wake[k] <- struct{}{}
		}
	}
	p.work(0, g, chunks)
	for i := 0; p.done.Load() != int64(chunks); i++ {
		if i < p.spin {
			if i&63 == 63 {
				runtime.Gosched()
			}
			continue
		}
		p.callerParked.Store(g)
		if p.done.Load() == int64(chunks) {
			if p.callerParked.CompareAndSwap(g, 0) {
				break
			}
		}
		<-p.finished
		break
	}
}

// work claims and runs chunks of pass g (of chunks chunks) until none is
// left: worker k's own share first, then the others'. It adds the number
// it ran to done once, at the end, so a pass costs each worker one write
// to a line the others read.
func (p *pool) work(k int, g uint64, chunks int) {
	ran := 0
	for j := range p.n {
		s := (k + j) % p.n
		lo, hi := chunks*s/p.n, chunks*(s+1)/p.n
		w := &p.claims[s].v
		for lo < hi {
			c := w.Load()
			next := lo
			if cg := c >> 16; cg > g {
				break // a later pass: this one is over
			} else if cg == g {
				next = int(c & 0xffff)
			}
			if next >= hi {
				break
			}
			if !w.CompareAndSwap(c, g<<16|uint64(next+1)) {
				continue
			}
			p.fn(k, next)
			ran++
		}
	}
	// The chunks ran under their claims, so the pass is still g until
	// done reaches chunks.
	if ran > 0 && p.done.Add(int64(ran)) == int64(chunks) && k != 0 {
		if p.callerParked.CompareAndSwap(g, 0) {
			p.finished <- struct{}{}
		}
	}
}

func (p *pool) worker(k int) {
	var seen uint64 // no pass has run before the workers start
	for {
		for i := 0; p.gen.Load() == seen; i++ {
			if i < p.spin {
				if i&63 == 63 {
					runtime.Gosched()
				}
				continue
			}
			p.parked[k].v.Store(1)
			if p.gen.Load() != seen {
				if !p.parked[k].v.CompareAndSwap(1, 0) {
					<-p.wake[k] // run claimed us and sent (or will send) a token
				}
				break
			}
			// The token may come from a run that started before we parked
			// (its loop reached us late): the loop re-checks gen.
			<-p.wake[k]
		}
		seen = p.gen.Load()
		if p.quit.Load() {
			return
		}
		p.work(k, seen>>16, int(seen&0xffff))
	}
}

// close stops the workers; the pool must not be used afterwards.
func (p *pool) close() {
	if p == nil || p.n == 1 {
		return
	}
	p.quit.Store(true)
	p.gen.Add(1 << 16)
	for k := 1; k < p.n; k++ {
		if p.parked[k].v.CompareAndSwap(1, 0) {
			p.wake[k] <- struct{}{}
		}
	}
}
