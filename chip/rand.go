package chip

import (
	"math"
	"math/rand/v2"
)

// Stream tags keep the random streams of one (seed, instance, input)
// independent of each other.
const (
	tagFreq uint64 = iota + 1
	tagTG
	tagNoise
	tagInit
	tagDet
	tagNoise32 // float32 runs' phase noise (engine_noise32.go)
)

// mix is the splitmix64 finaliser (Steele, Lea & Flood, OOPSLA 2014).
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// key hashes a tuple of integers into one 64-bit key.
func key(parts ...uint64) uint64 {
	h := uint64(0x6a09e667f3bcc909)
	for _, p := range parts {
		h = mix(h ^ p)
	}
	return h
}

// hashNormal returns a standard-normal deviate that is a pure function of k
// (Box–Muller on two hashed uniforms). Mismatch is drawn this way so that
// a coupler's deviation depends only on (seed, instance, site), not on the
// order in which couplers are programmed.
func hashNormal(k uint64) float64 {
	u1 := (float64(mix(k)>>11) + 0.5) / (1 << 53)
	u2 := (float64(mix(k^0x5851f42d4c957f2d)>>11) + 0.5) / (1 << 53)
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// KeyNormal returns a standard-normal deviate that is a pure function of
// the tuple parts: packages above chip draw reproducible random weights
// with chip's one hash (bench.RandomTopK).
func KeyNormal(parts ...uint64) float64 { return hashNormal(key(parts...)) }

// stream returns a PCG generator for one (seed, instance, input, tag).
func stream(seed int64, instance, input int, tag uint64) *rand.Rand {
	k := key(uint64(seed), uint64(instance), uint64(input), tag)
	return rand.New(rand.NewPCG(k, mix(k)))
}
