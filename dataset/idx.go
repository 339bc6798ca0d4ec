package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrFormat is wrapped by every error that reports a malformed IDX file
// (bad magic number, bad dimensions, wrong length). Callers can test for it
// with errors.Is.
var ErrFormat = errors.New("malformed IDX file")

// IDX magic numbers: two zero bytes, the element type (0x08 = unsigned
// byte) and the number of dimensions (LeCun, Cortes & Burges, "THE MNIST
// DATABASE of handwritten digits", file format section).
const (
	magicImages = 0x00000803 // ubyte, 3 dimensions: count, rows, cols
	magicLabels = 0x00000801 // ubyte, 1 dimension: count
)

// maxIDXBytes bounds the payload a header may announce (4 GiB), so a
// corrupt header cannot make the decoder try an absurd allocation.
const maxIDXBytes = 1 << 32

// Images is a set of N grey-level images of Rows×Cols pixels, 0 (background)
// to 255 (ink), stored one after another in row-major order: pixel (r, c) of
// image n is Pix[n*Rows*Cols + r*Cols + c].
type Images struct {
	N, Rows, Cols int
	Pix           []uint8
}

// Pixels returns the number of pixels per image, Rows·Cols.
func (im Images) Pixels() int { return im.Rows * im.Cols }

// Image returns the pixels of image n as a sub-slice of Pix (not a copy).
// It panics if n is out of range.
func (im Images) Image(n int) []uint8 {
	if n < 0 || n >= im.N {
		panic(fmt.Sprintf("dataset: image index %d out of range [0,%d)", n, im.N))
	}
	p := im.Pixels()
	return im.Pix[n*p : (n+1)*p : (n+1)*p]
}

// Slice returns images [lo, hi) sharing Pix with im.
func (im Images) Slice(lo, hi int) Images {
	if lo < 0 || hi > im.N || lo > hi {
		panic(fmt.Sprintf("dataset: slice [%d,%d) out of range [0,%d]", lo, hi, im.N))
	}
	p := im.Pixels()
	return Images{N: hi - lo, Rows: im.Rows, Cols: im.Cols, Pix: im.Pix[lo*p : hi*p : hi*p]}
}

// Labels holds one class label per image.
type Labels []uint8

// ReadImages reads an IDX3 ubyte image file (e.g. train-images-idx3-ubyte),
// plain or gzip-compressed (detected from the content, not the name).
func ReadImages(path string) (Images, error) { return readIDXFile(path, DecodeImages) }

// ReadLabels reads an IDX1 ubyte label file (e.g. train-labels-idx1-ubyte),
// plain or gzip-compressed.
func ReadLabels(path string) (Labels, error) { return readIDXFile(path, DecodeLabels) }

// readIDXFile opens path, transparently gunzips it and decodes the stream;
// every error is prefixed with the file name.
func readIDXFile[T any](path string, decode func(io.Reader) (T, error)) (T, error) {
	var v T
	f, err := os.Open(path)
	if err != nil {
		return v, err // *PathError already names the file
	}
	defer f.Close()
	r, closeFn, err := maybeGunzip(f)
	if err != nil {
		return v, fmt.Errorf("%s: %w", path, err)
	}
	if v, err = decode(r); err != nil {
		return v, fmt.Errorf("%s: %w", path, err)
	}
	return v, closeFn()
}

// maybeGunzip peeks at the first two bytes and wraps r in a gzip reader if
// they are the gzip magic 1f 8b.
func maybeGunzip(r io.Reader) (io.Reader, func() error, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, err
	}
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, zr.Close, nil
	}
	return br, func() error { return nil }, nil
}

// DecodeImages decodes an uncompressed IDX3 ubyte image stream. It checks
// the magic number, that every dimension is positive, and that the payload
// has exactly N·Rows·Cols bytes.
func DecodeImages(r io.Reader) (Images, error) {
	var hdr [4]uint32
	if err := readHeader(r, hdr[:]); err != nil {
		return Images{}, err
	}
	if hdr[0] != magicImages {
		return Images{}, magicError(hdr[0], magicImages, "images")
	}
	n, rows, cols := int64(hdr[1]), int64(hdr[2]), int64(hdr[3])
	if n == 0 || rows == 0 || cols == 0 {
		return Images{}, fmt.Errorf("%w: dimensions %d×%d×%d: every dimension must be positive", ErrFormat, n, rows, cols)
	}
	size := n * rows * cols
	if size > maxIDXBytes {
		return Images{}, fmt.Errorf("%w: dimensions %d×%d×%d announce %d bytes, more than the %d this loader accepts", ErrFormat, n, rows, cols, size, int64(maxIDXBytes))
	}
	pix, err := readPayload(r, size)
	if err != nil {
		return Images{}, err
	}
	return Images{N: int(n), Rows: int(rows), Cols: int(cols), Pix: pix}, nil
}

