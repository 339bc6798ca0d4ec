package engine

import (
	"math"
	"math/bits"
)

// Phase noise of float32 runs.
//
// float64 runs draw math/rand/v2's exact PCG + ziggurat numbers
// (normal.go), so they reproduce the engine's earlier results bit
// for bit; at ~4.5 ns a draw that was about half of a float32 step. A
// float32 run instead draws its normals from a generator built for
// vectors: each input has its own xoshiro128++ stream (32-bit lanes: adds,
// xors, shifts and rotates only, 16 inputs a vector), and pairs of
// uniforms become pairs of normals by Box–Muller with float32 log
// (logf32) and the engine's sincos32. One pair serves two consecutive
// rings of the same input, so a step's N normals per input are drawn in
// ring order from that input's stream: the realisation depends on
// (seed, instance, NoiseSeed, input index) only, not on the batch size,
// the input's position in the batch or the worker split. The plain-Go
// and vector kernels (AVX2, AVX-512) do the same separately rounded operations (no FMA),
// so every level gives the same bits (TestVectorKernelsMatchGo).
//
// The cost is that a float32 run no longer sees the noise realisation of
// the float64 run of the same seed; the two agree statistically
// (TestNormal32Moments, TestPhaseNoiseVariance), and RunOptions' hidden
// noise32 switch lets tests run float64 on the float32 noise to compare
// the precisions on one realisation (TestFloat32MatchesFloat64).

// xoStates holds the xoshiro128++ states of a batch's inputs side by side.
type xoStates struct{ s0, s1, s2, s3 []uint32 }

// newXoStates seeds input b's generator from keys[b] with splitmix64
// (Blackman & Vigna recommend seeding xoshiro from splitmix64 output); an
// all-zero state, the generator's one fixed point, cannot arise in
// practice but is replaced anyway.
func newXoStates(keys []uint64) xoStates {
	B := len(keys)
	x := xoStates{make([]uint32, B), make([]uint32, B), make([]uint32, B), make([]uint32, B)}
	for b, k := range keys {
		a, c := Mix(k), Mix(k^0x3c6ef372fe94f82b)
		x.s0[b], x.s1[b], x.s2[b], x.s3[b] = uint32(a), uint32(a>>32), uint32(c), uint32(c>>32)
		if a|c == 0 {
			x.s0[b] = 1
		}
	}
	return x
}

// xoNext is xoshiro128++ 1.0 (D. Blackman and S. Vigna, "Scrambled linear
// pseudorandom number generators", ACM TOMS 47(4), 2021; reference code
// https://prng.di.unimi.it/xoshiro128plusplus.c): period 2^128 − 1, passes
// BigCrush.
func xoNext(s0, s1, s2, s3 *uint32) uint32 {
	r := bits.RotateLeft32(*s0+*s3, 7) + *s0
	t := *s1 << 9
	*s2 ^= *s0
	*s3 ^= *s1
	*s1 ^= *s2
	*s0 ^= *s3
	*s2 ^= t
	*s3 = bits.RotateLeft32(*s3, 11)
	return r
}

// Box–Muller (G. E. P. Box and M. E. Muller, Ann. Math. Statist. 29,
// 610–611, 1958): for U1 uniform on (0, 1] and Θ uniform on [−π, π),
// R·cos Θ and R·sin Θ with R = √(−2 ln U1) are independent standard
// normals. U1 = k·2⁻³¹ + 2⁻³² from the top 31 bits k of one draw (float32
// rounds k above 2²⁴; U1 ∈ [2⁻³², 1], so |ξ| ≤ √(64 ln 2) = 6.66: the
// normal's mass beyond is 2.7e-11), Θ = j·π·2⁻³¹ from a second draw j as
// a signed integer.
const (
	bmU1Scale = 0x1p-31
	bmU1Off   = 0x1p-32
	bmThScale = float32(math.Pi * 0x1p-31) // float32(π)·2⁻³¹ exactly
)

// normal32Pair returns two independent standard normals R·cos Θ, R·sin Θ
// from two draws x1, x2 (Box–Muller, above).
func normal32Pair(x1, x2 uint32) (float32, float32) {
	u := float32(int32(x1>>1))*bmU1Scale + bmU1Off
	r := sqrt32(-2 * logf32(u))
	s, c := sincos32(float32(int32(x2)) * bmThScale)
	return r * c, r * s
}

