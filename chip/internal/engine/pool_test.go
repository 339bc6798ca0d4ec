package engine

import (
	"fmt"
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
