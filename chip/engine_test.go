package chip

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"oscsim/netlist"
	"oscsim/phasedet"
)

// engineTestChip compiles the random test chip of n rings with m couplings.
func engineTestChip(tb testing.TB, n, m int, integ netlist.Integrator) *Chip {
	tb.Helper()
	nl := engineParse(tb, fmt.Sprintf("random%d.toml", n), engineTestTOML(n))
	nl.Run.Integrator = integ
	ch, err := Compile(nl, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := ch.Program(engineRandomEdges(n, m, 5)); err != nil {
		tb.Fatal(err)
	}
	return ch
}

// engineInputs returns b inputs with random initial phases; every third
// input also offsets its rings' frequencies.
func engineInputs(n, b int) []Input {
	r := rand.New(rand.NewPCG(3, 4))
	in := make([]Input, b)
	for k := range in {
		in[k].Phases = make([]float64, n)
		for i := range in[k].Phases {
			in[k].Phases[i] = (2*r.Float64() - 1) * math.Pi
		}
		if k%3 == 1 {
			in[k].FreqOffset = make([]float64, n)
			for i := range in[k].FreqOffset {
				in[k].FreqOffset[i] = 2e6 * (2*r.Float64() - 1)
			}
		}
	}
	return in
}

// inputJSON is what one input of a result is, as bytes.
func inputJSON(tb testing.TB, r *Result, b int) []byte {
	tb.Helper()
	v := map[string]any{
		"final": r.Final[b], "unwrapped": r.Unwrapped[b], "lock": r.Locks[b], "power": r.CouplerPower[b],
	}
	var ro []any
	for _, x := range r.Readouts {
		ro = append(ro, x.Times, x.Values[b])
	}
	v["readouts"] = ro
	if r.Trace != nil {
		v["trace"] = r.Trace.Phases[b]
	}
	out, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func run(tb testing.TB, ch *Chip, in []Input, opt RunOptions) *Result {
	tb.Helper()
	res, err := ch.Run(context.Background(), in, opt)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// TestBatchMatchesSingle: input b of a batch gives the same bits as the
// same input run alone with InputBase = b, in both models, every
// integrator and both precisions (17 inputs cover vector blocks and tails).
func TestBatchMatchesSingle(t *testing.T) {
	t.Parallel()
	const n, B = 40, 17
	in := engineInputs(n, B)
	for _, integ := range []netlist.Integrator{"euler", "heun", "rk4"} {
		ch := engineTestChip(t, n, 120, integ)
		for _, model := range []netlist.Model{"phase", "cycle"} {
			for _, prec := range []string{PrecisionFloat64, PrecisionFloat32} {
				opt := RunOptions{Model: model, Precision: prec, Duration: 12e-9, TraceEvery: 13}
				batch := run(t, ch, in, opt)
				for _, b := range []int{0, 1, 5, 15, 16} {
					o := opt
					o.InputBase = b
					one := run(t, ch, in[b:b+1], o)
					if got, want := inputJSON(t, one, 0), inputJSON(t, batch, b); !bytes.Equal(got, want) {
						t.Errorf("%s/%s/%s: input %d alone differs from the batch", integ, model, prec, b)
					}
				}
			}
		}
	}
}

// TestWorkersAgree: 1, 2 and 4 workers give the same bytes, with rows
// split among workers (1 and 20 inputs) and inputs split (130).
func TestWorkersAgree(t *testing.T) {
	t.Parallel()
	const n = 200
	ch := engineTestChip(t, n, 1000, "heun")
	for _, B := range []int{1, 20, 130} {
		in := engineInputs(n, B)
		for _, model := range []netlist.Model{"phase", "cycle"} {
			for _, prec := range []string{PrecisionFloat64, PrecisionFloat32} {
				var ref []byte
				for _, w := range []int{1, 2, 4} {
					res := run(t, ch, in, RunOptions{Model: model, Precision: prec, Duration: 2.5e-9, Workers: w, TraceEvery: 7, StepsPerCycle: 32})
					res.Wall = 0
					got, err := json.Marshal(struct {
						R *Result
						U [][]float64
					}{res, res.Unwrapped})
					if err != nil {
						t.Fatal(err)
					}
					if ref == nil {
						ref = got
					} else if !bytes.Equal(got, ref) {
						t.Errorf("B=%d %s/%s: %d workers differ from 1", B, model, prec, w)
					}
				}
			}
		}
	}
}

// TestFloat32MatchesFloat64 runs a fixed workload (200 rings, random
// couplings, a SHIL ramp that binarises the phases; phase noise on) in
// both precisions on the same noise (float32's generator, drawn for the
// float64 run with the test-only noise32 switch). Tolerances: final
// phases within 2e-3 rad (float32 resolves 2.4e-7 rad at π; over a few
// thousand steps the two precisions' rounding drifts apart in this
// contracting system by an amount that depends on the noise realisation:
// 1e-4 rad for the phase model and 1.7e-3 for the cycle model here, 3e-4
// to 6e-4 for the cycle model at NoiseSeed 1 to 3), the phase advanced
// over the lock window (mean frequency × 2π × window) within 2e-3 rad,
// identical sampler spins, and coupler power within 1e-5 of its scale.
func TestFloat32MatchesFloat64(t *testing.T) {
	t.Parallel()
	const n, B = 200, 8
	in := engineInputs(n, B)
	ch := engineTestChip(t, n, 1200, "heun")
	for _, model := range []netlist.Model{"phase", "cycle"} {
		// float64 on float32's noise generator: one noise realisation.
		opt := RunOptions{Model: model, Duration: 25e-9, noise32: true}
		r64 := run(t, ch, in, opt)
		opt.Precision = PrecisionFloat32
		r32 := run(t, ch, in, opt)
		var dPhi, dF, dP float64
		var flips int
		for b := 0; b < B; b++ {
			for i := 0; i < n; i++ {
				dPhi = math.Max(dPhi, math.Abs(phasedet.Wrap(r32.Final[b][i]-r64.Final[b][i])))
				dF = math.Max(dF, math.Abs(r32.Locks[b].FreqOffset[i]-r64.Locks[b].FreqOffset[i]))
			}
			dP = math.Max(dP, math.Abs(r32.CouplerPower[b]-r64.CouplerPower[b]))
			for d := range r64.Readouts {
				if r64.Readouts[d].Kind != "sampler" {
					continue
				}
				for m := range r64.Readouts[d].Values[b] {
					for k, v := range r64.Readouts[d].Values[b][m] {
						if r32.Readouts[d].Values[b][m][k] != v {
							flips++
						}
					}
				}
			}
		}
		scale := 0.0
		for _, g := range ch.csr.g {
			scale += math.Abs(float64(g)) * ch.vdd * ch.vdd / 2
		}
		t.Logf("%s: max |Δφ| %.3g rad, max |Δf| %.3g Hz, max |ΔP| %.3g of scale, %d sampler flips", model, dPhi, dF, dP/scale, flips)
		window := 0.2 * r64.Duration
		if dPhi > 2e-3 || dF*2*math.Pi*window > 2e-3 || dP > 1e-5*scale || flips > 0 {
			t.Errorf("%s: float32 departs from float64: |Δφ| %.3g rad, |Δf| %.3g Hz, |ΔP| %.3g of scale, %d sampler flips",
				model, dPhi, dF, dP/scale, flips)
		}
	}
}

// TestPrecisionUnknown: a bad precision is an error, not a panic.
func TestPrecisionUnknown(t *testing.T) {
	ch := engineTestChip(t, 10, 20, "heun")
	if _, err := ch.Run(context.Background(), nil, RunOptions{Precision: "float16"}); err == nil {
		t.Fatal("want an error for precision float16")
	}
}

// TestCouplersEdges: Couplers re-derives each directed coupler's edge
// (the CSR keeps none): the edge joins the coupler's rings, and its code's
// sign is the coupler's path.
func TestCouplersEdges(t *testing.T) {
	ch := engineTestChip(t, 60, 300, "heun")
	edges, codes := ch.Edges(), ch.Codes()
	cs := ch.Couplers()
	if len(cs) != ch.NumCouplers() {
		t.Fatalf("%d couplers, want %d", len(cs), ch.NumCouplers())
	}
	seen := map[int]int{}
	for _, c := range cs {
		e := edges[c.Edge]
		if !(e.I == c.From && e.J == c.To || e.I == c.To && e.J == c.From) {
			t.Fatalf("coupler %d→%d: edge %d joins %d and %d", c.From, c.To, c.Edge, e.I, e.J)
		}
		if c.Inverted != (codes[c.Edge] < 0) || codes[c.Edge] == 0 {
			t.Fatalf("coupler %d→%d: inverted %v, code %d", c.From, c.To, c.Inverted, codes[c.Edge])
		}
		seen[c.Edge]++
	}
	for k, n := range seen {
		if n != 2 {
			t.Fatalf("edge %d has %d directed couplers, want 2", k, n)
		}
	}
}
