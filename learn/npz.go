package learn

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"oscsim/internal/atomicfile"

	"github.com/sbinet/npyio/npy"
	"github.com/sbinet/npyio/npz"
)

// Format identifies this package's .npz layout in the "meta" array.
const (
	Format        = "oscsim.oscnet"
	FormatVersion = 1
)

// ErrWeights is wrapped by every error about a malformed weights file.
var ErrWeights = errors.New("invalid weights file")

// meta is the JSON document stored in the "meta" array.
type meta struct {
	Format   string   `json:"format"`
	Version  int      `json:"version"`
	Classes  int      `json:"classes"`
	Pixels   int      `json:"pixels"`
	Settings Settings `json:"settings"`
}

// Save writes m to path in the .npz layout described in the package
// documentation. The file is written to a temporary file in the same
// directory and renamed into place, so a crash never leaves half a file.
func (m *Model) Save(path string) error {
	if err := m.check(); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err := atomicfile.Write(path, func(w *bufio.Writer) error { return m.writeNPZ(w) }); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	return nil
}

func (m *Model) writeNPZ(w io.Writer) error {
	c, n := m.Classes, m.Pixels
	js, err := json.Marshal(meta{Format: Format, Version: FormatVersion, Classes: c, Pixels: n, Settings: m.Settings})
	if err != nil {
		return err
	}
	nnz := m.NNZ()
	indptr := make([]int64, 0, c*n+1)
	indices := make([]int32, 0, nnz)
	data := make([]float32, 0, nnz)
	var reverse []float32
	hasReverse := true
	for _, net := range m.Nets {
		hasReverse = hasReverse && net.Reverse != nil
	}
	if hasReverse {
		reverse = make([]float32, 0, nnz)
	}
	indptr = append(indptr, 0)
	for _, net := range m.Nets {
		off := int64(len(indices))
		for i := 1; i <= n; i++ {
			indptr = append(indptr, off+net.Indptr[i])
		}
		indices = append(indices, net.Indices...)
		data = append(data, net.Data...)
		if hasReverse {
			reverse = append(reverse, net.Reverse...)
		}
	}
	zw := zip.NewWriter(w)
	arrays := []npyOut{
		{"meta", "|u1", []int{len(js)}, js},
		{"indptr", "<i8", []int{c*n + 1}, indptr},
		{"indices", "<i4", []int{nnz}, indices},
		{"data", "<f4", []int{nnz}, data},
	}
	if hasReverse {
		arrays = append(arrays, npyOut{"data_reverse", "<f4", []int{nnz}, reverse})
	}
	if m.Prototypes != nil {
		arrays = append(arrays, npyOut{"prototypes", "|i1", []int{c, n}, m.Prototypes})
	}
	if m.Counts != nil {
		counts := make([]int64, len(m.Counts))
		for i, v := range m.Counts {
			counts[i] = int64(v)
		}
		arrays = append(arrays, npyOut{"counts", "<i8", []int{c}, counts})
	}
	for _, a := range arrays {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: a.name + ".npy", Method: zip.Deflate})
		if err != nil {
			return err
		}
		if err := writeNPY(fw, a.descr, a.shape, a.v); err != nil {
			return fmt.Errorf("array %s: %w", a.name, err)
		}
	}
	return zw.Close()
}

// npyOut is one array to write: name in the archive, NumPy dtype, shape
// and a slice of the matching Go type.
type npyOut struct {
	name  string
	descr string
	shape []int
	v     any
}

// writeNPY writes one array in NumPy's .npy format version 1.0: magic,
// version, little-endian header length, a Python-dict header padded with
// spaces to a multiple of 64 bytes, then the C-order data. (npyio's own
// writer records every slice as one-dimensional, so shapes are written
// here.)
func writeNPY(w io.Writer, descr string, shape []int, v any) error {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	shp := "(" + strings.Join(dims, ", ") + ")"
	if len(shape) == 1 {
		shp = "(" + dims[0] + ",)"
	}
	hdr := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shp)
	total := 10 + len(hdr) + 1
	hdr += strings.Repeat(" ", (64-total%64)%64) + "\n"
	var pre bytes.Buffer
	pre.Write(npy.Magic[:])
	pre.Write([]byte{1, 0})
	binary.Write(&pre, binary.LittleEndian, uint16(len(hdr)))
	pre.WriteString(hdr)
	if _, err := w.Write(pre.Bytes()); err != nil {
		return err
	}
	return binary.Write(w, binary.LittleEndian, v)
}

