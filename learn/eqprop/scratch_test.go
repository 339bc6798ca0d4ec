package eqprop

import (
	"context"
	"testing"
)

func TestScratchDescent(t *testing.T) {
	W, _ := NewLayered(20, 16, 4)
	W.Init(1, 3)
	d := randomExamples(32, 20, 4, 7)
	idx := make([]int, 32)
	for i := range idx {
		idx[i] = i
	}
	ctx := context.Background()
	tr, err := NewLayeredTrainer(W, LayeredSettings{Time: 60, Beta: 0.01, LR: []float64{0.5}, Momentum: 0.0001})
	if err != nil {
		t.Fatal(err)
	}
	for it := 0; it < 200; it++ {
		r, err := tr.Step(ctx, d, idx)
		if err != nil {
			t.Fatal(err)
		}
		if it%20 == 19 {t.Logf("it %d cost %.4f correct %d", it, r.Cost, r.Correct)}
	}
}
