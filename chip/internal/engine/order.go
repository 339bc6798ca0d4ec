package engine

import (
	"cmp"
	"slices"
)

// RowOrder returns the order in which the stage passes visit the rings: a
// reverse Cuthill–McKee order of the coupling graph (Cuthill & McKee 1969;
// George 1971), in which consecutive rings share most of their neighbours,
// so the neighbours' trigonometric terms a row reads are still in the
// core's first-level cache from the row before. It changes no arithmetic:
// every row is computed the same way in any order.
//
// The graph is the CSR's pattern (symmetric: every coupler has both
// directions). Each connected component starts from a ring of least degree
// and is searched breadth first, neighbours by increasing degree.
func RowOrder(rowPtr, col []int32) []int32 {
	n := len(rowPtr) - 1
	deg := func(i int32) int32 { return rowPtr[i+1] - rowPtr[i] }
	byDeg := make([]int32, n)
	for i := range byDeg {
		byDeg[i] = int32(i)
	}
	byDegree := func(a, b int32) int { return cmp.Compare(deg(a), deg(b)) }
	slices.SortStableFunc(byDeg, byDegree)
	seen := make([]bool, n)
	order := make([]int32, 0, n)
	var nb []int32
	for _, s := range byDeg {
		if seen[s] {
			continue
		}
		seen[s] = true
		head := len(order)
		order = append(order, s)
		for ; head < len(order); head++ {
			i := order[head]
			nb = nb[:0]
			for _, j := range col[rowPtr[i]:rowPtr[i+1]] {
				if !seen[j] {
					seen[j] = true
					nb = append(nb, j)
				}
			}
			slices.SortStableFunc(nb, byDegree)
			order = append(order, nb...)
		}
	}
	for a, b := 0, len(order)-1; a < b; a, b = a+1, b-1 {
		order[a], order[b] = order[b], order[a]
	}
	return order
}
