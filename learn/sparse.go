package learn

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"

	"oscsim/internal/vocab"
)

// CSR is one class network's kept couplings in compressed sparse row form:
// the partners of pixel i are Indices[Indptr[i]:Indptr[i+1]] (ascending,
// never i) with weights Data[...] = S2[c,i,j].
//
// The row-wise top-k mask need not be symmetric and, after the per-row
// pixel normalisation, neither is S2 (docs/oscnet.md §1.6), so a CSR is a directed
// graph. Reverse, when not nil, holds S2[c,j,i] for every stored (i, j),
// which lets Symmetric build the symmetric couplings an oscillator array
// needs without the dense tensor.
type CSR struct {
	N       int
	Indptr  []int64
	Indices []int32
	Data    []float32
	Reverse []float32
}

// NNZ returns the number of stored couplings.
func (m CSR) NNZ() int { return len(m.Indices) }

// Row returns the partners and weights of pixel i (sub-slices, not copies).
func (m CSR) Row(i int) ([]int32, []float32) {
	lo, hi := m.Indptr[i], m.Indptr[i+1]
	return m.Indices[lo:hi:hi], m.Data[lo:hi:hi]
}

// At returns the stored weight of (i, j) and whether it is stored.
func (m CSR) At(i, j int) (float32, bool) {
	idx, val := m.Row(i)
	if k, ok := slices.BinarySearch(idx, int32(j)); ok {
		return val[k], true
	}
	return 0, false
}

// Dense returns the N×N matrix row-major, zero where nothing is stored.
func (m CSR) Dense() []float64 {
	d := make([]float64, m.N*m.N)
	for i := 0; i < m.N; i++ {
		idx, val := m.Row(i)
		for k, j := range idx {
			d[i*m.N+int(j)] = float64(val[k])
		}
	}
	return d
}

// Triplets returns the stored couplings as parallel (row, col, value)
// slices in row-major order.
func (m CSR) Triplets() (rows, cols []int32, vals []float32) {
	rows = make([]int32, 0, m.NNZ())
	for i := 0; i < m.N; i++ {
		for p := m.Indptr[i]; p < m.Indptr[i+1]; p++ {
			rows = append(rows, int32(i))
		}
	}
	return rows, slices.Clone(m.Indices), slices.Clone(m.Data)
}

// Sym selects how Symmetric combines the two directions of a pair (a
// vocabulary: internal/vocab's shape, on purpose).
type Sym string

const (
	// SymOr keeps pair {i, j} if either row kept it (mask OR mask^T), the
	// [A] choice of docs/oscnet.md §1.9 for oscillator runs.
	SymOr Sym = "or"
	// SymAnd keeps pair {i, j} only if both rows kept it.
	SymAnd Sym = "and"
	// SymExact keeps the OR mask with the value (M_ij·S2[c,i,j] +
	// M_ji·S2[c,j,i])/2, where M is the directed mask: the symmetric part
	// of the masked matrix. Its energy −Σ_{i<j} 2·w_ij·x_i·x_j is eq (11)'s
	// E_c(x) for every x, so a symmetric array loses nothing to the
	// symmetrisation (docs/oscnet.md, "Where the points go"). SymOr's
	// average instead adds the unkept direction's value to a pair that only
	// one row kept.
	SymExact Sym = "exact"
)

// UnmarshalText implements encoding.TextUnmarshaler: "or", "and" or
// "exact".
func (s *Sym) UnmarshalText(b []byte) error {
	return vocab.Set(s, b, "symmetrisation", SymOr, SymAnd, SymExact)
}

