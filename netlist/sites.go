package netlist

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sbinet/npyio/npz"
)

// A "sites" fabric (couplings.topology = "sites", couplings.sites = FILE)
// builds programmable coupler sites only on the pairs a mask file names:
// a chip laid out for one sparsity pattern, e.g. the union of OscNet's
// per-class top-k networks. Its area and leakage scale with the number of
// sites, and Program refuses couplings outside them, as the silicon would.
//
// Design choice [A] (no paper fixes a mask format): the mask is the nonzero
// pattern of any of
//   - a dense (N, N) or stacked (C, N, N) array in a .npy, or in an .npz as
//     its only array or the array "weights" / "mask";
//   - an .npz sparse triplet "row", "col" (and optional "data": zero data
//     entries are not sites);
//   - an .npz CSR "indptr", "indices" (optional "data") whose row count is a
//     multiple of N, rows c·N+i of stack c: the layout of `oscsim train`'s
//     weights files, so a trained model's file is directly a mask;
//
// symmetrised as couplers are (site i–j if either direction is nonzero) and
// united over stacks. The diagonal is ignored.

// Pair is one coupler site between oscillators I < J.
type Pair struct{ I, J int32 }

// HasSite reports whether the fabric builds a coupler site between
// oscillators i and j (in either order). "explicit" chips have a site for
// every pair they are given (they are laid out for their program), so it
// reports true.
func (n *Netlist) HasSite(i, j int) bool {
	if i == j {
		return false
	}
	if i > j {
		i, j = j, i
	}
	c := &n.Couplings
	switch c.Topology {
	case Kings, Grid:
		cols := n.Oscillators.Cols
		if cols == 0 {
			return false
		}
		dr, dc := abs(i/cols-j/cols), abs(i%cols-j%cols)
		if c.Topology == Grid {
			return dr+dc == 1
		}
		return dr <= 1 && dc <= 1
	case Sites:
		k := sort.Search(len(c.Sites), func(k int) bool {
			s := c.Sites[k]
			return int(s.I) > i || (int(s.I) == i && int(s.J) >= j)
		})
		return k < len(c.Sites) && int(c.Sites[k].I) == i && int(c.Sites[k].J) == j
	}
	return true
}

