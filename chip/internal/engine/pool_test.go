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

// TestWorkersAgreeBits holds the batch shards (shards.go) and a batch of
// one's rows split among workers (rows1.go) to one worker's bits at the
// engine's level, for each model, precision and integrator, with noise on,
// at batches cut into whole vectors of 16 and narrow rest (20, 64: shards
// of 16 and 4, of 32) and into small shards, a batch of one among them (5
// on three workers: 2, 2 and 1); also a run of steps in one pass
// (StepMany) and the coupler power.
func TestWorkersAgreeBits(t *testing.T) {
	const n, steps = 200, 40
	for _, model := range []Model{Phase, Cycle} {
		for _, prec := range []Precision{Float32, Float64} {
			for _, integ := range []Integrator{Euler, Heun, RK4} {
				for _, B := range []int{1, 5, 20, 64} {
					var ref, refPow []float64
					for _, w := range []int{1, 2, 3} {
						e := mustNew(t, benchPlan(n, 12, B, model, integ, prec, w))
						if (B == 1 || B == 5) && e.Workers() != w {
							t.Fatalf("B=%d: %d workers for %d", B, e.Workers(), w)
						}
						for s := 0; s < steps; {
							k := 1 + s%7
							d, x := e.StepMany(s, k)
							if x >= 0 || d != k {
								t.Fatalf("%v/%v/%v B=%d w=%d: %d of %d steps, not finite at %d", model, prec, integ, B, w, d, k, x)
							}
							s += d
						}
						got := append([]float64(nil), e.Phases()...)
						pow := make([]float64, B)
						e.AccumulatePower(pow)
						got2 := e.Phases()
						e.Close()
						if ref == nil {
							ref, refPow = got, pow
							continue
						}
						for x := range ref {
							if math.Float64bits(got[x]) != math.Float64bits(ref[x]) || got2[x] != got[x] {
								t.Errorf("model %d prec %d integ %d B=%d: %d workers differ from 1 at %d (%v vs %v)", model, prec, integ, B, w, x, got[x], ref[x])
								break
							}
						}
						for b := range pow {
							if math.Float64bits(pow[b]) != math.Float64bits(refPow[b]) {
								t.Errorf("model %d prec %d integ %d B=%d: %d workers' power differs from 1 at input %d (%v vs %v)", model, prec, integ, B, w, b, pow[b], refPow[b])
								break
							}
						}
					}
				}
			}
		}
	}
}

// TestShardsNotFinite: a batch split into shards reports the batch's first
// non-finite index and the step it became so, also within StepMany.
func TestShardsNotFinite(t *testing.T) {
	for _, prec := range []Precision{Float32, Float64} {
		var want [2]int
		for _, w := range []int{1, 2} {
			p := benchPlan(50, 6, 40, Phase, Euler, prec, w)
			p.DwInput = make([]float64, 50*40)
			for x := range p.DwInput {
				p.DwInput[x] = p.DwRing[x/40]
			}
			p.DwInput[7*40+35] = math.Inf(1) // ring 7 of input 35: the second shard (32–39)
			e := mustNew(t, p)
			d, x := e.StepMany(0, 5)
			e.Close()
			if w == 1 {
				want = [2]int{d, x}
				if x != 7*40+35 || d != 1 {
					t.Fatalf("%v: one worker: step %d, index %d", prec, d, x)
				}
				continue
			}
			if [2]int{d, x} != want {
				t.Errorf("%v: shards: step %d, index %d; want %v", prec, d, x, want)
			}
		}
	}
}
