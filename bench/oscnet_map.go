package bench

import (
	"context"
	"fmt"
	"math"
	"slices"

	"oscsim/dataset"
	"oscsim/internal/vocab"
	"oscsim/learn"
	"oscsim/netlist"
)

// This file maps a trained OscNet model's class networks onto coupler
// codes (docs/oscnet.md, "Mapping"): which symmetric network stands for a
// directed one, and where the quantiser's full scale comes from. The same
// mapping is scored in software (QuantizedModel) and programmed onto the
// chip (OscNet.Prepare), so the two can be compared step by step.

// ScaleScope says which weights share one quantiser full scale (a
// vocabulary: internal/vocab's shape, on purpose).
type ScaleScope string

const (
	// ScaleCommon: one full scale for all classes' networks (the first
	// chip mapping), so the codes of every class stand for the same
	// weight.
	ScaleCommon ScaleScope = "common"
	// ScaleClass: each class network its own full scale, the quantile of
	// its own |w|. The read-out multiplies a class's energy by its scale
	// (a digital constant per class), so the classes still compare.
	ScaleClass ScaleScope = "class"
	// ScaleRow: each row of the directed network its own full scale. A
	// symmetric coupler serves two rows with one code and one unit
	// finger, so no chip can program this; it is scored in software only,
	// to show what a finer scale would buy.
	ScaleRow ScaleScope = "row"
)

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *ScaleScope) UnmarshalText(b []byte) error {
	return vocab.Set(s, b, "full-scale scope", ScaleCommon, ScaleClass, ScaleRow)
}

// Mapping is how the per-class method turns class networks into codes.
type Mapping struct {
	// Sym makes the directed top-k network symmetric: learn.SymExact
	// (the symmetric part of the masked matrix, whose energy is eq (11)'s)
	// or learn.SymOr (the average of S2 on the OR mask, the first chip
	// mapping).
	Sym learn.Sym `json:"sym"`
	// Scale is the full-scale scope.
	Scale ScaleScope `json:"scale"`
	// Quantile: the |w| at this quantile of the scope's weights maps to
	// the largest code; larger weights clip. 1 = the largest weight.
	Quantile float64 `json:"quantile"`
}

// DefaultMapping is the per-class mapping measured best on MNIST
// (docs/oscnet.md, "Where the points go"), an [A] choice: exact
// symmetrisation, a full scale per class at the 99.9th percentile of its
// |w|.
func DefaultMapping() Mapping {
	return Mapping{Sym: learn.SymExact, Scale: ScaleClass, Quantile: 0.999}
}

// LegacyMapping is the first chip mapping (before issue 22): OR mask with
// averaged weights, one common full scale clipping the top 1%.
func LegacyMapping() Mapping {
	return Mapping{Sym: learn.SymOr, Scale: ScaleCommon, Quantile: 0.99}
}

// String is the mapping in the form "sym=exact scale=class q=0.999".
func (mp Mapping) String() string {
	return fmt.Sprintf("sym=%s scale=%s q=%g", mp.Sym, mp.Scale, mp.Quantile)
}

// validate checks a chip mapping (ScaleRow is software only).
func (mp Mapping) validate(chip bool) error {
	if mp.Sym != learn.SymOr && mp.Sym != learn.SymAnd && mp.Sym != learn.SymExact {
		return fmt.Errorf("oscnet: unknown symmetrisation %q", mp.Sym)
	}
	switch mp.Scale {
	case ScaleCommon, ScaleClass:
	case ScaleRow:
		if chip {
			return fmt.Errorf("oscnet: a per-row full scale cannot be programmed (one code and one unit finger serve both rows of a coupler)")
		}
	default:
		return fmt.Errorf("oscnet: unknown full-scale scope %q", mp.Scale)
	}
	if !(mp.Quantile > 0 && mp.Quantile <= 1) {
		return fmt.Errorf("oscnet: full-scale quantile must be in (0, 1] (got %g)", mp.Quantile)
	}
	return nil
}

// ClassEdges returns each class network of m made symmetric with sym, as
// undirected edges I < J with the weight of the pair.
func ClassEdges(m *learn.Model, sym learn.Sym) [][]netlist.Edge {
	out := make([][]netlist.Edge, m.Classes)
	for c := range out {
		s := m.Nets[c].Symmetric(sym)
		for i := 0; i < s.N; i++ {
			idx, val := s.Row(i)
			for k, j := range idx {
				if int(j) > i && val[k] != 0 {
					out[c] = append(out[c], netlist.Edge{I: i, J: int(j), W: float64(val[k])})
				}
			}
		}
	}
	return out
}

// QuantileAbs returns the magnitude at quantile q of |ws| (nearest rank
// on the sorted magnitudes; q = 1 is the largest), 0 for no weights.
func QuantileAbs(ws []float64, q float64) float64 {
	if len(ws) == 0 {
		return 0
	}
	a := make([]float64, len(ws))
	for k, w := range ws {
		a[k] = math.Abs(w)
	}
	slices.Sort(a)
	return a[min(len(a)-1, int(q*float64(len(a)-1)+0.5))]
}

// edgeWeights returns the weights of edges.
func edgeWeights(edges ...[]netlist.Edge) []float64 {
	var ws []float64
	for _, es := range edges {
		for _, e := range es {
			ws = append(ws, e.W)
		}
	}
	return ws
}

