package engine

import (
	"fmt"
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
// oscnet784-like plan in a way that a machine shared with other jobs
// distorts less than wall-clock time: each chunk (pool.go) is timed in its
// own thread's CPU time (busy time, without the waits at the barriers and
// without the time the system gave the core to others). Its metrics, per
// step, from the median of each pass of a step over the steps run:
//
//   - busy-w1: one worker's CPU time;
//
//   - busy-sum: both workers' CPU time together, more than busy-w1 by
//     what splitting costs (rows whose data sits in the other core's
//     caches, shared caches);
//
//   - split-est: 2·busy-w1/busy-sum, two workers against one on two free
//     cores if the chunks balance, barrier latency aside. It is an upper
//     bound, not a prediction: on an idle 2-core machine it read 1.9× for
//     oscnet784 at B = 64 while the wall clock gave 0.72×
//     (docs/performance.md, "Two workers"); trust wall-ratio there;
//
//   - crit: Σ over passes of the slower worker's busy time; on an idle
//     machine the step's length before the barriers' latency, busy-w1/crit
//     the estimate speedup-est; on a loaded one the caller takes over the
//     chunks of a worker that is not running, and crit tends to busy-sum;
//
//   - passes: barriers per step;
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
			// busy[w][k] are worker k's chunks in engine w: the pass
			// (the pool's generation) and the chunk's CPU time.
			type chunk struct {
				gen uint64
				d   time.Duration
			}
			var busy [2][][]chunk
			for w := range 2 {
				p := benchPlan(784, 56, c.B, c.model, c.integ, c.prec, w+1)
				p.noShards = true // the row split's passes
				e[w] = mustNew(b, p)
				defer e[w].Close()
				e[w].pool.close()
				busy[w] = make([][]chunk, w+1)
				work, ew := e[w].core.work, w
				locked := make([]bool, w+1)
				var pl *pool
				pl = newPool(w+1, func(k, x int) {
					if !locked[k] {
						// A thread's CPU clock times the chunk only if
						// the goroutine stays on that thread.
						runtime.LockOSThread()
						locked[k] = true
					}
					t0 := threadCPU()
					work(k, x)
					busy[ew][k] = append(busy[ew][k], chunk{pl.pass(), threadCPU() - t0})
				})
				e[w].pool = pl
			}
			runtime.LockOSThread() // worker 0 of both engines
			defer runtime.UnlockOSThread()
			var wall [2]time.Duration
			var gen0 [2]uint64
			n := 0
			for b.Loop() {
				for w := range 2 {
					if n == 0 {
						gen0[w] = e[w].pool.pass()
					}
					t0 := time.Now()
					e[w].Step(n)
					wall[w] += time.Since(t0)
				}
				n++
			}
			// Each worker's CPU time per pass, then the median of each
			// pass of a step over the steps run: a pass that another
			// job's time slice evicted from the caches is an outlier, not
			// the engine's cost. (A pass of one chunk runs on the caller
			// without a generation: one worker's passes are told apart
			// by counting.)
			var passes [2]int
			perPass := func(w int) [][]time.Duration { // [pass][worker]
				if w == 0 {
					x := busy[0][0]
					passes[0] = len(x) / n
					out := make([][]time.Duration, len(x))
					for q := range x {
						out[q] = []time.Duration{x[q].d}
					}
					return out
				}
				last := e[w].pool.pass()
				out := make([][]time.Duration, last-gen0[w])
				for q := range out {
					out[q] = make([]time.Duration, w+1)
				}
				for k, xs := range busy[w] {
					for _, x := range xs {
						if q := int(x.gen - gen0[w] - 1); q >= 0 && q < len(out) {
							out[q][k] += x.d
						}
					}
				}
				passes[w] = len(out) / n
				return out
			}
			pw := [2][][]time.Duration{perPass(0), perPass(1)}
			// med is the median over the steps of f of a pass's workers'
			// times, for each pass of a step, summed over the step.
			med := func(w int, f func([]time.Duration) time.Duration) time.Duration {
				var tot time.Duration
				for slot := range passes[w] {
					var x []time.Duration
					for q := slot; q < len(pw[w]); q += passes[w] {
						x = append(x, f(pw[w][q]))
					}
					slices.Sort(x)
					tot += x[len(x)/2]
				}
				return tot
			}
			total := func(x []time.Duration) (t time.Duration) {
				for _, d := range x {
					t += d
				}
				return t
			}
			one, sum, crit := med(0, total), med(1, total), med(1, slices.Max[[]time.Duration])
			per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) }
			b.ReportMetric(per(one), "busy-w1-ns")
			b.ReportMetric(per(sum), "busy-sum-ns")
			b.ReportMetric(per(crit), "crit-ns")
			b.ReportMetric(2*float64(one)/float64(sum), "split-est")
			b.ReportMetric(float64(passes[1]), "passes")
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

