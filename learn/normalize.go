package learn

import (
	"fmt"
	"math"
	"runtime"
)

// Normalize returns S2, the normalised copy of the Hebbian similarity s
// (OscNet v1.5 Sec. 3.3, Table 4; docs/oscnet.md §1.5). set.Norm picks the axes:
//
//	class ("Dim 1"): for each pair (i, j), op over the C values S[·,i,j];
//	pixel ("Dim 2"): for each row (c, i), op over S[c,i,j], j ≠ i
//	                 (set.Scope == ScopeRow), or for each class c over all
//	                 its off-diagonal entries (ScopeClass);
//	both:            class axis first, then pixel axis (docs/oscnet.md §1.14).
//
// The diagonal stays 0 (eq (1)). The spec's recommended operator is the
// z-score (v - mean)/(std + eps) with the population std; a vector with
// std 0 (e.g. a pair of corner pixels that are background in every class)
// maps to 0. s is not modified.
func Normalize(s *Similarity, set Settings) (*Similarity, error) {
	if err := set.Validate(); err != nil {
		return nil, fmt.Errorf("normalise: %w", err)
	}
	return normalize(s, set, runtime.GOMAXPROCS(0)), nil
}

func normalize(s *Similarity, set Settings, workers int) *Similarity {
	w := make([]float64, len(s.W))
	copy(w, s.W)
	out := s.withW(w)
	n, c := s.N, s.C
	if set.Accumulate == AccumSum {
		// Undo the 1/n_c of eq (10): W^c = Σ_{x ∈ D_c} x x^T.
		for cl := 0; cl < c; cl++ {
			nc := float64(s.Counts[cl])
			for k := cl * n * n; k < (cl+1)*n*n; k++ {
				w[k] *= nc
			}
		}
	}
	if set.Norm == NormClass || set.Norm == NormBoth {
		// Dim 1: the class axis, one vector of length C per pair (i, j).
		parallelRows(n, workers, func(i int) {
			v := make([]float64, c)
			for j := 0; j < n; j++ {
				if j == i {
					continue
				}
				for cl := 0; cl < c; cl++ {
					v[cl] = w[(cl*n+i)*n+j]
				}
				applyOp(set.ClassOp, v, set.Eps)
				for cl := 0; cl < c; cl++ {
					w[(cl*n+i)*n+j] = v[cl]
				}
			}
		})
	}
	if set.Norm == NormPixel || set.Norm == NormBoth {
		switch set.Scope {
		case ScopeRow:
			// Dim 2 per row: over the partners j ≠ i of pixel i.
			parallelRows(c*n, workers, func(r int) {
				i := r % n
				row := w[r*n : (r+1)*n]
				v := make([]float64, 0, n-1)
				v = append(v, row[:i]...)
				v = append(v, row[i+1:]...)
				applyOp(set.PixelOp, v, set.Eps)
				copy(row[:i], v[:i])
				copy(row[i+1:], v[i:])
			})
		case ScopeCol:
			// Dim 2 per column: over the partners i ≠ j of pixel j.
			parallelRows(c*n, workers, func(r int) {
				cl, j := r/n, r%n
				idx := make([]int, 0, n-1)
				for i := 0; i < n; i++ {
					if i != j {
						idx = append(idx, i*n+j)
					}
				}
				applyAt(set.PixelOp, w[cl*n*n:(cl+1)*n*n], idx, set.Eps)
			})
		case ScopeClass:
			// Dim 2 per class: over all off-diagonal entries of class c.
			parallelRows(c, workers, func(cl int) {
				idx := make([]int, 0, n*(n-1))
				for i := 0; i < n; i++ {
					for j := 0; j < n; j++ {
						if j != i {
							idx = append(idx, i*n+j)
						}
					}
				}
				applyAt(set.PixelOp, w[cl*n*n:(cl+1)*n*n], idx, set.Eps)
			})
		}
	}
	for cl := 0; cl < c; cl++ {
		for i := 0; i < n; i++ {
			w[(cl*n+i)*n+i] = 0
		}
	}
	return out
}

// applyAt applies op to the entries of w at idx, gathered in that order
// and written back.
func applyAt(op Op, w []float64, idx []int, eps float64) {
	v := make([]float64, len(idx))
	for k, i := range idx {
		v[k] = w[i]
	}
	applyOp(op, v, eps)
	for k, i := range idx {
		w[i] = v[k]
	}
}

// applyOp normalises v in place with operator op (docs/oscnet.md §1.5 and its list
// of alternatives). Sums run in index order, so results are reproducible.
func applyOp(op Op, v []float64, eps float64) {
	if len(v) == 0 {
		return
	}
	switch op {
	case OpZScore, OpCenter:
		m := 0.0
		for _, x := range v {
			m += x
		}
		m /= float64(len(v))
		if op == OpCenter {
			for k := range v {
				v[k] -= m
			}
			return
		}
		ss := 0.0
		for _, x := range v {
			ss += (x - m) * (x - m)
		}
		sd := math.Sqrt(ss / float64(len(v)))
		// A constant vector has sd 0 in exact arithmetic; rounding in the
		// mean can leave ~1e-17, which must not be blown up to ±1. Real
		// spreads of eq (10) are multiples of 1/n_c, far above this.
		if sd <= 1e-12*(math.Abs(m)+1) {
			clear(v)
			return
		}
		for k := range v {
			v[k] = (v[k] - m) / (sd + eps)
		}
	case OpL2, OpL1:
		nrm := 0.0
		for _, x := range v {
			if op == OpL2 {
				nrm += x * x
			} else {
				nrm += math.Abs(x)
			}
		}
		if op == OpL2 {
			nrm = math.Sqrt(nrm)
		}
		if nrm == 0 {
			clear(v)
			return
		}
		for k := range v {
			v[k] /= nrm + eps
		}
	case OpSoftmax:
		mx := math.Inf(-1)
		for _, x := range v {
			mx = max(mx, x)
		}
		sum := 0.0
		for k, x := range v {
			v[k] = math.Exp(x - mx)
			sum += v[k]
		}
		for k := range v {
			v[k] /= sum
		}
	default:
		panic(fmt.Sprintf("learn: unknown normalisation operator %q", op))
	}
}
