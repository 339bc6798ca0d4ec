// Package npy reads and writes NumPy arrays: single arrays in the .npy
// format and archives of them in the .npz format (a zip of .npy members).
// It is the one NumPy reader of the project; every weights, mask and
// model file goes through it.
//
// The reader trusts nothing in the file. The header is parsed by hand
// (magic, version, header length, the Python dict literal with 'descr',
// 'fortran_order' and 'shape'); the number of elements the shape declares
// is checked for overflow and against the bytes the file actually holds
// BEFORE anything is allocated, so a header claiming a (100000, 100000)
// array in a 200-byte file is an error, not an 80 GB allocation. Data
// shorter or longer than the shape declares is an error, and so is an
// .npz member whose zip entry is cut, whose declared size disagrees with
// its .npy header, or whose checksum fails. Every error is an *Error
// naming the file and the array.
//
// Values are returned as float64 in C order whatever the dtype (bool,
// signed and unsigned integers of 1–8 bytes, float32 and float64, either
// byte order); integers above 2^53 lose precision. The writer writes
// format version 1.0, little-endian, C order, with the shape given.
//
// docs/input.md lists these guarantees. Format reference: NumPy's "A Simple File Format for NumPy Arrays"
// (numpy/doc/neps/nep-0001-npy-format.rst) and numpy.lib.format.
package npy

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Magic is the first six bytes of every .npy array.
var Magic = [6]byte{0x93, 'N', 'U', 'M', 'P', 'Y'}

// ErrFormat is wrapped by every error about a malformed file.
var ErrFormat = errors.New("malformed NumPy file")

// DefaultMaxElements bounds the number of elements one array may declare
// when File.MaxElements is 0: 2^31 values, 16 GiB as float64.
const DefaultMaxElements = 1 << 31

// maxDeflateRatio is the largest ratio of uncompressed to compressed size
// DEFLATE can reach (258-byte matches coded in about 2 bits: 1032:1); an
// .npz member claiming more is lying about its size.
const maxDeflateRatio = 1032

// Error is a problem with one file, or one array in it.
type Error struct {
	File  string // the path as given
	Array string // the array's name in an .npz; "" for a .npy or the archive
	Msg   string
}

