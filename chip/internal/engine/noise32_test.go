package engine

import (
	"flag"
	"math"
	"slices"
	"testing"
)

// TestXoshiroReference: xoNext matches a literal transcription of the
// reference C code (https://prng.di.unimi.it/xoshiro128plusplus.c) over
// 1000 outputs from the state {1, 2, 3, 4}, whose first output is
// rotl(1 + 4, 7) + 1 = 641.
func TestXoshiroReference(t *testing.T) {
	s0, s1, s2, s3 := uint32(1), uint32(2), uint32(3), uint32(4)
	var got []uint32
	for k := 0; k < 1000; k++ {
		got = append(got, xoNext(&s0, &s1, &s2, &s3))
	}
	want := xoshiroRef([4]uint32{1, 2, 3, 4}, 1000)
	for k := range want {
		if got[k] != want[k] {
			t.Fatalf("output %d: %#x, want %#x", k, got[k], want[k])
		}
	}
	if got[0] != 641 { // rotl(1+4, 7) + 1
		t.Fatalf("first output %d, want 641", got[0])
	}
}

// xoshiroRef is the reference C code transcribed literally (array state).
func xoshiroRef(s [4]uint32, n int) []uint32 {
	rotl := func(x uint32, k int) uint32 { return (x << k) | (x >> (32 - k)) }
	var out []uint32
	for ; n > 0; n-- {
		result := rotl(s[0]+s[3], 7) + s[0]
		t := s[1] << 9
		s[2] ^= s[0]
		s[3] ^= s[1]
		s[1] ^= s[2]
		s[0] ^= s[3]
		s[2] ^= t
		s[3] = rotl(s[3], 11)
		out = append(out, result)
	}
	return out
}

var logf32All = flag.Bool("logf32-all", false, "TestLogf32Accuracy: every float32 in [2^-32, 1]")

// TestLogf32Accuracy: logf32 against math.Log over the Box–Muller
// argument's range [2⁻³², 1] (every 61st float32; -logf32-all: all of
// them): |error| ≤ 1.5e-7·|ln x| + 6e-8 (measured: see the log line).
func TestLogf32Accuracy(t *testing.T) {
	step := uint32(61)
	if *logf32All {
		step = 1
	}
	lo, hi := math.Float32bits(0x1p-32), math.Float32bits(1)
	var worstRel, worstAbs float64
	for b := lo; b <= hi; b += step {
		x := math.Float32frombits(b)
		got, want := float64(logf32(x)), math.Log(float64(x))
		d := math.Abs(got - want)
		if d > 1.5e-7*math.Abs(want)+6e-8 {
			t.Fatalf("logf32(%g) = %.9g, want %.9g", x, got, want)
		}
		if want != 0 {
			worstRel = math.Max(worstRel, d/math.Abs(want))
		}
		worstAbs = math.Max(worstAbs, d)
	}
	if logf32(1) != 0 {
		t.Fatalf("logf32(1) = %g, want 0", logf32(1))
	}
	t.Logf("max relative error %.3g, max absolute error %.3g", worstRel, worstAbs)
}

