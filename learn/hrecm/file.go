package hrecm

import (
	"bufio"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"

	"oscsim/internal/atomicfile"
	"oscsim/internal/npy"
)

// Save writes a network, and the patterns it stores when given, as an .npz
// that numpy.load opens: "J" float64 (N, N) and "patterns" float64 (P, N)
// of ±1. The file is written atomically.
func Save(path string, net *Net, patterns [][]int8) error {
	arrays := []npy.Out{{Name: "J", Shape: []int{net.N, net.N}, Data: net.J}}
	if len(patterns) > 0 {
		p := make([]float64, 0, len(patterns)*net.N)
		for _, s := range patterns {
			for _, v := range s {
				p = append(p, float64(v))
			}
		}
		arrays = append(arrays, npy.Out{Name: "patterns", Shape: []int{len(patterns), net.N}, Data: p})
	}
	return atomicfile.Write(path, func(w *bufio.Writer) error { return npy.WriteArchive(w, arrays) })
}

// Load reads a network from an .npy holding a dense (N, N) array, or an
// .npz holding "J" (or "weights") (N, N) and optionally "patterns" (P, N)
// of ±1 (as Save writes). J must be symmetric with a zero diagonal.
func Load(path string) (*Net, [][]int8, error) {
	if ext := filepath.Ext(path); ext != ".npy" && ext != ".npz" {
		return nil, nil, fmt.Errorf("%s: unknown weights format %q (want .npy or .npz)", path, ext)
	}
	f, err := npy.Open(path)
	if err != nil {
		return nil, nil, err
	}
	key := ""
	if f.IsArchive() {
		for _, k := range []string{"J", "weights"} {
			if f.Has(k) {
				key = k
				break
			}
		}
		if key == "" {
			return nil, nil, fmt.Errorf("%s holds %s: want an array \"J\" or \"weights\" of shape (N, N)", path, strings.Join(f.Names(), ", "))
		}
	}
	j, err := matrix(f, key)
	if err != nil {
		return nil, nil, err
	}
	net, err := FromMatrix(j)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if !f.Has("patterns") {
		return net, nil, nil
	}
	p, err := matrix(f, "patterns")
	if err != nil {
		return nil, nil, err
	}
	r, c := p.Dims()
	if c != net.N {
		return nil, nil, fmt.Errorf("%s: patterns have %d spins, J has %d", path, c, net.N)
	}
	var pats [][]int8
	for k := 0; k < r; k++ {
		s := make([]int8, c)
		for i := range s {
			switch p.At(k, i) {
			case 1:
				s[i] = 1
			case -1:
				s[i] = -1
			default:
				return nil, nil, fmt.Errorf("%s: patterns[%d][%d] = %g, want ±1", path, k, i, p.At(k, i))
			}
		}
		pats = append(pats, s)
	}
	return net, pats, nil
}

// matrix reads the 2-D array name of f ("" for a .npy's one array).
func matrix(f *npy.File, name string) (*mat.Dense, error) {
	a, err := f.Array(name)
	if err != nil {
		return nil, err
	}
	if len(a.Shape) != 2 || slices.Contains(a.Shape, 0) {
		return nil, a.Errorf("shape %s, want a matrix", npy.ShapeString(a.Shape))
	}
	return mat.NewDense(a.Shape[0], a.Shape[1], a.Data), nil
}