func (e *Error) Error() string {
	if e.Array != "" {
		return fmt.Sprintf("%s: array %q: %s", e.File, e.Array, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Unwrap makes errors.Is(err, ErrFormat) hold.
func (e *Error) Unwrap() error { return ErrFormat }

// Array is one array read into float64, in C (row-major) order.
type Array struct {
	File  string // the file it came from, for messages
	Name  string // its name in an .npz; "" for a .npy
	Descr string // NumPy dtype string, e.g. "<f4"
	Shape []int
	Data  []float64
}

// Errorf returns an *Error about a.
func (a *Array) Errorf(format string, args ...any) error {
	return &Error{File: a.File, Array: a.Name, Msg: fmt.Sprintf(format, args...)}
}

// ShapeString formats the shape as NumPy does: "(3, 4)", "(5,)", "()".
func ShapeString(shape []int) string {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	if len(dims) == 1 {
		return "(" + dims[0] + ",)"
	}
	return "(" + strings.Join(dims, ", ") + ")"
}

// Index returns the multi-index of flat C-order offset k as NumPy
// prints it, e.g. "[1, 2]".
func (a *Array) Index(k int) string {
	idx := make([]string, len(a.Shape))
	for d := len(a.Shape) - 1; d >= 0; d-- {
		if a.Shape[d] > 0 {
			idx[d] = strconv.Itoa(k % a.Shape[d])
			k /= a.Shape[d]
		}
	}
	return "[" + strings.Join(idx, ", ") + "]"
}

// CheckValues returns an error naming the file, the array and the index
// of the first value that is NaN, infinite, or larger in magnitude than
// maxAbs (when maxAbs > 0).
func (a *Array) CheckValues(maxAbs float64) error {
	for k, v := range a.Data {
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			return a.Errorf("entry %s is %v", a.Index(k), v)
		case maxAbs > 0 && math.Abs(v) > maxAbs:
			return a.Errorf("entry %s is %g, beyond the plausible magnitude %g", a.Index(k), v, maxAbs)
		}
	}
	return nil
}

// Ints converts a 1-D index array to ints, each checked to be an integer
// in [0, limit); errors name the file, the array and the entry.
func (a *Array) Ints(limit int) ([]int, error) {
	out := make([]int, len(a.Data))
	for k, v := range a.Data {
		if v != math.Trunc(v) || !(v >= 0) || v >= float64(limit) {
			return nil, a.Errorf("entry %d is %g, want an integer index in 0…%d", k, v, limit-1)
		}
		out[k] = int(v)
	}
	return out, nil
}

// File is an opened .npy or .npz.
type File struct {
	Path string
	// MaxElements bounds the elements of any one array (0: DefaultMaxElements).
	MaxElements int

	data  []byte // the whole .npy
	zip   *zip.Reader
	names []string // .npz member names without ".npy", archive order
	files map[string]*zip.File
}

// Open reads the file at path and opens it with Parse.
func Open(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse opens data (the contents of the file at path) as .npy or .npz,
// told apart by their magic bytes, not by the name.
func Parse(path string, data []byte) (*File, error) {
	f := &File{Path: path}
	switch {
	case bytes.HasPrefix(data, Magic[:]):
		f.data = data
		return f, nil
	case bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte("PK\x05\x06")):
		z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return nil, &Error{File: path, Msg: fmt.Sprintf("not a readable .npz archive (%v); was it cut short?", err)}
		}
		f.zip = z
		f.files = map[string]*zip.File{}
		for _, m := range z.File {
			name := strings.TrimSuffix(m.Name, ".npy")
			if _, dup := f.files[name]; dup {
				return nil, &Error{File: path, Msg: fmt.Sprintf("holds the array %q twice", name)}
			}
			f.files[name] = m
			f.names = append(f.names, name)
		}
		return f, nil
	case len(data) < 6:
		return nil, &Error{File: path, Msg: fmt.Sprintf("%d bytes is too short for .npy or .npz", len(data))}
	}
	return nil, &Error{File: path, Msg: "neither .npy (magic \\x93NUMPY) nor .npz (a zip archive)"}
}

// IsArchive reports whether the file is an .npz.
func (f *File) IsArchive() bool { return f.zip != nil }

// Names lists an .npz's arrays (without ".npy") in archive order; nil for
// a .npy.
func (f *File) Names() []string { return slices.Clone(f.names) }

// Has reports whether an .npz holds the array name.
func (f *File) Has(name string) bool { _, ok := f.files[name]; return ok }

// Array reads a .npy's array (name must be "") or an .npz's array name.
func (f *File) Array(name string) (*Array, error) {
	lim := f.MaxElements
	if lim <= 0 {
		lim = DefaultMaxElements
	}
	if f.zip == nil {
		if name != "" {
			return nil, &Error{File: f.Path, Msg: fmt.Sprintf("a .npy holds one array; there is no array %q", name)}
		}
		a, err := decode(bytes.NewReader(f.data), int64(len(f.data)), lim)
		return f.named(a, "", err)
	}
	m, ok := f.files[name]
	if !ok {
		return nil, &Error{File: f.Path, Msg: fmt.Sprintf("no array %q (it holds %s)", name, strings.Join(f.names, ", "))}
	}
	size := m.UncompressedSize64
	switch {
	case m.Method == zip.Store && size != m.CompressedSize64:
		return f.named(nil, name, fmt.Errorf("stored member declares %d bytes but holds %d", size, m.CompressedSize64))
	case m.Method == zip.Deflate && size > maxDeflateRatio*m.CompressedSize64+1024:
		return f.named(nil, name, fmt.Errorf("member claims %d bytes from %d compressed, more than DEFLATE can hold", size, m.CompressedSize64))
	case size > math.MaxInt64/2:
		return f.named(nil, name, fmt.Errorf("member claims %d bytes", size))
	}
	rc, err := m.Open()
	if err != nil {
		return f.named(nil, name, err)
	}
	defer rc.Close()
	a, err := decode(rc, int64(size), lim)
	if err == nil {
		// Reading to the end makes archive/zip check the CRC and size.
		var one [1]byte
		if n, e := rc.Read(one[:]); n > 0 {
			err = fmt.Errorf("member holds more bytes than its header declares")
		} else if e != io.EOF && e != nil {
			err = fmt.Errorf("member is damaged (%v)", e)
		}
	}
	return f.named(a, name, err)
}

func (f *File) named(a *Array, name string, err error) (*Array, error) {
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, &Error{File: f.Path, Array: name, Msg: err.Error()}
	}
	a.File, a.Name = f.Path, name
	return a, nil
}

// Header is a parsed .npy header.
type Header struct {
	Descr   string
	Fortran bool
	Shape   []int
	// DataOffset is where the data starts (preamble + header length).
	DataOffset int
}

