package chip

import (
	"math"
	"math/rand/v2"

	"oscsim/chip/internal/engine"
)

// Keys are engine.Key of (seed, instance, input or site, tag), hashed
// with engine.Mix (SplitMix64's finaliser), the engine's noise streams'
// hash.

// Stream tags keep the random streams of one (seed, instance, input)
// independent of each other.
const (
	tagFreq uint64 = iota + 1
	tagTG
	tagNoise
	tagInit
	tagDet
	tagNoise32 // float32 runs' phase noise (internal/engine/noise32.go)
)

// hashNormal returns a standard-normal deviate that is a pure function of k
// (Box–Muller on two hashed uniforms). Mismatch is drawn this way so that
// a coupler's deviation depends only on (seed, instance, site), not on the
// order in which couplers are programmed.
func hashNormal(k uint64) float64 {
	u1 := (float64(engine.Mix(k)>>11) + 0.5) / (1 << 53)
	u2 := (float64(engine.Mix(k^0x5851f42d4c957f2d)>>11) + 0.5) / (1 << 53)
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// KeyNormal returns a standard-normal deviate that is a pure function of
// the tuple parts: packages above chip draw reproducible random weights
// with chip's one hash (bench.RandomTopK).
func KeyNormal(parts ...uint64) float64 { return hashNormal(engine.Key(parts...)) }

// stream returns a PCG generator for one (seed, instance, input, tag).
func stream(seed int64, instance, input int, tag uint64) *rand.Rand {
	k := engine.Key(uint64(seed), uint64(instance), uint64(input), tag)
	return rand.New(rand.NewPCG(k, engine.Mix(k)))
}