// Load reads weights from path:
//
//   - an .npz written by Save (detected by its "meta" array);
//   - an .npz from elsewhere holding "weights", a dense C×N×N (or N×N
//     for one network) float32/float64 array, and optionally
//     "prototypes", C×N with values ±1;
//   - an .npy holding such a dense weights array.
//
// For dense input the nonzero off-diagonal entries become the mask, so the
// sparsity pattern survives; the diagonal must be 0 (eq (1)). Shapes,
// index ranges and values are checked (NaN and Inf are rejected), and
// every error names the file and the array.
func Load(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var magic [6]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil {
		return nil, fmt.Errorf("%w: %s: too short for .npy or .npz (%v)", ErrWeights, path, err)
	}
	var m *Model
	switch {
	case magic == npy.Magic:
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		a, err := readArray(f, path, "array")
		if err != nil {
			return nil, err
		}
		m, err = modelFromDense(a, nil, path)
		if err != nil {
			return nil, err
		}
	case string(magic[:4]) == "PK\x03\x04":
		m, err = loadNPZ(path)
		if err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: %s: neither .npy (magic \\x93NUMPY) nor .npz (zip)", ErrWeights, path)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrWeights, path, err)
	}
	return m, nil
}

// array is a numeric NumPy array read into float64 (exact for every
// integer below 2^53) in C order.
type array struct {
	name  string
	shape []int
	v     []float64
}

func (a array) shapeString() string {
	dims := make([]string, len(a.shape))
	for i, d := range a.shape {
		dims[i] = strconv.Itoa(d)
	}
	if len(dims) == 1 {
		return "(" + dims[0] + ",)"
	}
	return "(" + strings.Join(dims, ", ") + ")"
}

// fullReader turns every short read into io.ErrUnexpectedEOF: npyio reads
// element by element with plain Read calls and would otherwise take a
// truncated file's missing bytes as zeros.
type fullReader struct{ r io.Reader }

