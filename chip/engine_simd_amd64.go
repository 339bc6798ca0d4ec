//go:build goexperiment.simd

package chip

import (
	"math"
	"simd/archsimd"
)

// Vector kernels for AVX-512 (16 float32 or 8 float64 lanes), built with
// GOEXPERIMENT=simd. Each lane does exactly the operations of the plain-Go
// kernel (engine_kernels.go) in the same order, with no fused
// multiply-add, so both give the same bits (TestVectorKernelsMatchGo);
// lanes left over after the last whole vector run the plain-Go code.

func init() {
	if !archsimd.X86.AVX512() {
		return
	}
	kernelsVector = "avx512"
	kernels32.spmm2, kernels32.spmm1 = spmm2x32, spmm1x32
	kernels32.phaseF, kernels32.cycleF = phaseFx32, cycleFx32
	kernels32.sincos, kernels32.cycleTrig = sincosx32, cycleTrigx32
	kernels32.axpy, kernels32.add, kernels32.heun, kernels32.acc2, kernels32.rk4 = axpyx32, addx32, heunx32, acc2x32, rk4x32
	kernels32.wrap = wrapx32
	kernels64.spmm2, kernels64.spmm1 = spmm2x64, spmm1x64
	kernels64.phaseF, kernels64.cycleF = phaseFx64, cycleFx64
	kernels64.sincos, kernels64.cycleTrig = sincosx64, cycleTrigx64
	kernels64.axpy, kernels64.add, kernels64.heun, kernels64.acc2, kernels64.rk4 = axpyx64, addx64, heunx64, acc2x64, rk4x64
	kernels64.wrap = finitex64
}

type (
	f32x16 = archsimd.Float32x16
	f64x8  = archsimd.Float64x8
)

func ld32(s []float32) f32x16    { return archsimd.LoadFloat32x16((*[16]float32)(s)) }
func st32(v f32x16, s []float32) { v.Store((*[16]float32)(s)) }
func bc32(x float32) f32x16      { return archsimd.BroadcastFloat32x16(x) }
func ld64(s []float64) f64x8     { return archsimd.LoadFloat64x8((*[8]float64)(s)) }
func st64(v f64x8, s []float64)  { v.Store((*[8]float64)(s)) }
func bc64(x float64) f64x8       { return archsimd.BroadcastFloat64x8(x) }

// ---- sparse products ----

func spmm2x32(cols []int32, vals, src []float32, stride, half, n int, dst []float32) {
	vals = vals[:len(cols)]
	S, C := dst[:n], dst[n:2*n]
	b := 0
	for ; b+64 <= n; b += 64 {
		var s0, s1, s2, s3, c0, c1, c2, c3 f32x16
		for x, j := range cols {
			v := bc32(vals[x])
			o := int(j)*stride + b
			s := (*[64]float32)(src[o : o+64])
			c := (*[64]float32)(src[o+half : o+half+64])
			s0 = s0.Add(v.Mul(ld32(s[0:16])))
			s1 = s1.Add(v.Mul(ld32(s[16:32])))
			s2 = s2.Add(v.Mul(ld32(s[32:48])))
			s3 = s3.Add(v.Mul(ld32(s[48:64])))
			c0 = c0.Add(v.Mul(ld32(c[0:16])))
			c1 = c1.Add(v.Mul(ld32(c[16:32])))
			c2 = c2.Add(v.Mul(ld32(c[32:48])))
			c3 = c3.Add(v.Mul(ld32(c[48:64])))
		}
		st32(s0, S[b:b+16])
		st32(s1, S[b+16:b+32])
		st32(s2, S[b+32:b+48])
		st32(s3, S[b+48:b+64])
		st32(c0, C[b:b+16])
		st32(c1, C[b+16:b+32])
		st32(c2, C[b+32:b+48])
		st32(c3, C[b+48:b+64])
	}
	for ; b+16 <= n; b += 16 {
		var s0, c0 f32x16
		for x, j := range cols {
			v := bc32(vals[x])
			o := int(j)*stride + b
			s0 = s0.Add(v.Mul(ld32(src[o : o+16])))
			c0 = c0.Add(v.Mul(ld32(src[o+half : o+half+16])))
		}
		st32(s0, S[b:b+16])
		st32(c0, C[b:b+16])
	}
	spmm2Tail(cols, vals, src, stride, half, b, n, S, C)
}

