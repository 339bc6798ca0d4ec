package npy

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func npyBytes(t testing.TB, shape []int, data any) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, shape, data); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func npzBytes(t testing.TB, arrays ...Out) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteArchive(&b, arrays); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		data any
		want []float64
	}{
		{"f8", []float64{1.5, -2, 0, 3e300, 5, 6}, []float64{1.5, -2, 0, 3e300, 5, 6}},
		{"f4", []float32{1.5, -2, 0, 4, 5, 6}, []float64{1.5, -2, 0, 4, 5, 6}},
		{"i8", []int64{-1, 2, -3, 4, 5, 1 << 40}, []float64{-1, 2, -3, 4, 5, 1 << 40}},
		{"i4", []int32{-1, 2, -3, 4, 5, 6}, []float64{-1, 2, -3, 4, 5, 6}},
		{"i2", []int16{-1, 2, -3, 4, 5, 6}, []float64{-1, 2, -3, 4, 5, 6}},
		{"i1", []int8{-1, 2, -3, 4, 5, 6}, []float64{-1, 2, -3, 4, 5, 6}},
		{"u1", []uint8{255, 2, 3, 4, 5, 6}, []float64{255, 2, 3, 4, 5, 6}},
		{"u2", []uint16{65535, 2, 3, 4, 5, 6}, []float64{65535, 2, 3, 4, 5, 6}},
		{"u4", []uint32{1 << 31, 2, 3, 4, 5, 6}, []float64{1 << 31, 2, 3, 4, 5, 6}},
		{"u8", []uint64{1 << 63, 2, 3, 4, 5, 6}, []float64{1 << 63, 2, 3, 4, 5, 6}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse("x.npy", npyBytes(t, []int{2, 3}, c.data))
			if err != nil {
				t.Fatal(err)
			}
			a, err := f.Array("")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Shape, []int{2, 3}) || !slices.Equal(a.Data, c.want) {
				t.Errorf("got shape %v data %v, want (2, 3) %v", a.Shape, a.Data, c.want)
			}
			z, err := Parse("x.npz", npzBytes(t, Out{"w", []int{6}, c.data}, Out{"m", []int{}, []uint8{7}}))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(z.Names(), []string{"w", "m"}) {
				t.Errorf("names %v", z.Names())
			}
			a, err = z.Array("w")
			if err != nil || !slices.Equal(a.Data, c.want) {
				t.Errorf("npz: %v %v", a, err)
			}
			if s, err := z.Array("m"); err != nil || len(s.Shape) != 0 || !slices.Equal(s.Data, []float64{7}) {
				t.Errorf("scalar: %+v %v", s, err)
			}
		})
	}
}

// handMade builds a .npy from a header dict and raw data bytes.
func handMade(dict string, data []byte) []byte {
	hdr := dict + strings.Repeat(" ", (64-(10+len(dict)+1)%64)%64) + "\n"
	b := append(Magic[:], 1, 0, byte(len(hdr)), byte(len(hdr)>>8))
	return append(append(b, hdr...), data...)
}

func TestFortranAndBigEndian(t *testing.T) {
	t.Parallel()
	// A 2×3 array [[1 2 3] [4 5 6]] in Fortran order is 1 4 2 5 3 6.
	raw := []byte{}
	for _, v := range []uint16{1, 4, 2, 5, 3, 6} {
		raw = append(raw, byte(v>>8), byte(v)) // big-endian
	}
	f, err := Parse("f.npy", handMade("{'descr': '>u2', 'fortran_order': True, 'shape': (2, 3), }", raw))
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.Array("")
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{1, 2, 3, 4, 5, 6}; !slices.Equal(a.Data, want) {
		t.Errorf("got %v, want %v", a.Data, want)
	}
}

