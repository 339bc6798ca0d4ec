package learn

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"oscsim/internal/npy"
)

// Format identifies this package's .npz layout in the "meta" array.
const (
	Format        = "oscsim.oscnet"
	FormatVersion = 1
)

// ErrWeights is wrapped by every error about a malformed weights file.
var ErrWeights = errors.New("invalid weights file")

// meta is the JSON document stored in the "meta" array.
type meta struct {
	Format   string   `json:"format"`
	Version  int      `json:"version"`
	Classes  int      `json:"classes"`
	Pixels   int      `json:"pixels"`
	Settings Settings `json:"settings"`
}

// Save writes m to path in the .npz layout described in the package
// documentation, atomically (npy.SaveArchive): a crash never leaves half a
// file.
func (m *Model) Save(path string) error {
	if err := m.check(); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	md := meta{Format: Format, Version: FormatVersion, Classes: m.Classes, Pixels: m.Pixels, Settings: m.Settings}
	if err := npy.SaveArchive(path, md, m.arrays()); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	return nil
}

// arrays returns the model's arrays after "meta", in the file's order.
func (m *Model) arrays() []npy.Out {
	c, n := m.Classes, m.Pixels
	nnz := m.NNZ()
	indptr := make([]int64, 0, c*n+1)
	indices := make([]int32, 0, nnz)
	data := make([]float32, 0, nnz)
	var reverse []float32
	hasReverse := true
	for _, net := range m.Nets {
		hasReverse = hasReverse && net.Reverse != nil
	}
	if hasReverse {
		reverse = make([]float32, 0, nnz)
	}
	indptr = append(indptr, 0)
	for _, net := range m.Nets {
		off := int64(len(indices))
		for i := 1; i <= n; i++ {
			indptr = append(indptr, off+net.Indptr[i])
		}
		indices = append(indices, net.Indices...)
		data = append(data, net.Data...)
		if hasReverse {
			reverse = append(reverse, net.Reverse...)
		}
	}
	arrays := []npy.Out{
		{Name: "indptr", Shape: []int{c*n + 1}, Data: indptr},
		{Name: "indices", Shape: []int{nnz}, Data: indices},
		{Name: "data", Shape: []int{nnz}, Data: data},
	}
	if hasReverse {
		arrays = append(arrays, npy.Out{Name: "data_reverse", Shape: []int{nnz}, Data: reverse})
	}
	if m.Prototypes != nil {
		arrays = append(arrays, npy.Out{Name: "prototypes", Shape: []int{c, n}, Data: m.Prototypes})
	}
	if m.Counts != nil {
		counts := make([]int64, len(m.Counts))
		for i, v := range m.Counts {
			counts[i] = int64(v)
		}
		arrays = append(arrays, npy.Out{Name: "counts", Shape: []int{c}, Data: counts})
	}
	return arrays
}

// Load reads weights from path:
//
//   - an .npz written by Save (detected by its "meta" array);
//   - an .npz from elsewhere holding "weights", a dense C×N×N (or N×N
//     for one network) float32/float64 array, and optionally
//     "prototypes", C×N with values ±1;
//   - an .npy holding such a dense weights array.
//
// For dense input the nonzero off-diagonal entries become the mask, so the
// sparsity pattern survives; the diagonal must be 0 (eq (1)). Shapes,
// index ranges and values are checked (NaN and Inf are rejected), and
// every error names the file and the array.
func Load(path string) (*Model, error) {
	f, err := npy.Open(path)
	if err != nil {
		return nil, wrapWeights(err)
	}
	var m *Model
	if !f.IsArchive() {
		a, err := f.Array("")
		if err != nil {
			return nil, wrapWeights(err)
		}
		a.Name = "array"
		m, err = modelFromDense(a, nil, path)
		if err != nil {
			return nil, err
		}
	} else if m, err = loadNPZ(f); err != nil {
		return nil, err
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrWeights, path, err)
	}
	return m, nil
}

// wrapWeights makes a reader error (which names the file and the array)
// wrap ErrWeights too.
func wrapWeights(err error) error {
	if errors.Is(err, npy.ErrFormat) {
		return fmt.Errorf("%w: %w", ErrWeights, err)
	}
	return err
}

