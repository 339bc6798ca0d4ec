package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// idxBytes builds an IDX file: big-endian uint32 header words then payload.
func idxBytes(hdr []uint32, payload []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, hdr)
	b.Write(payload)
	return b.Bytes()
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

// decodeCase is a table case of a decoder test: wantErr is a substring of
// the wanted error, "" for success.
type decodeCase struct {
	name    string
	data    []byte
	wantErr string
}

// runDecodeCases runs decode on each case's data: an error must be the
// case's, a success passes check.
func runDecodeCases[T any](t *testing.T, cases []decodeCase, decode func(io.Reader) (T, error), check func(*testing.T, T)) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := decode(bytes.NewReader(tc.data))
			if !wantFormatErr(t, err, tc.wantErr) {
				check(t, v)
			}
		})
	}
}

func TestDecodeImages(t *testing.T) {
	t.Parallel()
	runDecodeCases(t, []decodeCase{
		{"valid 3 images 2x4", idxBytes([]uint32{magicImages, 3, 2, 4}, seq(24)), ""},
		{"truncated payload", idxBytes([]uint32{magicImages, 3, 2, 4}, seq(23)), "truncated: header announces 24 payload bytes, file has 23"},
		{"trailing data", idxBytes([]uint32{magicImages, 3, 2, 4}, seq(25)), "trailing data"},
		{"truncated header", idxBytes([]uint32{magicImages, 3}, nil), "truncated header"},
		{"empty file", nil, "truncated header"},
		{"label magic", idxBytes([]uint32{magicLabels, 3, 2, 4}, seq(24)), "magic number 0x00000801, want 0x00000803 for IDX images (this is an IDX label file)"},
		{"float magic", idxBytes([]uint32{0x00000d03, 3, 2, 4}, seq(24)), "magic number 0x00000d03"},
		{"zero rows", idxBytes([]uint32{magicImages, 3, 0, 4}, nil), "every dimension must be positive"},
		{"huge dims", idxBytes([]uint32{magicImages, 1 << 20, 1 << 10, 1 << 10}, seq(10)), "more than the"},
		{"huge dims but tiny file", idxBytes([]uint32{magicImages, 1 << 10, 1 << 10, 1 << 10}, seq(10)), "truncated"},
	}, DecodeImages, func(t *testing.T, im Images) {
		if im.N != 3 || im.Rows != 2 || im.Cols != 4 || !bytes.Equal(im.Pix, seq(24)) {
			t.Fatalf("got %+v", im)
		}
	})
}

func TestDecodeLabels(t *testing.T) {
	t.Parallel()
	runDecodeCases(t, []decodeCase{
		{"valid", idxBytes([]uint32{magicLabels, 5}, []byte{0, 1, 2, 9, 3}), ""},
		{"truncated", idxBytes([]uint32{magicLabels, 6}, []byte{0, 1, 2, 9, 3}), "truncated"},
		{"image magic", idxBytes([]uint32{magicImages, 5}, []byte{0, 1, 2, 9, 3}), "(this is an IDX image file)"},
		{"zero count", idxBytes([]uint32{magicLabels, 0}, nil), "label count is 0"},
	}, DecodeLabels, func(t *testing.T, lb Labels) {
		if !bytes.Equal(lb, []byte{0, 1, 2, 9, 3}) {
			t.Fatalf("got %v", lb)
		}
	})
}

// wantFormatErr checks a decode's error against a table case's want: no
// error when want is "", else an ErrFormat containing want. It reports
// whether an error was wanted (nothing more to check).
func wantFormatErr(t *testing.T, err error, want string) bool {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("decode: %v", err)
	case want == "":
		return false
	case err == nil:
		t.Fatalf("no error, want %q", want)
	case !strings.Contains(err.Error(), want):
		t.Fatalf("error %q does not contain %q", err, want)
	case !errors.Is(err, ErrFormat):
		t.Fatalf("error %q does not wrap ErrFormat", err)
	}
	return true
}

