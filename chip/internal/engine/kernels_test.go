package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"oscsim/ringosc"
)

// TestVectorKernelsMatchGo holds every kernel level this CPU runs (the
// amd64 assembly for AVX2 and AVX-512) to the plain-Go kernels, bit for
// bit, on every lane count from 1 to 70 and 128, so odd lengths and
// masked tails are covered; the engine's own level is checked too.
func TestVectorKernelsMatchGo(t *testing.T) {
	t.Logf("engine kernels: %s (CPU: up to %s)", level, cpuKernels())
	for l := levelAVX2; l <= cpuKernels(); l++ {
		k32, k64 := kernelsAt32(l), kernelsAt64(l)
		checkKernels(t, "float32 "+l.String(), &k32, goKernels32())
		checkKernels(t, "float64 "+l.String(), &k64, goKernels64())
	}
	if level != levelGo {
		checkKernels(t, "float32 engine", &kernels32, goKernels32())
	}
}

// A misaligned start: every kernel on sub-slices starting one element in.
func TestVectorKernelsMisaligned(t *testing.T) {
	for l := levelAVX2; l <= cpuKernels(); l++ {
		r := rand.New(rand.NewPCG(5, 6))
		k, g := kernelsAt32(l), goKernels32()
		for n := 1; n <= 40; n++ {
			x := make([]float32, n+1)
			for i := range x {
				x[i] = float32(20 * (2*r.Float64() - 1))
			}
			sa, ca, sb, cb := make([]float32, n+1), make([]float32, n+1), make([]float32, n+1), make([]float32, n+1)
			k.sincos(x[1:], sa[1:], ca[1:])
			g.sincos(x[1:], sb[1:], cb[1:])
			fa, fb := make([]float32, n+1), make([]float32, n+1)
			k.phaseF(fa[1:], x[1:], sa[1:], ca[1:], x[1:], sa[1:], 1.5, 0.25)
			g.phaseF(fb[1:], x[1:], sb[1:], cb[1:], x[1:], sb[1:], 1.5, 0.25)
			if !sameBits(sa, sb) || !sameBits(ca, cb) || !sameBits(fa, fb) {
				t.Errorf("%s, %d lanes from offset 1: differs", l, n)
			}
		}
	}
}

func TestChooseKernels(t *testing.T) {
	for _, c := range []struct {
		env  string
		best kernelLevel
		want kernelLevel
		err  bool
	}{
		{"", levelAVX512, levelAVX512, false},
		{"go", levelAVX512, levelGo, false},
		{"avx2", levelAVX512, levelAVX2, false},
		{"avx512", levelAVX2, levelAVX2, true},
		{"sse", levelAVX2, levelAVX2, true},
	} {
		got, err := chooseKernels(c.env, c.best)
		if got != c.want || (err != nil) != c.err {
			t.Errorf("chooseKernels(%q, %s) = %s, %v; want %s, error %v", c.env, c.best, got, err, c.want, c.err)
		}
	}
}

func sameBits[T real](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(float64(a[i])) != math.Float64bits(float64(b[i])) && !(a[i] != a[i] && b[i] != b[i]) {
			return false
		}
	}
	return true
}

