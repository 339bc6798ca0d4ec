package learn

import (
	"context"
	"fmt"
	"math/bits"
	"runtime"
	"sync"

	"oscsim/dataset"
)

// Model is a trained OscNet v1.5 classifier: one sparse Hopfield network
// per class plus the class prototypes for the pairwise-elimination
// inference of eq (15).
type Model struct {
	// Settings used for training. For weights loaded from a plain array
	// made elsewhere, Settings is the zero value.
	Settings Settings
	Classes  int // C
	Pixels   int // N
	// Counts[c] is the number of training samples of class c (nil if
	// unknown).
	Counts []int
	// Nets[c] holds the kept couplings S2[c,i,j] of class c; its sparsity
	// pattern is the class's mask.
	Nets []CSR
	// Prototypes is C×N row-major, ±1 (docs/oscnet.md §1.10 [A]: sign of the class
	// mean, ties → -1). Nil if unknown.
	Prototypes []int8
}

// Prototype returns p^c (a sub-slice, not a copy). It panics if the model
// has no prototypes.
func (m *Model) Prototype(c int) []int8 {
	if m.Prototypes == nil {
		panic("learn: model has no prototypes")
	}
	return m.Prototypes[c*m.Pixels : (c+1)*m.Pixels : (c+1)*m.Pixels]
}

// NNZ returns the number of stored couplings over all classes.
func (m *Model) NNZ() int {
	n := 0
	for _, net := range m.Nets {
		n += net.NNZ()
	}
	return n
}

// Train runs the whole OscNet v1.5 forward-only training (docs/oscnet.md §1.14):
// Hebbian similarity (eq (10)), normalisation (§1.5), per-pixel top-k
// (§1.6). Pixels are binarised by the caller (see Binarize) so that one
// Spins can serve several settings.
func Train(ctx context.Context, x Spins, labels dataset.Labels, set Settings) (*Model, error) {
	if err := set.Validate(); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	s, err := Hebbian(ctx, x, labels)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	s2, err := Normalize(s, set)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return Sparsify(s2, set)
}

// Energy returns the Hopfield energy of ±1 state x in class c's network,
// eq (11) (docs/oscnet.md §1.7):
//
//	E_c(x) = - Σ_i Σ_{j ∈ S_c(i)} S2[c,i,j] x_i x_j .
//
// This is the plain reference; Classifier computes the same faster.
func (m *Model) Energy(c int, x []int8) float64 {
	if len(x) != m.Pixels {
		panic(fmt.Sprintf("learn: state has %d spins, model has %d pixels", len(x), m.Pixels))
	}
	net := m.Nets[c]
	e := 0.0
	for i := 0; i < net.N; i++ {
		idx, val := net.Row(i)
		h := 0.0
		for k, j := range idx {
			h += float64(val[k]) * float64(x[j])
		}
		e -= float64(x[i]) * h
	}
	return e
}

// Classifier evaluates eq (11) for all classes quickly. Writing
// x = 2b - 1 with b ∈ {0,1} (ink bits),
//
//	Σ_ij w_ij x_i x_j = 4 Σ_{i,j ∈ ink} w_ij - 2 Σ_{i ∈ ink} (r_i + s_i) + T,
//
// with row sums r, column sums s and total T precomputed, so each image
// costs O(|ink| · k) instead of O(N · k); for dense networks the first sum
// runs over ink × ink only. A Classifier is safe for concurrent use.
type Classifier struct {
	classes, n int
	nets       []scoreNet
}

type scoreNet struct {
	indptr  []int64
	indices []int32
	vals    []float64
	dense   []float64 // n×n when the network is dense enough, else nil
	rs      []float64 // r_i + s_i
	total   float64
}

// denseRowNNZ is the mean number of partners per row above which a class
// network is scored through a dense matrix: an MNIST digit has about 150
// ink pixels, so ink × ink then costs less than ink × k.
const denseRowNNZ = 128

// Classifier prepares m for fast scoring.
func (m *Model) Classifier() *Classifier {
	cl := &Classifier{classes: m.Classes, n: m.Pixels, nets: make([]scoreNet, m.Classes)}
	n := m.Pixels
	for c, net := range m.Nets {
		sn := scoreNet{indptr: net.Indptr, indices: net.Indices, vals: make([]float64, len(net.Data)), rs: make([]float64, n)}
		for i := 0; i < n; i++ {
			for p := net.Indptr[i]; p < net.Indptr[i+1]; p++ {
				v := float64(net.Data[p])
				sn.vals[p] = v
				sn.rs[i] += v
				sn.rs[net.Indices[p]] += v
				sn.total += v
			}
		}
		if net.NNZ() > denseRowNNZ*n {
			sn.dense = net.Dense()
		}
		cl.nets[c] = sn
	}
	return cl
}

