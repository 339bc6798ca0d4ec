package engine

// Mix is the SplitMix64 finaliser (Steele, Lea & Flood, "Fast splittable
// pseudorandom number generators", OOPSLA 2014), with the generator's
// increment added first: the (c+1)-th output of SplitMix64 seeded with s
// is Mix(s + c·γ), γ = 0x9e3779b97f4a7c15 (noise64.go). The chip's keys
// and mismatch draws (chip/rand.go) and the engine's noise streams hash
// with it.
func Mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Key hashes a tuple of integers into one 64-bit key (a noise stream's
// key is Key(seed, instance, input, tag); chip/rand.go).
func Key(parts ...uint64) uint64 {
	h := uint64(0x6a09e667f3bcc909)
	for _, p := range parts {
		h = Mix(h ^ p)
	}
	return h
}