// dtype describes a supported element type.
type dtype struct {
	size  int
	order binary.ByteOrder
	kind  byte // 'b', 'i', 'u', 'f'
}

func parseDescr(s string) (dtype, error) {
	bad := fmt.Errorf("unsupported dtype %q (want bool, an integer, float32 or float64)", s)
	if len(s) < 3 {
		return dtype{}, bad
	}
	size, err := strconv.Atoi(s[2:])
	if err != nil {
		return dtype{}, bad
	}
	d := dtype{size: size, kind: s[1], order: binary.LittleEndian}
	switch s[0] {
	case '<', '=':
	case '>':
		d.order = binary.BigEndian
	case '|':
		if size != 1 {
			return dtype{}, bad
		}
	default:
		return dtype{}, bad
	}
	switch {
	case d.kind == 'b' && size == 1:
	case (d.kind == 'i' || d.kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8):
	case d.kind == 'f' && (size == 4 || size == 8):
	default:
		return dtype{}, bad
	}
	return d, nil
}

// ReadHeader reads and checks the preamble and header of a .npy from r.
func ReadHeader(r io.Reader) (Header, error) {
	pre := make([]byte, 10)
	if n, err := io.ReadFull(r, pre); err != nil {
		return Header{}, fmt.Errorf("cut short inside the .npy preamble (%d of 10 bytes)", n)
	}
	if [6]byte(pre[:6]) != Magic {
		return Header{}, fmt.Errorf("not a .npy array (bad magic %q)", pre[:6])
	}
	var hlen, off int
	switch pre[6] {
	case 1:
		hlen, off = int(binary.LittleEndian.Uint16(pre[8:10])), 10
	case 2, 3:
		var more [2]byte
		if _, err := io.ReadFull(r, more[:]); err != nil {
			return Header{}, fmt.Errorf("cut short inside the .npy preamble")
		}
		hlen, off = int(binary.LittleEndian.Uint32(append(pre[8:10], more[:]...))), 12
		if hlen > 1<<20 {
			return Header{}, fmt.Errorf(".npy header of %d bytes is implausible (at most 1 MiB)", hlen)
		}
	default:
		return Header{}, fmt.Errorf(".npy format version %d.%d is not supported (want 1, 2 or 3)", pre[6], pre[7])
	}
	hdr := make([]byte, hlen)
	if n, err := io.ReadFull(r, hdr); err != nil {
		return Header{}, fmt.Errorf("cut short inside the .npy header (%d of %d bytes)", n, hlen)
	}
	h, err := parseDict(string(hdr))
	if err != nil {
		return Header{}, fmt.Errorf(".npy header %q: %v", strings.TrimSpace(string(hdr)), err)
	}
	h.DataOffset = off + hlen
	return h, nil
}

// parseDict parses the header's Python dict literal, e.g.
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }.
func parseDict(s string) (Header, error) {
	p := &dictParser{s: s}
	var h Header
	seen := map[string]bool{}
	if !p.eat('{') {
		return h, fmt.Errorf("want a dict starting with '{'")
	}
	for {
		if p.eat('}') {
			break
		}
		key, ok := p.str()
		if !ok {
			return h, fmt.Errorf("want a quoted key at byte %d", p.i)
		}
		if seen[key] {
			return h, fmt.Errorf("key %q given twice", key)
		}
		seen[key] = true
		if !p.eat(':') {
			return h, fmt.Errorf("want ':' after %q", key)
		}
		switch key {
		case "descr":
			if h.Descr, ok = p.str(); !ok {
				return h, fmt.Errorf("descr must be a dtype string (structured dtypes are not supported)")
			}
		case "fortran_order":
			switch {
			case p.word("True"):
				h.Fortran = true
			case p.word("False"):
			default:
				return h, fmt.Errorf("fortran_order must be True or False")
			}
		case "shape":
			if h.Shape, ok = p.tuple(); !ok {
				return h, fmt.Errorf("shape must be a tuple of non-negative integers")
			}
		default:
			return h, fmt.Errorf("unknown key %q", key)
		}
		if !p.eat(',') {
			if !p.eat('}') {
				return h, fmt.Errorf("want ',' or '}' at byte %d", p.i)
			}
			break
		}
	}
	p.space()
	if p.i != len(p.s) {
		return h, fmt.Errorf("text after the dict")
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, fmt.Errorf("lacks the key %q", k)
		}
	}
	return h, nil
}

type dictParser struct {
	s string
	i int
}

func (p *dictParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\n\r", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *dictParser) eat(c byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *dictParser) word(w string) bool {
	p.space()
	if strings.HasPrefix(p.s[p.i:], w) {
		p.i += len(w)
		return true
	}
	return false
}