// Symmetric returns a symmetric CSR on the OR- or AND-symmetrised mask.
// The value of a kept pair is the average (S2[c,i,j] + S2[c,j,i]) / 2, the
// symmetric part of S2, so that eq (12) is a gradient flow (docs/oscnet.md);
// with SymExact it is the symmetric part of the masked S2 (see SymExact).
// The directed value missing from the mask is taken from Reverse; if
// Reverse is nil and only one direction is stored, that value is used for
// both. The result has Reverse equal to Data.
func (m CSR) Symmetric(mode Sym) CSR {
	if mode != SymOr && mode != SymAnd && mode != SymExact {
		panic(fmt.Sprintf("learn: unknown symmetrisation %q", mode))
	}
	n := m.N
	val := make([]float64, n*n) // val[i*n+j]: known S2[i,j]
	known := make([]bool, n*n)
	stored := make([]bool, n*n)
	for i := 0; i < n; i++ {
		for p := m.Indptr[i]; p < m.Indptr[i+1]; p++ {
			j := int(m.Indices[p])
			val[i*n+j], known[i*n+j], stored[i*n+j] = float64(m.Data[p]), true, true
			if m.Reverse != nil && !known[j*n+i] {
				val[j*n+i], known[j*n+i] = float64(m.Reverse[p]), true
			}
		}
	}
	out := CSR{N: n, Indptr: make([]int64, n+1)}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			a, b := stored[i*n+j], stored[j*n+i]
			keep := a || b
			if mode == SymAnd {
				keep = a && b
			}
			if !keep || i == j {
				continue
			}
			var v float64
			switch {
			case mode == SymExact:
				if a {
					v += val[i*n+j] / 2
				}
				if b {
					v += val[j*n+i] / 2
				}
			case known[i*n+j] && known[j*n+i]:
				v = (val[i*n+j] + val[j*n+i]) / 2
			case known[i*n+j]:
				v = val[i*n+j]
			default:
				v = val[j*n+i]
			}
			out.Indices = append(out.Indices, int32(j))
			out.Data = append(out.Data, float32(v))
		}
		out.Indptr[i+1] = int64(len(out.Indices))
	}
	out.Reverse = slices.Clone(out.Data)
	return out
}

// Sparsify applies the per-pixel top-k rule of OscNet v1.5 Sec. 3.2
// (docs/oscnet.md §1.6) to the normalised similarity s2 and returns the model: for
// each class c and pixel i, row (c, i) keeps
//
//	topabs: the k partners with the largest |S2[c,i,j]|;
//	top:    the ceil(k/2) largest and floor(k/2) smallest S2[c,i,j];
//	full:   all N-1 partners.
//
// Ties are broken by the smaller j, so the result is deterministic. k is
// clipped to N-1. The class prototypes and counts are carried over from s2.
func Sparsify(s2 *Similarity, set Settings) (*Model, error) {
	if err := set.Validate(); err != nil {
		return nil, fmt.Errorf("sparsify: %w", err)
	}
	return sparsify(s2, set, runtime.GOMAXPROCS(0))
}

func sparsify(s2 *Similarity, set Settings, workers int) (*Model, error) {
	n, c := s2.N, s2.C
	k := min(set.K, n-1)
	if set.Rule == RuleFull {
		k = n - 1
	}
	for _, v := range s2.W {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("sparsify: similarity holds %v; check the normalisation settings", v)
		}
	}
	// Every row keeps exactly k partners, so the CSR layout is known up front.
	nets := make([]CSR, c)
	for cl := range nets {
		nets[cl] = CSR{
			N:       n,
			Indptr:  make([]int64, n+1),
			Indices: make([]int32, n*k),
			Data:    make([]float32, n*k),
			Reverse: make([]float32, n*k),
		}
		for i := 0; i <= n; i++ {
			nets[cl].Indptr[i] = int64(i * k)
		}
	}
	parallelRows(c*n, workers, func(r int) {
		cl, i := r/n, r%n
		row := s2.Row(cl, i)
		cand := make([]int32, 0, n-1)
		for j := 0; j < n; j++ {
			if j != i {
				cand = append(cand, int32(j))
			}
		}
		var keep []int32
		switch set.Rule {
		case RuleFull:
			keep = cand
		case RuleTopAbs:
			slices.SortFunc(cand, func(a, b int32) int {
				if c := cmp.Compare(math.Abs(row[b]), math.Abs(row[a])); c != 0 {
					return c
				}
				return cmp.Compare(a, b)
			})
			keep = cand[:k]
		case RuleTop:
			slices.SortFunc(cand, func(a, b int32) int {
				if c := cmp.Compare(row[b], row[a]); c != 0 {
					return c
				}
				return cmp.Compare(a, b)
			})
			pos := (k + 1) / 2
			neg := k - pos
			keep = append(cand[:pos:pos], cand[len(cand)-neg:]...)
		}
		slices.Sort(keep)
		net := nets[cl]
		o := i * k
		for t, j := range keep {
			net.Indices[o+t] = j
			net.Data[o+t] = float32(row[j])
			net.Reverse[o+t] = float32(s2.At(cl, int(j), i))
		}
	})
	return &Model{
		Settings:   set,
		Classes:    c,
		Pixels:     n,
		Counts:     slices.Clone(s2.Counts),
		Nets:       nets,
		Prototypes: slices.Clone(s2.Prototypes),
	}, nil
}