func (f fullReader) Read(p []byte) (int, error) {
	n, err := io.ReadFull(f.r, p)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// readPreamble reads the .npy magic, version and header, checking what
// npyio assumes (it panics on a truncated header), and returns the bytes.
func readPreamble(r io.Reader) ([]byte, error) {
	pre := make([]byte, 10)
	if _, err := io.ReadFull(r, pre); err != nil {
		return nil, fmt.Errorf("truncated .npy preamble: %v", err)
	}
	if [6]byte(pre[:6]) != npy.Magic {
		return nil, fmt.Errorf("not a .npy array (bad magic)")
	}
	var hlen int
	switch pre[6] {
	case 1:
		hlen = int(binary.LittleEndian.Uint16(pre[8:10]))
	case 2, 3:
		var more [2]byte
		if _, err := io.ReadFull(r, more[:]); err != nil {
			return nil, fmt.Errorf("truncated .npy preamble: %v", err)
		}
		pre = append(pre, more[:]...)
		hlen = int(binary.LittleEndian.Uint32(pre[8:12]))
	default:
		return nil, fmt.Errorf(".npy format version %d.%d is not supported", pre[6], pre[7])
	}
	if hlen > 1<<20 {
		return nil, fmt.Errorf(".npy header of %d bytes is implausible", hlen)
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, fmt.Errorf("truncated .npy header: %v", err)
	}
	h := string(hdr)
	for _, key := range []string{"'descr': ", "'fortran_order': ", "'shape': ", "\n"} {
		if !strings.Contains(h, key) {
			return nil, fmt.Errorf(".npy header lacks %q: %q", key, strings.TrimSpace(h))
		}
	}
	if !(strings.Index(h, "'descr'") < strings.Index(h, "'fortran_order'") && strings.Index(h, "'fortran_order'") < strings.Index(h, "'shape'")) {
		return nil, fmt.Errorf(".npy header keys are not in NumPy's order: %q", strings.TrimSpace(h))
	}
	return append(pre, hdr...), nil
}

// readArray decodes one .npy stream (via npyio) into an array.
func readArray(r io.Reader, file, name string) (a array, err error) {
	defer func() {
		if p := recover(); p != nil { // npyio panics on some malformed headers
			a, err = array{}, fmt.Errorf("%w: %s: array %q: malformed .npy (%v)", ErrWeights, file, name, p)
		}
	}()
	br := bufio.NewReaderSize(r, 1<<16)
	pre, err := readPreamble(br)
	if err != nil {
		return array{}, fmt.Errorf("%w: %s: array %q: %v", ErrWeights, file, name, err)
	}
	rd, err := npy.NewReader(fullReader{io.MultiReader(bytes.NewReader(pre), br)})
	if err != nil {
		return array{}, fmt.Errorf("%w: %s: array %q: %v", ErrWeights, file, name, err)
	}
	a = array{name: name, shape: slices.Clone(rd.Header.Descr.Shape)}
	typ := rd.Header.Descr.Type
	if len(typ) != 3 {
		return array{}, fmt.Errorf("%w: %s: array %q: unsupported dtype %q", ErrWeights, file, name, typ)
	}
	nel := 1
	for _, d := range a.shape {
		nel *= d
	}
	if nel > 1<<31 {
		return array{}, fmt.Errorf("%w: %s: array %q: shape %s is too large", ErrWeights, file, name, a.shapeString())
	}
	if err := readAs(rd, typ[1:], &a.v); err != nil {
		return array{}, fmt.Errorf("%w: %s: array %q (dtype %s, shape %s): %v", ErrWeights, file, name, typ, a.shapeString(), err)
	}
	if len(a.v) != nel {
		return array{}, fmt.Errorf("%w: %s: array %q: read %d values, shape %s holds %d", ErrWeights, file, name, len(a.v), a.shapeString(), nel)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return array{}, fmt.Errorf("%w: %s: array %q: trailing data after %d values", ErrWeights, file, name, nel)
	}
	if rd.Header.Descr.Fortran && len(a.shape) > 1 {
		a.v = fortranToC(a.v, a.shape)
	}
	return a, nil
}

// readAs reads the data of kind k ("f4", "i8", "u1", ...) and converts it
// to float64.
func readAs(rd *npy.Reader, k string, dst *[]float64) error {
	conv := func(n int, at func(int) float64) {
		*dst = make([]float64, n)
		for i := range *dst {
			(*dst)[i] = at(i)
		}
	}
	var err error
	switch k {
	case "f4":
		var v []float32
		err = rd.Read(&v)
		conv(len(v), func(i int) float64 { return float64(v[i]) })
	case "f8":
		err = rd.Read(dst)
	case "i1":
		var v []int8
		err = rd.Read(&v)
		conv(len(v), func(i int) float64 { return float64(v[i]) })
	case "u1":
		var v []uint8
		err = rd.Read(&v)
		conv(len(v), func(i int) float64 { return float64(v[i]) })
	case "i2":
		var v []int16
		err = rd.Read(&v)
		conv(len(v), func(i int) float64 { return float64(v[i]) })
	case "i4":
		var v []int32
		err = rd.Read(&v)
		conv(len(v), func(i int) float64 { return float64(v[i]) })
	case "i8":
		var v []int64
		err = rd.Read(&v)
		conv(len(v), func(i int) float64 { return float64(v[i]) })
	case "u4":
		var v []uint32
		err = rd.Read(&v)
		conv(len(v), func(i int) float64 { return float64(v[i]) })
	case "u8":
		var v []uint64
		err = rd.Read(&v)
		conv(len(v), func(i int) float64 { return float64(v[i]) })
	default:
		return fmt.Errorf("unsupported dtype kind %q (want float32/64 or an integer type)", k)
	}
	return err
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

func loadNPZ(path string) (*Model, error) {
	zr, err := npz.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrWeights, path, err)
	}
	defer zr.Close()
	keys := map[string]bool{}
	for _, k := range zr.Keys() {
		keys[strings.TrimSuffix(k, ".npy")] = true
	}
	get := func(name string, required bool) (*array, error) {
		if !keys[name] {
			if required {
				var have []string
				for k := range keys {
					have = append(have, k)
				}
				slices.Sort(have)
				return nil, fmt.Errorf("%w: %s: no array %q (arrays: %s)", ErrWeights, path, name, strings.Join(have, ", "))
			}
			return nil, nil
		}
		rc, err := zr.Open(name + ".npy")
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrWeights, path, err)
		}
		defer rc.Close()
		a, err := readArray(rc, path, name)
		if err != nil {
			return nil, err
		}
		return &a, nil
	}
	if !keys["meta"] {
		w, err := get("weights", true)
		if err != nil {
			return nil, fmt.Errorf("%w (want this package's layout with \"meta\", or a dense \"weights\" array)", err)
		}
		p, err := get("prototypes", false)
		if err != nil {
			return nil, err
		}
		return modelFromDense(*w, p, path)
	}
	ma, err := get("meta", true)
	if err != nil {
		return nil, err
	}
	js := make([]byte, len(ma.v))
	for i, b := range ma.v {
		js[i] = byte(b)
	}
	var md meta
	if err := json.Unmarshal(js, &md); err != nil {
		return nil, fmt.Errorf("%w: %s: array \"meta\": %v", ErrWeights, path, err)
	}
	if md.Format != Format || md.Version != FormatVersion {
		return nil, fmt.Errorf("%w: %s: array \"meta\": format %q version %d, want %q version %d", ErrWeights, path, md.Format, md.Version, Format, FormatVersion)
	}
	c, n := md.Classes, md.Pixels
	if c < 1 || n < 2 {
		return nil, fmt.Errorf("%w: %s: array \"meta\": %d classes of %d pixels", ErrWeights, path, c, n)
	}
	if md.Settings != (Settings{}) {
		if err := md.Settings.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %s: array \"meta\": %w", ErrWeights, path, err)
		}
	}
	want := func(a *array, shape ...int) error {
		if !slices.Equal(a.shape, shape) {
			return fmt.Errorf("%w: %s: array %q has shape %s, want %s", ErrWeights, path, a.name, a.shapeString(), array{shape: shape}.shapeString())
		}
		return nil
	}
	indptr, err := get("indptr", true)
	if err != nil {
		return nil, err
	}
	if err := want(indptr, c*n+1); err != nil {
		return nil, err
	}
	nnz := int(indptr.v[c*n])
	arrs := map[string]*array{}
	for _, name := range []string{"indices", "data", "data_reverse"} {
		a, err := get(name, name != "data_reverse")
		if err != nil {
			return nil, err
		}
		if a != nil {
			if err := want(a, nnz); err != nil {
				return nil, fmt.Errorf("%w (indptr ends at %d)", err, nnz)
			}
		}
		arrs[name] = a
	}
	m := &Model{Settings: md.Settings, Classes: c, Pixels: n, Nets: make([]CSR, c)}
	for cl := 0; cl < c; cl++ {
		lo := int64(indptr.v[cl*n])
		net := CSR{N: n, Indptr: make([]int64, n+1)}
		for i := 0; i <= n; i++ {
			p := indptr.v[cl*n+i]
			if p < float64(lo) || p > float64(nnz) || (i > 0 && int64(p) < lo+net.Indptr[i-1]) {
				return nil, fmt.Errorf("%w: %s: array \"indptr\": entry %d = %v is not a non-decreasing offset in [0, %d]", ErrWeights, path, cl*n+i, p, nnz)
			}
			net.Indptr[i] = int64(p) - lo
		}
		hi := lo + net.Indptr[n]
		net.Indices = make([]int32, hi-lo)
		for k := range net.Indices {
			net.Indices[k] = int32(arrs["indices"].v[lo+int64(k)])
		}
		net.Data = toF32(arrs["data"].v[lo:hi])
		if r := arrs["data_reverse"]; r != nil {
			net.Reverse = toF32(r.v[lo:hi])
		}
		m.Nets[cl] = net
	}
	if p, err := get("prototypes", false); err != nil {
		return nil, err
	} else if p != nil {
		if err := want(p, c, n); err != nil {
			return nil, err
		}
		if m.Prototypes, err = toSpins(p, path); err != nil {
			return nil, err
		}
	}
	if a, err := get("counts", false); err != nil {
		return nil, err
	} else if a != nil {
		if err := want(a, c); err != nil {
			return nil, err
		}
		m.Counts = make([]int, c)
		for i, v := range a.v {
			m.Counts[i] = int(v)
		}
	}
	return m, nil
}