// spmm2Tail does lanes [b, n) one at a time.
func spmm2Tail[T real](cols []int32, vals, src []T, stride, half, b, n int, S, C []T) {
	for ; b < n; b++ {
		var s, c T
		for x, j := range cols {
			v := vals[x]
			o := int(j)*stride + b
			s += v * src[o]
			c += v * src[o+half]
		}
		S[b], C[b] = s, c
	}
}

func spmm1x32(cols []int32, vals, src []float32, stride, n int, dst []float32) {
	vals = vals[:len(cols)]
	Y := dst[:n]
	b := 0
	for ; b+64 <= n; b += 64 {
		var y0, y1, y2, y3 f32x16
		for x, j := range cols {
			v := bc32(vals[x])
			o := int(j)*stride + b
			s := (*[64]float32)(src[o : o+64])
			y0 = y0.Add(v.Mul(ld32(s[0:16])))
			y1 = y1.Add(v.Mul(ld32(s[16:32])))
			y2 = y2.Add(v.Mul(ld32(s[32:48])))
			y3 = y3.Add(v.Mul(ld32(s[48:64])))
		}
		st32(y0, Y[b:b+16])
		st32(y1, Y[b+16:b+32])
		st32(y2, Y[b+32:b+48])
		st32(y3, Y[b+48:b+64])
	}
	for ; b+16 <= n; b += 16 {
		var y0 f32x16
		for x, j := range cols {
			o := int(j)*stride + b
			y0 = y0.Add(bc32(vals[x]).Mul(ld32(src[o : o+16])))
		}
		st32(y0, Y[b:b+16])
	}
	spmm1Tail(cols, vals, src, stride, b, n, Y)
}

func spmm1Tail[T real](cols []int32, vals, src []T, stride, b, n int, Y []T) {
	for ; b < n; b++ {
		var y T
		for x, j := range cols {
			y += vals[x] * src[int(j)*stride+b]
		}
		Y[b] = y
	}
}

func spmm2x64(cols []int32, vals, src []float64, stride, half, n int, dst []float64) {
	vals = vals[:len(cols)]
	S, C := dst[:n], dst[n:2*n]
	b := 0
	for ; b+32 <= n; b += 32 {
		var s0, s1, s2, s3, c0, c1, c2, c3 f64x8
		for x, j := range cols {
			v := bc64(vals[x])
			o := int(j)*stride + b
			s := (*[32]float64)(src[o : o+32])
			c := (*[32]float64)(src[o+half : o+half+32])
			s0 = s0.Add(v.Mul(ld64(s[0:8])))
			s1 = s1.Add(v.Mul(ld64(s[8:16])))
			s2 = s2.Add(v.Mul(ld64(s[16:24])))
			s3 = s3.Add(v.Mul(ld64(s[24:32])))
			c0 = c0.Add(v.Mul(ld64(c[0:8])))
			c1 = c1.Add(v.Mul(ld64(c[8:16])))
			c2 = c2.Add(v.Mul(ld64(c[16:24])))
			c3 = c3.Add(v.Mul(ld64(c[24:32])))
		}
		st64(s0, S[b:b+8])
		st64(s1, S[b+8:b+16])
		st64(s2, S[b+16:b+24])
		st64(s3, S[b+24:b+32])
		st64(c0, C[b:b+8])
		st64(c1, C[b+8:b+16])
		st64(c2, C[b+16:b+24])
		st64(c3, C[b+24:b+32])
	}
	for ; b+8 <= n; b += 8 {
		var s0, c0 f64x8
		for x, j := range cols {
			v := bc64(vals[x])
			o := int(j)*stride + b
			s0 = s0.Add(v.Mul(ld64(src[o : o+8])))
			c0 = c0.Add(v.Mul(ld64(src[o+half : o+half+8])))
		}
		st64(s0, S[b:b+8])
		st64(c0, C[b:b+8])
	}
	spmm2Tail(cols, vals, src, stride, half, b, n, S, C)
}

