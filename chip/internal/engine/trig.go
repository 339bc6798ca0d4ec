package engine

import "math"

// Single-precision sine and cosine for the float32 engine.
//
// sincos32 is Cephes' sinf/cosf (S. L. Moshier, Cephes Math Library 2.2,
// sinf.c and cosf.c) with the octant logic of Go's math.Sincos: x is
// reduced to z ∈ [−π/4, π/4] by z = ((|x| − y·DP1) − y·DP2) − y·DP3, where
// y is the octant index made even and DP1 + DP2 + DP3 = π/4 split so that
// y·DP1 and y·DP2 are exact (Cody & Waite 1980), and sin z, cos z are
// degree-7 and degree-8 minimax polynomials. Every operation is a separately
// rounded float32 multiply, add or subtract in a fixed order, with no
// fused multiply-add, so the vector version (kernels_amd64.s) gives
// the same bits lane by lane.
//
// Accuracy (TestSincos32Accuracy -sincos32-all: every float32 in [−8π, 8π],
// and a sweep to ±8192): |error| ≤ 9.3e-8 absolute (measured; the test
// holds 1.2e-7) against float64 math.Sincos, i.e.
// within one unit in the last place of float32 near ±1. Arguments with
// |x| ≥ 8192 (where the reduction loses accuracy) and non-finite ones go
// through float64 math.Sincos. The engine keeps float32 phases wrapped to
// (−π, π], so only the cycle model's θ = ω_ref·t mod 2π + φ reaches 3π.
const (
	s32FOPI  = 1.27323954473516 // 4/π
	s32DP1   = 0.78515625
	s32DP2   = 2.4187564849853515625e-4
	s32DP3   = 3.77489497744594108e-8
	s32Limit = 8192

	s32S0 = -1.9515295891e-4
	s32S1 = 8.3321608736e-3
	s32S2 = -1.6666654611e-1
	s32C0 = 2.443315711809948e-5
	s32C1 = -1.388731625493765e-3
	s32C2 = 4.166664568298827e-2
)

// sincos32 returns sin x and cos x in single precision.
func sincos32(x float32) (sin, cos float32) {
	bits := math.Float32bits(x)
	sign := bits & 0x80000000
	ax := math.Float32frombits(bits &^ 0x80000000)
	if !(ax < s32Limit) {
		s, c := math.Sincos(float64(x))
		return float32(s), float32(c)
	}
	j := int32(ax * s32FOPI)
	y := float32(j)
	odd := j & 1 // map zeros to the origin: make the octant even
	j += odd
	y += float32(odd)
	z := ((ax - y*s32DP1) - y*s32DP2) - y*s32DP3
	zz := z * z
	c := (1 - 0.5*zz) + (zz*zz)*((s32C0*zz+s32C1)*zz+s32C2)
	s := z + (z*zz)*((s32S0*zz+s32S1)*zz+s32S2)
	hi := (j >> 2) & 1 // octants 4..7: reflect in the x axis
	q := j & 3
	swap := (q ^ (q >> 1)) & 1 // octants 1 and 2 swap sine and cosine
	if swap != 0 {
		s, c = c, s
	}
	cosFlip := uint32(hi^(q>>1)) << 31
	sinFlip := uint32(hi)<<31 ^ sign
	return math.Float32frombits(math.Float32bits(s) ^ sinFlip), math.Float32frombits(math.Float32bits(c) ^ cosFlip)
}