// DecodeLabels decodes an uncompressed IDX1 ubyte label stream.
func DecodeLabels(r io.Reader) (Labels, error) {
	var hdr [2]uint32
	if err := readHeader(r, hdr[:]); err != nil {
		return nil, err
	}
	if hdr[0] != magicLabels {
		return nil, magicError(hdr[0], magicLabels, "labels")
	}
	if hdr[1] == 0 {
		return nil, fmt.Errorf("%w: label count is 0", ErrFormat)
	}
	b, err := readPayload(r, int64(hdr[1]))
	if err != nil {
		return nil, err
	}
	return Labels(b), nil
}

func readHeader(r io.Reader, hdr []uint32) error {
	if err := binary.Read(r, binary.BigEndian, hdr); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: truncated header: want %d bytes", ErrFormat, 4*len(hdr))
		}
		return err
	}
	return nil
}

func magicError(got, want uint32, kind string) error {
	hint := ""
	switch {
	case got == magicImages:
		hint = " (this is an IDX image file)"
	case got == magicLabels:
		hint = " (this is an IDX label file)"
	}
	return fmt.Errorf("%w: magic number 0x%08x, want 0x%08x for IDX %s%s", ErrFormat, got, want, kind, hint)
}

// readPayload reads exactly size bytes and checks that nothing follows.
// It grows its buffer as data arrives, so a header announcing far more than
// the file holds costs only the file's size.
func readPayload(r io.Reader, size int64) ([]byte, error) {
	var buf bytes.Buffer
	if size <= 64<<20 {
		buf.Grow(int(size))
	}
	got, err := io.Copy(&buf, io.LimitReader(r, size+1))
	if err != nil {
		return nil, err
	}
	if got < size {
		return nil, fmt.Errorf("%w: truncated: header announces %d payload bytes, file has %d", ErrFormat, size, got)
	}
	if got > size {
		return nil, fmt.Errorf("%w: trailing data after the %d payload bytes the header announces", ErrFormat, size)
	}
	return buf.Bytes(), nil
}

// splitPrefix names the standard MNIST-style file prefix of a split: "train" →
// "train", "test" → "t10k".
func splitPrefix(split string) (string, error) {
	switch split {
	case "train":
		return "train", nil
	case "test", "t10k":
		return "t10k", nil
	}
	return "", fmt.Errorf("unknown split %q: want \"train\" or \"test\"", split)
}

// LoadSplit loads the "train" or "test" split from dir, which must hold
// <prefix>-images-idx3-ubyte and <prefix>-labels-idx1-ubyte (prefix "train"
// or "t10k"), each optionally with a .gz suffix. It checks that the two
// files agree on the number of images.
func LoadSplit(dir, split string) (Images, Labels, error) {
	prefix, err := splitPrefix(split)
	if err != nil {
		return Images{}, nil, err
	}
	imgPath, err := findIDX(dir, prefix+"-images-idx3-ubyte")
	if err != nil {
		return Images{}, nil, err
	}
	lblPath, err := findIDX(dir, prefix+"-labels-idx1-ubyte")
	if err != nil {
		return Images{}, nil, err
	}
	im, err := ReadImages(imgPath)
	if err != nil {
		return Images{}, nil, err
	}
	lb, err := ReadLabels(lblPath)
	if err != nil {
		return Images{}, nil, err
	}
	if len(lb) != im.N {
		return Images{}, nil, fmt.Errorf("%w: %s has %d images but %s has %d labels", ErrFormat, imgPath, im.N, lblPath, len(lb))
	}
	return im, lb, nil
}

// findIDX returns dir/base or dir/base.gz, whichever exists (plain first).
func findIDX(dir, base string) (string, error) {
	for _, name := range []string{base, base + ".gz"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: no %s or %s.gz in this directory", dir, base, base)
}
