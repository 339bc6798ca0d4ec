package engine

import (
	"runtime"
	"sync/atomic"
)

// pool is a persistent set of goroutines that run one pass of the engine at
// a time. A pass is cut into chunks (rows or inputs); fn(k, c) runs chunk
// c on worker k (k = 0 is the calling goroutine), and run(chunks) returns
// when every chunk has finished, which is the barrier between passes.
//
// Each worker has a share of the chunks, the same in every pass of the
// same size, so its rows stay in its core's caches from pass to pass; it
// claims its own chunks one at a time and then claims what is left of the
// others' shares. So a worker that the operating system set aside (a
// machine shared with other jobs) holds up a pass by at most the chunk it
// is in, not by its share, and the pass ends without waiting for a worker
// that claimed nothing. Which worker runs a chunk changes no bit of the
// result (every chunk's arithmetic is the same on any worker; per-worker
// scratch is indexed by k).
//
// Workers spin briefly between passes and then park, so a run of many
// short passes costs no goroutine creation, no allocation and, while
// passes come quickly, no scheduler wake-up.
type pool struct {
	n    int
	fn   func(k, c int)
	spin int // busy-wait iterations before parking

	gen atomic.Uint64 // bumped to start a pass
	// claims[k] is worker k's share of the current pass: the pass's
	// generation (bits 32–63), the end of the share (16–31) and its next
	// unclaimed chunk (0–15). A claim is a compare-and-swap of the whole
	// word, so a late worker cannot claim a chunk of a pass that has moved
	// on.
	claims []paddedWord
	total  atomic.Int64 // chunks in the current pass
	done   atomic.Int64 // chunks of the current pass finished
	quit   atomic.Bool

	parked []paddedFlag    // per worker: 1 while parked on wake[k]
	wake   []chan struct{} // one token wakes a parked worker

	// callerParked is the generation of the pass the caller is parked on
	// (0 = not parked): only the worker that finishes that very pass's
	// last chunk may wake it.
	callerParked atomic.Uint64
	finished     chan struct{}
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

// maxChunks is the most chunks a pass may have (a claim word's 16 bits).
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
	g := p.gen.Load() + 1 // only run and close write gen
	p.total.Store(int64(chunks))
	p.done.Store(0)
	for k := range p.claims {
		lo, hi := chunks*k/p.n, chunks*(k+1)/p.n
		p.claims[k].v.Store(g<<32 | uint64(hi)<<16 | uint64(lo))
	}
	p.gen.Store(g)
	for k := 1; k < p.n; k++ {
		if p.parked[k].v.CompareAndSwap(1, 0) {
			p.wake[k] <- struct{}{}
		}
	}
	p.work(0, g)
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

// work claims and runs chunks of pass g until none is left: worker k's
// own share first, then the others'.
func (p *pool) work(k int, g uint64) {
	for j := range p.n {
		w := &p.claims[(k+j)%p.n].v
		for {
			c := w.Load()
			end, i := c>>16&0xffff, c&0xffff
			if c>>32 != g&0xffffffff || i >= end {
				break
			}
			if !w.CompareAndSwap(c, c+1) {
				continue
			}
			// The claim holds pass g open until this chunk is done, so
			// total is still the pass's.
			total := p.total.Load()
			p.fn(k, int(i))
			if p.done.Add(1) == total && k != 0 {
				if p.callerParked.CompareAndSwap(g, 0) {
					p.finished <- struct{}{}
				}
			}
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
		p.work(k, seen)
	}
}

// close stops the workers; the pool must not be used afterwards.
func (p *pool) close() {
	if p == nil || p.n == 1 {
		return
	}
	p.quit.Store(true)
	p.gen.Add(1)
	for k := 1; k < p.n; k++ {
		if p.parked[k].v.CompareAndSwap(1, 0) {
			p.wake[k] <- struct{}{}
		}
	}
}