// BenchmarkPassTimeline times where a two-worker step's wall clock goes,
// pass by pass, on the oscnet784-like plan (float32, Euler, B = 64): each
// chunk's start and end on the wall clock, by worker. Its metrics, the
// medians over the steps run, in ns a step (summed over its passes):
//
//   - work: the pass's span from its first chunk's start to its last
//     chunk's end;
//   - skew: how much later worker 1 starts a pass than the caller (its
//     wake-up: spinning, or parked and woken by the scheduler);
//   - idle: within the span, the time a worker runs no chunk of the pass
//     (both workers together: waiting at the barrier or to start);
//   - gap: from a pass's last chunk's end to the next pass's first chunk
//     (the barrier's exit and the caller's serial work);
//   - stolen-%: the chunks run by the worker whose share they are not in
//     (pool.go), whose rows' data then crosses between the cores;
//
// On a machine shared with other jobs the numbers say how it was shared.
//
//	go test ./chip/internal/engine -run '^$' -bench PassTimeline -benchtime 3000x
func BenchmarkPassTimeline(b *testing.B) {
	for _, B := range []int{16, 64} {
		b.Run(fmt.Sprintf("phase/f32/euler/B%d", B), func(b *testing.B) {
			p := benchPlan(784, 56, B, Phase, Euler, Float32, 2)
			p.noShards = true // the row split's passes
			e := mustNew(b, p)
			defer e.Close()
			e.pool.close()
			type ev struct {
				gen       uint64
				c, chunks int
				t0, t1    int64
			}
			var evs [2][]ev
			base := time.Now()
			work := e.core.work
			var pl *pool
			pl = newPool(2, func(k, x int) {
				t0 := int64(time.Since(base))
				work(k, x)
				g := pl.gen.Load()
				evs[k] = append(evs[k], ev{g >> 16, x, int(g & 0xffff), t0, int64(time.Since(base))})
			})
			e.pool = pl
			for w := range evs {
				evs[w] = make([]ev, 0, 1<<10)
			}
			n := 0
			gen0 := pl.pass()
			for b.Loop() {
				e.Step(n)
				n++
			}
			last := pl.pass()
			passes := int(last - gen0)
			type passT struct {
				start, end [2]int64
				busy       [2]int64
				set        [2]bool
			}
			ps := make([]passT, passes)
			var stolen, ran int
			for k, xs := range evs {
				for _, x := range xs {
					ran++
					if shareOf(x.c, x.chunks, 2) != k {
						stolen++
					}
					q := int(x.gen - gen0 - 1)
					if q < 0 || q >= passes {
						continue
					}
					p := &ps[q]
					if !p.set[k] || x.t0 < p.start[k] {
						p.start[k] = x.t0
					}
					if !p.set[k] || x.t1 > p.end[k] {
						p.end[k] = x.t1
					}
					p.set[k] = true
					p.busy[k] += x.t1 - x.t0
				}
			}
			per := passes / max(n, 1)
			med := func(f func(p *passT, q int) int64) float64 {
				var tot float64
				for slot := range per {
					var x []int64
					for q := slot; q+1 < passes; q += per {
						if ps[q].set[0] && ps[q].set[1] && ps[q+1].set[0] && ps[q+1].set[1] {
							x = append(x, f(&ps[q], q))
						}
					}
					if len(x) == 0 {
						continue
					}
					slices.Sort(x)
					tot += float64(x[len(x)/2])
				}
				return tot
			}
			first := func(p *passT) int64 { return min(p.start[0], p.start[1]) }
			lastEnd := func(p *passT) int64 { return max(p.end[0], p.end[1]) }
			b.ReportMetric(med(func(p *passT, _ int) int64 { return lastEnd(p) - first(p) }), "work-ns")
			b.ReportMetric(med(func(p *passT, _ int) int64 { return p.start[1] - p.start[0] }), "skew-ns")
			b.ReportMetric(med(func(p *passT, _ int) int64 {
				s := lastEnd(p) - first(p)
				return 2*s - p.busy[0] - p.busy[1]
			}), "idle-ns")
			b.ReportMetric(med(func(p *passT, q int) int64 { return first(&ps[q+1]) - lastEnd(p) }), "gap-ns")
			b.ReportMetric(med(func(p *passT, _ int) int64 { return p.busy[0] + p.busy[1] }), "busy-ns")
			b.ReportMetric(float64(per), "passes")
			b.ReportMetric(100*float64(stolen)/float64(max(ran, 1)), "stolen-%")
		})
	}
}

