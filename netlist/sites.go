package netlist

import (
	"fmt"
	"sort"

	"oscsim/internal/npy"
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
	case Layered:
		li, lj := c.LayerOf(i), c.LayerOf(j)
		return li >= 0 && lj == li+1
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
	f, err := openNumpy(path, read)
	if err != nil {
		return nil, err
	}
	name := f.Path
	set := map[Pair]bool{}
	add := func(i, j int) {
		if i != j {
			set[Pair{int32(min(i, j)), int32(max(i, j))}] = true
		}
	}
	dense := func(a *npy.Array) error {
		shape := a.Shape
		var stacks int
		switch {
		case len(shape) == 2 && shape[0] == n && shape[1] == n:
			stacks = 1
		case len(shape) == 3 && shape[1] == n && shape[2] == n:
			stacks = shape[0]
		default:
			return a.Errorf("the mask has shape %s, want (%d, %d) or (C, %d, %d) for %d oscillators", npy.ShapeString(shape), n, n, n, n, n)
		}
		if err := a.CheckValues(0); err != nil {
			return err
		}
		for s := 0; s < stacks; s++ {
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					if a.Data[(s*n+i)*n+j] != 0 {
						add(i, j)
					}
				}
			}
		}
		return nil
	}
	if !f.IsArchive() {
		a, err := f.Array("")
		if err != nil {
			return nil, err
		}
		if err := dense(a); err != nil {
			return nil, err
		}
		return sortedSites(name, set)
	}
	list := f.Names()
	sort.Strings(list)
	get := func(k string) (*npy.Array, error) {
		a, err := f.Array(k)
		if err != nil {
			return nil, err
		}
		if len(a.Shape) != 1 {
			return nil, a.Errorf("has shape %s, want 1-D", npy.ShapeString(a.Shape))
		}
		return a, nil
	}
	// pair reads two 1-D index arrays a and b and the optional "data"
	// (zero data entries are no sites), all of one length where it
	// matters, as ints: b's in [0, n), a's in [0, n) too or, when a is
	// b's row pointer (rowPtr), in [0, len(b)].
	pair := func(a, b string, rowPtr bool) (xa *npy.Array, x, y []int, val *npy.Array, err error) {
		var ya *npy.Array
		if xa, err = get(a); err != nil {
			return
		}
		if ya, err = get(b); err != nil {
			return
		}
		if f.Has("data") {
			if val, err = get("data"); err != nil {
				return
			}
			if err = val.CheckValues(0); err != nil {
				return
			}
		}
		if (!rowPtr && len(xa.Data) != len(ya.Data)) || (val != nil && len(val.Data) != len(ya.Data)) {
			nv := 0
			if val != nil {
				nv = len(val.Data)
			}
			err = fmt.Errorf("%s: arrays %s, %s and data have lengths %d, %d, %d; want equal", name, a, b, len(xa.Data), len(ya.Data), nv)
			return
		}
		if rowPtr {
			if y, err = ya.Ints(n); err == nil {
				x, err = xa.Ints(len(y) + 1)
			}
		} else if x, err = xa.Ints(n); err == nil {
			y, err = ya.Ints(n)
		}
		return
	}
	nonzero := func(val *npy.Array, k int) bool { return val == nil || val.Data[k] != 0 }
	switch {
	case f.Has("indptr") && f.Has("indices"):
		pa, ptr, idx, val, err := pair("indptr", "indices", true)
		if err != nil {
			return nil, err
		}
		rows := len(ptr) - 1
		if rows < n || rows%n != 0 {
			return nil, pa.Errorf("describes %d rows, want a multiple of %d (one per oscillator per stack)", rows, n)
		}
		if ptr[0] != 0 || ptr[rows] != len(idx) {
			return nil, pa.Errorf("runs %d…%d, want 0…%d (the length of indices)", ptr[0], ptr[rows], len(idx))
		}
		for r := 0; r < rows; r++ {
			a, b := ptr[r], ptr[r+1]
			if b < a {
				return nil, pa.Errorf("decreases at row %d", r)
			}
			for k := a; k < b; k++ {
				if nonzero(val, k) {
					add(r%n, idx[k])
				}
			}
		}
	case f.Has("row") && f.Has("col"):
		_, rs, cs, val, err := pair("row", "col", false)
		if err != nil {
			return nil, err
		}
		for k := range rs {
			if nonzero(val, k) {
				add(rs[k], cs[k])
			}
		}
	default:
		key := ""
		switch {
		case len(list) == 1:
			key = list[0]
		case f.Has("mask"):
			key = "mask"
		case f.Has("weights"):
			key = "weights"
		default:
			return nil, fmt.Errorf("%s holds arrays %v: want a single array, \"mask\", \"weights\", row/col or indptr/indices", name, list)
		}
		a, err := f.Array(key)
		if err != nil {
			return nil, err
		}
		if err := dense(a); err != nil {
			return nil, err
		}
	}
	return sortedSites(name, set)
}

// sortedSites returns the sites of set in increasing (I, J) order.
func sortedSites(name string, set map[Pair]bool) ([]Pair, error) {
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
