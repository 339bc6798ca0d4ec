package freqsync

import "testing"

func TestGridShares(t *testing.T) {
	for _, c := range []struct {
		r    Region
		want float64 // positives, from the paper's negative shares
	}{{Basic, 0.14}, {Circle, 0.125}, {Concave, 0.401}} {
		d := Grid(c.r, 34)
		if len(d.X) != 1156 {
			t.Fatalf("%s: %d examples", c.r, len(d.X))
		}
		if p := d.Positives(); p < c.want-0.01 || p > c.want+0.01 {
			t.Errorf("%s: %.3f positives, paper %.3f", c.r, p, c.want)
		}
	}
}