// FullScales returns each class network's full scale under mp (ScaleCommon
// or ScaleClass).
func (mp Mapping) FullScales(edges [][]netlist.Edge) []float64 {
	fs := make([]float64, len(edges))
	if mp.Scale == ScaleCommon {
		s := QuantileAbs(edgeWeights(edges...), mp.Quantile)
		for c := range fs {
			fs[c] = s
		}
		return fs
	}
	for c, es := range edges {
		fs[c] = QuantileAbs(edgeWeights(es), mp.Quantile)
	}
	return fs
}

// quantize returns w on a grid of maxCode steps up to fullScale: the
// weight its code stands for (coupling.Quantizer's rounding and clipping).
// maxCode 0 leaves w exact.
func quantize(w, fullScale float64, maxCode int) float64 {
	if maxCode <= 0 || fullScale <= 0 {
		return w
	}
	c := math.Round(w / fullScale * float64(maxCode))
	c = math.Max(-float64(maxCode), math.Min(float64(maxCode), c))
	return c * fullScale / float64(maxCode)
}

// QuantizedModel returns a copy of m whose class networks are what a chip
// with couplers of maxCode steps (0: exact weights) would hold under mp,
// as symmetric CSRs (each pair stored both ways with its weight, so
// learn's eq (11) classifier scores −2·Σ_{i<j} w_ij·x_i·x_j, the same
// factor for every class). With ScaleRow the directed network itself is
// quantised row by row (software only). invTwice doubles every negative
// weight: the energy a single supply-current read-out measures, where an
// inverter-path pair has a TG in each direction (docs/oscnet.md,
// "Supply-power read-out").
func QuantizedModel(m *learn.Model, mp Mapping, maxCode int, invTwice bool) (*learn.Model, error) {
	if err := mp.validate(false); err != nil {
		return nil, err
	}
	out := *m
	out.Nets = make([]learn.CSR, m.Classes)
	neg := func(w float64) float64 {
		if invTwice && w < 0 {
			return 2 * w
		}
		return w
	}
	if mp.Scale == ScaleRow {
		for c, net := range m.Nets {
			q := learn.CSR{N: net.N, Indptr: slices.Clone(net.Indptr), Indices: slices.Clone(net.Indices), Data: make([]float32, len(net.Data))}
			for i := 0; i < net.N; i++ {
				lo, hi := net.Indptr[i], net.Indptr[i+1]
				row := make([]float64, hi-lo)
				for k := range row {
					row[k] = float64(net.Data[lo+int64(k)])
				}
				fs := QuantileAbs(row, mp.Quantile)
				for k, w := range row {
					q.Data[lo+int64(k)] = float32(neg(quantize(w, fs, maxCode)))
				}
			}
			out.Nets[c] = q
		}
		return &out, nil
	}
	edges := ClassEdges(m, mp.Sym)
	fs := mp.FullScales(edges)
	for c, es := range edges {
		ws := make([]float64, len(es))
		for k, e := range es {
			ws[k] = neg(quantize(e.W, fs[c], maxCode))
		}
		out.Nets[c] = symmetricCSR(m.Pixels, es, ws)
	}
	return &out, nil
}

// symmetricCSR stores each edge (I, J) with weight ws[k] at both (I, J)
// and (J, I).
func symmetricCSR(n int, es []netlist.Edge, ws []float64) learn.CSR {
	deg := make([]int64, n+1)
	for _, e := range es {
		deg[e.I+1]++
		deg[e.J+1]++
	}
	for i := 0; i < n; i++ {
		deg[i+1] += deg[i]
	}
	q := learn.CSR{N: n, Indptr: deg, Indices: make([]int32, deg[n]), Data: make([]float32, deg[n])}
	next := slices.Clone(deg[:n])
	put := func(i, j int, w float64) {
		q.Indices[next[i]], q.Data[next[i]] = int32(j), float32(w)
		next[i]++
	}
	for k, e := range es {
		put(e.I, e.J, ws[k])
		put(e.J, e.I, ws[k])
	}
	for i := 0; i < n; i++ {
		lo, hi := deg[i], deg[i+1]
		idx, val := q.Indices[lo:hi], q.Data[lo:hi]
		p := make([]int, len(idx))
		for k := range p {
			p[k] = k
		}
		slices.SortFunc(p, func(a, b int) int { return int(idx[a]) - int(idx[b]) })
		ii, vv := slices.Clone(idx), slices.Clone(val)
		for k, x := range p {
			idx[k], val[k] = ii[x], vv[x]
		}
	}
	return q
}

// SoftwareAccuracy scores the minimum-energy classifier of eq (11) on the
// networks QuantizedModel(m, mp, maxCode, invTwice) holds: what the
// per-class method reaches on a chip that reads every spin as loaded.
func SoftwareAccuracy(ctx context.Context, m *learn.Model, mp Mapping, maxCode int, invTwice bool, x learn.Spins, y dataset.Labels) (float64, error) {
	q, err := QuantizedModel(m, mp, maxCode, invTwice)
	if err != nil {
		return 0, err
	}
	sc, err := q.Classifier().Evaluate(ctx, x, y)
	return sc.Accuracy(), err
}