// readSites reads a mask file (see above) for n oscillators and returns
// its sites in increasing (I, J) order.
func readSites(path string, n int, read FileReader) ([]Pair, error) {
	if read == nil {
		read = os.ReadFile
	}
	data, err := read(path)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(path)
	set := map[Pair]bool{}
	add := func(i, j int) {
		if i != j {
			set[Pair{int32(min(i, j)), int32(max(i, j))}] = true
		}
	}
	dense := func(what string, d []float64, shape []int) error {
		var stacks int
		switch {
		case len(shape) == 2 && shape[0] == n && shape[1] == n:
			stacks = 1
		case len(shape) == 3 && shape[1] == n && shape[2] == n:
			stacks = shape[0]
		default:
			return fmt.Errorf("%s: %s has shape %v, want (%d, %d) or (C, %d, %d) for %d oscillators", name, what, shape, n, n, n, n, n)
		}
		for s := 0; s < stacks; s++ {
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					w := d[(s*n+i)*n+j]
					if math.IsNaN(w) || math.IsInf(w, 0) {
						return fmt.Errorf("%s: %s has a non-finite entry at %v", name, what, []int{s, i, j}[3-len(shape):])
					}
					if w != 0 {
						add(i, j)
					}
				}
			}
		}
		return nil
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".npy":
		d, shape, err := readNpy(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := dense("the array", d, shape); err != nil {
			return nil, err
		}
	case ".npz":
		z, err := npz.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		keys := map[string]bool{}
		var list []string
		for _, k := range z.Keys() {
			k = strings.TrimSuffix(k, ".npy")
			keys[k] = true
			list = append(list, k)
		}
		sort.Strings(list)
		get := func(k string, dims int) ([]float64, error) {
			v, shape, err := readNpzArray(z, k)
			if err != nil {
				return nil, fmt.Errorf("%s: array %q: %w", name, k, err)
			}
			if dims > 0 && len(shape) != dims {
				return nil, fmt.Errorf("%s: array %q has shape %v, want %d-D", name, k, shape, dims)
			}
			return v, nil
		}
		index := func(what string, k int, x float64, lim int) (int, error) {
			if x != math.Trunc(x) || x < 0 || int(x) >= lim {
				return 0, fmt.Errorf("%s: %s entry %d is %g, outside 0…%d", name, what, k, x, lim-1)
			}
			return int(x), nil
		}
		// pair reads two 1-D index arrays and the optional "data" (zero
		// data entries are no sites), all of one length where it matters.
		pair := func(a, b string, sameLen bool) (x, y, val []float64, err error) {
			if x, err = get(a, 1); err != nil {
				return
			}
			if y, err = get(b, 1); err != nil {
				return
			}
			if keys["data"] {
				if val, err = get("data", 1); err != nil {
					return
				}
			}
			if (sameLen && len(x) != len(y)) || (val != nil && len(val) != len(y)) {
				err = fmt.Errorf("%s: arrays %s, %s and data have lengths %d, %d, %d; want equal", name, a, b, len(x), len(y), len(val))
			}
			return
		}
		switch {
		case keys["indptr"] && keys["indices"]:
			ptr, idx, val, err := pair("indptr", "indices", false)
			if err != nil {
				return nil, err
			}
			rows := len(ptr) - 1
			if rows < n || rows%n != 0 {
				return nil, fmt.Errorf("%s: indptr describes %d rows, want a multiple of %d (one per oscillator per stack)", name, rows, n)
			}
			if ptr[0] != 0 || int(ptr[rows]) != len(idx) {
				return nil, fmt.Errorf("%s: indptr runs %g…%g, want 0…%d (the length of indices)", name, ptr[0], ptr[rows], len(idx))
			}
			for r := 0; r < rows; r++ {
				a, b := ptr[r], ptr[r+1]
				if b < a {
					return nil, fmt.Errorf("%s: indptr decreases at row %d", name, r)
				}
				for k := int(a); k < int(b); k++ {
					j, err := index("indices", k, idx[k], n)
					if err != nil {
						return nil, err
					}
					if val == nil || val[k] != 0 {
						add(r%n, j)
					}
				}
			}
		case keys["row"] && keys["col"]:
			rs, cs, val, err := pair("row", "col", true)
			if err != nil {
				return nil, err
			}
			for k := range rs {
				i, err := index("row", k, rs[k], n)
				if err != nil {
					return nil, err
				}
				j, err := index("col", k, cs[k], n)
				if err != nil {
					return nil, err
				}
				if val == nil || val[k] != 0 {
					add(i, j)
				}
			}
		default:
			key := ""
			switch {
			case len(list) == 1:
				key = list[0]
			case keys["mask"]:
				key = "mask"
			case keys["weights"]:
				key = "weights"
			default:
				return nil, fmt.Errorf("%s holds arrays %v: want a single array, \"mask\", \"weights\", row/col or indptr/indices", name, list)
			}
			d, shape, err := readNpzArray(z, key)
			if err != nil {
				return nil, fmt.Errorf("%s: array %q: %w", name, key, err)
			}
			if err := dense(fmt.Sprintf("array %q", key), d, shape); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("%s: unknown mask format %q (want .npy or .npz)", name, filepath.Ext(path))
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("%s: the mask has no off-diagonal nonzero entry, so the fabric would have no sites", name)
	}
	out := make([]Pair, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Slice(out, func(a, b int) bool {
		return out[a].I < out[b].I || (out[a].I == out[b].I && out[a].J < out[b].J)
	})
	return out, nil
}
