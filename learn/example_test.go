package learn_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"oscsim/dataset"
	"oscsim/learn"
)

// ExampleTrain trains OscNet v1.5 on four 2×2 images of two classes and
// classifies images by the lowest Hopfield energy (eq 11). (A Hebbian
// network cannot tell a pattern from its negative, x x^T = (-x)(-x)^T, so
// the two classes must not be each other's negatives.)
func ExampleTrain() {
	im := dataset.Images{N: 4, Rows: 2, Cols: 2, Pix: []uint8{
		255, 255, 0, 0, // class 0: top row ink
		255, 200, 0, 10,
		255, 0, 255, 0, // class 1: left column ink
		220, 30, 255, 0,
	}}
	labels := dataset.Labels{0, 0, 1, 1}
	x, err := learn.Binarize(im, 0.5)
	if err != nil {
		fmt.Println(err)
		return
	}
	set := learn.DefaultSettings()
	set.K = 2
	m, err := learn.Train(context.Background(), x, labels, set)
	if err != nil {
		fmt.Println(err)
		return
	}
	cl := m.Classifier()
	fmt.Println("prototype 1:", m.Prototype(1))
	fmt.Println("class of [+ + - -]:", cl.Classify([]int8{1, 1, -1, -1}))
	fmt.Println("class of [+ - + -]:", cl.Classify([]int8{1, -1, 1, -1}))
	// Output:
	// prototype 1: [1 -1 1 -1]
	// class of [+ + - -]: 0
	// class of [+ - + -]: 1
}

// ExampleLoad saves a model and loads it back, then walks the couplings
// of one class as (row, column, value) triplets.
func ExampleLoad() {
	im := dataset.Images{N: 2, Rows: 1, Cols: 3, Pix: []uint8{255, 255, 0, 0, 0, 255}}
	x, _ := learn.Binarize(im, 0.5)
	set := learn.DefaultSettings()
	set.Rule = learn.RuleFull
	m, err := learn.Train(context.Background(), x, dataset.Labels{0, 1}, set)
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, _ := os.MkdirTemp("", "learn")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "w.npz")
	if err := m.Save(path); err != nil {
		fmt.Println(err)
		return
	}
	back, err := learn.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, cols, vals := back.Nets[0].Triplets()
	fmt.Println(back.Classes, back.Pixels, len(rows), back.Settings.Rule)
	fmt.Println(rows[0], cols[0], vals[0] == m.Nets[0].Data[0])
	// Output:
	// 2 3 6 full
	// 0 1 true
}
