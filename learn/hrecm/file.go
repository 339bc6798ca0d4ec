package hrecm

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/sbinet/npyio/npy"
	"github.com/sbinet/npyio/npz"
	"gonum.org/v1/gonum/mat"

	"oscsim/internal/atomicfile"
)

// Save writes a network, and the patterns it stores when given, as an .npz
// that numpy.load opens: "J" float64 (N, N) and "patterns" float64 (P, N)
// of ±1. The file is written atomically.
func Save(path string, net *Net, patterns [][]int8) error {
	return atomicfile.Write(path, func(w *bufio.Writer) error {
		z := npz.NewWriter(w)
		if err := z.Write("J", mat.NewDense(net.N, net.N, append([]float64(nil), net.J...))); err != nil {
			return err
		}
		if len(patterns) > 0 {
			p := mat.NewDense(len(patterns), net.N, nil)
			for k, s := range patterns {
				for i, v := range s {
					p.Set(k, i, float64(v))
				}
			}
			if err := z.Write("patterns", p); err != nil {
				return err
			}
		}
		return z.Close()
	})
}

// Load reads a network from an .npy holding a dense (N, N) array, or an
// .npz holding "J" (or "weights") (N, N) and optionally "patterns" (P, N)
// of ±1 (as Save writes). J must be symmetric with a zero diagonal.
func Load(path string) (*Net, [][]int8, error) {
	var j, p mat.Dense
	hasP := false
	switch filepath.Ext(path) {
	case ".npy":
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		if err := npy.Read(f, &j); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
	case ".npz":
		z, err := npz.Open(path)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		defer z.Close()
		keys := z.Keys()
		key := ""
		for _, k := range []string{"J", "weights"} {
			if slices.Contains(keys, k+".npy") || slices.Contains(keys, k) {
				key = k
				break
			}
		}
		if key == "" {
			return nil, nil, fmt.Errorf("%s holds %v: want an array \"J\" or \"weights\" of shape (N, N)", path, keys)
		}
		if err := z.Read(key, &j); err != nil {
			return nil, nil, fmt.Errorf("%s: %s: %w", path, key, err)
		}
		if slices.Contains(keys, "patterns.npy") || slices.Contains(keys, "patterns") {
			if err := z.Read("patterns", &p); err != nil {
				return nil, nil, fmt.Errorf("%s: patterns: %w", path, err)
			}
			hasP = true
		}
	default:
		return nil, nil, fmt.Errorf("%s: unknown weights format %q (want .npy or .npz)", path, filepath.Ext(path))
	}
	net, err := FromMatrix(&j)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	var pats [][]int8
	if hasP {
		r, c := p.Dims()
		if c != net.N {
			return nil, nil, fmt.Errorf("%s: patterns have %d spins, J has %d", path, c, net.N)
		}
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
	}
	return net, pats, nil
}
