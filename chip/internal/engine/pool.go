package engine

import (
	"runtime"
	"sync/atomic"
)

// pool is a persistent set of goroutines that run one pass of the engine at
// a time: run calls fn(k) for every worker k = 0..n−1 (k = 0 on the calling
// goroutine) and returns when all have finished, which is the barrier
// between passes. Workers spin briefly between passes and then park, so a
// run of many short passes costs no goroutine creation, no allocation and,
// while passes come quickly, no scheduler wake-up.
type pool struct {
	n    int
	fn   func(k int)
	spin int // busy-wait iterations before parking

	gen  atomic.Uint64 // bumped to start a pass
	left atomic.Int32  // workers 1..n−1 still in the current pass
	quit atomic.Bool

	parked []paddedFlag    // per worker: 1 while parked on wake[k]
	wake   []chan struct{} // one token wakes a parked worker

	// callerParked is the generation of the pass the caller is parked on
	// (0 = not parked): only the last worker of that very pass may wake it,
	// not a late one of the pass before.
	callerParked atomic.Uint64
	done         chan struct{}
}

// paddedFlag keeps each worker's flag on its own cache line.
type paddedFlag struct {
	v atomic.Int32
	_ [60]byte
}

// spinIters bounds the busy-wait before parking (tens of µs).
const spinIters = 1 << 12

// newPool starts n−1 workers for fn; n = 1 runs everything on the caller.
func newPool(n int, fn func(k int)) *pool { return newPoolSpin(n, spinIters, fn) }

func newPoolSpin(n, spin int, fn func(k int)) *pool {
	p := &pool{n: n, fn: fn, spin: spin, parked: make([]paddedFlag, n), wake: make([]chan struct{}, n), done: make(chan struct{}, 1)}
	for k := 1; k < n; k++ {
		p.wake[k] = make(chan struct{}, 1)
		go p.worker(k)
	}
	return p
}

// run executes one pass on every worker and waits for all of them.
func (p *pool) run() {
	if p.n == 1 {
		p.fn(0)
		return
	}
	p.left.Store(int32(p.n - 1))
	g := p.gen.Add(1)
	for k := 1; k < p.n; k++ {
		if p.parked[k].v.CompareAndSwap(1, 0) {
			p.wake[k] <- struct{}{}
		}
	}
	p.fn(0)
	for i := 0; p.left.Load() != 0; i++ {
		if i < p.spin {
			if i&63 == 63 {
				runtime.Gosched()
			}
			continue
		}
		p.callerParked.Store(g)
		if p.left.Load() == 0 {
			if p.callerParked.CompareAndSwap(g, 0) {
				break
			}
		}
		<-p.done
		break
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
		p.fn(k)
		if p.left.Add(-1) == 0 {
			if p.callerParked.CompareAndSwap(seen, 0) {
				p.done <- struct{}{}
			}
		}
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
