package engine

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestPoolStress runs many short passes, with and without pauses long
// enough for the workers to park, and checks every worker ran every pass.
func TestPoolStress(t *testing.T) {
	for _, c := range []struct{ n, spin int }{{1, spinIters}, {2, spinIters}, {3, spinIters}, {4, spinIters}, {2, 0}, {3, 0}, {4, 1}} {
		n := c.n
		var count [4]atomic.Int64
		p := newPoolSpin(n, c.spin, func(k int) {
			count[k].Add(1)
			if k != 0 && count[k].Load()%7 == 0 {
				runtime.Gosched() // a late worker
			}
		})
		done := make(chan struct{})
		const passes = 20000
		go func() {
			for i := 0; i < passes; i++ {
				p.run()
				if i%1000 == 999 {
					time.Sleep(2 * time.Millisecond) // let the workers park
				}
			}
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d workers, spin %d: pool deadlocked (left %d, gen %d, caller parked on %d)\n%s", n, c.spin, p.left.Load(), p.gen.Load(), p.callerParked.Load(), buf)
		}
		p.close()
		for k := 0; k < n; k++ {
			if c := count[k].Load(); c != passes {
				t.Errorf("%d workers: worker %d ran %d passes, want %d", n, k, c, passes)
			}
		}
	}
}