func (p *dictParser) str() (string, bool) {
	p.space()
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", false
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", false
	}
	v := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return v, true
}

func (p *dictParser) tuple() ([]int, bool) {
	if !p.eat('(') {
		return nil, false
	}
	shape := []int{}
	for {
		if p.eat(')') {
			return shape, true
		}
		p.space()
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		if j == p.i || j-p.i > 15 || len(shape) >= 32 {
			return nil, false
		}
		d, _ := strconv.Atoi(p.s[p.i:j])
		shape = append(shape, d)
		p.i = j
		if p.i < len(p.s) && p.s[p.i] == 'L' { // Python 2 long
			p.i++
		}
		if !p.eat(',') {
			if !p.eat(')') {
				return nil, false
			}
			return shape, true
		}
	}
}

// Elements returns the number of elements of shape, or an error when the
// product exceeds limit (checked without overflow).
func Elements(shape []int, limit int) (int, error) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension in shape %s", ShapeString(shape))
		}
		if d != 0 && n > limit/d {
			// Keep multiplying to see whether a later 0 makes it empty.
			if slices.Contains(shape, 0) {
				return 0, nil
			}
			return 0, fmt.Errorf("shape %s declares more than %d elements", ShapeString(shape), limit)
		}
		n *= d
	}
	return n, nil
}

// decode reads one .npy of size bytes from r, checking the header and the
// declared data size against size before allocating.
func decode(r io.Reader, size int64, limit int) (*Array, error) {
	h, err := ReadHeader(r)
	if err != nil {
		return nil, err
	}
	dt, err := parseDescr(h.Descr)
	if err != nil {
		return nil, err
	}
	nel, err := Elements(h.Shape, math.MaxInt64/16)
	if err != nil {
		return nil, err
	}
	need := int64(nel) * int64(dt.size)
	have := size - int64(h.DataOffset)
	switch {
	case have < need:
		return nil, fmt.Errorf("data cut short: shape %s of %s needs %d bytes, the file holds %d", ShapeString(h.Shape), h.Descr, need, max(have, 0))
	case have > need:
		return nil, fmt.Errorf("%d bytes of trailing data after the %d values of shape %s", have-need, nel, ShapeString(h.Shape))
	case nel > limit:
		return nil, fmt.Errorf("shape %s holds %d elements, more than the %d accepted", ShapeString(h.Shape), nel, limit)
	}
	raw := make([]byte, need)
	if n, err := io.ReadFull(r, raw); err != nil {
		return nil, fmt.Errorf("data cut short: read %d of %d bytes (%v)", n, need, err)
	}
	a := &Array{Descr: h.Descr, Shape: h.Shape, Data: make([]float64, nel)}
	convert(a.Data, raw, dt)
	if h.Fortran && len(h.Shape) > 1 {
		a.Data = fortranToC(a.Data, h.Shape)
	}
	return a, nil
}

func convert(dst []float64, raw []byte, dt dtype) {
	o, s := dt.order, dt.size
	for k := range dst {
		b := raw[k*s : (k+1)*s]
		var v float64
		switch {
		case dt.kind == 'f' && s == 8:
			v = math.Float64frombits(o.Uint64(b))
		case dt.kind == 'f':
			v = float64(math.Float32frombits(o.Uint32(b)))
		case dt.kind == 'b' || (dt.kind == 'u' && s == 1):
			v = float64(b[0])
		case dt.kind == 'i' && s == 1:
			v = float64(int8(b[0]))
		case dt.kind == 'u' && s == 2:
			v = float64(o.Uint16(b))
		case dt.kind == 'i' && s == 2:
			v = float64(int16(o.Uint16(b)))
		case dt.kind == 'u' && s == 4:
			v = float64(o.Uint32(b))
		case dt.kind == 'i' && s == 4:
			v = float64(int32(o.Uint32(b)))
		case dt.kind == 'u':
			v = float64(o.Uint64(b))
		default:
			v = float64(int64(o.Uint64(b)))
		}
		dst[k] = v
	}
}

// fortranToC reorders column-major data of the given shape to row-major.
func fortranToC(v []float64, shape []int) []float64 {
	out := make([]float64, len(v))
	idx := make([]int, len(shape))
	for c := range out { // c walks C order; compute the Fortran offset
		f, stride := 0, 1
		for d := 0; d < len(shape); d++ {
			f += idx[d] * stride
			stride *= shape[d]
		}
		out[c] = v[f]
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return out
}
