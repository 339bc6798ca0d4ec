package learn

import (
	"fmt"
	"math/bits"

	"oscsim/dataset"
)

// Spins is a set of binary samples x ∈ {-1,+1}^N, bit-packed: bit i of a
// sample is 1 iff x_i = +1 (ink). docs/oscnet.md §1.3: x_i = 2·b_i - 1.
type Spins struct {
	N     int // spins (pixels) per sample
	Count int // number of samples
	words int
	bits  []uint64 // Count × words
}

// Binarize maps grey-level images to spins: x_i = +1 iff
// pixel/255 > threshold, else -1 (docs/oscnet.md §1.3 [A]; threshold 0.5 gives
// "> 127").
func Binarize(im dataset.Images, threshold float64) (Spins, error) {
	if !(threshold >= 0 && threshold < 1) {
		return Spins{}, fmt.Errorf("binarise: threshold must be in [0, 1) (got %v)", threshold)
	}
	n := im.Pixels()
	if im.N < 0 || n <= 0 || len(im.Pix) != im.N*n {
		return Spins{}, fmt.Errorf("binarise: %d images of %d×%d pixels need %d bytes, have %d", im.N, im.Rows, im.Cols, im.N*n, len(im.Pix))
	}
	var ink [256]bool
	for p := range ink {
		ink[p] = float64(p)/255 > threshold
	}
	s := newSpins(n, im.N)
	for k := 0; k < im.N; k++ {
		row := s.bits[k*s.words : (k+1)*s.words]
		for i, p := range im.Pix[k*n : (k+1)*n] {
			if ink[p] {
				row[i>>6] |= 1 << (uint(i) & 63)
			}
		}
	}
	return s, nil
}

// NewSpins builds a Spins from ±1 vectors, all of the same length. Any
// value other than +1 or -1 is an error.
func NewSpins(xs [][]int8) (Spins, error) {
	if len(xs) == 0 {
		return Spins{}, fmt.Errorf("spins: no samples")
	}
	s := newSpins(len(xs[0]), len(xs))
	for k, x := range xs {
		if len(x) != s.N {
			return Spins{}, fmt.Errorf("spins: sample %d has %d values, sample 0 has %d", k, len(x), s.N)
		}
		for i, v := range x {
			switch v {
			case 1:
				s.bits[k*s.words+i>>6] |= 1 << (uint(i) & 63)
			case -1:
			default:
				return Spins{}, fmt.Errorf("spins: sample %d value %d is %d, want +1 or -1", k, i, v)
			}
		}
	}
	return s, nil
}

func newSpins(n, count int) Spins {
	w := (n + 63) / 64
	return Spins{N: n, Count: count, words: w, bits: make([]uint64, count*w)}
}

// row returns the packed bits of sample k.
func (s Spins) row(k int) []uint64 { return s.bits[k*s.words : (k+1)*s.words] }

// At returns x_i of sample k, +1 or -1.
func (s Spins) At(k, i int) int8 {
	if s.bits[k*s.words+i>>6]>>(uint(i)&63)&1 == 1 {
		return 1
	}
	return -1
}

// Sample writes sample k as ±1 values into dst (grown if too short) and
// returns it.
func (s Spins) Sample(k int, dst []int8) []int8 {
	if k < 0 || k >= s.Count {
		panic(fmt.Sprintf("learn: sample %d out of range [0,%d)", k, s.Count))
	}
	if cap(dst) < s.N {
		dst = make([]int8, s.N)
	}
	dst = dst[:s.N]
	for i := range dst {
		dst[i] = s.At(k, i)
	}
	return dst
}

// Ink returns the number of +1 spins of sample k.
func (s Spins) Ink(k int) int {
	n := 0
	for _, w := range s.row(k) {
		n += bits.OnesCount64(w)
	}
	return n
}

// Slice returns samples [lo, hi) sharing storage with s.
func (s Spins) Slice(lo, hi int) Spins {
	if lo < 0 || hi > s.Count || lo > hi {
		panic(fmt.Sprintf("learn: slice [%d,%d) out of range [0,%d]", lo, hi, s.Count))
	}
	return Spins{N: s.N, Count: hi - lo, words: s.words, bits: s.bits[lo*s.words : hi*s.words]}
}
