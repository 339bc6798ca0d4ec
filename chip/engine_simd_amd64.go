//go:build goexperiment.simd

package chip

import (
	"math"
	"simd/archsimd"
	"unsafe"
)

// Vector kernels for AVX-512 (16 float32 or 8 float64 lanes), built with
// GOEXPERIMENT=simd. Each lane does exactly the operations of the plain-Go
// kernel (engine_kernels.go) in the same order, with no fused
// multiply-add, so both give the same bits (TestVectorKernelsMatchGo);
// lanes left over after the last whole vector go through one masked
// partial vector.
//
// Every kernel ends with VZEROUPPER (archsimd.ClearAVXUpperBits; the
// compiler does not emit it yet): the engine's scalar float code between
// kernels is SSE-encoded, and with the upper halves of the vector
// registers dirty each SSE operation carried a false dependency — a
// batch of one ran 1.9× slower after the first vector kernel was put in
// its step (BenchmarkStep oscnet784 phase f32 B1: 3.9e8 updates per
// CPU-second without, 7.5e8 with). Each pass of a worker also starts with
// VZEROUPPER (clearUpper): something between passes — the pool's hand-off,
// the runtime — leaves the upper halves dirty again, and the tabulated
// ring's scalar table lookup (ringosc.SampleRows) then took 2.1× the CPU
// time (4×4 array, cycle model, float64, batch 64: 790–810 ns per
// ring-cycle, 383–392 with clearUpper).

