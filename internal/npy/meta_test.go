package npy

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// SaveArchive puts "meta" first and File.Meta reads it back; a "meta"
// array that is not bytes of JSON is an error naming the file and array.
func TestMetaRoundTrip(t *testing.T) {
	t.Parallel()
	type doc struct {
		Format string `json:"format"`
		N      int    `json:"n"`
	}
	path := filepath.Join(t.TempDir(), "m.npz")
	if err := SaveArchive(path, doc{"x", 3}, []Out{{Name: "a", Shape: []int{2}, Data: []float64{1, 2}}}); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Names(); len(got) != 2 || got[0] != MetaName {
		t.Fatalf("arrays %v, want meta first", got)
	}
	var d doc
	if err := f.Meta(&d); err != nil || d != (doc{"x", 3}) {
		t.Fatalf("Meta: %+v, %v", d, err)
	}

	const bad = "bad.npz"
	for _, data := range []any{[]float64{123.5}, []int16{300}, []uint8("{")} {
		f, err := Parse(bad, npzBytes(t, Out{Name: MetaName, Shape: []int{1}, Data: data}))
		if err != nil {
			t.Fatal(err)
		}
		err = f.Meta(&d)
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), `bad.npz: array "meta"`) {
			t.Errorf("meta %v: error %v", data, err)
		}
	}
}