func loadNPZ(f *npy.File) (*Model, error) {
	path := f.Path
	get := func(name string, required bool) (*npy.Array, error) {
		if !f.Has(name) {
			if required {
				have := f.Names()
				slices.Sort(have)
				return nil, fmt.Errorf("%w: %s: no array %q (arrays: %s)", ErrWeights, path, name, strings.Join(have, ", "))
			}
			return nil, nil
		}
		a, err := f.Array(name)
		return a, wrapWeights(err)
	}
	if !f.Has("meta") {
		w, err := get("weights", true)
		if err != nil {
			return nil, fmt.Errorf("%w (want this package's layout with \"meta\", or a dense \"weights\" array)", err)
		}
		p, err := get("prototypes", false)
		if err != nil {
			return nil, err
		}
		return modelFromDense(w, p, path)
	}
	var md meta
	if err := f.Meta(&md); err != nil {
		return nil, wrapWeights(err)
	}
	if md.Format != Format || md.Version != FormatVersion {
		return nil, fmt.Errorf("%w: %s: array \"meta\": format %q version %d, want %q version %d", ErrWeights, path, md.Format, md.Version, Format, FormatVersion)
	}
	c, n := md.Classes, md.Pixels
	if c < 1 || n < 2 {
		return nil, fmt.Errorf("%w: %s: array \"meta\": %d classes of %d pixels", ErrWeights, path, c, n)
	}
	if md.Settings != (Settings{}) {
		if err := md.Settings.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %s: array \"meta\": %w", ErrWeights, path, err)
		}
	}
	want := func(a *npy.Array, shape ...int) error {
		if !slices.Equal(a.Shape, shape) {
			return fmt.Errorf("%w: %s: array %q has shape %s, want %s", ErrWeights, path, a.Name, npy.ShapeString(a.Shape), npy.ShapeString(shape))
		}
		return nil
	}
	indptr, err := get("indptr", true)
	if err != nil {
		return nil, err
	}
	if err := want(indptr, c*n+1); err != nil {
		return nil, err
	}
	nnz := int(indptr.Data[c*n])
	arrs := map[string]*npy.Array{}
	for _, name := range []string{"indices", "data", "data_reverse"} {
		a, err := get(name, name != "data_reverse")
		if err != nil {
			return nil, err
		}
		if a != nil {
			if err := want(a, nnz); err != nil {
				return nil, fmt.Errorf("%w (indptr ends at %d)", err, nnz)
			}
		}
		arrs[name] = a
	}
	m := &Model{Settings: md.Settings, Classes: c, Pixels: n, Nets: make([]CSR, c)}
	for cl := 0; cl < c; cl++ {
		lo := int64(indptr.Data[cl*n])
		net := CSR{N: n, Indptr: make([]int64, n+1)}
		for i := 0; i <= n; i++ {
			p := indptr.Data[cl*n+i]
			if p < float64(lo) || p > float64(nnz) || (i > 0 && int64(p) < lo+net.Indptr[i-1]) {
				return nil, fmt.Errorf("%w: %s: array \"indptr\": entry %d = %v is not a non-decreasing offset in [0, %d]", ErrWeights, path, cl*n+i, p, nnz)
			}
			net.Indptr[i] = int64(p) - lo
		}
		hi := lo + net.Indptr[n]
		net.Indices = make([]int32, hi-lo)
		for k := range net.Indices {
			net.Indices[k] = int32(arrs["indices"].Data[lo+int64(k)])
		}
		net.Data = toF32(arrs["data"].Data[lo:hi])
		if r := arrs["data_reverse"]; r != nil {
			net.Reverse = toF32(r.Data[lo:hi])
		}
		m.Nets[cl] = net
	}
	if p, err := get("prototypes", false); err != nil {
		return nil, err
	} else if p != nil {
		if err := want(p, c, n); err != nil {
			return nil, err
		}
		if m.Prototypes, err = toSpins(p, path); err != nil {
			return nil, err
		}
	}
	if a, err := get("counts", false); err != nil {
		return nil, err
	} else if a != nil {
		if err := want(a, c); err != nil {
			return nil, err
		}
		m.Counts = make([]int, c)
		for i, v := range a.Data {
			m.Counts[i] = int(v)
		}
	}
	return m, nil
}

func toF32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func toSpins(a *npy.Array, path string) ([]int8, error) {
	out := make([]int8, len(a.Data))
	for k, v := range a.Data {
		switch v {
		case 1:
			out[k] = 1
		case -1:
			out[k] = -1
		default:
			return nil, fmt.Errorf("%w: %s: array %q: entry %d is %v, want +1 or -1", ErrWeights, path, a.Name, k, v)
		}
	}
	return out, nil
}