// TestMalformed holds the crash and silent-corruption cases of issue 15:
// each is an error naming the file (and the array), never a panic, a
// huge allocation or missing data read as zeros.
func TestMalformed(t *testing.T) {
	t.Parallel()
	good := npyBytes(t, []int{4, 4}, make([]float64, 16))
	huge := handMade("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }", make([]byte, 64))
	over := handMade("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }", nil)
	short := good[:len(good)-8]
	// An .npz whose member is a .npy cut short (the zip itself is fine).
	cutMember := npzBytes(t, Out{"row", []int{3}, []int64{0, 1, 2}})
	cutInside := rawZip("row.npy", short)
	whole := npzBytes(t, Out{"row", []int{3}, []int64{0, 1, 2}}, Out{"col", []int{3}, []int64{1, 2, 0}})
	for _, c := range []struct {
		name, file string
		data       []byte
		array      string
		want       string
	}{
		{"empty", "e.npy", nil, "", "too short"},
		{"magic only", "m.npy", Magic[:], "", "preamble"},
		{"huge header claim", "h.npy", huge, "", "data cut short: shape (100000, 100000) of <f8 needs 80000000000 bytes, the file holds 64"},
		{"overflowing shape", "o.npy", over, "", "declares more than"},
		{"truncated data", "t.npy", short, "", "data cut short"},
		{"trailing data", "t.npy", append(slices.Clone(good), 0), "", "trailing data"},
		{"truncated npz member", "w.npz", cutInside, "row", `w.npz: array "row": data cut short`},
		{"cut npz", "w.npz", whole[:len(whole)-30], "row", "w.npz: not a readable .npz"},
		{"missing array", "w.npz", cutMember, "col", `no array "col" (it holds row)`},
		{"bad dtype", "d.npy", handMade("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", make([]byte, 16)), "", "unsupported dtype"},
		{"structured", "s.npy", handMade("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", make([]byte, 8)), "", "structured"},
		{"no shape", "s.npy", handMade("{'descr': '<f8', 'fortran_order': False, }", make([]byte, 8)), "", "lacks the key \"shape\""},
		{"negative dim", "s.npy", handMade("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", nil), "", "shape must be"},
		{"version 9", "v.npy", append(append(Magic[:], 9, 0), good[8:]...), "", "version 9.0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse(c.file, c.data)
			if err == nil {
				_, err = f.Array(c.array)
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), c.file+": ") {
				t.Errorf("got %q, want an ErrFormat naming %s and containing %q", err, c.file, c.want)
			}
		})
	}
	// Every cut of a valid file inside its header is an error.
	for k := 0; k < len(good); k++ {
		f, err := Parse("c.npy", good[:k])
		if err == nil {
			_, err = f.Array("")
		}
		if err == nil {
			t.Errorf("cut at %d of %d bytes: no error", k, len(good))
		}
	}
}

func TestCheckValues(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    float64
		want string
	}{
		{math.NaN(), `w.npy: entry [1, 0] is NaN`},
		{math.Inf(-1), `w.npy: entry [1, 0] is -Inf`},
		{1e308, `w.npy: entry [1, 0] is 1e+308, beyond the plausible magnitude 1e+15`},
	} {
		f, _ := Parse("w.npy", npyBytes(t, []int{2, 2}, []float64{0, 1, c.v, 0}))
		a, err := f.Array("")
		if err != nil {
			t.Fatal(err)
		}
		if err := a.CheckValues(1e15); err == nil || err.Error() != c.want {
			t.Errorf("got %v, want %s", err, c.want)
		}
	}
}

// FuzzParse feeds arbitrary bytes as .npy and .npz: no panic, and
// whatever is accepted has as many values as its shape declares.
func FuzzParse(f *testing.F) {
	f.Add(npyBytes(f, []int{2, 2}, []float64{0, 1, 2, 3}))
	f.Add(npyBytes(f, []int{3}, []int8{-1, 0, 1}))
	f.Add(handMade("{'descr': '>i4', 'fortran_order': True, 'shape': (2, 1), }", make([]byte, 8)))
	f.Add(npzBytes(f, Out{"row", []int{2}, []int64{0, 1}}, Out{"col", []int{2}, []int32{1, 0}}, Out{"data", []int{2}, []float32{1, 2}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Parse("f", b)
		if err != nil {
			return
		}
		file.MaxElements = 1 << 20
		names := file.Names()
		if !file.IsArchive() {
			names = []string{""}
		}
		for _, n := range names {
			a, err := file.Array(n)
			if err != nil {
				if !errors.Is(err, ErrFormat) {
					t.Fatalf("error %v is not ErrFormat", err)
				}
				continue
			}
			nel, err := Elements(a.Shape, 1<<20)
			if err != nil || nel != len(a.Data) {
				t.Fatalf("shape %v with %d values", a.Shape, len(a.Data))
			}
		}
	})
}
