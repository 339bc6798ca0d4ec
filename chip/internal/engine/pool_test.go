package engine

import (
	"fmt"
	"math"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestPoolStress runs many short passes of varying numbers of chunks,
// with and without pauses long enough for the workers to park and with
// late workers, and checks every chunk of every pass ran exactly once.
func TestPoolStress(t *testing.T) {
	for _, c := range []struct{ n, spin int }{{1, spinIters}, {2, spinIters}, {3, spinIters}, {4, spinIters}, {2, 0}, {3, 0}, {4, 1}} {
		n := c.n
		const maxC = 9
		var ran [maxC]atomic.Int64
		var byWorker [4]atomic.Int64
		var sink atomic.Int64
		p := newPoolSpin(n, c.spin, func(k, x int) {
			ran[x].Add(1)
			var w int64
			for i := range 300 * x { // chunks of unequal length, so workers meet
				w += int64(i)
			}
			sink.Add(w)
			if k != 0 && byWorker[k].Add(1)%7 == 0 {
				runtime.Gosched() // a late worker
			}
		})
		done := make(chan string)
		const passes = 20000
		go func() {
			for i := 0; i < passes; i++ {
				chunks := i % maxC // 0 to 8 chunks
				p.run(chunks)
				for x := range maxC {
					want := int64(0)
					if x < chunks {
						want = 1
					}
					if got := ran[x].Swap(0); got != want {
						done <- fmt.Sprintf("pass %d of %d chunks: chunk %d ran %d times", i, chunks, x, got)
						return
					}
				}
				if i%1000 == 999 {
					time.Sleep(2 * time.Millisecond) // let the workers park
				}
			}
			done <- ""
		}()
		select {
		case msg := <-done:
			if msg != "" {
				t.Fatalf("%d workers, spin %d: %s", n, c.spin, msg)
			}
		case <-time.After(60 * time.Second):
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d workers, spin %d: pool deadlocked (done %d of %d, gen %d, caller parked on %d)\n%s", n, c.spin, p.done.Load(), p.gen.Load()&0xffff, p.pass(), p.callerParked.Load(), buf)
		}
		p.close()
		if n > 1 {
			var others int64
			for k := 1; k < n; k++ {
				others += byWorker[k].Load()
			}
			t.Logf("%d workers, spin %d: workers 1–%d ran %d chunks", n, c.spin, n-1, others)
		}
	}
}

// TestShareOf holds shareOf to the shares work claims from.
func TestShareOf(t *testing.T) {
	for n := 1; n <= 5; n++ {
		for chunks := 1; chunks <= 40; chunks++ {
			for s := range n {
				for x := chunks * s / n; x < chunks*(s+1)/n; x++ {
					if got := shareOf(x, chunks, n); got != s {
						t.Fatalf("shareOf(%d, %d, %d) = %d, want %d", x, chunks, n, got, s)
					}
				}
			}
		}
	}
}

// TestWorkersAgreeBits holds every split to one worker's bits at the engine's
// level, for each model, precision and integrator, at a batch of one, a
// batch with narrow inputs after a whole vector (20) and whole vectors
// (64), with noise on: rows split (with the two-worker per-share noise),
// inputs split, and the pool's chunk claiming in between.
func TestWorkersAgreeBits(t *testing.T) {
	const n, steps = 200, 40
	for _, model := range []Model{Phase, Cycle} {
		for _, prec := range []Precision{Float32, Float64} {
			for _, integ := range []Integrator{Euler, Heun, RK4} {
				for _, B := range []int{1, 20, 64} {
					var ref []float64
					for _, w := range []int{1, 2, 3, -2} { // −2: two, split by inputs
						p := benchPlan(n, 12, B, model, integ, prec, max(w, -w))
						p.byInputs = w < 0
						e := mustNew(t, p)
						for s := range steps {
							if x := e.Step(s); x >= 0 {
								t.Fatalf("%v/%v/%v B=%d w=%d: not finite at %d", model, prec, integ, B, w, x)
							}
						}
						got := append([]float64(nil), e.Phases()...)
						e.Close()
						if ref == nil {
							ref = got
							continue
						}
						for x := range ref {
							if math.Float64bits(got[x]) != math.Float64bits(ref[x]) {
								t.Errorf("model %d prec %d integ %d B=%d: %d workers differ from 1 at %d (%v vs %v)", model, prec, integ, B, w, x, got[x], ref[x])
								break
							}
						}
					}
				}
			}
		}
	}
}
