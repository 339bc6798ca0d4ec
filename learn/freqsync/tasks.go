package freqsync

import (
	"fmt"
	"math"

	"oscsim/dataset"
	"oscsim/internal/vocab"
)

// Region is a 2-D target region of the synthetic tasks (Sec. IV).
type Region int

// The 2-D tasks' regions (docs/sync.md, "Tasks": the paper shows them only
// as maps; shapes and positions here are ours, sized to its class shares).
const (
	// Basic: a disc centred on the diagonal x1 = x2 (14% positives; the
	// paper: 86% negatives).
	Basic Region = iota
	// Circle: an off-diagonal disc (12.5% positives; paper 87.5% negatives).
	Circle
	// Concave: a crescent, a disc minus a disc (40% positives; paper 59.9%
	// negatives).
	Concave
)

var regionNames = []string{"basic", "circle", "concave"}

func (r Region) String() string { return vocab.Name(r, "Region", regionNames...) }

// UnmarshalText accepts "basic", "circle" or "concave".
func (r *Region) UnmarshalText(b []byte) error {
	return vocab.Index(r, b, "task", regionNames...)
}

// inside reports whether (u, v) ∈ [0, 1]² lies in the region.
func (r Region) inside(u, v float64) bool {
	in := func(cu, cv, rad float64) bool { return (u-cu)*(u-cu)+(v-cv)*(v-cv) <= rad*rad }
	switch r {
	case Basic:
		return in(0.38, 0.38, 0.215)
	case Circle:
		return in(0.3, 0.7, 0.2)
	default:
		return in(0.42, 0.42, 0.45) && !in(0.76, 0.76, 0.45)
	}
}

// Grid returns the 2-D task on a side×side regular grid over the input
// plane: x ∈ [500, 680]² (MHz, the tuning range, so the reference
// classifier's input oscillators run at x directly), one output pair that
// should synchronise inside the region. The paper's M = 1156 is side 34.
func Grid(r Region, side int) Data {
	var d Data
	for a := 0; a < side; a++ {
		for b := 0; b < side; b++ {
			u, v := (float64(a)+0.5)/float64(side), (float64(b)+0.5)/float64(side)
			d.X = append(d.X, []float64{500 + 180*u, 500 + 180*v})
			d.Y = append(d.Y, []bool{r.inside(u, v)})
		}
	}
	return d
}

// Positives returns the share of examples whose first pair should
// synchronise.
func (d Data) Positives() float64 {
	n := 0
	for _, y := range d.Y {
		if y[0] {
			n++
		}
	}
	return float64(n) / float64(len(d.Y))
}

// IrisSplit returns the paper's Iris split (Sec. V): the first 30 flowers
// of each species (in the file's order) for training, the other 20 for
// test. With species ≥ 0 the task is one-vs-rest (one pair, synchronised
// for that species); with species < 0 it is three-class with one pair per
// species, exactly the species' pair synchronised.
func IrisSplit(ir dataset.Iris, species int) (train, test Data, err error) {
	if species > 2 {
		return train, test, fmt.Errorf("freqsync: iris species %d out of range 0..2", species)
	}
	seen := [3]int{}
	for k, x := range ir.X {
		l := int(ir.Labels[k])
		if l < 0 || l > 2 {
			return train, test, fmt.Errorf("freqsync: iris label %d out of range", l)
		}
		var y []bool
		if species >= 0 {
			y = []bool{l == species}
		} else {
			y = []bool{l == 0, l == 1, l == 2}
		}
		row := []float64{x[0], x[1], x[2], x[3]}
		if seen[l] < 30 {
			train.X, train.Y = append(train.X, row), append(train.Y, y)
		} else {
			test.X, test.Y = append(test.X, row), append(test.Y, y)
		}
		seen[l]++
	}
	if len(train.X) != 90 || len(test.X) != 60 {
		return train, test, fmt.Errorf("freqsync: iris split %d/%d, want 90/60 (50 flowers a species)", len(train.X), len(test.X))
	}
	return train, test, nil
}

// meanStd returns the mean and the sample standard deviation.
func MeanStd(x []float64) (mean, sd float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	if len(x) < 2 {
		return mean, 0
	}
	for _, v := range x {
		sd += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sd / float64(len(x)-1))
}
