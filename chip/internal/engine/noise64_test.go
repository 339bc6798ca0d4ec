package engine

import (
	"math"
	"testing"
)

// The chip's stream tags of the noise keys (chip/rand.go), so the tests
// draw from streams like the chip's.
const (
	tagNoise   = 3
	tagNoise32 = 6
)

// TestNormal64Moments: 4·10⁶ float64 noise deviates (noise64.go: 64 inputs
// × 977 rings × 64 steps) against N(0, 1) (checkStandardNormal), and the
// neighbours the engine puts side by side uncorrelated, |r| < 5/√n: the
// same input at adjacent rings (counters c, c+1), the same ring at
// consecutive steps (c, c+N), and adjacent inputs at the same counter.
func TestNormal64Moments(t *testing.T) {
	const lanes, N, steps = 64, 977, 64
	keys := make([]uint64, lanes)
	for b := range keys {
		keys[b] = Key(11, 0, uint64(b), tagNoise)
	}
	z := make([][]float64, steps*N) // [step·N + ring][input]
	var zs []float64
	for n := 0; n < steps; n++ {
		for i := 0; i < N; i++ {
			row := make([]float64, lanes)
			noise64Row(keys, uint64(n), N, i, 0, 1, row)
			z[n*N+i] = row
			zs = append(zs, row...)
		}
	}
	var ring, step, input float64
	var nRing, nStep, nInput float64
	for c, row := range z {
		for b, v := range row {
			if c%N+1 < N {
				ring += v * z[c+1][b]
				nRing++
			}
			if c+N < len(z) {
				step += v * z[c+N][b]
				nStep++
			}
			if b+1 < lanes {
				input += v * row[b+1]
				nInput++
			}
		}
	}
	r := [3]float64{ring / nRing, step / nStep, input / nInput}
	t.Logf("r(adjacent rings) %.1e, r(consecutive steps) %.1e, r(adjacent inputs) %.1e", r[0], r[1], r[2])
	for k, m := range [3]float64{nRing, nStep, nInput} {
		if math.Abs(r[k]) > 5/math.Sqrt(m) {
			t.Errorf("correlation %d: %.3g (limit %.3g)", k, r[k], 5/math.Sqrt(m))
		}
	}
	checkStandardNormal(t, zs)
}

// TestNoise64Counter: a deviate depends on (key, step, ring) only: the
// same draw whatever lanes a call covers, and a row at step n, ring i is
// counter n·N + i of the input's stream.
func TestNoise64Counter(t *testing.T) {
	keys := []uint64{Key(3, 1, 0, tagNoise), Key(3, 1, 1, tagNoise), Key(3, 1, 2, tagNoise)}
	all := make([]float64, 3)
	noise64Row(keys, 5, 10, 7, 0, 2, all)
	one := make([]float64, 1)
	for b := range keys {
		noise64Row(keys, 5, 10, 7, b, 2, one)
		if one[0] != all[b] || all[b] != 2*normal64(keys[b], 57) {
			t.Fatalf("input %d: %v alone, %v in the row, want %v", b, one[0], all[b], 2*normal64(keys[b], 57))
		}
	}
}

// normal64 is the deviate of counter ctr in the stream of key, stated
// plainly: SplitMix64's output ctr+1, then the ziggurat (noise64.go).
func normal64(key, ctr uint64) float64 {
	u := Mix(key + ctr*smGamma)
	j := int32(u)
	i := u >> 32 & 0x7F
	x := float64(j) * float64(zigWN[i])
	if absInt32(j) >= zigKN[i] {
		x = normal64Slow(key, ctr, j, i, x)
	}
	return x
}
