package npy

import (
	"bufio"
	"encoding/json"
	"fmt"

	"oscsim/internal/atomicfile"
)

// The project's own .npz files (OscNet weights, layered EP weights) carry
// a "meta" array first: a JSON document as uint8 bytes, which names the
// layout (format and version) and holds every setting needed to use the
// arrays again. MetaArray and SaveArchive write it, File.Meta reads it.

// MetaName is the name of the JSON array in the project's .npz files.
const MetaName = "meta"

// MetaArray returns the "meta" array holding meta as JSON bytes.
func MetaArray(meta any) (Out, error) {
	js, err := json.Marshal(meta)
	if err != nil {
		return Out{}, fmt.Errorf("npy: meta: %w", err)
	}
	return Out{Name: MetaName, Shape: []int{len(js)}, Data: js}, nil
}

// SaveArchive writes an .npz to path atomically (a crash never leaves half
// a file): first the "meta" array holding meta as JSON bytes, then arrays.
func SaveArchive(path string, meta any, arrays []Out) error {
	m, err := MetaArray(meta)
	if err != nil {
		return err
	}
	all := append([]Out{m}, arrays...)
	return atomicfile.Write(path, func(w *bufio.Writer) error { return WriteArchive(w, all) })
}

// Meta decodes the archive's "meta" array (JSON bytes) into v. The error
// is an *Error naming the file and the array.
func (f *File) Meta(v any) error {
	a, err := f.Array(MetaName)
	if err != nil {
		return err
	}
	js := make([]byte, len(a.Data))
	for i, b := range a.Data {
		if b < 0 || b > 255 || b != float64(byte(b)) {
			return a.Errorf("element %s = %g is not a byte of JSON", a.Index(i), b)
		}
		js[i] = byte(b)
	}
	if err := json.Unmarshal(js, v); err != nil {
		return a.Errorf("%v", err)
	}
	return nil
}
