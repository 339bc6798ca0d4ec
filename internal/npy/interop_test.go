package npy

import (
	"bytes"
	"slices"
	"testing"

	"github.com/sbinet/npyio"
	"github.com/sbinet/npyio/npz"
)

// TestReadsOtherWriters reads files written by another implementation
// (sbinet/npyio), whose headers are laid out differently from ours.
func TestReadsOtherWriters(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := npyio.Write(&b, []float32{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	f, err := Parse("a.npy", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.Array("")
	if err != nil || !slices.Equal(a.Data, []float64{1, 2, 3}) {
		t.Fatalf("npy: %v %v", a, err)
	}
	var z bytes.Buffer
	zw := npz.NewWriter(&z)
	if err := zw.Write("row", []int64{0, 1}); err != nil {
		t.Fatal(err)
	}
	if err := zw.Write("data", []float64{0.5, -1}); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	f, err = Parse("b.npz", z.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if a, err := f.Array("data"); err != nil || !slices.Equal(a.Data, []float64{0.5, -1}) {
		t.Fatalf("npz: %v %v", a, err)
	}
}