// TestNormal32Moments: 4·10⁶ normals from the float32 noise kernel (64
// streams) against N(0, 1). With n = 4·10⁶ the standard errors are
// 5.0e-4 (mean), 7.1e-4 (variance), 1.2e-3 (skewness), 2.4e-3 (excess
// kurtosis); the tolerances are five of them. The Kolmogorov–Smirnov
// distance must stay under 1.95/√n (the 0.1% critical value); the tails
// beyond 3σ and 4σ must hold their expected counts within five standard
// deviations (Poisson), and the two members of a pair, and consecutive
// pairs of a stream, must be uncorrelated (|r| < 5/√n).
func TestNormal32Moments(t *testing.T) {
	const lanes, draws = 64, 31250 // pairs
	keys := make([]uint64, lanes)
	for b := range keys {
		keys[b] = Key(11, 0, uint64(b), tagNoise32)
	}
	x := newXoStates(keys)
	z0, z1 := make([]float32, lanes), make([]float32, lanes)
	var zs []float64
	prev := make([]float64, lanes)
	var pair, lag float64
	for d := 0; d < draws; d++ {
		kernels32.noise2(x.s0, x.s1, x.s2, x.s3, 1, z0, z1)
		for b := 0; b < lanes; b++ {
			a, c := float64(z0[b]), float64(z1[b])
			pair += a * c
			if d > 0 {
				lag += prev[b] * a
			}
			prev[b] = c
			zs = append(zs, a, c)
		}
	}
	n := float64(len(zs))
	rPair := pair / (n / 2)
	rLag := lag / (n/2 - lanes)
	t.Logf("r(pair) %.1e, r(lag) %.1e", rPair, rLag)
	if math.Abs(rPair) > 5/math.Sqrt(n/2) || math.Abs(rLag) > 5/math.Sqrt(n/2) {
		t.Errorf("correlations: pair %.3g, lag %.3g", rPair, rLag)
	}
	checkStandardNormal(t, zs)
}

// checkStandardNormal holds a sample to N(0, 1): mean, variance, skewness
// and excess kurtosis within five standard errors, the Kolmogorov–Smirnov
// distance under 1.95/√n (the 0.1% critical value), and the counts beyond
// 3σ and 4σ within five Poisson standard deviations. It sorts zs.
func checkStandardNormal(t *testing.T, zs []float64) {
	t.Helper()
	var s1, s2, s3, s4 float64
	var t3, t4 int
	for _, v := range zs {
		v2 := v * v
		s1 += v
		s2 += v2
		s3 += v2 * v
		s4 += v2 * v2
		if math.Abs(v) > 3 {
			t3++
		}
		if math.Abs(v) > 4 {
			t4++
		}
	}
	n := float64(len(zs))
	mean := s1 / n
	m2 := s2/n - mean*mean
	skew := (s3/n - 3*mean*s2/n + 2*mean*mean*mean) / math.Pow(m2, 1.5)
	kurt := (s4/n-4*mean*s3/n+6*mean*mean*s2/n-3*mean*mean*mean*mean)/(m2*m2) - 3
	slices.Sort(zs)
	ks := 0.0
	for i, v := range zs {
		cdf := 0.5 * math.Erfc(-v/math.Sqrt2)
		ks = math.Max(ks, math.Max(math.Abs(float64(i+1)/n-cdf), math.Abs(cdf-float64(i)/n)))
	}
	e3, e4 := n*math.Erfc(3/math.Sqrt2), n*math.Erfc(4/math.Sqrt2)
	t.Logf("n %.0f: mean %.2e, var %.6f, skew %.2e, excess kurtosis %.2e, KS %.2e (limit %.2e), |z|>3: %d (expect %.0f), |z|>4: %d (expect %.0f)",
		n, mean, m2, skew, kurt, ks, 1.95/math.Sqrt(n), t3, e3, t4, e4)
	se := 1 / math.Sqrt(n)
	switch {
	case math.Abs(mean) > 5*se:
		t.Errorf("mean %.3g", mean)
	case math.Abs(m2-1) > 5*math.Sqrt(2)*se:
		t.Errorf("variance %.6f", m2)
	case math.Abs(skew) > 5*math.Sqrt(6)*se:
		t.Errorf("skewness %.3g", skew)
	case math.Abs(kurt) > 5*math.Sqrt(24)*se:
		t.Errorf("excess kurtosis %.3g", kurt)
	case ks > 1.95*se:
		t.Errorf("KS distance %.3g", ks)
	case math.Abs(float64(t3)-e3) > 5*math.Sqrt(e3), math.Abs(float64(t4)-e4) > 5*math.Sqrt(e4):
		t.Errorf("tails: %d beyond 3σ (expect %.0f), %d beyond 4σ (expect %.0f)", t3, e3, t4, e4)
	}
}
