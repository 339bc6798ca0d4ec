package npy

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// Out is one array to write: its name in an archive, its shape, and its
// values as a slice of float64, float32, int64, int32, int16, int8, uint8,
// uint16, uint32 or uint64 in C order.
type Out struct {
	Name  string
	Shape []int
	Data  any
}

// descrOf returns the NumPy dtype string and length of a supported slice:
// a table of one case a dtype (same-shaped on purpose).
func descrOf(v any) (string, int, error) {
	switch x := v.(type) {
	case []float64:
		return "<f8", len(x), nil
	case []float32:
		return "<f4", len(x), nil
	case []int64:
		return "<i8", len(x), nil
	case []int32:
		return "<i4", len(x), nil
	case []int16:
		return "<i2", len(x), nil
	case []int8:
		return "|i1", len(x), nil
	case []uint8:
		return "|u1", len(x), nil
	case []uint16:
		return "<u2", len(x), nil
	case []uint32:
		return "<u4", len(x), nil
	case []uint64:
		return "<u8", len(x), nil
	}
	return "", 0, fmt.Errorf("npy: cannot write %T", v)
}

// Write writes one array as a .npy (format 1.0: magic, version, the
// little-endian header length, a Python-dict header padded with spaces to
// a multiple of 64 bytes, then the C-order data).
func Write(w io.Writer, shape []int, data any) error {
	descr, n, err := descrOf(data)
	if err != nil {
		return err
	}
	if nel, err := Elements(shape, int(^uint(0)>>1)); err != nil || nel != n {
		return fmt.Errorf("npy: shape %s does not hold %d values", ShapeString(shape), n)
	}
	hdr := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, ShapeString(shape))
	total := 10 + len(hdr) + 1
	hdr += strings.Repeat(" ", (64-total%64)%64) + "\n"
	if len(hdr) > 0xffff {
		return fmt.Errorf("npy: header of %d bytes does not fit format 1.0", len(hdr))
	}
	var pre bytes.Buffer
	pre.Write(Magic[:])
	pre.Write([]byte{1, 0})
	binary.Write(&pre, binary.LittleEndian, uint16(len(hdr)))
	pre.WriteString(hdr)
	if _, err := w.Write(pre.Bytes()); err != nil {
		return err
	}
	return binary.Write(w, binary.LittleEndian, data)
}

// WriteArchive writes arrays as an .npz (members "NAME.npy", deflated).
func WriteArchive(w io.Writer, arrays []Out) error {
	zw := zip.NewWriter(w)
	for _, a := range arrays {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: a.Name + ".npy", Method: zip.Deflate})
		if err != nil {
			return err
		}
		if err := Write(fw, a.Shape, a.Data); err != nil {
			return fmt.Errorf("array %s: %w", a.Name, err)
		}
	}
	return zw.Close()
}