// BenchmarkWorkersWall is the wall-clock figure of issue 16's target: one
// and two workers on the oscnet784-like plan, run in turns of 50 steps in
// the same process (so all see the same machine), with the engine's own
// pool (no timing inside the passes). Metrics: the median turn's µs a step
// for one worker (w1-us) and two as the engine splits them (w2-us: batch
// shards, shards.go, for B > 1), and ratio = w1-us / w2-us, two workers
// against one per wall clock; for B > 1 also two workers within one
// engine's shared arrays (Plan.noShards), split as before the shards
// (w2old-us, ratio-old: rows below four vectors of inputs a worker,
// inputs from there) and split by inputs (w2in-us, ratio-in), so one run
// compares the splits. Meaningful only on an idle machine (check the load
// average, e.g. uptime, before and after).
//
//	go test ./chip/internal/engine -run '^$' -bench WorkersWall -benchtime 4000x -count 5
func BenchmarkWorkersWall(b *testing.B) {
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
		{"phase/f32/euler/B32", Phase, Euler, Float32, 32},
		{"phase/f32/euler/B16", Phase, Euler, Float32, 16},
		{"phase/f32/euler/B1", Phase, Euler, Float32, 1},
	} {
		b.Run(c.name, func(b *testing.B) {
			type variant struct {
				name              string
				workers           int
				noShards, byInput bool
			}
			vs := []variant{{"w1", 1, false, false}, {"w2", 2, false, false}}
			if c.B > 1 {
				vs = append(vs, variant{"w2old", 2, true, false}, variant{"w2in", 2, true, true})
			}
			var e []*Engine
			for _, v := range vs {
				p := benchPlan(784, 56, c.B, c.model, c.integ, c.prec, v.workers)
				p.noShards, p.byInputs = v.noShards, v.byInput
				e = append(e, mustNew(b, p))
				defer e[len(e)-1].Close()
			}
			const turn = 50
			per := make([][]float64, len(e))
			n := 0
			for b.Loop() {
				if n%turn == 0 {
					for w := range e {
						t0 := time.Now()
						for s := range turn {
							e[w].Step(n + s)
						}
						per[w] = append(per[w], float64(time.Since(t0).Nanoseconds())/turn/1e3)
					}
				}
				n++
			}
			med := make([]float64, len(e))
			for w := range e {
				slices.Sort(per[w])
				med[w] = per[w][len(per[w])/2]
				b.ReportMetric(med[w], vs[w].name+"-us")
			}
			b.ReportMetric(med[0]/med[1], "ratio")
			for w := 2; w < len(e); w++ {
				b.ReportMetric(med[0]/med[w], "ratio-"+vs[w].name[2:])
			}
		})
	}
}
