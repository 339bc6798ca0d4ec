package learn

import (
	"context"
	"fmt"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"

	"oscsim/dataset"
)

// Similarity is the per-class similarity tensor S of OscNet v1.5: C
// networks of N×N couplings, stored row-major in one slice,
// S[c,i,j] = W[(c*N+i)*N+j]. It holds the Hebbian statistic of eq (10)
// before normalisation and S2 after (docs/oscnet.md §1.4–1.5).
type Similarity struct {
	C, N int
	W    []float64
	// Counts[c] is the number of training samples of class c.
	Counts []int
	// Prototypes holds the C class prototypes p^c ∈ {-1,+1}^N row-major:
	// p^c_i = sign(mean over class c of x_i), ties → -1 (docs/oscnet.md §1.10 [A]).
	Prototypes []int8
}

// At returns S[c,i,j].
func (s *Similarity) At(c, i, j int) float64 { return s.W[(c*s.N+i)*s.N+j] }

// Row returns row (c, i) as a sub-slice of W.
func (s *Similarity) Row(c, i int) []float64 {
	o := (c*s.N + i) * s.N
	return s.W[o : o+s.N : o+s.N]
}

// clone returns a deep copy of s with W replaced by w.
func (s *Similarity) withW(w []float64) *Similarity {
	return &Similarity{C: s.C, N: s.N, W: w, Counts: s.Counts, Prototypes: s.Prototypes}
}

// Hebbian accumulates the per-class Hebbian similarity of OscNet v1.5,
// eq (10) (docs/oscnet.md §1.4):
//
//	W^c_ij = (1/n_c) Σ_{x ∈ D_c} x_i x_j  (i ≠ j),  W^c_ii = 0,
//
// for classes 0..C-1 with C = max(label)+1; every class must have at least
// one sample. It also returns the class prototypes (docs/oscnet.md §1.10).
//
// With ±1 spins, Σ_x x_i x_j = n_c - 2·popcount(b_i XOR b_j), where b_i is
// the column of pixel i over the class's samples packed into uint64 words.
// Rows are spread over GOMAXPROCS goroutines; each entry is computed by
// exactly one goroutine with exact integer arithmetic, so the result does
// not depend on the number of goroutines.
func Hebbian(ctx context.Context, x Spins, labels dataset.Labels) (*Similarity, error) {
	return hebbian(ctx, x, labels, runtime.GOMAXPROCS(0))
}

func hebbian(ctx context.Context, x Spins, labels dataset.Labels, workers int) (*Similarity, error) {
	if len(labels) != x.Count {
		return nil, fmt.Errorf("hebbian: %d samples but %d labels", x.Count, len(labels))
	}
	if x.Count == 0 {
		return nil, fmt.Errorf("hebbian: no samples")
	}
	c := 0
	for _, l := range labels {
		c = max(c, int(l)+1)
	}
	members := make([][]int, c)
	for k, l := range labels {
		members[l] = append(members[l], k)
	}
	for cl, m := range members {
		if len(m) == 0 {
			return nil, fmt.Errorf("hebbian: class %d has no training samples (labels run 0..%d)", cl, c-1)
		}
	}
	n := x.N
	s := &Similarity{C: c, N: n, W: make([]float64, c*n*n), Counts: make([]int, c), Prototypes: make([]int8, c*n)}
	for cl := 0; cl < c; cl++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		cols, words := packColumns(x, members[cl])
		nc := len(members[cl])
		s.Counts[cl] = nc
		// Prototype: sign of the class mean of x_i = (2·ink - n_c)/n_c,
		// ties (2·ink == n_c) → -1.
		for i := 0; i < n; i++ {
			ink := 0
			for _, w := range cols[i*words : (i+1)*words] {
				ink += bits.OnesCount64(w)
			}
			s.Prototypes[cl*n+i] = -1
			if 2*ink > nc {
				s.Prototypes[cl*n+i] = 1
			}
		}
		block := s.W[cl*n*n : (cl+1)*n*n]
		inv := 1 / float64(nc)
		parallelRows(n, workers, func(i int) {
			ci := cols[i*words : (i+1)*words]
			for j := i + 1; j < n; j++ {
				cj := cols[j*words : (j+1)*words]
				d := 0
				for w, v := range ci {
					d += bits.OnesCount64(v ^ cj[w])
				}
				v := float64(nc-2*d) * inv
				block[i*n+j] = v
				block[j*n+i] = v
			}
		})
	}
	return s, nil
}

// packColumns transposes the samples idx of x into pixel-major bit columns:
// bit t of column i is b_i of sample idx[t]. It returns the columns
// (N × words) and words per column. Padding bits are 0 in every column, so
// they cancel in XOR.
func packColumns(x Spins, idx []int) ([]uint64, int) {
	words := (len(idx) + 63) / 64
	cols := make([]uint64, x.N*words)
	for t, k := range idx {
		bit := uint64(1) << (uint(t) & 63)
		wt := t >> 6
		for w, v := range x.row(k) {
			for v != 0 {
				i := w<<6 + bits.TrailingZeros64(v)
				v &= v - 1
				cols[i*words+wt] |= bit
			}
		}
	}
	return cols, words
}

// parallelRows calls f(i) for i in [0, n) on up to workers goroutines,
// handing out rows one at a time (the Hebbian triangle gives rows unequal
// work). f must write only to locations owned by row i.
func parallelRows(n, workers int, f func(i int)) {
	if workers < 1 {
		workers = 1
	}
	workers = min(workers, n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}