// modelFromDense builds a model from a dense C×N×N or N×N weights array:
// its nonzero off-diagonal entries are the couplings.
func modelFromDense(w *npy.Array, protos *npy.Array, path string) (*Model, error) {
	var c, n int
	switch len(w.Shape) {
	case 2:
		c, n = 1, w.Shape[0]
		if w.Shape[1] != n {
			return nil, fmt.Errorf("%w: %s: array %q has shape %s, want (N, N) or (C, N, N)", ErrWeights, path, w.Name, npy.ShapeString(w.Shape))
		}
	case 3:
		c, n = w.Shape[0], w.Shape[1]
		if w.Shape[2] != n {
			return nil, fmt.Errorf("%w: %s: array %q has shape %s, want (C, N, N) with equal last two dimensions", ErrWeights, path, w.Name, npy.ShapeString(w.Shape))
		}
	default:
		return nil, fmt.Errorf("%w: %s: array %q has shape %s, want (N, N) or (C, N, N)", ErrWeights, path, w.Name, npy.ShapeString(w.Shape))
	}
	if c < 1 || n < 2 {
		return nil, fmt.Errorf("%w: %s: array %q has shape %s: need at least one class of two pixels", ErrWeights, path, w.Name, npy.ShapeString(w.Shape))
	}
	m := &Model{Classes: c, Pixels: n, Nets: make([]CSR, c)}
	for cl := 0; cl < c; cl++ {
		block := w.Data[cl*n*n : (cl+1)*n*n]
		net := CSR{N: n, Indptr: make([]int64, n+1)}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				v := block[i*n+j]
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("%w: %s: array %q: entry [%d, %d, %d] is %v", ErrWeights, path, w.Name, cl, i, j, v)
				}
				if i == j {
					if v != 0 {
						return nil, fmt.Errorf("%w: %s: array %q: diagonal entry [%d, %d, %d] is %v, want 0 (eq (1): no self-coupling; np.fill_diagonal(W[c], 0))", ErrWeights, path, w.Name, cl, i, i, v)
					}
					continue
				}
				if v != 0 {
					net.Indices = append(net.Indices, int32(j))
					net.Data = append(net.Data, float32(v))
					net.Reverse = append(net.Reverse, float32(block[j*n+i]))
				}
			}
			net.Indptr[i+1] = int64(len(net.Indices))
		}
		m.Nets[cl] = net
	}
	if protos != nil {
		if !slices.Equal(protos.Shape, []int{c, n}) {
			return nil, fmt.Errorf("%w: %s: array %q has shape %s, want (%d, %d) to match the weights", ErrWeights, path, protos.Name, npy.ShapeString(protos.Shape), c, n)
		}
		var err error
		if m.Prototypes, err = toSpins(protos, path); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// check verifies the model's internal consistency: sizes, CSR structure,
// finite values, ±1 prototypes.
func (m *Model) check() error {
	c, n := m.Classes, m.Pixels
	if c < 1 || n < 2 || len(m.Nets) != c {
		return fmt.Errorf("model has %d classes, %d pixels and %d networks", c, n, len(m.Nets))
	}
	for cl, net := range m.Nets {
		if net.N != n || len(net.Indptr) != n+1 || net.Indptr[0] != 0 || int(net.Indptr[n]) != len(net.Indices) || len(net.Data) != len(net.Indices) {
			return fmt.Errorf("class %d: malformed CSR (N=%d, %d row pointers, %d indices, %d values)", cl, net.N, len(net.Indptr), len(net.Indices), len(net.Data))
		}
		if net.Reverse != nil && len(net.Reverse) != len(net.Data) {
			return fmt.Errorf("class %d: %d reverse values for %d couplings", cl, len(net.Reverse), len(net.Data))
		}
		for i := 0; i < n; i++ {
			if net.Indptr[i+1] < net.Indptr[i] {
				return fmt.Errorf("class %d: row pointers decrease at row %d", cl, i)
			}
			prev := int32(-1)
			for p := net.Indptr[i]; p < net.Indptr[i+1]; p++ {
				j := net.Indices[p]
				if j < 0 || int(j) >= n || int(j) == i || j <= prev {
					return fmt.Errorf("class %d row %d: column %d is out of range [0,%d), on the diagonal or not ascending", cl, i, j, n)
				}
				prev = j
				if v := float64(net.Data[p]); math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("class %d: weight (%d, %d) is %v", cl, i, j, v)
				}
				if net.Reverse != nil {
					if v := float64(net.Reverse[p]); math.IsNaN(v) || math.IsInf(v, 0) {
						return fmt.Errorf("class %d: reverse weight (%d, %d) is %v", cl, j, i, v)
					}
				}
			}
		}
	}
	if m.Prototypes != nil {
		if len(m.Prototypes) != c*n {
			return fmt.Errorf("%d prototype values, want %d×%d", len(m.Prototypes), c, n)
		}
		for k, v := range m.Prototypes {
			if v != 1 && v != -1 {
				return fmt.Errorf("prototype %d pixel %d is %d, want ±1", k/n, k%n, v)
			}
		}
	}
	if m.Counts != nil && len(m.Counts) != c {
		return fmt.Errorf("%d class counts for %d classes", len(m.Counts), c)
	}
	return nil
}