func spmm1x64(cols []int32, vals, src []float64, stride, n int, dst []float64) {
	vals = vals[:len(cols)]
	Y := dst[:n]
	b := 0
	for ; b+32 <= n; b += 32 {
		var y0, y1, y2, y3 f64x8
		for x, j := range cols {
			v := bc64(vals[x])
			o := int(j)*stride + b
			s := (*[32]float64)(src[o : o+32])
			y0 = y0.Add(v.Mul(ld64(s[0:8])))
			y1 = y1.Add(v.Mul(ld64(s[8:16])))
			y2 = y2.Add(v.Mul(ld64(s[16:24])))
			y3 = y3.Add(v.Mul(ld64(s[24:32])))
		}
		st64(y0, Y[b:b+8])
		st64(y1, Y[b+8:b+16])
		st64(y2, Y[b+16:b+24])
		st64(y3, Y[b+24:b+32])
	}
	for ; b+8 <= n; b += 8 {
		var y0 f64x8
		for x, j := range cols {
			o := int(j)*stride + b
			y0 = y0.Add(bc64(vals[x]).Mul(ld64(src[o : o+8])))
		}
		st64(y0, Y[b:b+8])
	}
	spmm1Tail(cols, vals, src, stride, b, n, Y)
}

// ---- right-hand sides ----

func phaseFx32(f, dw, sn, cs, S, C []float32, kp float32) {
	n := len(f)
	dw, sn, cs, S, C = dw[:n], sn[:n], cs[:n], S[:n], C[:n]
	k := bc32(kp)
	b := 0
	for ; b+16 <= n; b += 16 {
		s, c := ld32(sn[b:b+16]), ld32(cs[b:b+16])
		r := ld32(dw[b : b+16]).Add(c.Mul(ld32(S[b : b+16]))).Sub(s.Mul(ld32(C[b : b+16]))).Sub(k.Mul(s).Mul(c))
		st32(r, f[b:b+16])
	}
	phaseFGo(f[b:], dw[b:], sn[b:], cs[b:], S[b:], C[b:], kp)
}

func phaseFx64(f, dw, sn, cs, S, C []float64, kp float64) {
	n := len(f)
	dw, sn, cs, S, C = dw[:n], sn[:n], cs[:n], S[:n], C[:n]
	k := bc64(kp)
	b := 0
	for ; b+8 <= n; b += 8 {
		s, c := ld64(sn[b:b+8]), ld64(cs[b:b+8])
		r := ld64(dw[b : b+8]).Add(c.Mul(ld64(S[b : b+8]))).Sub(s.Mul(ld64(C[b : b+8]))).Sub(k.Mul(s).Mul(c))
		st64(r, f[b:b+8])
	}
	phaseFGo(f[b:], dw[b:], sn[b:], cs[b:], S[b:], C[b:], kp)
}

func cycleFx32(f, dw, v, gam, gamp, Y []float32, gn, gt, invC, pm float32) {
	n := len(f)
	dw, v, gam, gamp, Y = dw[:n], v[:n], gam[:n], gamp[:n], Y[:n]
	gnv, gtv, ic, p := bc32(gn), bc32(gt), bc32(invC), bc32(pm)
	b := 0
	for ; b+16 <= n; b += 16 {
		cur := ld32(Y[b : b+16]).Add(gnv).Sub(gtv.Mul(ld32(v[b : b+16])))
		r := ld32(dw[b : b+16]).Add(ld32(gam[b : b+16]).Mul(cur).Mul(ic)).Add(ld32(gamp[b : b+16]).Mul(p))
		st32(r, f[b:b+16])
	}
	cycleFGo(f[b:], dw[b:], v[b:], gam[b:], gamp[b:], Y[b:], gn, gt, invC, pm)
}

func cycleFx64(f, dw, v, gam, gamp, Y []float64, gn, gt, invC, pm float64) {
	n := len(f)
	dw, v, gam, gamp, Y = dw[:n], v[:n], gam[:n], gamp[:n], Y[:n]
	gnv, gtv, ic, p := bc64(gn), bc64(gt), bc64(invC), bc64(pm)
	b := 0
	for ; b+8 <= n; b += 8 {
		cur := ld64(Y[b : b+8]).Add(gnv).Sub(gtv.Mul(ld64(v[b : b+8])))
		r := ld64(dw[b : b+8]).Add(ld64(gam[b : b+8]).Mul(cur).Mul(ic)).Add(ld64(gamp[b : b+8]).Mul(p))
		st64(r, f[b:b+8])
	}
	cycleFGo(f[b:], dw[b:], v[b:], gam[b:], gamp[b:], Y[b:], gn, gt, invC, pm)
}

// ---- sine and cosine ----

