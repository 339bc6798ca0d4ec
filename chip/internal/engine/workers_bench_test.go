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

func mustNew(tb testing.TB, p *Plan) *Engine {
	tb.Helper()
	e, err := New(p)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// BenchmarkWorkersWall is the wall-clock figure of issue 16's target: one
// and two workers on the oscnet784-like plan, run in turns of 50 steps in
// the same process (so both see the same machine), with the engine's own
// pool (no timing inside the passes). Metrics: the median turn's µs a step
// for one worker (w1-us) and two (w2-us: batch shards, shards.go, one
// barrier a step; a batch of one stays on one worker) and ratio = w1-us /
// w2-us, two workers against one per wall clock; and the same for two
// workers running each turn's 50 steps in one pass (StepMany: w2x50-us,
// ratio-x50), what chip.Run does between observations. Meaningful only on
// an idle machine (check the load average, e.g. uptime, before and after).
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
	} {
		b.Run(c.name, func(b *testing.B) {
			var e [3]*Engine
			for w := range e {
				e[w] = mustNew(b, benchPlan(784, 56, c.B, c.model, c.integ, c.prec, min(w+1, 2)))
				defer e[w].Close()
			}
			const turn = 50
			var per [3][]float64
			n := 0
			for b.Loop() {
				if n%turn == 0 {
					for w := range e {
						t0 := time.Now()
						if w == 2 {
							e[w].StepMany(n, turn)
						} else {
							for s := range turn {
								e[w].Step(n + s)
							}
						}
						per[w] = append(per[w], float64(time.Since(t0).Nanoseconds())/turn/1e3)
					}
				}
				n++
			}
			var med [3]float64
			for w := range e {
				slices.Sort(per[w])
				med[w] = per[w][len(per[w])/2]
			}
			b.ReportMetric(med[0], "w1-us")
			b.ReportMetric(med[1], "w2-us")
			b.ReportMetric(med[2], "w2x50-us")
			b.ReportMetric(med[0]/med[1], "ratio")
			b.ReportMetric(med[0]/med[2], "ratio-x50")
		})
	}
}

// BenchmarkShardsBusy is what a machine shared with other jobs distorts
// less than the wall clock: the CPU time of each step on the thread that
// ran it (CLOCK_THREAD_CPUTIME_ID, goroutines locked to their threads), for
// one worker and for each of two shards (shards.go) running at once, the
// medians over the steps run (µs a step: busy-w1, busy-s0, busy-s1).
// busy-w1 over the slower shard's (est) is two workers against one if the
// step's wall time were the slower shard's CPU time: barrier and waits
// aside, and without the host's sharing of the two CPUs, which only an
// idle machine's wall clock (BenchmarkWorkersWall) shows. Time that two
// workers spend on data the other core holds appears here as CPU time:
// the earlier splits' chunks took 2.5× one worker's CPU on two workers
// (docs/performance.md, "Two workers").
//
//	go test ./chip/internal/engine -run '^$' -bench ShardsBusy -benchtime 4000x
func BenchmarkShardsBusy(b *testing.B) {
	for _, c := range []struct {
		name  string
		model Model
		integ Integrator
		prec  Precision
		B     int
	}{
		{"phase/f32/euler/B64", Phase, Euler, Float32, 64},
		{"phase/f32/heun/B64", Phase, Heun, Float32, 64},
		{"cycle/f32/euler/B64", Cycle, Euler, Float32, 64},
		{"phase/f64/euler/B64", Phase, Euler, Float64, 64},
		{"phase/f32/euler/B32", Phase, Euler, Float32, 32},
	} {
		b.Run(c.name, func(b *testing.B) {
			one := mustNew(b, benchPlan(784, 56, c.B, c.model, c.integ, c.prec, 1))
			defer one.Close()
			two := mustNew(b, benchPlan(784, 56, c.B, c.model, c.integ, c.prec, 2))
			defer two.Close()
			sh := two.sh
			var busy [2][]time.Duration
			locked := make([]bool, 2)
			work := sh.work
			sh.pool.close()
			sh.pool = newPool(2, func(k, s int) {
				if !locked[k] {
					runtime.LockOSThread()
					locked[k] = true
				}
				t0 := threadCPU()
				work(k, s)
				busy[s] = append(busy[s], threadCPU()-t0)
			})
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var b1 []time.Duration
			n := 0
			for b.Loop() {
				t0 := threadCPU()
				one.Step(n)
				b1 = append(b1, threadCPU()-t0)
				two.Step(n)
				n++
			}
			med := func(x []time.Duration) float64 {
				x = slices.Clone(x)
				slices.Sort(x)
				return float64(x[len(x)/2].Nanoseconds()) / 1e3
			}
			w1, s0, s1 := med(b1), med(busy[0]), med(busy[1])
			b.ReportMetric(w1, "busy-w1-us")
			b.ReportMetric(s0, "busy-s0-us")
			b.ReportMetric(s1, "busy-s1-us")
			b.ReportMetric(w1/max(s0, s1), "est")
		})
	}
}

// threadCPU is the calling thread's CPU time.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
