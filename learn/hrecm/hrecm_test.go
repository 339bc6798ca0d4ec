package hrecm

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// randomNet returns a network with J_ij ~ N(0, 1), i < j.
func randomNet(n int, seed uint64) *Net {
	rng := NewRand(seed, 99)
	net := NewNet(n)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			net.Set(i, j, rng.NormFloat64())
		}
	}
	return net
}

// TestJacobianFiniteDifference holds Net.Jacobian against central
// differences of eq (1) at random phases and at binary states, where it
// must equal K·A(σ) − 2K_s·I (eq 3), and λ_max of the Workspace against
// gonum's EigenSym of A(σ). Tolerance 1e-6 on differences of step 1e-5
// (truncation error O(h²·|J|) ≈ 1e-9).
func TestJacobianFiniteDifference(t *testing.T) {
	const n, k, ks, step = 7, 0.8, 0.3, 1e-5
	net := randomNet(n, 1)
	rng := NewRand(2, 0)
	ws := NewWorkspace(net)
	for trial := 0; trial < 6; trial++ {
		theta := make([]float64, n)
		var s []int8
		if trial%2 == 0 {
			for i := range theta {
				theta[i] = 2 * math.Pi * rng.Float64()
			}
		} else {
			s = RandomState(rng, n)
			for i := range theta {
				if s[i] < 0 {
					theta[i] = math.Pi
				}
			}
		}
		jac := net.Jacobian(theta, k, ks)
		for j := 0; j < n; j++ {
			tp := append([]float64(nil), theta...)
			tm := append([]float64(nil), theta...)
			tp[j] += step
			tm[j] -= step
			fp := net.Velocity(tp, k, ks, nil)
			fm := net.Velocity(tm, k, ks, nil)
			for i := 0; i < n; i++ {
				fd := (fp[i] - fm[i]) / (2 * step)
				if d := math.Abs(fd - jac.At(i, j)); d > 1e-6 {
					t.Fatalf("trial %d: ∂F_%d/∂θ_%d = %.9f, finite difference %.9f", trial, i, j, jac.At(i, j), fd)
				}
			}
		}
		if s == nil {
			continue
		}
		// Binary state: an equilibrium, and Jac = K·A − 2K_s·I.
		for i, v := range net.Velocity(theta, k, ks, nil) {
			if math.Abs(v) > 1e-12 {
				t.Errorf("binary state not an equilibrium: dθ_%d/dt = %g", i, v)
			}
		}
		a := net.A(s)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				want := k * a.At(i, j)
				if i == j {
					want -= 2 * ks
				}
				if math.Abs(jac.At(i, j)-want) > 1e-12 {
					t.Errorf("Jac[%d][%d] = %g, K·A − 2K_s·I = %g", i, j, jac.At(i, j), want)
				}
			}
		}
		var es mat.EigenSym
		if !es.Factorize(a, false) {
			t.Fatal("EigenSym failed")
		}
		vals := es.Values(nil)
		lam := ws.Lambda(s)
		if math.Abs(lam-vals[n-1]) > 1e-10 {
			t.Errorf("λ = %.12f, EigenSym %.12f", lam, vals[n-1])
		}
		// Stability: the Jacobian's top eigenvalue is K·λ − 2K_s.
		var ej mat.EigenSym
		ej.Factorize(jac, false)
		top := ej.Values(nil)[n-1]
		if math.Abs(top-(k*lam-2*ks)) > 1e-10 {
			t.Errorf("top Jacobian eigenvalue %g, K·λ − 2K_s = %g", top, k*lam-2*ks)
		}
		// The eigenvector of LambdaVec satisfies A v = λ v.
		v := make([]float64, n)
		ws.LambdaVec(s, v)
		av := mat.NewVecDense(n, nil)
		av.MulVec(a, mat.NewVecDense(n, v))
		for i := range v {
			if math.Abs(av.AtVec(i)-lam*v[i]) > 1e-10 {
				t.Errorf("A v ≠ λ v at %d: %g vs %g", i, av.AtVec(i), lam*v[i])
			}
		}
	}
}

