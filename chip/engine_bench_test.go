package chip

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"testing"

	"oscsim/configs"
	"oscsim/internal/benchkit"
	"oscsim/netlist"
)

// Engine benchmarks. One op is one time step of the whole batch; the
// coupling-updates/s metric counts one directed coupler applied to one
// input for one step (N·deg·B per step), the unit of docs/performance.md.
//
//	go test ./chip -run '^$' -bench 'Step' -benchtime 2s -count 6 | tee new.txt
//	OSCSIM_KERNELS=avx2 go test ./chip -run '^$' -bench 'Step' ...   # a lower level
//
// CI runs them once each as a smoke test (BenchmarkRun shortened by -short):
//
//	go test ./chip -short -run '^$' -bench . -benchtime 1x

// benchChip is a benchmark chip: a description built in code and
// programmed with generated edges.
type benchChip struct {
	name  string
	toml  string
	edges func() []netlist.Edge
	n     int
}

// benchTOML describes n rings (rows×cols when grid) with phase noise, 1%
// mismatch and a constant SHIL pump on every ring.
func benchTOML(name string, n, rows, cols int, topology string) string {
	layout := ""
	if rows > 0 {
		layout = fmt.Sprintf("layout = \"grid\"\nrows = %d\ncols = %d\n", rows, cols)
	}
	return fmt.Sprintf(`
[chip]
name = %q
tech = "45nm"

[oscillators]
count = %d
%sstages = 5
frequency = "1.4GHz"
freq_sigma = "1%%"
linewidth = "100kHz"
init = "random"

[couplings]
bits = 4
unit_k = 0.0001
topology = %q

[shil]
ks = 0.01
schedule = "constant"
targets = "all"

[run]
cycles = 10
`, name, n, layout, topology)
}

// kingsEdges is the King's graph on rows×cols (8 neighbours inside) with
// ±1 weights, as on the 1,968-node Ising chip of Moy et al. (2022).
func kingsEdges(rows, cols int, seed uint64) []netlist.Edge {
	r := rand.New(rand.NewPCG(seed, 2))
	var out []netlist.Edge
	for y := 0; y < rows; y++ {
		for x := 0; x < cols; x++ {
			i := y*cols + x
			for _, d := range [][2]int{{0, 1}, {1, -1}, {1, 0}, {1, 1}} {
				yy, xx := y+d[0], x+d[1]
				if yy >= rows || xx < 0 || xx >= cols {
					continue
				}
				w := 1.0
				if r.IntN(2) == 0 {
					w = -1
				}
				out = append(out, netlist.Edge{I: i, J: yy*cols + xx, W: w})
			}
		}
	}
	return out
}

var benchChips = []benchChip{
	{name: "oscnet784", n: 784, toml: benchTOML("oscnet784", 784, 0, 0, "explicit"),
		edges: func() []netlist.Edge { return benchkit.CirculantEdges(784, 56, 1) }},
	{name: "kings1968", n: 1968, toml: benchTOML("kings1968", 1968, 41, 48, "kings"),
		edges: func() []netlist.Edge { return kingsEdges(41, 48, 1) }},
	{name: "random16k", n: 16384, toml: benchTOML("random16k", 16384, 0, 0, "explicit"),
		edges: func() []netlist.Edge { return benchkit.CirculantEdges(16384, 16, 3) }},
}

// compileBench builds a benchmark chip.
func compileBench(tb testing.TB, c benchChip) *Chip {
	tb.Helper()
	ch := compileText(tb, c.name+".toml", c.toml)
	if c.edges != nil {
		if _, err := ch.Program(c.edges()); err != nil {
			tb.Fatal(err)
		}
	}
	return ch
}

// chipBytes is what the compiled chip's coupling and ring arrays take.
func chipBytes(ch *Chip) int64 {
	m := &ch.csr
	n := int64(len(m.rowPtr)+len(m.col)+len(m.g)+len(ch.order)) * 4
	n += int64(len(m.gTot)+len(m.gNeg)+len(ch.dOmega)+len(ch.pumpMask)) * 8
	return n
}