// sincosv32 is sincos32 on 16 lanes; ok is false when a lane needs the
// float64 fallback (|x| ≥ 8192, NaN, ±Inf).
func sincosv32(x f32x16) (s, c f32x16, ok bool) {
	xi := x.AsInt32x16()
	sign := xi.And(archsimd.BroadcastInt32x16(math.MinInt32))
	ax := xi.And(archsimd.BroadcastInt32x16(math.MaxInt32)).AsFloat32x16()
	if ax.Less(bc32(s32Limit)).ToBits() != 0xFFFF {
		return s, c, false
	}
	one := archsimd.BroadcastInt32x16(1)
	j := ax.Mul(bc32(s32FOPI)).ConvertToInt32()
	j = j.Add(j.And(one))
	y := j.ConvertToFloat32()
	z := ax.Sub(y.Mul(bc32(s32DP1))).Sub(y.Mul(bc32(s32DP2))).Sub(y.Mul(bc32(s32DP3)))
	zz := z.Mul(z)
	cc := bc32(1).Sub(bc32(0.5).Mul(zz)).Add(zz.Mul(zz).Mul(bc32(s32C0).Mul(zz).Add(bc32(s32C1)).Mul(zz).Add(bc32(s32C2))))
	ss := z.Add(z.Mul(zz).Mul(bc32(s32S0).Mul(zz).Add(bc32(s32S1)).Mul(zz).Add(bc32(s32S2))))
	hi := j.ShiftAllRight(2).And(one)
	q := j.And(archsimd.BroadcastInt32x16(3))
	q1 := q.ShiftAllRight(1)
	swap := q.Xor(q1).And(one).Equal(one)
	s = cc.Merge(ss, swap)
	c = ss.Merge(cc, swap)
	s = s.AsInt32x16().Xor(hi.ShiftAllLeft(31).Xor(sign)).AsFloat32x16()
	c = c.AsInt32x16().Xor(hi.Xor(q1).ShiftAllLeft(31)).AsFloat32x16()
	return s, c, true
}

func sincosx32(x, s, c []float32) {
	n := len(x)
	s, c = s[:n], c[:n]
	b := 0
	for ; b+16 <= n; b += 16 {
		sv, cv, ok := sincosv32(ld32(x[b : b+16]))
		if !ok {
			sincos32Go(x[b:b+16], s[b:b+16], c[b:b+16])
			continue
		}
		st32(sv, s[b:b+16])
		st32(cv, c[b:b+16])
	}
	sincos32Go(x[b:], s[b:], c[b:])
}

func cycleTrigx32(x []float32, wt float32, v, gam, gamp []float32, g1, m2 float32) {
	n := len(x)
	v, gam, gamp = v[:n], gam[:n], gamp[:n]
	w, g, m := bc32(wt), bc32(g1), bc32(m2)
	b := 0
	for ; b+16 <= n; b += 16 {
		sv, cv, ok := sincosv32(w.Add(ld32(x[b : b+16])))
		if !ok {
			cycleTrig32Go(x[b:b+16], wt, v[b:b+16], gam[b:b+16], gamp[b:b+16], g1, m2)
			continue
		}
		st32(bc32(0.5).Mul(bc32(1).Add(cv)), v[b:b+16])
		st32(g.Mul(sv), gam[b:b+16])
		st32(m.Mul(sv).Mul(cv), gamp[b:b+16])
	}
	cycleTrig32Go(x[b:], wt, v[b:], gam[b:], gamp[b:], g1, m2)
}

// Go's math.Sincos (sincos.go): π/4 in three parts and its polynomials.
const (
	sc64PI4A = 7.85398125648498535156e-1
	sc64PI4B = 3.77489470793079817668e-8
	sc64PI4C = 2.69515142907905952645e-15
	sc64Max  = 1 << 29 // math's reduceThreshold: beyond it, Payne–Hanek
)

var (
	sc64Sin = [6]float64{1.58962301576546568060e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6,
		-1.98412698295895385996e-4, 8.33333333332211858878e-3, -1.66666666666666307295e-1}
	sc64Cos = [6]float64{-1.13585365213876817300e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7,
		2.48015872888517045348e-5, -1.38888888888730564116e-3, 4.16666666666665929218e-2}
)