func toF32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func toSpins(a *array, path string) ([]int8, error) {
	out := make([]int8, len(a.v))
	for k, v := range a.v {
		switch v {
		case 1:
			out[k] = 1
		case -1:
			out[k] = -1
		default:
			return nil, fmt.Errorf("%w: %s: array %q: entry %d is %v, want +1 or -1", ErrWeights, path, a.name, k, v)
		}
	}
	return out, nil
}

// modelFromDense builds a model from a dense C×N×N or N×N weights array:
// its nonzero off-diagonal entries are the couplings.
func modelFromDense(w array, protos *array, path string) (*Model, error) {
	var c, n int
	switch len(w.shape) {
	case 2:
		c, n = 1, w.shape[0]
		if w.shape[1] != n {
			return nil, fmt.Errorf("%w: %s: array %q has shape %s, want (N, N) or (C, N, N)", ErrWeights, path, w.name, w.shapeString())
		}
	case 3:
		c, n = w.shape[0], w.shape[1]
		if w.shape[2] != n {
			return nil, fmt.Errorf("%w: %s: array %q has shape %s, want (C, N, N) with equal last two dimensions", ErrWeights, path, w.name, w.shapeString())
		}
	default:
		return nil, fmt.Errorf("%w: %s: array %q has shape %s, want (N, N) or (C, N, N)", ErrWeights, path, w.name, w.shapeString())
	}
	if c < 1 || n < 2 {
		return nil, fmt.Errorf("%w: %s: array %q has shape %s: need at least one class of two pixels", ErrWeights, path, w.name, w.shapeString())
	}
	m := &Model{Classes: c, Pixels: n, Nets: make([]CSR, c)}
	for cl := 0; cl < c; cl++ {
		block := w.v[cl*n*n : (cl+1)*n*n]
		net := CSR{N: n, Indptr: make([]int64, n+1)}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				v := block[i*n+j]
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("%w: %s: array %q: entry [%d, %d, %d] is %v", ErrWeights, path, w.name, cl, i, j, v)
				}
				if i == j {
					if v != 0 {
						return nil, fmt.Errorf("%w: %s: array %q: diagonal entry [%d, %d, %d] is %v, want 0 (eq (1): no self-coupling; np.fill_diagonal(W[c], 0))", ErrWeights, path, w.name, cl, i, i, v)
					}
					continue
				}
				if v != 0 {
					net.Indices = append(net.Indices, int32(j))
					net.Data = append(net.Data, float32(v))
					net.Reverse = append(net.Reverse, float32(block[j*n+i]))
				}
			}
			net.Indptr[i+1] = int64(len(net.Indices))
		}
		m.Nets[cl] = net
	}
	if protos != nil {
		if !slices.Equal(protos.shape, []int{c, n}) {
			return nil, fmt.Errorf("%w: %s: array %q has shape %s, want (%d, %d) to match the weights", ErrWeights, path, protos.name, protos.shapeString(), c, n)
		}
		var err error
		if m.Prototypes, err = toSpins(protos, path); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// check verifies the model's internal consistency: sizes, CSR structure,
// finite values, ±1 prototypes.
func (m *Model) check() error {
	c, n := m.Classes, m.Pixels
	if c < 1 || n < 2 || len(m.Nets) != c {
		return fmt.Errorf("model has %d classes, %d pixels and %d networks", c, n, len(m.Nets))
	}
	for cl, net := range m.Nets {
		if net.N != n || len(net.Indptr) != n+1 || net.Indptr[0] != 0 || int(net.Indptr[n]) != len(net.Indices) || len(net.Data) != len(net.Indices) {
			return fmt.Errorf("class %d: malformed CSR (N=%d, %d row pointers, %d indices, %d values)", cl, net.N, len(net.Indptr), len(net.Indices), len(net.Data))
		}
		if net.Reverse != nil && len(net.Reverse) != len(net.Data) {
			return fmt.Errorf("class %d: %d reverse values for %d couplings", cl, len(net.Reverse), len(net.Data))
		}
		for i := 0; i < n; i++ {
			if net.Indptr[i+1] < net.Indptr[i] {
				return fmt.Errorf("class %d: row pointers decrease at row %d", cl, i)
			}
			prev := int32(-1)
			for p := net.Indptr[i]; p < net.Indptr[i+1]; p++ {
				j := net.Indices[p]
				if j < 0 || int(j) >= n || int(j) == i || j <= prev {
					return fmt.Errorf("class %d row %d: column %d is out of range [0,%d), on the diagonal or not ascending", cl, i, j, n)
				}
				prev = j
				if v := float64(net.Data[p]); math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("class %d: weight (%d, %d) is %v", cl, i, j, v)
				}
				if net.Reverse != nil {
					if v := float64(net.Reverse[p]); math.IsNaN(v) || math.IsInf(v, 0) {
						return fmt.Errorf("class %d: reverse weight (%d, %d) is %v", cl, j, i, v)
					}
				}
			}
		}
	}
	if m.Prototypes != nil {
		if len(m.Prototypes) != c*n {
			return fmt.Errorf("%d prototype values, want %d×%d", len(m.Prototypes), c, n)
		}
		for k, v := range m.Prototypes {
			if v != 1 && v != -1 {
				return fmt.Errorf("prototype %d pixel %d is %d, want ±1", k/n, k%n, v)
			}
		}
	}
	if m.Counts != nil && len(m.Counts) != c {
		return fmt.Errorf("%d class counts for %d classes", len(m.Counts), c)
	}
	return nil
}