// TestTraceAndTheorem1 checks tr A(σ) = 2H(σ) (exact up to rounding) and
// Theorem 1's bounds (eq 7) on every state of random networks.
func TestTraceAndTheorem1(t *testing.T) {
	for _, n := range []int{5, 9, 12} {
		net := randomNet(n, uint64(n))
		sp, err := Enumerate(context.Background(), net, Options{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		c := net.BoundConst()
		s := make([]int8, n)
		for k := range sp.Lambda {
			State(uint64(k), s)
			h := net.Hamiltonian(s)
			tr := mat.Trace(net.A(s))
			if math.Abs(tr-2*h) > 1e-12*(1+math.Abs(h)) || math.Abs(sp.H[k]-h) > 1e-10 {
				t.Fatalf("N=%d state %d: tr A = %g, 2H = %g, enumerated H %g", n, k, tr, 2*h, sp.H[k])
			}
			lam := sp.Lambda[k]
			lo, hi := net.Bounds(s)
			m := 2 * h / float64(n)
			const eps = 1e-9
			if lam < lo-eps || lam > hi+eps || lam < m-eps || lam > m+c*math.Sqrt(float64(n-1))+eps {
				t.Fatalf("N=%d state %d: λ = %g outside [%g, %g] or [2H/N, 2H/N + c√(N−1)] = [%g, %g]", n, k, lam, lo, hi, m, m+c*math.Sqrt(float64(n-1)))
			}
		}
	}
}

// TestAllToAll is the paper's Fig. 1 example: unweighted all-to-all J has
// λ = 0 at ±1 and λ = N at every other state (docs/hrecm.md), so every
// state is stable once 2K_s/K > N.
func TestAllToAll(t *testing.T) {
	const n = 8
	net := NewNet(n)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			net.Set(i, j, 1)
		}
	}
	sp, err := Enumerate(context.Background(), net, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for k, l := range sp.Lambda {
		want := float64(n)
		if k == 0 {
			want = 0
		}
		if math.Abs(l-want) > 1e-10 {
			t.Errorf("state %d: λ = %g, want %g", k, l, want)
		}
	}
}

// TestEnumerateDeterministic holds the Gray-code walk's λ against direct
// per-state solves, for 1 and 3 workers, and CountAtMost against the
// spectrum.
func TestEnumerateDeterministic(t *testing.T) {
	const n = 14
	net := randomNet(n, 5)
	ctx := context.Background()
	a, err := Enumerate(ctx, net, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Enumerate(ctx, net, Options{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	ws := NewWorkspace(net)
	s := make([]int8, n)
	for k := range a.Lambda {
		if a.Lambda[k] != b.Lambda[k] || a.H[k] != b.H[k] {
			t.Fatalf("state %d differs between 1 and 3 workers", k)
		}
		if k%97 == 0 {
			if d := math.Abs(ws.Lambda(State(uint64(k), s)) - a.Lambda[k]); d > 1e-9 {
				t.Fatalf("state %d: walk λ differs from a direct solve by %g", k, d)
			}
		}
	}
	for _, thr := range []float64{-5, 0, 3, 8} {
		want := uint64(0)
		for _, l := range a.Lambda {
			if l <= thr {
				want++
			}
		}
		got, solved, err := CountAtMost(ctx, net, thr, Options{Workers: 2})
		if err != nil || got != want {
			t.Errorf("CountAtMost(%g) = %d (%v), spectrum says %d", thr, got, err, want)
		}
		t.Logf("threshold %g: %d of %d states needed an eigen-solve", thr, solved, len(a.Lambda))
	}
	if _, err := Enumerate(ctx, NewNet(25), Options{}); err == nil {
		t.Error("N = 25 enumerated, want an error")
	}
}

// TestGibbsBoltzmann holds the heat-bath chain (eq 4–5) against the exact
// Boltzmann law P ∝ exp(−H) on all 64 states of N = 6: one chain, 10⁶
// sweeps; total-variation distance < 0.01 (the sampling error is about
// 0.4·√(64/10⁶) ≈ 0.003 for independent draws; 0.0036 measured).
func TestGibbsBoltzmann(t *testing.T) {
	const n, sweeps = 6, 1000000
	net := randomNet(n, 7)
	for i := range net.J {
		net.J[i] *= 0.5
	}
	want := make([]float64, 1<<n)
	z := 0.0
	s := make([]int8, n)
	for k := range want {
		for i := range s {
			s[i] = int8(1 - 2*((k>>i)&1))
		}
		want[k] = math.Exp(-net.Hamiltonian(s))
		z += want[k]
	}
	rng := NewRand(11, 0)
	g := Gibbs{Net: net, T: 1, Sweeps: 1}
	s = RandomState(rng, n)
	h := make([]float64, n)
	got := make([]float64, 1<<n)
	for sw := 0; sw < sweeps; sw++ {
		g.Chain(rng, s, h)
		k := 0
		for i, v := range s {
			if v < 0 {
				k |= 1 << i
			}
		}
		got[k]++
	}
	tv := 0.0
	for k := range want {
		tv += math.Abs(got[k]/sweeps-want[k]/z) / 2
	}
	if tv > 0.01 {
		t.Errorf("total variation between Gibbs and Boltzmann = %.4f, want < 0.01", tv)
	}
	t.Logf("TV distance %.4f", tv)
}

// TestGradientFiniteDifference holds the exact Clarke gradient (11) of
// L(J) (eq 8) against central differences of L computed by enumeration,
// on a random N = 6 network with three desired patterns, γ = 0 and 0.1.
// Random J makes the arg-max/arg-min unique and λ simple, where L is
// differentiable; tolerance 1e-5 for a step 1e-6.
func TestGradientFiniteDifference(t *testing.T) {
	const n, step = 6, 1e-6
	ctx := context.Background()
	net := randomNet(n, 3)
	pats := RandomPatterns(NewRand(4, 0), n, 3)
	for _, gamma := range []float64{0, 0.1} {
		g, err := ExactGradient(ctx, net, pats, gamma)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				p, m := net.Clone(), net.Clone()
				p.Set(i, j, net.At(i, j)+step)
				m.Set(i, j, net.At(i, j)-step)
				lp, err1 := Objective(ctx, p, pats, gamma)
				lm, err2 := Objective(ctx, m, pats, gamma)
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				fd := (lp - lm) / (2 * step)
				if math.Abs(fd-g[i*n+j]) > 1e-5 {
					t.Errorf("γ=%g: dL/dJ_%d%d = %.7f, finite difference %.7f", gamma, i, j, g[i*n+j], fd)
				}
			}
		}
	}
}

// TestBaselines: Storkey's rule equals Hebbian for one pattern; the
// projection rule makes P < N patterns fixed points of sign(Jσ); all are
// symmetric with a zero diagonal.
func TestBaselines(t *testing.T) {
	const n = 12
	rng := NewRand(6, 0)
	one := RandomPatterns(rng, n, 1)
	h, s := Hebbian(n, one), Storkey(n, one)
	for i := range h.J {
		if math.Abs(h.J[i]-s.J[i]) > 1e-15 {
			t.Fatalf("Storkey ≠ Hebbian for one pattern at %d", i)
		}
	}
	pats := RandomPatterns(rng, n, 4)
	for _, r := range []Rule{RuleHebbian, RulePinv, RuleStorkey} {
		net, err := Couplings(context.Background(), r, pats, Config{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := FromMatrix(net.Sym()); err != nil {
			t.Errorf("%s: %v", r, err)
		}
		if r != RulePinv {
			continue
		}
		for k, p := range pats {
			f := net.Fields(p, nil)
			for i := range f {
				if f[i]*float64(p[i]) <= 0 {
					t.Errorf("pinv: pattern %d spin %d not aligned with its field", k, i)
				}
			}
		}
	}
	var r Rule
	if err := r.UnmarshalText([]byte("stork")); err == nil {
		t.Error("rule stork accepted")
	}
}

// TestTrainOpensGap: Algorithm 1 on N = 10 with 8 patterns (above the
// Hebbian capacity) must lower the spurious rate below Hebbian's.
// trainedRandom draws p random patterns of n spins (stream seed) and
// trains a network on them for iters iterations, other settings default.
func trainedRandom(t *testing.T, n, p int, seed uint64, iters int) ([][]int8, *Net) {
	t.Helper()
	pats := RandomPatterns(NewRand(seed, 0), n, p)
	cfg := DefaultConfig()
	cfg.Iters = iters
	net, err := Train(context.Background(), pats, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pats, net
}

func TestTrainOpensGap(t *testing.T) {
	const n, p = 10, 8
	ctx := context.Background()
	pats, net := trainedRandom(t, n, p, 8, 300)
	rate := func(net *Net) Gap {
		sp, err := Enumerate(ctx, net, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return ExactGap(sp, pats)
	}
	gh, gt := rate(Hebbian(n, pats)), rate(net)
	t.Logf("Hebbian r = %.4f, HRECM r = %.4f (gap %g … %g)", gh.Rate(), gt.Rate(), gt.MaxDesired, gt.MinSpurious)
	if gt.Rate() >= gh.Rate() {
		t.Errorf("HRECM r = %.4f not below Hebbian's %.4f", gt.Rate(), gh.Rate())
	}
}

// TestSaveLoad round-trips a network and its patterns through an .npz,
// and rejects an asymmetric matrix with the file named.
func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	net := randomNet(6, 9)
	pats := RandomPatterns(NewRand(1, 1), 6, 3)
	path := dir + "/w.npz"
	if err := Save(path, net, pats); err != nil {
		t.Fatal(err)
	}
	got, gp, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if maxDiff(got, net) != 0 || len(gp) != 3 || Index(gp[2]) != Index(pats[2]) {
		t.Errorf("round trip changed the network or patterns")
	}
	net.J[1] += 1 // J_01 ≠ J_10
	if err := Save(path, net, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(path); err == nil || !strings.Contains(err.Error(), "w.npz") || !strings.Contains(err.Error(), "symmetric") {
		t.Errorf("asymmetric J: %v", err)
	}
}

// TestRingModel: with ρ = 0 the ring model is eq (1) (same velocity and
// Jacobian, binary states exact equilibria, stable iff λ < 2K_s/K); with
// ρ ≠ 0 its Jacobian matches central differences (1e-6) and Newton finds
// an equilibrium near a binary state held by a strong pump.
func TestRingModel(t *testing.T) {
	const n, k, step = 8, 1.0, 1e-5
	net := randomNet(n, 13)
	rng := NewRand(14, 0)
	ws := NewWorkspace(net)
	for trial := 0; trial < 20; trial++ {
		s := RandomState(rng, n)
		lam := ws.Lambda(s)
		ks := (lam + 0.5) / 2 // stable with margin 0.5
		if trial%2 == 1 {
			ks = (lam - 0.5) / 2 // unstable
		}
		ks = math.Max(ks, 0.01)
		ideal := net.RingAt(s, k, ks, RingCoupling{})
		if !ideal.Found || ideal.Drift > 1e-12 || ideal.Shift > 1e-12 {
			t.Fatalf("ρ = 0: binary state not an exact equilibrium: %+v", ideal)
		}
		if ideal.Stable() != (lam < 2*ks/k) {
			t.Errorf("ρ = 0: growth %g but λ = %g, 2K_s/K = %g", ideal.Growth, lam, 2*ks/k)
		}
		if d := math.Abs(ideal.Growth - (lam - 2*ks/k)); d > 1e-9 {
			t.Errorf("ρ = 0: growth %g, λ − 2K_s/K = %g", ideal.Growth, lam-2*ks/k)
		}
		rc := RingCoupling{In: -0.143, Inv: -0.335}
		theta := make([]float64, n)
		for i := range theta {
			theta[i] = 2 * math.Pi * rng.Float64()
		}
		jac := net.RingJacobian(theta, k, ks, rc)
		for j := 0; j < n; j++ {
			tp := append([]float64(nil), theta...)
			tm := append([]float64(nil), theta...)
			tp[j] += step
			tm[j] -= step
			fp := net.RingVelocity(tp, k, ks, rc, nil)
			fm := net.RingVelocity(tm, k, ks, rc, nil)
			for i := 0; i < n; i++ {
				if d := math.Abs((fp[i]-fm[i])/(2*step) - jac.At(i, j)); d > 1e-6 {
					t.Fatalf("ring Jacobian [%d][%d] off by %g", i, j, d)
				}
			}
		}
		if trial%2 == 0 {
			// A pump well above threshold holds the state against the
			// even part's pulls (drift ≈ 2|ρ|·Σ|J| ≈ 4 here).
			r := net.RingAt(s, k, (lam+10)/2, rc)
			if !r.Found {
				t.Errorf("ρ ≠ 0: no equilibrium near a stable binary state (drift %g)", r.Drift)
				continue
			}
			v := net.RingVelocity(r.Theta, k, (lam+10)/2, rc, nil)
			for _, x := range v {
				if math.Abs(x) > 1e-9 {
					t.Errorf("Newton's equilibrium has velocity %g", x)
				}
			}
		}
	}
}

// TestSelectExact checks the iterate selection (docs/hrecm.md,
// "Convergence"): the selected network's exact spurious count is at most
// that of the last iterate of the same run (the last is always checked),
// and with patience the run stops early yet keeps that guarantee against
// the iterates it saw.
func TestSelectExact(t *testing.T) {
	const n, p = 10, 14
	ctx := context.Background()
	pats := RandomPatterns(NewRand(9, 0), n, p)
	count := func(net *Net) uint64 {
		g, err := CountGap(ctx, net, pats, Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		return g.Spurious
	}
	cfg := DefaultConfig()
	cfg.Iters, cfg.Seed = 300, 3
	last, err := Train(ctx, pats, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Select, cfg.CheckEvery = SelectExact, 20
	var seen []uint64
	best, err := Train(ctx, pats, cfg, func(it int, net *Net) error {
		if it%20 == 0 || it == cfg.Iters {
			seen = append(seen, count(net))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cl, cb := count(last), count(best)
	t.Logf("spurious: last iterate %d, selected %d; checked %v", cl, cb, seen)
	if cb > cl || cb != slices.Min(seen) {
		t.Errorf("selected count %d, last %d, least checked %d", cb, cl, slices.Min(seen))
	}
	cfg.Patience = 2
	its := 0
	if _, err := Train(ctx, pats, cfg, func(it int, _ *Net) error { its = it; return nil }); err != nil {
		t.Fatal(err)
	}
	if its >= cfg.Iters {
		t.Logf("patience 2 ran all %d iterations", its)
	}
	cfg.Select = "best"
	if _, err := Train(ctx, pats, cfg, nil); err == nil {
		t.Error("unknown select accepted")
	}
}