// writeSplit writes a synthetic split (n images of 2×3) into dir,
// gzip-compressing the files if zip is set.
func writeSplit(t *testing.T, dir, prefix string, n int, zip bool) {
	t.Helper()
	img := idxBytes([]uint32{magicImages, uint32(n), 2, 3}, seq(n*6))
	lbl := idxBytes([]uint32{magicLabels, uint32(n)}, seq(n))
	suffix := ""
	if zip {
		img, lbl, suffix = gz(t, img), gz(t, lbl), ".gz"
	}
	if err := os.WriteFile(filepath.Join(dir, prefix+"-images-idx3-ubyte"+suffix), img, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, prefix+"-labels-idx1-ubyte"+suffix), lbl, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadSplit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeSplit(t, dir, "train", 5, false)
	writeSplit(t, dir, "t10k", 4, true)
	for _, tc := range []struct {
		split string
		n     int
	}{{"train", 5}, {"test", 4}} {
		im, lb, err := LoadSplit(dir, tc.split)
		if err != nil {
			t.Fatalf("LoadSplit(%s): %v", tc.split, err)
		}
		if im.N != tc.n || len(lb) != tc.n || im.Pixels() != 6 {
			t.Fatalf("LoadSplit(%s): %d images of %d px, %d labels", tc.split, im.N, im.Pixels(), len(lb))
		}
		if !bytes.Equal(im.Image(1), seq(tc.n * 6)[6:12]) {
			t.Fatalf("image 1 = %v", im.Image(1))
		}
	}
	if _, _, err := LoadSplit(dir, "valid"); err == nil || !strings.Contains(err.Error(), `unknown split "valid"`) {
		t.Fatalf("bad split: %v", err)
	}
}

func TestLoadSplitErrorsNameTheFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Missing files.
	if _, _, err := LoadSplit(dir, "train"); err == nil || !strings.Contains(err.Error(), "no train-images-idx3-ubyte or train-images-idx3-ubyte.gz") {
		t.Fatalf("missing: %v", err)
	}
	// Count mismatch between images and labels.
	writeSplit(t, dir, "train", 5, false)
	lbl := idxBytes([]uint32{magicLabels, 4}, seq(4))
	os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte"), lbl, 0o644)
	if _, _, err := LoadSplit(dir, "train"); err == nil || !strings.Contains(err.Error(), "has 5 images but") {
		t.Fatalf("mismatch: %v", err)
	}
	// Truncated gzip file: the error names the file.
	bad := gz(t, idxBytes([]uint32{magicImages, 5, 2, 3}, seq(29)))
	p := filepath.Join(dir, "trunc-images")
	os.WriteFile(p, bad, 0o644)
	_, err := ReadImages(p)
	if err == nil || !strings.Contains(err.Error(), p+": ") || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("truncated gz: %v", err)
	}
}

func TestImagesSlice(t *testing.T) {
	t.Parallel()
	im := Images{N: 4, Rows: 1, Cols: 2, Pix: seq(8)}
	s := im.Slice(1, 3)
	if s.N != 2 || !bytes.Equal(s.Image(0), seq(8)[2:4]) || !bytes.Equal(s.Image(1), seq(8)[4:6]) {
		t.Fatalf("Slice = %+v", s)
	}
}

func TestDecodeIris(t *testing.T) {
	t.Parallel()
	ok := `[[5.1, 3.5, 1.4, 0.2, "setosa"], [7, 3.2, 4.7, 1.4, "versicolor"], [6.3, 3.3, 6, 2.5, "virginica"]]`
	ir, err := DecodeIris(strings.NewReader(ok))
	if err != nil {
		t.Fatal(err)
	}
	if len(ir.X) != 3 || ir.X[1] != [4]float64{7, 3.2, 4.7, 1.4} || !bytes.Equal(ir.Labels, []byte{0, 1, 2}) {
		t.Fatalf("got %+v", ir)
	}
	for _, tc := range []struct{ name, in, want string }{
		{"short row", `[[5.1, 3.5, 1.4, "setosa"]]`, "row 0: 4 fields"},
		{"bad species", `[[5.1, 3.5, 1.4, 0.2, "rose"]]`, `unknown species "rose"`},
		{"string feature", `[[5.1, "x", 1.4, 0.2, "setosa"]]`, "field 1: want a finite number"},
		{"empty", `[]`, "no rows"},
		{"not json", `{`, "iris JSON"},
	} {
		if _, err := DecodeIris(strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}