func checkKernels[T real](t *testing.T, name string, got *kernels[T], want kernels[T]) {
	r := rand.New(rand.NewPCG(1, 2))
	vec := func(n int, scale float64) []T {
		v := make([]T, n)
		for i := range v {
			v[i] = T(scale * (2*r.Float64() - 1))
		}
		return v
	}
	const rows = 50
	lanes := []int{128}
	for n := 1; n <= 70; n++ {
		lanes = append(lanes, n)
	}
	for _, n := range lanes {
		// Sparse products over a random row of 37 couplers.
		cols := make([]int32, 37)
		for x := range cols {
			cols[x] = int32(r.IntN(rows))
		}
		vals := vec(len(cols), 1e-5)
		src := vec(rows*2*n, 1)
		a, b := make([]T, 2*n), make([]T, 2*n)
		got.spmm2(cols, vals, src, 2*n, n, n, a)
		want.spmm2(cols, vals, src, 2*n, n, n, b)
		if !sameBits(a, b) {
			t.Errorf("%s spmm2, %d lanes: differs", name, n)
		}
		got.spmm1(cols, vals, src, 2*n, n, a[:n])
		want.spmm1(cols, vals, src, 2*n, n, b[:n])
		if !sameBits(a[:n], b[:n]) {
			t.Errorf("%s spmm1, %d lanes: differs", name, n)
		}
		// Right-hand sides and updates.
		dw, sn, cs, S, C := vec(n, 1e8), vec(n, 1), vec(n, 1), vec(n, 1e9), vec(n, 1e9)
		fa, fb := make([]T, n), make([]T, n)
		got.phaseF(fa, dw, sn, cs, S, C, 2e13, 3e7)
		want.phaseF(fb, dw, sn, cs, S, C, 2e13, 3e7)
		if !sameBits(fa, fb) {
			t.Errorf("%s phaseF, %d lanes: differs", name, n)
		}
		accA, accB := make([]float64, n), make([]float64, n)
		for k := range accA {
			accA[k], accB[k] = float64(k), float64(k)
		}
		got.powAcc(accA, sn, cs, S, C)
		want.powAcc(accB, sn, cs, S, C)
		if !sameBits(accA, accB) {
			t.Errorf("%s powAcc, %d lanes: differs", name, n)
		}
		got.cycleF(fa, dw, sn, cs, sn, C, 2e-5, 7e-5, 1e15, 3e8)
		want.cycleF(fb, dw, sn, cs, sn, C, 2e-5, 7e-5, 1e15, 3e8)
		if !sameBits(fa, fb) {
			t.Errorf("%s cycleF, %d lanes: differs", name, n)
		}
		got.cycleFs(fa, dw, cs, sn, C, 2e-5, 7e-5, 1e15, 3e8, -0.3, -0.6)
		want.cycleFs(fb, dw, cs, sn, C, 2e-5, 7e-5, 1e15, 3e8, -0.3, -0.6)
		if !sameBits(fa, fb) {
			t.Errorf("%s cycleFs, %d lanes: differs", name, n)
		}
		p, k1 := vec(n, 3), vec(n, 1e8)
		for _, op := range []struct {
			name string
			a, b func(y []T)
		}{
			{"axpy", func(y []T) { got.axpy(y, p, 1e-10, dw) }, func(y []T) { want.axpy(y, p, 1e-10, dw) }},
			{"rk4", func(y []T) { got.rk4(y, p, 2e-11, k1, dw) }, func(y []T) { want.rk4(y, p, 2e-11, k1, dw) }},
			{"add", func(y []T) { copy(y, p); got.add(y, dw) }, func(y []T) { copy(y, p); want.add(y, dw) }},
			{"acc2", func(y []T) { copy(y, k1); got.acc2(y, dw) }, func(y []T) { copy(y, k1); want.acc2(y, dw) }},
		} {
			op.a(fa)
			op.b(fb)
			if !sameBits(fa, fb) {
				t.Errorf("%s %s, %d lanes: differs", name, op.name, n)
			}
		}
		// Sine and cosine, with special and out-of-range values mixed in.
		x := vec(n, 10)
		if n > 5 {
			x[1], x[2], x[3] = 0, T(math.Copysign(0, -1)), T(3e4)
			x[4] = T(math.NaN())
			x[5] = T(math.Inf(-1))
		}
		sa, ca, sb, cb := make([]T, n), make([]T, n), make([]T, n), make([]T, n)
		got.sincos(x, sa, ca)
		want.sincos(x, sb, cb)
		if !sameBits(sa, sb) || !sameBits(ca, cb) {
			t.Errorf("%s sincos, %d lanes: differs", name, n)
		}
		x = vec(n, 4)
		va, ga := make([]T, n), make([]T, n)
		vb, gb := make([]T, n), make([]T, n)
		got.cycleTrig(x, 2.5, va, ga)
		want.cycleTrig(x, 2.5, vb, gb)
		if !sameBits(va, vb) || !sameBits(ga, gb) {
			t.Errorf("%s cycleTrig, %d lanes: differs", name, n)
		}
		// In place (sin θ over x), as the engine's Heun trig pass does.
		ya, yb := append([]T(nil), x...), append([]T(nil), x...)
		got.cycleTrig(ya, 2.5, va, ya)
		want.cycleTrig(yb, 2.5, vb, yb)
		if !sameBits(ya, yb) || !sameBits(ya, ga) {
			t.Errorf("%s cycleTrig in place, %d lanes: differs", name, n)
		}
		// Wrapping and the finite check.
		x = vec(n, 12)
		if n > 9 && n%2 == 0 {
			x[9] = T(math.NaN())
		}
		xa, xb := append([]T(nil), x...), append([]T(nil), x...)
		ta, tb := make([]int32, n), make([]int32, n)
		oa, ob := got.wrap(xa, ta), want.wrap(xb, tb)
		if oa != ob || !sameBits(xa, xb) || !sameBits(ta2f[T](ta), ta2f[T](tb)) {
			t.Errorf("%s wrap, %d lanes: differs (finite %v vs %v)", name, n, oa, ob)
		}
	}
	// A batch of one's block sums (sell.go), 0 to 70 couplers a
	// row, against the plain-Go reference.
	if got.gsum2 != nil {
		tb := vec(2*rows, 1)
		for L := 0; L <= 70; L++ {
			cols := make([]int32, L*sellHeight)
			for x := range cols {
				cols[x] = int32(r.IntN(rows))
			}
			vals := vec(2*len(cols), 1e-5)
			a, b := make([]T, 2*sellHeight), make([]T, 2*sellHeight)
			got.gsum2(cols, vals, tb, a, a[sellHeight:])
			if isFloat32[T]() { // pair layout: cols are pair indices
				gsum2PairsGo(cols, vals, tb, b, b[sellHeight:])
			} else {
				even := make([]int32, len(cols))
				for x, j := range cols {
					even[x] = 2 * (j / 2) // sin at even indices
				}
				copy(cols, even)
				got.gsum2(cols, vals, tb, a, a[sellHeight:])
				gsum2Go(cols, vals, tb, b[:sellHeight], b[sellHeight:])
			}
			if !sameBits(a, b) {
				t.Errorf("%s gsum2, %d couplers: differs", name, L)
			}
			got.gsum1(cols, vals, tb, a[:sellHeight])
			gsum1Go(cols, vals, tb, b[:sellHeight])
			if !sameBits(a[:sellHeight], b[:sellHeight]) {
				t.Errorf("%s gsum1, %d couplers: differs", name, L)
			}
		}
	}
	// Path rows and the pump's second order.
	for _, n := range lanes {
		sn, cs := vec(n, 1), vec(n, 1)
		a, b, c, d := make([]T, n), make([]T, n), make([]T, n), make([]T, n)
		got.rot(sn, cs, 1.7e-3, -0.31, a, b)
		want.rot(sn, cs, 1.7e-3, -0.31, c, d)
		if !sameBits(a, c) || !sameBits(b, d) {
			t.Errorf("%s rot, %d lanes: differs", name, n)
		}
		for _, first := range []bool{false, true} {
			f := vec(n, 1e7)
			copy(a, f)
			got.pump2(a, sn, cs, 3.3e6, 0.12, -0.21, 0.05, first, 2.9e7, 0.077, -0.026)
			want.pump2(f, sn, cs, 3.3e6, 0.12, -0.21, 0.05, first, 2.9e7, 0.077, -0.026)
			if !sameBits(a, f) {
				t.Errorf("%s pump2 (first order %v), %d lanes: differs", name, first, n)
			}
		}
	}
	// Table positions of a tabulated ring (M = 200 and 256) at phases far
	// from 0 and at the ends of a turn.
	for _, M := range []float64{200, 256} {
		scale, invM := M/(2*math.Pi), 1/M
		for _, n := range lanes {
			y := vec(n, 40)
			for b := 0; b < n; b += 7 {
				y[b] = T(float64(b%3-1) * 2 * math.Pi) // θ = wt + whole turns
			}
			if n > 3 {
				y[3] = T(math.NaN()) // k = 0, f NaN
			}
			for _, wt := range []T{0, T(2 * math.Pi), 12345.678} {
				ka, kb := make([]int32, n), make([]int32, n)
				fa, fb := make([]float64, n), make([]float64, n)
				got.tabIdx(wt, y, scale, invM, M, ka, fa)
				want.tabIdx(wt, y, scale, invM, M, kb, fb)
				if !sameBits(fa, fb) || !sameBits(ta2f[float64](ka), ta2f[float64](kb)) {
					t.Errorf("%s tabIdx, M %g, %d lanes, wt %g: differs", name, M, n, wt)
				}
			}
		}
	}
	// Normal pairs: 2^16 streams, eight pairs each, with and without the
	// second row; the states must advance alike too.
	const m = 1 << 16
	keys := make([]uint64, m)
	for i := range keys {
		keys[i] = r.Uint64()
	}
	xa, xb := newXoStates(keys), newXoStates(keys)
	for d := 0; d < 8; d++ {
		for _, n := range []int{m, 1, 15, 17, 33} {
			a0, a1, b0, b1 := make([]T, n), make([]T, n), make([]T, n), make([]T, n)
			if d&1 == 1 {
				a1, b1 = nil, nil
			}
			got.noise2(xa.s0[:n], xa.s1[:n], xa.s2[:n], xa.s3[:n], 0.7, a0, a1)
			want.noise2(xb.s0[:n], xb.s1[:n], xb.s2[:n], xb.s3[:n], 0.7, b0, b1)
			if !sameBits(a0, b0) || !sameBits(a1, b1) {
				t.Errorf("%s noise2, %d lanes, draw %d: differs", name, n, d)
			}
		}
	}
	for i := range xa.s0 {
		if xa.s0[i] != xb.s0[i] || xa.s1[i] != xb.s1[i] || xa.s2[i] != xb.s2[i] || xa.s3[i] != xb.s3[i] {
			t.Fatalf("%s noise2: generator state of lane %d differs", name, i)
		}
	}
	// Box–Muller alone, with the draws' extremes in the first lanes.
	for _, n := range []int{m, 1, 15, 16, 17, 40} {
		x1, x2 := make([]uint32, n), make([]uint32, n)
		for i := range x1 {
			x1[i], x2[i] = r.Uint32(), r.Uint32()
		}
		ext := []uint32{0, 1, 2, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff}
		for i := 0; i < min(n, len(ext)); i++ {
			x1[i], x2[i] = ext[i], ext[len(ext)-1-i]
		}
		a0, a1, b0, b1 := make([]T, n), make([]T, n), make([]T, n), make([]T, n)
		got.bm(x1, x2, 1.3, a0, a1)
		want.bm(x1, x2, 1.3, b0, b1)
		if !sameBits(a0, b0) || !sameBits(a1, b1) {
			t.Errorf("%s bm, %d lanes: differs", name, n)
		}
		for i := range a0 {
			if a0[i]-a0[i] != 0 || a1[i]-a1[i] != 0 {
				t.Errorf("%s bm: draw (%#x, %#x) gives %v, %v", name, x1[i], x2[i], a0[i], a1[i])
			}
		}
	}
	// Sweep sine and cosine over a wide range.
	x := make([]T, m)
	for i := range x {
		x[i] = T(math.Ldexp(2*r.Float64()-1, r.IntN(40)-10))
	}
	sa, ca, sb, cb := make([]T, m), make([]T, m), make([]T, m), make([]T, m)
	got.sincos(x, sa, ca)
	want.sincos(x, sb, cb)
	if !sameBits(sa, sb) || !sameBits(ca, cb) {
		t.Errorf("%s sincos sweep: differs", name)
	}
}