// scratch holds per-goroutine buffers.
type scratch struct {
	ink []int32
	b   []float64 // b[j] = 1 for ink pixels, else 0
}

func (cl *Classifier) newScratch() *scratch {
	return &scratch{ink: make([]int32, 0, cl.n), b: make([]float64, cl.n)}
}

// energies fills dst[c] = E_c for the sample whose ink pixels are sc.ink
// (sc.b set accordingly).
func (cl *Classifier) energies(sc *scratch, dst []float64) {
	for c := range cl.nets {
		net := &cl.nets[c]
		q, r := 0.0, 0.0
		if net.dense != nil {
			for _, i := range sc.ink {
				row := net.dense[int(i)*cl.n : int(i+1)*cl.n]
				for _, j := range sc.ink {
					q += row[j]
				}
				r += net.rs[i]
			}
		} else {
			for _, i := range sc.ink {
				lo, hi := net.indptr[i], net.indptr[i+1]
				idx, val := net.indices[lo:hi], net.vals[lo:hi]
				for k, j := range idx {
					q += val[k] * sc.b[j]
				}
				r += net.rs[i]
			}
		}
		dst[c] = -(4*q - 2*r + net.total)
	}
}

func argmin(e []float64) int {
	best := 0
	for c, v := range e {
		if v < e[best] {
			best = c
		}
	}
	return best
}

// Energies fills dst (grown if short) with E_c(x) for every class, eq (11).
func (cl *Classifier) Energies(x []int8, dst []float64) []float64 {
	if len(x) != cl.n {
		panic(fmt.Sprintf("learn: state has %d spins, model has %d pixels", len(x), cl.n))
	}
	if cap(dst) < cl.classes {
		dst = make([]float64, cl.classes)
	}
	dst = dst[:cl.classes]
	sc := cl.newScratch()
	for i, v := range x {
		if v > 0 {
			sc.ink = append(sc.ink, int32(i))
			sc.b[i] = 1
		}
	}
	cl.energies(sc, dst)
	return dst
}

// Classify returns argmin_c E_c(x) (lowest energy wins, docs/oscnet.md §1.7); ties
// go to the smaller class index.
func (cl *Classifier) Classify(x []int8) int {
	return argmin(cl.Energies(x, nil))
}

// Score counts the classifier's hits on a labelled test set.
type Score struct {
	Correct, Total int
	// Confusion[t*C+p] counts samples of true class t predicted as p.
	Confusion []int
}

// Accuracy returns Correct/Total (0 for an empty set).
func (s Score) Accuracy() float64 {
	if s.Total == 0 {
		return 0
	}
	return float64(s.Correct) / float64(s.Total)
}

// Predict classifies every sample of x in parallel and returns the
// predicted classes. The result does not depend on the number of
// goroutines.
func (cl *Classifier) Predict(ctx context.Context, x Spins) ([]int, error) {
	if x.N != cl.n {
		return nil, fmt.Errorf("predict: samples have %d pixels, model has %d", x.N, cl.n)
	}
	pred := make([]int, x.Count)
	const chunk = 256
	chunks := (x.Count + chunk - 1) / chunk
	var (
		mu    sync.Mutex
		first error
	)
	parallelRows(chunks, runtime.GOMAXPROCS(0), func(ch int) {
		if err := ctx.Err(); err != nil {
			mu.Lock()
			first = err
			mu.Unlock()
			return
		}
		sc := cl.newScratch()
		e := make([]float64, cl.classes)
		for k := ch * chunk; k < min((ch+1)*chunk, x.Count); k++ {
			sc.ink = sc.ink[:0]
			for w, v := range x.row(k) {
				for v != 0 {
					i := int32(w<<6 + bits.TrailingZeros64(v))
					v &= v - 1
					sc.ink = append(sc.ink, i)
					sc.b[i] = 1
				}
			}
			cl.energies(sc, e)
			pred[k] = argmin(e)
			for _, i := range sc.ink {
				sc.b[i] = 0
			}
		}
	})
	if first != nil {
		return nil, first
	}
	return pred, nil
}

// Evaluate classifies x and compares with labels.
func (cl *Classifier) Evaluate(ctx context.Context, x Spins, labels dataset.Labels) (Score, error) {
	if len(labels) != x.Count {
		return Score{}, fmt.Errorf("evaluate: %d samples but %d labels", x.Count, len(labels))
	}
	pred, err := cl.Predict(ctx, x)
	if err != nil {
		return Score{}, err
	}
	s := Score{Total: x.Count, Confusion: make([]int, cl.classes*cl.classes)}
	for k, p := range pred {
		t := int(labels[k])
		if t == p {
			s.Correct++
		}
		if t < cl.classes {
			s.Confusion[t*cl.classes+p]++
		}
	}
	return s, nil
}