func init() {
	if !archsimd.X86.AVX512() {
		return
	}
	kernelsVector = "avx512"
	vectorUpper = true
	kernels32.spmm2, kernels32.spmm1 = spmm2x32, spmm1x32
	kernels32.phaseF, kernels32.cycleF, kernels32.cycleFs = phaseFx32, cycleFx32, cycleFsx32
	kernels32.sincos, kernels32.cycleTrig = sincosx32, cycleTrigx32
	kernels32.axpy, kernels32.add, kernels32.acc2, kernels32.rk4 = axpyx32, addx32, acc2x32, rk4x32
	kernels32.wrap, kernels32.powAcc = wrapx32, powAccx32
	kernels32.noise2, kernels32.bm = noise2x32, bmx32
	kernels64.spmm2, kernels64.spmm1 = spmm2x64, spmm1x64
	kernels64.phaseF, kernels64.cycleF, kernels64.cycleFs = phaseFx64, cycleFx64, cycleFsx64
	kernels64.sincos, kernels64.cycleTrig = sincosx64, cycleTrigx64
	kernels64.axpy, kernels64.add, kernels64.acc2, kernels64.rk4 = axpyx64, addx64, acc2x64, rk4x64
	kernels64.wrap, kernels64.powAcc = finitex64, powAccx64
	kernels32.tabIdx, kernels64.tabIdx = tabIdxx32, tabIdxx64
	kernels32.rot, kernels64.rot = rotx32, rotx64
	kernels32.pump2, kernels64.pump2 = pump2x32, pump2x64
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

// Partial vectors: lanes past len(s) load as zero and are not stored.
// In the sparse products' inner loops the mask is made once per row and
// the load is masked directly (the masked-off lanes are never touched, so
// pointing past the slice's end is safe, as in archsimd's own SlicePart).
func ldm32(s []float32, m archsimd.Mask32x16) f32x16 {
	return archsimd.LoadMaskedFloat32x16((*[16]float32)(unsafe.Pointer(unsafe.SliceData(s))), m)
}
func ldm64(s []float64, m archsimd.Mask64x8) f64x8 {
	return archsimd.LoadMaskedFloat64x8((*[8]float64)(unsafe.Pointer(unsafe.SliceData(s))), m)
}

func ldp32(s []float32) f32x16    { return archsimd.LoadFloat32x16SlicePart(s) }
func stp32(v f32x16, s []float32) { v.StoreSlicePart(s) }
func ldp64(s []float64) f64x8     { return archsimd.LoadFloat64x8SlicePart(s) }
func stp64(v f64x8, s []float64)  { v.StoreSlicePart(s) }

// ---- sparse products ----

func spmm2x32(cols []int32, vals, src []float32, stride, half, n int, dst []float32) {
	vals = vals[:len(cols)]
	S, C := dst[:n], dst[n:2*n]
	b := 0
	// 64 lanes: the sine half then the cosine half, four accumulators each
	// (eight would not fit the registers the compiler allocates).
	for ; b+64 <= n; b += 64 {
		for h, D := range [2][]float32{S[b : b+64], C[b : b+64]} {
			var s0, s1, s2, s3 f32x16
			off := b + h*half
			for x, j := range cols {
				v := bc32(vals[x])
				o := int(j)*stride + off
				s := (*[64]float32)(src[o : o+64])
				s0 = s0.Add(v.Mul(ld32(s[0:16])))
				s1 = s1.Add(v.Mul(ld32(s[16:32])))
				s2 = s2.Add(v.Mul(ld32(s[32:48])))
				s3 = s3.Add(v.Mul(ld32(s[48:64])))
			}
			st32(s0, D[0:16])
			st32(s1, D[16:32])
			st32(s2, D[32:48])
			st32(s3, D[48:64])
		}
	}
	for ; b+32 <= n; b += 32 {
		var s0, s1, c0, c1 f32x16
		for x, j := range cols {
			v := bc32(vals[x])
			o := int(j)*stride + b
			s := (*[32]float32)(src[o : o+32])
			c := (*[32]float32)(src[o+half : o+half+32])
			s0 = s0.Add(v.Mul(ld32(s[0:16])))
			s1 = s1.Add(v.Mul(ld32(s[16:32])))
			c0 = c0.Add(v.Mul(ld32(c[0:16])))
			c1 = c1.Add(v.Mul(ld32(c[16:32])))
		}
		st32(s0, S[b:b+16])
		st32(s1, S[b+16:b+32])
		st32(c0, C[b:b+16])
		st32(c1, C[b+16:b+32])
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
	if r := n - b; r > 0 {
		m := archsimd.Mask32x16FromBits(uint16(0xffff >> (16 - r)))
		var s0, c0 f32x16
		for x, j := range cols {
			v := bc32(vals[x])
			o := int(j)*stride + b
			s0 = s0.Add(v.Mul(ldm32(src[o:o+r], m)))
			c0 = c0.Add(v.Mul(ldm32(src[o+half:o+half+r], m)))
		}
		stp32(s0, S[b:n])
		stp32(c0, C[b:n])
	}
	archsimd.ClearAVXUpperBits()
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
	if r := n - b; r > 0 {
		m := archsimd.Mask32x16FromBits(uint16(0xffff >> (16 - r)))
		var y0 f32x16
		for x, j := range cols {
			o := int(j)*stride + b
			y0 = y0.Add(bc32(vals[x]).Mul(ldm32(src[o:o+r], m)))
		}
		stp32(y0, Y[b:n])
	}
	archsimd.ClearAVXUpperBits()
}

func spmm2x64(cols []int32, vals, src []float64, stride, half, n int, dst []float64) {
	vals = vals[:len(cols)]
	S, C := dst[:n], dst[n:2*n]
	b := 0
	// 32 lanes: the sine half then the cosine half, four accumulators each.
	for ; b+32 <= n; b += 32 {
		for h, D := range [2][]float64{S[b : b+32], C[b : b+32]} {
			var s0, s1, s2, s3 f64x8
			off := b + h*half
			for x, j := range cols {
				v := bc64(vals[x])
				o := int(j)*stride + off
				s := (*[32]float64)(src[o : o+32])
				s0 = s0.Add(v.Mul(ld64(s[0:8])))
				s1 = s1.Add(v.Mul(ld64(s[8:16])))
				s2 = s2.Add(v.Mul(ld64(s[16:24])))
				s3 = s3.Add(v.Mul(ld64(s[24:32])))
			}
			st64(s0, D[0:8])
			st64(s1, D[8:16])
			st64(s2, D[16:24])
			st64(s3, D[24:32])
		}
	}
	for ; b+16 <= n; b += 16 {
		var s0, s1, c0, c1 f64x8
		for x, j := range cols {
			v := bc64(vals[x])
			o := int(j)*stride + b
			s := (*[16]float64)(src[o : o+16])
			c := (*[16]float64)(src[o+half : o+half+16])
			s0 = s0.Add(v.Mul(ld64(s[0:8])))
			s1 = s1.Add(v.Mul(ld64(s[8:16])))
			c0 = c0.Add(v.Mul(ld64(c[0:8])))
			c1 = c1.Add(v.Mul(ld64(c[8:16])))
		}
		st64(s0, S[b:b+8])
		st64(s1, S[b+8:b+16])
		st64(c0, C[b:b+8])
		st64(c1, C[b+8:b+16])
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
	if r := n - b; r > 0 {
		m := archsimd.Mask64x8FromBits(uint8(0xff >> (8 - r)))
		var s0, c0 f64x8
		for x, j := range cols {
			v := bc64(vals[x])
			o := int(j)*stride + b
			s0 = s0.Add(v.Mul(ldm64(src[o:o+r], m)))
			c0 = c0.Add(v.Mul(ldm64(src[o+half:o+half+r], m)))
		}
		stp64(s0, S[b:n])
		stp64(c0, C[b:n])
	}
	archsimd.ClearAVXUpperBits()
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
	if r := n - b; r > 0 {
		m := archsimd.Mask64x8FromBits(uint8(0xff >> (8 - r)))
		var y0 f64x8
		for x, j := range cols {
			o := int(j)*stride + b
			y0 = y0.Add(bc64(vals[x]).Mul(ldm64(src[o:o+r], m)))
		}
		stp64(y0, Y[b:n])
	}
	archsimd.ClearAVXUpperBits()
}

// ---- right-hand sides ----
//
// The elementwise kernels run whole vectors and then one partial vector
// (lanes past the end load as zero and are not stored), so odd batch
// sizes stay vectorised.

func phaseFx32(f, dw, sn, cs, S, C []float32, a, kp float32) {
	n := len(f)
	dw, sn, cs, S, C = dw[:n], sn[:n], cs[:n], S[:n], C[:n]
	k, av := bc32(kp), bc32(a)
	for b := 0; b < n; b += 16 {
		e := min(b+16, n)
		s, c := ldp32(sn[b:e]), ldp32(cs[b:e])
		stp32(ldp32(dw[b:e]).Add(av.Mul(c.Mul(ldp32(S[b:e])).Sub(s.Mul(ldp32(C[b:e]))))).Sub(k.Mul(s).Mul(c)), f[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

func phaseFx64(f, dw, sn, cs, S, C []float64, a, kp float64) {
	n := len(f)
	dw, sn, cs, S, C = dw[:n], sn[:n], cs[:n], S[:n], C[:n]
	k, av := bc64(kp), bc64(a)
	for b := 0; b < n; b += 8 {
		e := min(b+8, n)
		s, c := ldp64(sn[b:e]), ldp64(cs[b:e])
		stp64(ldp64(dw[b:e]).Add(av.Mul(c.Mul(ldp64(S[b:e])).Sub(s.Mul(ldp64(C[b:e]))))).Sub(k.Mul(s).Mul(c)), f[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

func cycleFx32(f, dw, v, gam, gamp, Y []float32, gn, gt, invC, pm float32) {
	n := len(f)
	dw, v, gam, gamp, Y = dw[:n], v[:n], gam[:n], gamp[:n], Y[:n]
	gnv, gtv, ic, p := bc32(gn), bc32(gt), bc32(invC), bc32(pm)
	for b := 0; b < n; b += 16 {
		e := min(b+16, n)
		cur := ldp32(Y[b:e]).Add(gnv).Sub(gtv.Mul(ldp32(v[b:e])))
		stp32(ldp32(dw[b:e]).Add(ldp32(gam[b:e]).Mul(cur).Mul(ic)).Add(ldp32(gamp[b:e]).Mul(p)), f[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

func cycleFx64(f, dw, v, gam, gamp, Y []float64, gn, gt, invC, pm float64) {
	n := len(f)
	dw, v, gam, gamp, Y = dw[:n], v[:n], gam[:n], gamp[:n], Y[:n]
	gnv, gtv, ic, p := bc64(gn), bc64(gt), bc64(invC), bc64(pm)
	for b := 0; b < n; b += 8 {
		e := min(b+8, n)
		cur := ldp64(Y[b:e]).Add(gnv).Sub(gtv.Mul(ldp64(v[b:e])))
		stp64(ldp64(dw[b:e]).Add(ldp64(gam[b:e]).Mul(cur).Mul(ic)).Add(ldp64(gamp[b:e]).Mul(p)), f[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

func cycleFsx32(f, dw, v, sn, Y []float32, gn, gt, invC, pm, g1, m2 float32) {
	n := len(f)
	dw, v, sn, Y = dw[:n], v[:n], sn[:n], Y[:n]
	gnv, gtv, ic, p, g, m := bc32(gn), bc32(gt), bc32(invC), bc32(pm), bc32(g1), bc32(m2)
	one, two := bc32(1), bc32(2)
	for b := 0; b < n; b += 16 {
		e := min(b+16, n)
		vv, s := ldp32(v[b:e]), ldp32(sn[b:e])
		cur := ldp32(Y[b:e]).Add(gnv).Sub(gtv.Mul(vv))
		stp32(ldp32(dw[b:e]).Add(g.Mul(s).Mul(cur).Mul(ic)).Add(m.Mul(s).Mul(two.Mul(vv).Sub(one)).Mul(p)), f[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

func cycleFsx64(f, dw, v, sn, Y []float64, gn, gt, invC, pm, g1, m2 float64) {
	n := len(f)
	dw, v, sn, Y = dw[:n], v[:n], sn[:n], Y[:n]
	gnv, gtv, ic, p, g, m := bc64(gn), bc64(gt), bc64(invC), bc64(pm), bc64(g1), bc64(m2)
	one, two := bc64(1), bc64(2)
	for b := 0; b < n; b += 8 {
		e := min(b+8, n)
		vv, s := ldp64(v[b:e]), ldp64(sn[b:e])
		cur := ldp64(Y[b:e]).Add(gnv).Sub(gtv.Mul(vv))
		stp64(ldp64(dw[b:e]).Add(g.Mul(s).Mul(cur).Mul(ic)).Add(m.Mul(s).Mul(two.Mul(vv).Sub(one)).Mul(p)), f[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

// powAccx32 is powAccGo: the row's terms in float32 vectors, widened to
// float64 eight lanes at a time.
func powAccx32(acc []float64, sn, cs, S, C []float32) {
	n := len(acc)
	sn, cs, S, C = sn[:n], cs[:n], S[:n], C[:n]
	b := 0
	for ; b+16 <= n; b += 16 {
		t := ld32(cs[b : b+16]).Mul(ld32(C[b : b+16])).Add(ld32(sn[b : b+16]).Mul(ld32(S[b : b+16])))
		st64(ld64(acc[b:b+8]).Add(t.GetLo().ConvertToFloat64()), acc[b:b+8])
		st64(ld64(acc[b+8:b+16]).Add(t.GetHi().ConvertToFloat64()), acc[b+8:b+16])
	}
	archsimd.ClearAVXUpperBits()
	powAccGo(acc[b:], sn[b:], cs[b:], S[b:], C[b:])
}

func powAccx64(acc []float64, sn, cs, S, C []float64) {
	n := len(acc)
	sn, cs, S, C = sn[:n], cs[:n], S[:n], C[:n]
	for b := 0; b < n; b += 8 {
		e := min(b+8, n)
		t := ldp64(cs[b:e]).Mul(ldp64(C[b:e])).Add(ldp64(sn[b:e]).Mul(ldp64(S[b:e])))
		stp64(ldp64(acc[b:e]).Add(t), acc[b:e])
	}
	archsimd.ClearAVXUpperBits()
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
	for b := 0; b < n; b += 16 {
		e := min(b+16, n)
		sv, cv, ok := sincosv32(ldp32(x[b:e]))
		if !ok {
			sincos32Go(x[b:e], s[b:e], c[b:e])
			continue
		}
		stp32(sv, s[b:e])
		stp32(cv, c[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

func cycleTrigx32(x []float32, wt float32, v, sn []float32) {
	n := len(x)
	v, sn = v[:n], sn[:n]
	w := bc32(wt)
	for b := 0; b < n; b += 16 {
		e := min(b+16, n)
		sv, cv, ok := sincosv32(w.Add(ldp32(x[b:e])))
		if !ok {
			cycleTrig32Go(x[b:e], wt, v[b:e], sn[b:e])
			continue
		}
		stp32(bc32(0.5).Mul(bc32(1).Add(cv)), v[b:e])
		stp32(sv, sn[b:e])
	}
	archsimd.ClearAVXUpperBits()
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
	for b := 0; b < n; b += 8 {
		e := min(b+8, n)
		sv, cv, ok := sincosv64(ldp64(x[b:e]))
		if !ok {
			sincos64Go(x[b:e], s[b:e], c[b:e])
			continue
		}
		stp64(sv, s[b:e])
		stp64(cv, c[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

func cycleTrigx64(x []float64, wt float64, v, sn []float64) {
	n := len(x)
	v, sn = v[:n], sn[:n]
	w := bc64(wt)
	for b := 0; b < n; b += 8 {
		e := min(b+8, n)
		sv, cv, ok := sincosv64(w.Add(ldp64(x[b:e])))
		if !ok {
			cycleTrig64Go(x[b:e], wt, v[b:e], sn[b:e])
			continue
		}
		stp64(bc64(0.5).Mul(bc64(1).Add(cv)), v[b:e])
		stp64(sv, sn[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

// ---- integrator updates ----

func axpyx32(y, p []float32, a float32, f []float32) {
	n := len(y)
	p, f = p[:n], f[:n]
	av := bc32(a)
	for b := 0; b < n; b += 16 {
		e := min(b+16, n)
		stp32(ldp32(p[b:e]).Add(av.Mul(ldp32(f[b:e]))), y[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

func axpyx64(y, p []float64, a float64, f []float64) {
	n := len(y)
	p, f = p[:n], f[:n]
	av := bc64(a)
	for b := 0; b < n; b += 8 {
		e := min(b+8, n)
		stp64(ldp64(p[b:e]).Add(av.Mul(ldp64(f[b:e]))), y[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

func addx32(y, z []float32) {
	n := len(y)
	z = z[:n]
	for b := 0; b < n; b += 16 {
		e := min(b+16, n)
		stp32(ldp32(y[b:e]).Add(ldp32(z[b:e])), y[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

func addx64(y, z []float64) {
	n := len(y)
	z = z[:n]
	for b := 0; b < n; b += 8 {
		e := min(b+8, n)
		stp64(ldp64(y[b:e]).Add(ldp64(z[b:e])), y[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

func acc2x32(acc, f []float32) {
	n := len(acc)
	f = f[:n]
	two := bc32(2)
	for b := 0; b < n; b += 16 {
		e := min(b+16, n)
		stp32(ldp32(acc[b:e]).Add(two.Mul(ldp32(f[b:e]))), acc[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

func acc2x64(acc, f []float64) {
	n := len(acc)
	f = f[:n]
	two := bc64(2)
	for b := 0; b < n; b += 8 {
		e := min(b+8, n)
		stp64(ldp64(acc[b:e]).Add(two.Mul(ldp64(f[b:e]))), acc[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

func rk4x32(y, p []float32, c float32, acc, f []float32) {
	n := len(y)
	p, acc, f = p[:n], acc[:n], f[:n]
	cv := bc32(c)
	for b := 0; b < n; b += 16 {
		e := min(b+16, n)
		stp32(ldp32(p[b:e]).Add(cv.Mul(ldp32(acc[b:e]).Add(ldp32(f[b:e])))), y[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

func rk4x64(y, p []float64, c float64, acc, f []float64) {
	n := len(y)
	p, acc, f = p[:n], acc[:n], f[:n]
	cv := bc64(c)
	for b := 0; b < n; b += 8 {
		e := min(b+8, n)
		stp64(ldp64(p[b:e]).Add(cv.Mul(ldp64(acc[b:e]).Add(ldp64(f[b:e])))), y[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

// ---- wrapping and finite checks ----

// wrapx32 checks finiteness with z += p − p (NaN unless every lane is
// finite) and hands the rare vector with a lane out of [−π32, π32] to the
// plain-Go wrap, which removes the turn in float64.
func wrapx32(p []float32, turns []int32) bool {
	n := len(p)
	turns = turns[:n]
	var z f32x16
	hi, lo := bc32(pi32), bc32(-pi32)
	for b := 0; b < n; b += 16 {
		e := min(b+16, n)
		v := ldp32(p[b:e])
		z = z.Add(v.Sub(v))
		if v.Greater(hi).Or(v.Less(lo)).ToBits() != 0 {
			wrap32Go(p[b:e], turns[b:e])
		}
	}
	ok := z.Equal(z).ToBits() == 0xFFFF
	archsimd.ClearAVXUpperBits()
	return ok
}

func finitex64(p []float64, _ []int32) bool {
	n := len(p)
	var z f64x8
	for b := 0; b < n; b += 8 {
		v := ldp64(p[b:min(b+8, n)])
		z = z.Add(v.Sub(v))
	}
	ok := z.Equal(z).ToBits() == 0xFF
	archsimd.ClearAVXUpperBits()
	return ok
}

// ---- coupling paths and the pump's second order (engine_paths.go) ----

func rotx32(sn, cs []float32, a, rho float32, s2, c2 []float32) {
	n := len(sn)
	cs, s2, c2 = cs[:n], s2[:n], c2[:n]
	av, rv := bc32(a), bc32(rho)
	for b := 0; b < n; b += 16 {
		e := min(b+16, n)
		s, c := ldp32(sn[b:e]), ldp32(cs[b:e])
		stp32(av.Mul(s.Add(rv.Mul(c))), s2[b:e])
		stp32(av.Mul(c.Sub(rv.Mul(s))), c2[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

func rotx64(sn, cs []float64, a, rho float64, s2, c2 []float64) {
	n := len(sn)
	cs, s2, c2 = cs[:n], s2[:n], c2[:n]
	av, rv := bc64(a), bc64(rho)
	for b := 0; b < n; b += 8 {
		e := min(b+8, n)
		s, c := ldp64(sn[b:e]), ldp64(cs[b:e])
		stp64(av.Mul(s.Add(rv.Mul(c))), s2[b:e])
		stp64(av.Mul(c.Sub(rv.Mul(s))), c2[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

// pump2x32 and pump2x64 evaluate pump2Term's expression in its order:
// q = kq·((q0 + ((q1·4)·sk)·(k·k − s·s)) + q2·(1 − (8·sk)·sk)), sk = s·k,
// then q + kp·(r0·sk + r1·(k·k − s·s)) if first, then f + q.
func pump2x32(f, sn, cs []float32, kq, q0, q1, q2 float32, first bool, kp, r0, r1 float32) {
	n := len(f)
	sn, cs = sn[:n], cs[:n]
	kv, q0v, q14, q2v, one, eight := bc32(kq), bc32(q0), bc32(q1*4), bc32(q2), bc32(1), bc32(8)
	pv, r0v, r1v := bc32(kp), bc32(r0), bc32(r1)
	for b := 0; b < n; b += 16 {
		e := min(b+16, n)
		s, k := ldp32(sn[b:e]), ldp32(cs[b:e])
		sk, d := s.Mul(k), k.Mul(k).Sub(s.Mul(s))
		q := kv.Mul(q0v.Add(q14.Mul(sk).Mul(d)).Add(q2v.Mul(one.Sub(eight.Mul(sk).Mul(sk)))))
		if first {
			q = q.Add(pv.Mul(r0v.Mul(sk).Add(r1v.Mul(d))))
		}
		stp32(ldp32(f[b:e]).Add(q), f[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

func pump2x64(f, sn, cs []float64, kq, q0, q1, q2 float64, first bool, kp, r0, r1 float64) {
	n := len(f)
	sn, cs = sn[:n], cs[:n]
	kv, q0v, q14, q2v, one, eight := bc64(kq), bc64(q0), bc64(q1*4), bc64(q2), bc64(1), bc64(8)
	pv, r0v, r1v := bc64(kp), bc64(r0), bc64(r1)
	for b := 0; b < n; b += 8 {
		e := min(b+8, n)
		s, k := ldp64(sn[b:e]), ldp64(cs[b:e])
		sk, d := s.Mul(k), k.Mul(k).Sub(s.Mul(s))
		q := kv.Mul(q0v.Add(q14.Mul(sk).Mul(d)).Add(q2v.Mul(one.Sub(eight.Mul(sk).Mul(sk)))))
		if first {
			q = q.Add(pv.Mul(r0v.Mul(sk).Add(r1v.Mul(d))))
		}
		stp64(ldp64(f[b:e]).Add(q), f[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

// ---- tabulated ring: table positions (ringosc.Packed.Index) ----

// tabIdxv is tabIdxGo on 8 lanes of θ·(M/2π) − … ; the truncation
// (VCVTTPD2DQ's rounding, as int(x)) comes before the clamp, as there.
func tabIdxv(th, sv, iv, mv, hi f64x8, k []int32, f []float64) {
	x := th.Mul(sv)
	x = x.Sub(x.Mul(iv).FloorScaled(0).Mul(mv))
	kd := x.TruncScaled(0).Max(bc64(0)).Min(hi)
	kd.ConvertToInt32().StoreSlicePart(k)
	stp64(x.Sub(kd), f)
}

func tabIdxx64(wt float64, y []float64, scale, invM, fm float64, k []int32, f []float64) {
	n := len(y)
	k, f = k[:n], f[:n]
	wv, sv, iv, mv, hi := bc64(wt), bc64(scale), bc64(invM), bc64(fm), bc64(fm-1)
	for b := 0; b < n; b += 8 {
		e := min(b+8, n)
		tabIdxv(wv.Add(ldp64(y[b:e])), sv, iv, mv, hi, k[b:e], f[b:e])
	}
	archsimd.ClearAVXUpperBits()
}

func tabIdxx32(wt float32, y []float32, scale, invM, fm float64, k []int32, f []float64) {
	n := len(y)
	k, f = k[:n], f[:n]
	wv, sv, iv, mv, hi := bc32(wt), bc64(scale), bc64(invM), bc64(fm), bc64(fm-1)
	for b := 0; b < n; b += 16 {
		e := min(b+16, n)
		th := wv.Add(ldp32(y[b:e]))
		tabIdxv(th.GetLo().ConvertToFloat64(), sv, iv, mv, hi, k[b:min(b+8, e)], f[b:min(b+8, e)])
		if b+8 < e {
			tabIdxv(th.GetHi().ConvertToFloat64(), sv, iv, mv, hi, k[b+8:e], f[b+8:e])
		}
	}
	archsimd.ClearAVXUpperBits()
}

// ---- phase noise (float32; engine_noise32.go) ----

func bcu32(x uint32) archsimd.Uint32x16 { return archsimd.BroadcastUint32x16(x) }

// xoNextV is xoNext on 16 lanes.
func xoNextV(s0, s1, s2, s3 *archsimd.Uint32x16) archsimd.Uint32x16 {
	r := s0.Add(*s3).RotateAllLeft(7).Add(*s0)
	t := s1.ShiftAllLeft(9)
	*s2 = s2.Xor(*s0)
	*s3 = s3.Xor(*s1)
	*s1 = s1.Xor(*s2)
	*s0 = s0.Xor(*s3)
	*s2 = s2.Xor(t)
	*s3 = s3.RotateAllLeft(11)
	return r
}

// logv32 is logf32 on 16 lanes.
func logv32(x f32x16) f32x16 {
	bi := x.AsUint32x16()
	e := bi.ShiftAllRight(23).AsInt32x16().Sub(archsimd.BroadcastInt32x16(126))
	m := bi.And(bcu32(0x007fffff)).Or(bcu32(0x3f000000)).AsFloat32x16()
	lt := m.Less(bc32(lnSqrtHalf))
	e = e.Sub(archsimd.BroadcastInt32x16(1)).Merge(e, lt)
	one := bc32(1)
	f := m.Add(m).Sub(one).Merge(m.Sub(one), lt)
	fe := e.ConvertToFloat32()
	z := f.Mul(f)
	y := bc32(7.0376836292e-2).Mul(f).Sub(bc32(1.1514610310e-1))
	y = y.Mul(f).Add(bc32(1.1676998740e-1))
	y = y.Mul(f).Sub(bc32(1.2420140846e-1))
	y = y.Mul(f).Add(bc32(1.4249322787e-1))
	y = y.Mul(f).Sub(bc32(1.6668057665e-1))
	y = y.Mul(f).Add(bc32(2.0000714765e-1))
	y = y.Mul(f).Sub(bc32(2.4999993993e-1))
	y = y.Mul(f).Add(bc32(3.3333331174e-1))
	y = y.Mul(f).Mul(z)
	y = y.Add(fe.Mul(bc32(-2.12194440e-4)))
	y = y.Add(bc32(-0.5).Mul(z))
	f = f.Add(y)
	return f.Add(fe.Mul(bc32(0.693359375)))
}

// bmv32 turns draws x1, x2 into σ·R·cos Θ, σ·R·sin Θ (normal32Pair).
func bmv32(x1, x2 archsimd.Uint32x16, sg f32x16) (z0, z1 f32x16) {
	u := x1.ShiftAllRight(1).AsInt32x16().ConvertToFloat32().Mul(bc32(bmU1Scale)).Add(bc32(bmU1Off))
	r := bc32(-2).Mul(logv32(u)).Sqrt()
	sn, cs, _ := sincosv32(x2.AsInt32x16().ConvertToFloat32().Mul(bc32(bmThScale)))
	return sg.Mul(r.Mul(cs)), sg.Mul(r.Mul(sn))
}

// bmx32 is bmGo32 on 16 draws at a time, the tail in plain Go.
func bmx32(x1, x2 []uint32, sigma float32, z0, z1 []float32) {
	n := len(z0)
	x1, x2, z1 = x1[:n], x2[:n], z1[:n]
	sg := bc32(sigma)
	m := 0
	for ; m+16 <= n; m += 16 {
		a, b := bmv32(archsimd.LoadUint32x16((*[16]uint32)(x1[m:m+16])), archsimd.LoadUint32x16((*[16]uint32)(x2[m:m+16])), sg)
		st32(a, z0[m:m+16])
		st32(b, z1[m:m+16])
	}
	archsimd.ClearAVXUpperBits()
	bmGo32(x1[m:], x2[m:], sigma, z0[m:], z1[m:])
}

// noise2x32 is noise2Go32 on 16 lanes at a time; the lanes after the last
// whole vector go through noise2Go32 (cheaper than masked partial vectors
// of five arrays, and a batch of one is all tail).
func noise2x32(s0, s1, s2, s3 []uint32, sigma float32, a, b []float32) {
	n := len(a)
	s0, s1, s2, s3 = s0[:n], s1[:n], s2[:n], s3[:n]
	sg := bc32(sigma)
	k := 0
	for ; k+16 <= n; k += 16 {
		p0, p1, p2, p3 := (*[16]uint32)(s0[k:k+16]), (*[16]uint32)(s1[k:k+16]), (*[16]uint32)(s2[k:k+16]), (*[16]uint32)(s3[k:k+16])
		v0, v1 := archsimd.LoadUint32x16(p0), archsimd.LoadUint32x16(p1)
		v2, v3 := archsimd.LoadUint32x16(p2), archsimd.LoadUint32x16(p3)
		x1 := xoNextV(&v0, &v1, &v2, &v3)
		x2 := xoNextV(&v0, &v1, &v2, &v3)
		v0.Store(p0)
		v1.Store(p1)
		v2.Store(p2)
		v3.Store(p3)
		z0, z1 := bmv32(x1, x2, sg)
		st32(z0, a[k:k+16])
		if b != nil {
			st32(z1, b[k:k+16])
		}
	}
	archsimd.ClearAVXUpperBits()
	if k < n {
		var bt []float32
		if b != nil {
			bt = b[k:n]
		}
		noise2Go32(s0[k:], s1[k:], s2[k:], s3[k:], sigma, a[k:n], bt)
	}
}

// vectorUpper is set when the vector kernels are in use (clearUpper).
var vectorUpper bool

// clearUpper executes VZEROUPPER when the AVX-512 kernels are in use.
func clearUpper() {
	if vectorUpper {
		archsimd.ClearAVXUpperBits()
	}
}
