package freqsync

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// isolatedPair is a reference network of three oscillators: one input
// oscillator held at the bottom of the range and a tuning pair near the top,
// 150 MHz above it, so the pair is all but isolated (the input shifts its
// frequencies by ≈ k²/(2·150 MHz) < 1 MHz, second order). Each data set
// presents that one input m times with label sync.
func isolatedPair(t *testing.T, f4, f5 float64, sync bool, m int) (*Net, *Model, Data) {
	t.Helper()
	p := PaperPhysics()
	p.Dt, p.T, p.Tau = 0.5e-9, 2e-6, 1e-6
	d := Data{}
	for range m {
		d.X = append(d.X, []float64{0})
		d.Y = append(d.Y, []bool{sync})
	}
	net, err := NewNet(3, p, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := NewModel(Reference, 3, []int{0}, []Pair{{1, 2}}, d.X, p, DefaultUnit, Init{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	mod.Params[1], mod.Params[2] = f4/DefaultUnit, f5/DefaultUnit
	return net, mod, d
}

// TestOnlineIsolatedPair checks the online rule on an isolated pair against
// Adler locking (lock iff |F_i − F_j| ≤ 2k): every example positive pulls
// an unlocked pair into lock, every example negative pushes a locked pair
// just out of it (by at most one push past 2k), and neither moves the sum
// of the pair's natural frequencies (the rule can resize the locking
// region, not move it: docs/sync.md, "Tenth session").
func TestOnlineIsolatedPair(t *testing.T) {
	ctx := context.Background()
	const k = 10e6
	sep := func(m *Model) float64 { return math.Abs(m.Params[2]-m.Params[1]) * m.Unit }
	sum := func(m *Model) float64 { return (m.Params[1] + m.Params[2]) * m.Unit }

	// Pull: 60 MHz apart, should synchronise.
	net, m, d := isolatedPair(t, 620e6, 680e6-1e6, true, 30)
	s0 := sum(m)
	opt := OnlineOptions{Iterations: 1, Alpha: 0.1, Push: PushNatural, Seed: 3}
	if _, err := TrainOnline(ctx, net, m, d, opt); err != nil {
		t.Fatal(err)
	}
	t.Logf("pull: separation %.3f MHz", sep(m)/1e6)
	if got := sep(m); got > 2*k*1.02 || got < 2*k*0.5 {
		t.Errorf("pull: separation %.2f MHz, want locked just inside 2k = %.0f MHz", got/1e6, 2*k/1e6)
	}
	if got := sum(m); math.Abs(got-s0) > 1 {
		t.Errorf("pull moved the pair's sum by %g Hz", got-s0)
	}
	acc, err := Accuracy(ctx, net, m, d, EvalOptions{Seed: 5})
	if err != nil || acc != 1 {
		t.Errorf("pull: accuracy %g (%v), want 1", acc, err)
	}

	// Push: 10 MHz apart (locked), should not synchronise.
	for _, push := range []Push{PushThreshold, PushNatural} {
		net, m, d = isolatedPair(t, 645e6, 655e6, false, 30)
		s0 = sum(m)
		opt = OnlineOptions{Iterations: 1, Alpha: 0.1, Push: push, Seed: 3}
		if _, err := TrainOnline(ctx, net, m, d, opt); err != nil {
			t.Fatal(err)
		}
		// The last push leaves the pair at most one push (2·α·diff of the
		// separation, diff ≤ 2k + a push) beyond 2k.
		maxStep := 2 * opt.Alpha * 2 * k * (1 + 2*opt.Alpha)
		t.Logf("%s push: separation %.3f MHz", push, sep(m)/1e6)
		if got := sep(m); got < 2*k*0.98 || got > 2*k+maxStep {
			t.Errorf("%s push: separation %.2f MHz, want in [2k, 2k + %.1f MHz]", push, got/1e6, maxStep/1e6)
		}
		if got := sum(m); math.Abs(got-s0) > 1 {
			t.Errorf("%s push moved the pair's sum by %g Hz", push, got-s0)
		}
	}

	// PaperSpec's push (k each, OnlinePushWeight) unlocks the pair in one
	// step: 10 MHz apart becomes 10 MHz + 2k, and the other examples are
	// then right, so nothing else moves.
	net, m, d = isolatedPair(t, 645e6, 655e6, false, 30)
	sp := PaperSpec(Reference, 1, false)
	opt = OnlineOptions{Iterations: 2, Alpha: sp.Alpha, Push: sp.Push, PushWeight: sp.PushWeight, Decay: sp.Decay, Seed: 3}
	if _, err := TrainOnline(ctx, net, m, d, opt); err != nil {
		t.Fatal(err)
	}
	if got, want := sep(m), 10e6+2*k; math.Abs(got-want) > 1 {
		t.Errorf("PaperSpec push: separation %.3f MHz, want %.3f (one push)", got/1e6, want/1e6)
	}

	if _, err := TrainOnline(ctx, net, m, d, OnlineOptions{Iterations: 1, Alpha: 0.1, Push: "sideways"}); err == nil || !strings.Contains(err.Error(), "sideways") {
		t.Errorf("bad push: %v, want an error naming it", err)
	}
	if _, err := TrainOnline(ctx, net, m, d, OnlineOptions{Iterations: 1, Alpha: 0.1, PushWeight: -1}); err == nil || !strings.Contains(err.Error(), "push weight") {
		t.Errorf("negative push weight: %v, want an error naming it", err)
	}
}

// TestOnlineVariants measures online-rule variants on the basic 2-D task
// (34×34 grid, PaperSpec's other settings) and prints per-seed training
// accuracy: the numbers of docs/sync.md, "The online rule" (tenth session).
// ONLINE_VARIANTS is a ;-list of push:alpha:pushweight:decay (e.g.
// "threshold:0.1:1:0;natural:0.1:1:1"), ONLINE_SEEDS the --seed values
// (default 2,3,4,5,6: reproduce seeds 1–5), ONLINE_CLUSTERS=1 adds which
// oscillators share the output pair's f̄ where it synchronises.
func TestOnlineVariants(t *testing.T) {
	vs := os.Getenv("ONLINE_VARIANTS")
	if vs == "" {
		t.Skip("set ONLINE_VARIANTS (docs/sync.md, \"Tenth session\") to measure online-rule variants")
	}
	seeds := []uint64{2, 3, 4, 5, 6}
	if s := os.Getenv("ONLINE_SEEDS"); s != "" {
		seeds = nil
		for _, x := range strings.Split(s, ",") {
			v, err := strconv.ParseUint(x, 10, 64)
			if err != nil {
				t.Fatalf("ONLINE_SEEDS: %v", err)
			}
			seeds = append(seeds, v)
		}
	}
	ctx := context.Background()
	d := Grid(Basic, 34)
	for _, v := range strings.Split(vs, ";") {
		f := strings.Split(v, ":")
		if len(f) != 4 {
			t.Fatalf("ONLINE_VARIANTS: %q is not push:alpha:pushweight:decay", v)
		}
		sp := PaperSpec(Reference, 2, false)
		sp.Online, sp.Iterations = true, 20
		if err := sp.Push.UnmarshalText([]byte(f[0])); err != nil {
			t.Fatal(err)
		}
		var err error
		for i, dst := range []*float64{&sp.Alpha, &sp.PushWeight, &sp.Decay} {
			if *dst, err = strconv.ParseFloat(f[i+1], 64); err != nil {
				t.Fatalf("ONLINE_VARIANTS %q: %v", v, err)
			}
		}
		var accs []float64
		var cells []string
		for _, s := range seeds {
			sp.Seed = s
			out, err := sp.Run(ctx, d, Data{})
			if err != nil {
				t.Fatal(err)
			}
			accs = append(accs, 100*out.Train)
			cells = append(cells, fmt.Sprintf("%.2f", 100*out.Train))
			F := out.Model.Params
			fmt.Printf("variant %s seed %d: %.2f%% (F3..F6 %.1f %.1f %.1f %.1f MHz)\n", v, s, 100*out.Train, F[2]*100, F[3]*100, F[4]*100, F[5]*100)
			if os.Getenv("ONLINE_CLUSTERS") != "" {
				fmt.Print(syncClusters(t, out.Model, d, sp))
			}
		}
		mu, sd := MeanStd(accs)
		fmt.Printf("VARIANT %s: %s; mean %.2f ± %.2f\n", v, strings.Join(cells, ", "), mu, sd)
	}
}

// syncClusters runs m on d as Spec.Run scores it and tabulates, for the
// examples whose first pair synchronises, the set of oscillators (paper's
// numbering) whose f̄ is within k/2 of the pair's, with how many of those
// examples are right and wrong.
func syncClusters(t *testing.T, m *Model, d Data, sp Spec) string {
	t.Helper()
	net, err := NewNet(sp.N, sp.Phys, int64(sp.Seed), 0)
	if err != nil {
		t.Fatal(err)
	}
	F := make([][]float64, len(d.X))
	for k, x := range d.X {
		F[k], _ = m.Frequencies(x)
	}
	rng := rand.New(rand.NewPCG(sp.Seed+1000, 0xe7a1))
	res, err := net.Simulate(context.Background(), F, RandomPhases(rng, len(F), m.N), SimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pr, k := m.Pairs[0], net.Phys.K
	tab := map[string][2]int{}
	for e, fb := range res.FBar {
		sync, key := Desync(fb[pr.I], fb[pr.J], k) <= 1, "not synchronised"
		if sync {
			var in []string
			for i := range fb {
				if Desync(fb[i], fb[pr.I], k) <= 1 {
					in = append(in, strconv.Itoa(i+1))
				}
			}
			key = "{" + strings.Join(in, ",") + "}"
		}
		c := tab[key]
		if sync == d.Y[e][0] {
			c[0]++
		} else {
			c[1]++
		}
		tab[key] = c
	}
	keys := make([]string, 0, len(tab))
	for key := range tab {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, key := range keys {
		fmt.Fprintf(&b, "  %s: right %d, wrong %d\n", key, tab[key][0], tab[key][1])
	}
	return b.String()
}