// sincosv64 is math.Sincos on 8 lanes, operation for operation; ok is false
// when a lane needs math.Sincos itself (|x| ≥ 2^29, NaN, ±Inf).
func sincosv64(x f64x8) (s, c f64x8, ok bool) {
	xi := x.AsInt64x8()
	sign := xi.And(archsimd.BroadcastInt64x8(math.MinInt64))
	ax := xi.And(archsimd.BroadcastInt64x8(math.MaxInt64)).AsFloat64x8()
	if ax.Less(bc64(sc64Max)).ToBits() != 0xFF {
		return s, c, false
	}
	one := archsimd.BroadcastInt64x8(1)
	j := ax.Mul(bc64(4 / math.Pi)).ConvertToInt64()
	y := j.ConvertToFloat64()
	odd := j.And(one)
	j = j.Add(odd).And(archsimd.BroadcastInt64x8(7))
	y = y.Add(odd.ConvertToFloat64())
	z := ax.Sub(y.Mul(bc64(sc64PI4A))).Sub(y.Mul(bc64(sc64PI4B))).Sub(y.Mul(bc64(sc64PI4C)))
	zz := z.Mul(z)
	pc := bc64(sc64Cos[0]).Mul(zz).Add(bc64(sc64Cos[1])).Mul(zz).Add(bc64(sc64Cos[2])).Mul(zz).Add(bc64(sc64Cos[3])).Mul(zz).Add(bc64(sc64Cos[4])).Mul(zz).Add(bc64(sc64Cos[5]))
	ps := bc64(sc64Sin[0]).Mul(zz).Add(bc64(sc64Sin[1])).Mul(zz).Add(bc64(sc64Sin[2])).Mul(zz).Add(bc64(sc64Sin[3])).Mul(zz).Add(bc64(sc64Sin[4])).Mul(zz).Add(bc64(sc64Sin[5]))
	cc := bc64(1).Sub(bc64(0.5).Mul(zz)).Add(zz.Mul(zz).Mul(pc))
	ss := z.Add(z.Mul(zz).Mul(ps))
	hi := j.ShiftAllRight(2).And(one)
	q := j.And(archsimd.BroadcastInt64x8(3))
	q1 := q.ShiftAllRight(1)
	swap := q.Xor(q1).And(one).Equal(one)
	s = cc.Merge(ss, swap)
	c = ss.Merge(cc, swap)
	s = s.AsInt64x8().Xor(hi.ShiftAllLeft(63).Xor(sign)).AsFloat64x8()
	c = c.AsInt64x8().Xor(hi.Xor(q1).ShiftAllLeft(63)).AsFloat64x8()
	return s, c, true
}

func sincosx64(x, s, c []float64) {
	n := len(x)
	s, c = s[:n], c[:n]
	b := 0
	for ; b+8 <= n; b += 8 {
		sv, cv, ok := sincosv64(ld64(x[b : b+8]))
		if !ok {
			sincos64Go(x[b:b+8], s[b:b+8], c[b:b+8])
			continue
		}
		st64(sv, s[b:b+8])
		st64(cv, c[b:b+8])
	}
	sincos64Go(x[b:], s[b:], c[b:])
}

func cycleTrigx64(x []float64, wt float64, v, gam, gamp []float64, g1, m2 float64) {
	n := len(x)
	v, gam, gamp = v[:n], gam[:n], gamp[:n]
	w, g, m := bc64(wt), bc64(g1), bc64(m2)
	b := 0
	for ; b+8 <= n; b += 8 {
		sv, cv, ok := sincosv64(w.Add(ld64(x[b : b+8])))
		if !ok {
			cycleTrig64Go(x[b:b+8], wt, v[b:b+8], gam[b:b+8], gamp[b:b+8], g1, m2)
			continue
		}
		st64(bc64(0.5).Mul(bc64(1).Add(cv)), v[b:b+8])
		st64(g.Mul(sv), gam[b:b+8])
		st64(m.Mul(sv).Mul(cv), gamp[b:b+8])
	}
	cycleTrig64Go(x[b:], wt, v[b:], gam[b:], gamp[b:], g1, m2)
}

// ---- integrator updates ----

func axpyx32(y, p []float32, a float32, f []float32) {
	n := len(y)
	p, f = p[:n], f[:n]
	av := bc32(a)
	b := 0
	for ; b+16 <= n; b += 16 {
		st32(ld32(p[b:b+16]).Add(av.Mul(ld32(f[b:b+16]))), y[b:b+16])
	}
	axpyGo(y[b:], p[b:], a, f[b:])
}

func axpyx64(y, p []float64, a float64, f []float64) {
	n := len(y)
	p, f = p[:n], f[:n]
	av := bc64(a)
	b := 0
	for ; b+8 <= n; b += 8 {
		st64(ld64(p[b:b+8]).Add(av.Mul(ld64(f[b:b+8]))), y[b:b+8])
	}
	axpyGo(y[b:], p[b:], a, f[b:])
}

