package engine

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// constSchedule is a pump at full strength throughout.
type constSchedule struct{}

func (constSchedule) Factor(float64) float64 { return 1 }

// benchPlan is a plan like chip's oscnet784 benchmark chip: n rings, each
// coupled to deg others of a random relabelling's circulant graph with
// random signs, pumped, with phase noise, B inputs of random phases.
func benchPlan(n, deg, B int, model Model, integ Integrator, prec Precision, workers int) *Plan {
	r := rand.New(rand.NewPCG(1, 2))
	perm := r.Perm(n)
	nb := make([][]int32, n)
	for i := range n {
		for d := 1; d <= deg/2; d++ {
			a, b := perm[i], perm[(i+d)%n]
			nb[a] = append(nb[a], int32(b))
			nb[b] = append(nb[b], int32(a))
		}
	}
	p := &Plan{N: n, B: B, Model: model, Integrator: integ, Precision: prec, Workers: workers,
		Dt: 1 / (1.4e9 * 4), Sigma: 1e-4, C: 2e-15, VDD: 1, Wref: 2 * math.Pi * 1.4e9,
		H1: 0.3, H1Inv: 0.3, G2: 0.3, Gamma1: 0.3, C2: 0.15, Ks: 5e7, PumpI: 1e-6, KsScale: 1,
		Schedule: constSchedule{}}
	p.RowPtr = append(p.RowPtr, 0)
	for i := range n {
		row := slices.Sorted(slices.Values(nb[i]))
		for _, j := range row {
			g := float32(1e-6 * (0.1 + 0.9*r.Float64()))
			if r.IntN(2) == 0 {
				g = -g
			}
			p.Col, p.G = append(p.Col, j), append(p.G, g)
		}
		p.RowPtr = append(p.RowPtr, int32(len(p.Col)))
	}
	p.GNeg, p.GTot = make([]float64, n), make([]float64, n)
	for i := range n {
		for x := p.RowPtr[i]; x < p.RowPtr[i+1]; x++ {
			g := float64(p.G[x])
			p.GTot[i] += math.Abs(g)
			if g < 0 {
				p.GNeg[i] -= g
			}
		}
	}
	p.Order = RowOrder(p.RowPtr, p.Col)
	p.PumpMask, p.DwRing = make([]float64, n), make([]float64, n)
	for i := range n {
		p.PumpMask[i], p.DwRing[i] = 1, 2*math.Pi*1.4e7*r.NormFloat64()
	}
	p.Phi = make([]float64, n*B)
	for x := range p.Phi {
		p.Phi[x] = math.Pi * (2*r.Float64() - 1)
	}
	for b := range B {
		p.Keys64, p.Keys32 = append(p.Keys64, Key(9, uint64(b), tagNoise)), append(p.Keys32, Key(9, uint64(b), tagNoise32))
	}
	return p
}

// threadCPU is the calling thread's CPU time.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// BenchmarkWorkers measures how two workers share a step of the
// oscnet784-like plan, in a way a machine shared with other jobs does not
// distort: each worker's pass is timed in its own thread's CPU time
// (busy time, without the waits at the barriers and without the time the
// system gave the core to others). Its metrics, per step:
//
//   - busy-w1: one worker's CPU time;
//
//   - busy-sum: both workers' CPU time together (more than busy-w1 by
//     what splitting costs: rows read twice, caches shared);
//
//   - crit: Σ over passes of the slower worker's busy time, the step's
//     length on two free cores before the barriers' own latency;
//
//   - passes: barriers per step;
//
//   - speedup-est: busy-w1 / crit, two workers against one on two free
//     cores, barrier latency aside;
//
//   - wall-ratio: the two engines' wall-clock rates (w2/w1), measured
//     interleaved in the same run (meaningful only on an idle machine).
//
//     go test ./chip/internal/engine -run '^$' -bench Workers -benchtime 2000x
func BenchmarkWorkers(b *testing.B) {
	for _, c := range []struct {
		name  string
		model Model
		integ Integrator
		prec  Precision
		B     int
	}{
		{"phase/f32/euler/B64", Phase, Euler, Float32, 64},
		{"phase/f32/heun/B64", Phase, Heun, Float32, 64},
		{"phase/f64/euler/B64", Phase, Euler, Float64, 64},
		{"cycle/f32/euler/B64", Cycle, Euler, Float32, 64},
		{"phase/f32/euler/B16", Phase, Euler, Float32, 16},
	} {
		b.Run(c.name, func(b *testing.B) {
			var e [2]*Engine
			var busy [2][][]time.Duration // [engine][worker] per pass
			var pass [2]int
			for w := range 2 {
				e[w] = mustNew(b, benchPlan(784, 56, c.B, c.model, c.integ, c.prec, w+1))
				defer e[w].Close()
				e[w].pool.close()
				busy[w] = make([][]time.Duration, w+1)
				work := e[w].core.work
				ew := w
				locked := make([]bool, w+1)
				e[w].pool = newPool(w+1, func(k int) {
					if !locked[k] {
						// A thread's CPU clock times the pass only if
						// the goroutine stays on that thread.
						runtime.LockOSThread()
						locked[k] = true
					}
					t0 := threadCPU()
					work(k)
					busy[ew][k] = append(busy[ew][k], threadCPU()-t0)
				})
			}
			runtime.LockOSThread() // worker 0 of both engines
			defer runtime.UnlockOSThread()
			var wall [2]time.Duration
			n := 0
			for b.Loop() {
				for w := range 2 {
					t0 := time.Now()
					e[w].Step(n)
					wall[w] += time.Since(t0)
				}
				n++
			}
			pass[0], pass[1] = len(busy[0][0])/n, len(busy[1][0])/n
			// Medians per pass of the step and worker: a pass that
			// another job's time slice evicted from the caches is an
			// outlier, not the engine's cost.
			med := func(w, k, slot int) time.Duration {
				var x []time.Duration
				for q := slot; q < len(busy[w][k]); q += pass[w] {
					x = append(x, busy[w][k][q])
				}
				slices.Sort(x)
				return x[len(x)/2]
			}
			var one, sum, crit time.Duration
			for slot := range pass[0] {
				one += med(0, 0, slot)
				b.Logf("one worker, pass %d of %d: %v", slot+1, pass[0], med(0, 0, slot))
			}
			for slot := range pass[1] {
				a, c := med(1, 0, slot), med(1, 1, slot)
				b.Logf("two workers, pass %d of %d: %v and %v", slot+1, pass[1], a, c)
				sum += a + c
				crit += max(a, c)
			}
			per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) }
			b.ReportMetric(per(one), "busy-w1-ns")
			b.ReportMetric(per(sum), "busy-sum-ns")
			b.ReportMetric(per(crit), "crit-ns")
			b.ReportMetric(float64(pass[1]), "passes")
			b.ReportMetric(float64(one)/float64(crit), "speedup-est")
			b.ReportMetric(float64(wall[0])/float64(wall[1]), "wall-ratio")
		})
	}
}

func mustNew(tb testing.TB, p *Plan) *Engine {
	tb.Helper()
	e, err := New(p)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}