// sqrt32 is the correctly rounded float32 square root (SQRTSS; the float64
// root of a float32 rounds correctly to float32, so VSQRTPS agrees).
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

// logf32 is Cephes' logf (S. L. Moshier, Cephes Math Library 2.2,
// logf.c): x = m·2^e with m in [√½, √2), ln(1+f) for f = m − 1 from a
// degree-9 polynomial, plus e·ln 2 in two parts. For normal positive x
// only (the Box–Muller argument is in [2⁻³², 1]); max relative error
// ≈ 1e-7 over that range (TestLogf32Accuracy).
func logf32(x float32) float32 {
	b := math.Float32bits(x)
	e := int32(b>>23) - 126
	m := math.Float32frombits(b&0x007fffff | 0x3f000000) // [0.5, 1)
	if m < lnSqrtHalf {
		e--
		m = m + m - 1
	} else {
		m = m - 1
	}
	return logf32Poly(m, float32(e))
}

const lnSqrtHalf = float32(0.707106781186547524)

// logf32Poly finishes logf32 from f = m − 1 and the exponent fe.
func logf32Poly(f, fe float32) float32 {
	z := f * f
	y := float32(7.0376836292e-2)*f - 1.1514610310e-1
	y = y*f + 1.1676998740e-1
	y = y*f - 1.2420140846e-1
	y = y*f + 1.4249322787e-1
	y = y*f - 1.6668057665e-1
	y = y*f + 2.0000714765e-1
	y = y*f - 2.4999993993e-1
	y = y*f + 3.3333331174e-1
	y = y * f * z
	y += fe * -2.12194440e-4
	y += -0.5 * z
	f += y
	f += fe * 0.693359375
	return f
}

// noise2Go32 sets a[k] = σ·ξ₀ and, when b is not nil, b[k] = σ·ξ₁ for
// the pair (ξ₀, ξ₁) of lane k's generator (states s0…s3, indexed like a).
func noise2Go32(s0, s1, s2, s3 []uint32, sigma float32, a, b []float32) {
	n := len(a)
	s0, s1, s2, s3 = s0[:n], s1[:n], s2[:n], s3[:n]
	for k := range a {
		x1 := xoNext(&s0[k], &s1[k], &s2[k], &s3[k])
		x2 := xoNext(&s0[k], &s1[k], &s2[k], &s3[k])
		z0, z1 := normal32Pair(x1, x2)
		a[k] = sigma * z0
		if b != nil {
			b[k] = sigma * z1
		}
	}
}

// bmGo32 is the Box–Muller step alone: z0[m], z1[m] = σ·ξ₀, σ·ξ₁ from the
// draws x1[m], x2[m] (the same arithmetic as noise2Go32). Narrow batches
// draw an input's uniforms for a whole step first (the generator is a
// short sequential chain) and transform them in vectors along the rings.
func bmGo32(x1, x2 []uint32, sigma float32, z0, z1 []float32) {
	n := len(z0)
	x1, x2, z1 = x1[:n], x2[:n], z1[:n]
	for m := range z0 {
		a, b := normal32Pair(x1[m], x2[m])
		z0[m], z1[m] = sigma*a, sigma*b
	}
}

// bmGo64 is bmGo32 for a float64 state (the noise32 test switch).
func bmGo64(x1, x2 []uint32, sigma float64, z0, z1 []float64) {
	n := len(z0)
	x1, x2, z1 = x1[:n], x2[:n], z1[:n]
	for m := range z0 {
		a, b := normal32Pair(x1[m], x2[m])
		z0[m], z1[m] = sigma*float64(a), sigma*float64(b)
	}
}

// noise2Go64 is noise2Go32 for a float64 state on the float32 noise (the
// noise32 test switch): the same normals, scaled in float64.
func noise2Go64(s0, s1, s2, s3 []uint32, sigma float64, a, b []float64) {
	n := len(a)
	s0, s1, s2, s3 = s0[:n], s1[:n], s2[:n], s3[:n]
	for k := range a {
		x1 := xoNext(&s0[k], &s1[k], &s2[k], &s3[k])
		x2 := xoNext(&s0[k], &s1[k], &s2[k], &s3[k])
		z0, z1 := normal32Pair(x1, x2)
		a[k] = sigma * float64(z0)
		if b != nil {
			b[k] = sigma * float64(z1)
		}
	}
}