// benchEngine builds an engine for B random inputs.
func benchEngine(tb testing.TB, ch *Chip, model netlist.Model, integ netlist.Integrator, prec string, B, workers int) *runner {
	tb.Helper()
	ch.nl.Run.Integrator = integ
	spc := model.DefaultStepsPerCycle()
	if err := ch.CheckStep(model, spc); err != nil {
		tb.Fatal(err)
	}
	e, err := ch.newEngine(make([]Input, B), model, spc, 1e-8, RunOptions{Model: model, Precision: prec, Workers: workers})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// BenchmarkStep times single steps with the Euler–Maruyama integrator (one
// evaluation of the couplings per step, as in the C and numpy references).
func BenchmarkStep(b *testing.B) {
	for _, c := range benchChips {
		ch := compileBench(b, c)
		nnz := len(ch.csr.col)
		for _, model := range []netlist.Model{"phase", "cycle"} {
			for _, prec := range []string{"f32", "f64"} {
				for _, B := range []int{1, 16, 64} {
					for _, w := range []int{1, 2} {
						name := fmt.Sprintf("%s/%s/%s/B%d/w%d", c.name, model, prec, B, w)
						b.Run(name, func(b *testing.B) {
							benchSteps(b, ch, model, "euler", prec, B, w, nnz)
						})
					}
				}
			}
		}
	}
}

// BenchmarkStepHeun is the default integrator (two evaluations per step)
// on the OscNet-sized chip.
func BenchmarkStepHeun(b *testing.B) {
	ch := compileBench(b, benchChips[0])
	nnz := len(ch.csr.col)
	for _, model := range []netlist.Model{"phase", "cycle"} {
		for _, prec := range []string{"f32", "f64"} {
			for _, w := range []int{1, 2} {
				b.Run(fmt.Sprintf("oscnet784/%s/%s/B64/w%d", model, prec, w), func(b *testing.B) {
					benchSteps(b, ch, model, "heun", prec, 64, w, nnz)
				})
			}
		}
	}
}

func benchSteps(b *testing.B, ch *Chip, model netlist.Model, integ netlist.Integrator, prec string, B, w, nnz int) {
	p := map[string]string{"f32": PrecisionFloat32, "f64": PrecisionFloat64}[prec]
	e := benchEngine(b, ch, model, integ, p, B, w)
	defer e.close()
	e.step(0) // warm up
	b.ReportAllocs()
	cpu0 := benchkit.CPUTime()
	n := 1
	for b.Loop() {
		e.step(n)
		n++
	}
	upd := float64(nnz) * float64(B) * float64(b.N)
	b.ReportMetric(upd/b.Elapsed().Seconds(), "updates/s")
	b.ReportMetric(upd/(benchkit.CPUTime()-cpu0).Seconds(), "updates/cpu-s")
	mem := chipBytes(ch) + e.bytes()
	budget := int64(nnz)*8 + int64(ch.n*B)*16
	b.ReportMetric(float64(mem)/float64(budget), "mem/budget")
}

// BenchmarkRun times whole Runs of the OscNet workloads' shape on the
// 784-ring chip, a batch of 64 images each (setup, noise, coupler power
// every cycle and the lock measurement included):
//   - pairwise784: one match of the pairwise tournament, 24% of W^(a,b)'s
//     couplings kept (≈142 per ring), pump at 0.02×, 60 cycles at 2 steps a
//     cycle, Heun;
//   - perclass784: one class of the per-class method, top-56 couplings
//     symmetrised (≈101 per ring), full pump, 15 cycles at 8 steps, Heun.
//
// A tournament over 10,000 images is 9 × ⌈10000/64⌉ pairwise784 runs, the
// per-class method 10 × ⌈10000/64⌉ perclass784 runs (docs/performance.md).
func BenchmarkRun(b *testing.B) {
	for _, c := range []struct {
		name        string
		deg         int
		cycles, spc float64
		ksScale     float64
	}{{"pairwise784", 142, 60, 2, 0.02}, {"perclass784", 102, 15, 8, 1}} {
		bc := benchChip{name: c.name, n: 784, toml: oscnetTOML(b, c.cycles, c.spc)}
		ch := compileBench(b, bc)
		if _, err := ch.Program(benchkit.CirculantEdges(784, c.deg, 7)); err != nil {
			b.Fatal(err)
		}
		nnz := len(ch.csr.col)
		for _, prec := range []string{"f32", "f64"} {
			for _, w := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%s/B64/w%d", c.name, prec, w), func(b *testing.B) {
					in := make([]Input, 64)
					opt := RunOptions{Precision: map[string]string{"f32": PrecisionFloat32, "f64": PrecisionFloat64}[prec], Workers: w, KsScale: c.ksScale}
					if testing.Short() {
						opt.Duration = 2 / ch.f0 // CI smoke: two cycles
					}
					b.ReportAllocs()
					steps := 0
					cpu0 := benchkit.CPUTime()
					for b.Loop() {
						res, err := ch.Run(context.Background(), in, opt)
						if err != nil {
							b.Fatal(err)
						}
						steps += res.Steps
					}
					upd := float64(nnz) * 64 * float64(steps)
					b.ReportMetric(upd/b.Elapsed().Seconds(), "updates/s")
					b.ReportMetric(upd/(benchkit.CPUTime()-cpu0).Seconds(), "updates/cpu-s")
				})
			}
		}
	}
}

// oscnetTOML is configs/oscnet-mnist.toml with its run's cycles and steps
// per cycle replaced.
func oscnetTOML(tb testing.TB, cycles, spc float64) string {
	tb.Helper()
	src, err := configs.Read("oscnet-mnist.toml")
	if err != nil {
		tb.Fatal(err)
	}
	s := string(src)
	for key, x := range map[string]float64{"cycles": cycles, "steps_per_cycle": spc} {
		re := regexp.MustCompile(`(?m)^` + key + ` = \S+`)
		if !re.MatchString(s) {
			tb.Fatalf("oscnet-mnist.toml has no %s", key)
		}
		s = re.ReplaceAllLiteralString(s, fmt.Sprintf("%s = %g", key, x))
	}
	return s
}
