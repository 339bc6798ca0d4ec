package engine

// Phase noise of float64 runs: a counter-based generator, so the stage
// pass draws each ring's increments where it uses them and no run keeps a
// noise buffer (8 B per ring and input less; docs/performance.md).
//
// The uniform word of (input b, step n, ring i) is output number
// c + 1 = n·N + i + 1 of the SplitMix64 generator seeded with the input's
// key (Steele, Lea & Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014): Mix(key + c·γ), mix adding the (c+1)-th γ
// (rand.go). SplitMix64 outputs are
// random-access, so the value depends on (key, n, i) only — not on the
// order rows are visited, the worker that visits them or the batch the
// input sits in. A normal deviate is made from the word with the
// ziggurat of Marsaglia & Tsang (2000), the tables and fast path of
// normal.go (math/rand/v2's); the rare draws off the fast path
// (≈1.2%) continue on a PCG seeded from a second SplitMix64 stream of the
// same counter.

const (
	smGamma = 0x9e3779b97f4a7c15 // SplitMix64's increment (golden ratio)
	// smSlow separates the key of the slow-path stream from the input's.
	smSlow = 0xd1b54a32d192ed03
)

// normal64Slow finishes a draw off the ziggurat's fast path.
func normal64Slow(key, ctr uint64, j int32, i uint64, x float64) float64 {
	k := Mix(key ^ smSlow)
	p := pcg{hi: Mix(k + ctr*smGamma), lo: ctr}
	return normalSlow(&p, j, i, x)
}

// noise64Row sets out[b] = T(σ·ξ) with ξ the deviate of ring i at step n
// for inputs b0 ≤ b < b0 + len(out) with stream keys keys. The
// ziggurat's fast path is written out so the loop makes no calls (a call
// per draw cost float64 steps 3–5%); TestNoise64Counter holds it to a
// plain statement of the same draw.
func noise64Row[T real](keys []uint64, n uint64, N, i, b0 int, sigma float64, out []T) {
	ctr := n*uint64(N) + uint64(i)
	off := ctr * smGamma
	keys = keys[b0 : b0+len(out)]
	for b, k := range keys {
		u := k + off + 0x9e3779b97f4a7c15 // Mix(k + off), inlined
		u = (u ^ u>>30) * 0xbf58476d1ce4e5b9
		u = (u ^ u>>27) * 0x94d049bb133111eb
		u ^= u >> 31
		j := int32(u)
		zi := u >> 32 & 0x7F
		x := float64(j) * float64(zigWN[zi])
		if absInt32(j) >= zigKN[zi] {
			x = normal64Slow(k, ctr, j, zi, x)
		}
		out[b] = T(sigma * x)
	}
}
