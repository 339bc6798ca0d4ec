package engine

// A batch of one has no lanes along the inputs, so the vector kernels run
// along the rows instead: the stage passes' visiting order is cut into
// blocks of sellHeight rows, and each block's couplers are laid out
// column-major (SELL-C, Kreutzer et al., SIAM J. Sci. Comput. 36(5),
// C401–C423, 2014): entry x·16 + r is row r's x-th coupler, rows shorter
// than the block's longest padded with a zero coupler to the row's own
// ring. A vector lane then sums one row in the row's own order, gathering
// the source rings' terms, so it gives the bits of the scalar sums
// (rowSums2, rowSums1): each padding term adds 0·x = ±0 to a sum that is
// never −0 (a sum from +0 of nonzero terms rounds to +0 when they cancel),
// which leaves it unchanged; a padding source is the row's own ring, so
// it is not finite only when the row's own result is not either.
const sellHeight = 16

// sell holds the blocks: cols are the gathered terms' indices in the trig
// buffer (phase 2j, cycle j, with j the path-offset column colV), vals the
// conductances in T. With pairs (the phase model in float32), cols holds
// j itself, the index of the 64-bit pair sin φ_j ‖ cos φ_j that one
// gather fetches, and vals each value twice (x·32 + 2r and x·32 + 2r + 1),
// one for the sine's lane and one for the cosine's: gsum2PairsGo.
type sell[T real] struct {
	cols  [][]int32
	vals  [][]T
	pairs bool
}

// newSell lays out the rows of order in blocks (rows past the end of the
// last block sum zero couplers to ring 0 and are not read).
func newSell[T real](order, rowPtr, colV []int32, vals []float32, phase bool) *sell[T] {
	s := &sell[T]{pairs: phase && isFloat32[T]()}
	idx := func(j int32) int32 {
		if phase && !s.pairs {
			return 2 * j
		}
		return j
	}
	dup := 1
	if s.pairs {
		dup = 2
	}
	for lo := 0; lo < len(order); lo += sellHeight {
		hi := min(lo+sellHeight, len(order))
		L := 0
		for _, i := range order[lo:hi] {
			L = max(L, int(rowPtr[i+1]-rowPtr[i]))
		}
		cols, vs := make([]int32, L*sellHeight), make([]T, L*sellHeight*dup)
		for r := range sellHeight {
			var own int32
			var row []int32
			var g []float32
			if lo+r < hi {
				i := order[lo+r]
				own, row, g = idx(i), colV[rowPtr[i]:rowPtr[i+1]], vals[rowPtr[i]:rowPtr[i+1]]
			}
			for x := range L {
				cols[x*sellHeight+r] = own
				if x < len(row) {
					cols[x*sellHeight+r] = idx(row[x])
					for h := range dup {
						vs[(x*sellHeight+r)*dup+h] = T(g[x])
					}
				}
			}
		}
		s.cols, s.vals = append(s.cols, cols), append(s.vals, vs)
	}
	return s
}

// gsum2Go is the vector kernels' gsum2 in plain Go (the tests' reference):
// S[r] = Σ_x vals[x·16+r]·tb[cols[x·16+r]], C[r] the same over tb[… + 1].
func gsum2Go[T real](cols []int32, vals, tb, S, C []T) {
	vals = vals[:len(cols)]
	for r := range sellHeight {
		var s, c T
		for x := r; x < len(cols); x += sellHeight {
			j := int(cols[x])
			s += vals[x] * tb[j]
			c += vals[x] * tb[j+1]
		}
		S[r], C[r] = s, c
	}
}

// gsum2PairsGo is gsum2Go on the pair layout (float32 phase model):
// S[2r] = Σ_x vals[2(x·16+r)]·tb[2j], S[2r+1] = Σ_x vals[2(x·16+r)+1]·tb[2j+1]
// with j = cols[x·16+r]; C is not used.
func gsum2PairsGo[T real](cols []int32, vals, tb, S, _ []T) {
	vals = vals[:2*len(cols)]
	for r := range sellHeight {
		var s, c T
		for x := r; x < len(cols); x += sellHeight {
			j := 2 * int(cols[x])
			s += vals[2*x] * tb[j]
			c += vals[2*x+1] * tb[j+1]
		}
		S[2*r], S[2*r+1] = s, c
	}
}

// gsum1Go is gsum2Go's first sum alone (the cycle model's G·v).
func gsum1Go[T real](cols []int32, vals, tb, S []T) {
	vals = vals[:len(cols)]
	for r := range sellHeight {
		var s T
		for x := r; x < len(cols); x += sellHeight {
			s += vals[x] * tb[cols[x]]
		}
		S[r] = s
	}
}