func ta2f[T real](t []int32) []T {
	out := make([]T, len(t))
	for i, v := range t {
		out[i] = T(v)
	}
	return out
}

// The engine's table positions (both kernel sets) are ringosc's: the same
// sample and fraction, bit for bit, as Packed.Index, for float64 phases and
// for float32 ones summed with ω_ref·t in float32.
func TestTabIdxMatchesIndex(t *testing.T) {
	const M = 96 // any tabulated ring: only its table size matters here
	ring := &ringosc.Model{Name: "tabidx", Wave: make([]float64, M), ISF: make([]float64, M), Pump: make([]float64, M)}
	for k := range M {
		th := 2 * math.Pi * float64(k) / M
		ring.Wave[k], ring.ISF[k], ring.Pump[k] = 0.5*(1+math.Cos(th)), -math.Sin(th), -math.Sin(2*th)
	}
	p := ring.Pack()
	scale, invM, fm := p.Reduction()
	r := rand.New(rand.NewPCG(3, 4))
	const n = 301
	y64, y32 := make([]float64, n), make([]float32, n)
	for b := range y64 {
		y64[b] = 50 * (2*r.Float64() - 1)
		y32[b] = float32(y64[b])
	}
	k := make([]int32, n)
	f := make([]float64, n)
	for _, wt := range []float64{0, 987.654321} {
		for _, kn := range []func(float64, []float64, float64, float64, float64, []int32, []float64){kernels64.tabIdx, tabIdxGo[float64]} {
			kn(wt, y64, scale, invM, fm, k, f)
			for b := range y64 {
				if kk, ff := p.Index(wt + y64[b]); int(k[b]) != kk || f[b] != ff {
					t.Fatalf("float64, wt %g, lane %d: (%d, %g), Index (%d, %g)", wt, b, k[b], f[b], kk, ff)
				}
			}
		}
		for _, kn := range []func(float32, []float32, float64, float64, float64, []int32, []float64){kernels32.tabIdx, tabIdxGo[float32]} {
			kn(float32(wt), y32, scale, invM, fm, k, f)
			for b := range y32 {
				if kk, ff := p.Index(float64(float32(wt) + y32[b])); int(k[b]) != kk || f[b] != ff {
					t.Fatalf("float32, wt %g, lane %d: (%d, %g), Index (%d, %g)", wt, b, k[b], f[b], kk, ff)
				}
			}
		}
	}
}