func addx32(y, z []float32) {
	n := len(y)
	z = z[:n]
	b := 0
	for ; b+16 <= n; b += 16 {
		st32(ld32(y[b:b+16]).Add(ld32(z[b:b+16])), y[b:b+16])
	}
	addGo(y[b:], z[b:])
}

func addx64(y, z []float64) {
	n := len(y)
	z = z[:n]
	b := 0
	for ; b+8 <= n; b += 8 {
		st64(ld64(y[b:b+8]).Add(ld64(z[b:b+8])), y[b:b+8])
	}
	addGo(y[b:], z[b:])
}

func heunx32(y, p []float32, h float32, k1, f []float32) {
	n := len(y)
	p, k1, f = p[:n], k1[:n], f[:n]
	hv := bc32(h)
	b := 0
	for ; b+16 <= n; b += 16 {
		st32(ld32(p[b:b+16]).Add(hv.Mul(ld32(k1[b:b+16]).Add(ld32(f[b:b+16])))), y[b:b+16])
	}
	heunGo(y[b:], p[b:], h, k1[b:], f[b:])
}

func heunx64(y, p []float64, h float64, k1, f []float64) {
	n := len(y)
	p, k1, f = p[:n], k1[:n], f[:n]
	hv := bc64(h)
	b := 0
	for ; b+8 <= n; b += 8 {
		st64(ld64(p[b:b+8]).Add(hv.Mul(ld64(k1[b:b+8]).Add(ld64(f[b:b+8])))), y[b:b+8])
	}
	heunGo(y[b:], p[b:], h, k1[b:], f[b:])
}

func acc2x32(acc, f []float32) {
	n := len(acc)
	f = f[:n]
	two := bc32(2)
	b := 0
	for ; b+16 <= n; b += 16 {
		st32(ld32(acc[b:b+16]).Add(two.Mul(ld32(f[b:b+16]))), acc[b:b+16])
	}
	acc2Go(acc[b:], f[b:])
}

func acc2x64(acc, f []float64) {
	n := len(acc)
	f = f[:n]
	two := bc64(2)
	b := 0
	for ; b+8 <= n; b += 8 {
		st64(ld64(acc[b:b+8]).Add(two.Mul(ld64(f[b:b+8]))), acc[b:b+8])
	}
	acc2Go(acc[b:], f[b:])
}

func rk4x32(y, p []float32, c float32, acc, f []float32) {
	n := len(y)
	p, acc, f = p[:n], acc[:n], f[:n]
	cv := bc32(c)
	b := 0
	for ; b+16 <= n; b += 16 {
		st32(ld32(p[b:b+16]).Add(cv.Mul(ld32(acc[b:b+16]).Add(ld32(f[b:b+16])))), y[b:b+16])
	}
	rk4Go(y[b:], p[b:], c, acc[b:], f[b:])
}

func rk4x64(y, p []float64, c float64, acc, f []float64) {
	n := len(y)
	p, acc, f = p[:n], acc[:n], f[:n]
	cv := bc64(c)
	b := 0
	for ; b+8 <= n; b += 8 {
		st64(ld64(p[b:b+8]).Add(cv.Mul(ld64(acc[b:b+8]).Add(ld64(f[b:b+8])))), y[b:b+8])
	}
	rk4Go(y[b:], p[b:], c, acc[b:], f[b:])
}

// ---- wrapping and finite checks ----

func wrapx32(p []float32, turns []int32) bool {
	n := len(p)
	turns = turns[:n]
	var z f32x16
	hi, lo := bc32(pi32), bc32(-pi32)
	ok := true
	b := 0
	for ; b+16 <= n; b += 16 {
		v := ld32(p[b : b+16])
		z = z.Add(v.Sub(v))
		if v.Greater(hi).Or(v.Less(lo)).ToBits() != 0 {
			ok = wrap32Go(p[b:b+16], turns[b:b+16]) && ok
		}
	}
	if z.Equal(z).ToBits() != 0xFFFF {
		ok = false
	}
	return wrap32Go(p[b:], turns[b:]) && ok
}

func finitex64(p []float64, _ []int32) bool {
	n := len(p)
	var z f64x8
	b := 0
	for ; b+8 <= n; b += 8 {
		v := ld64(p[b : b+8])
		z = z.Add(v.Sub(v))
	}
	return z.Equal(z).ToBits() == 0xFF && finite64Go(p[b:], nil)
}
