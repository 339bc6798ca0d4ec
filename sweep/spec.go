package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"oscsim/bench"
	"oscsim/configs"
	"oscsim/internal/vocab"
	"oscsim/netlist"
)

// Spec is a validated sweep: a base chip, a workload, and the points to
// evaluate, each already turned into a valid chip description and a
// workload. It is immutable once Parse returns it.
type Spec struct {
	// File is the sweep file's path as given; Name defaults to its base
	// name without extension.
	File        string
	Name        string
	Description string
	// Chip is the name the base chip was read under (a path, or
	// "embedded:NAME").
	Chip string
	// Workload is the workload kind and its parameters before any axis.
	Workload bench.Spec
	// Seed is the sweep seed; Instances chip instances (mismatch draws)
	// and Seeds noise realisations are run at every point.
	Seed             int64
	Instances, Seeds int
	// Streams says how points share chip seeds (StreamsCommon or
	// StreamsIndependent).
	Streams Streams
	// Accuracy names the metric summarised and plotted as accuracy;
	// Metrics are the workload metrics recorded (Accuracy first).
	Accuracy string
	Metrics  []string
	// Axes are the swept parameters, one result column each, in order:
	// the keys of listed points, then the grid axes.
	Axes   []Axis
	Points []*Point
	// Set are the fixed overrides of the [set] table, applied to the base
	// chip (or workload) at every point; they are not result columns.
	Set []Assignment

	sweepSum, chipSum string
	pos               map[string]Pos
	// pathKeys are where each axis's path is written.
	pathKeys []string
}

// Axis is one swept parameter.
type Axis struct {
	// Path is the parameter's dotted TOML path: a chip key
	// ("oscillators.linewidth", "detector[0].jitter"), a workload
	// parameter ("workload.fraction"), or a tag ("tag.k"): a column that
	// only labels the point (e.g. the k a weights file was trained with).
	Path string `json:"path"`
	// Column is its name in result files: the path with a unit suffix
	// ("oscillators.linewidth_hz").
	Column string `json:"column"`
	// Unit is the SI unit of the column's values, "ratio", "" or "text".
	Unit  string `json:"unit"`
	Label string `json:"label"`
}

// Assignment is one fixed override: a path and its value.
type Assignment struct {
	Path  string
	Value Value
}

// Value is one axis value at a point.
type Value struct {
	// Raw is the value as decoded from the sweep file; Text is it as
	// written for messages and text columns.
	Raw  any
	Text string
	// Num is the value in SI units when IsNum.
	Num   float64
	IsNum bool
	// key is where the value is written in the sweep file.
	key string
}

// Cell returns the value as written in result files.
func (v Value) Cell(unit string) string {
	if unit != unitText && v.IsNum {
		return formatFloat(v.Num)
	}
	return v.Text
}

// Point is one point of a sweep: a value per axis, the chip description
// and workload they give.
type Point struct {
	Index  int
	Values []Value
	// Key identifies the point by its values, independent of its index.
	Key string
	// ChipSeed is the chip seed of every run at this point.
	ChipSeed int64
	Netlist  *netlist.Netlist
	Workload bench.Workload
}

// Pos, Error and Errors are netlist's: a sweep file's problems print like
// a chip description's, file:line:col: key: message, all at once.
type (
	Pos    = netlist.Pos
	Error  = netlist.Error
	Errors = netlist.Errors
)

// ErrInvalid is wrapped by every error Parse returns for a bad sweep file
// (it is netlist.ErrInvalid: bad input, as opposed to an I/O failure).
var ErrInvalid = netlist.ErrInvalid

// maxErrors caps the problems reported for one file.
const maxErrors = 20

// chipSections are the top-level tables of a chip description an axis
// path may start with.
var chipSections = []string{"chip", "tech", "oscillators", "couplings", "coupling", "shil", "detector", "run"}

// Load reads and validates the sweep file at path.
func Load(path string) (*Spec, error) { return LoadWith(path, LoadOptions{}) }

// LoadOptions adjust how a sweep file is loaded.
type LoadOptions struct {
	// Shard and Shards: see LoadShard.
	Shard, Shards int
	// Set are fixed overrides "path=value" added to the file's [set]
	// table (replacing an entry of the same path), e.g. from the command
	// line: "workload.images=100". The value is read as TOML, or as a
	// string when it is not TOML ("oscillators.linewidth=1MHz").
	Set []string
}

// LoadWith reads and validates the sweep file at path with options.
func LoadWith(path string, opt LoadOptions) (*Spec, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	return parse(path, src, opt)
}

// LoadShard is Load for shard i of n: every point's chip is validated, but
// only the shard's points get a workload (bench.New may train or load
// data, which other shards need not repeat). A problem only a workload
// finds in another shard's point is reported by that shard, or by Load
// (oscsim sweep --list).
func LoadShard(path string, i, n int) (*Spec, error) {
	return LoadWith(path, LoadOptions{Shard: i, Shards: n})
}

type parser struct {
	md toml.MetaData
	// shard, shards select the points whose workloads are built.
	shard, shards int
	file          string
	pos           map[string]Pos
	errs          Errors
	seen          map[string]bool
}

func (p *parser) at(key string) Pos {
	for k := key; k != ""; {
		if q, ok := p.pos[k]; ok {
			return q
		}
		i := strings.LastIndexAny(k, ".[")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return Pos{}
}

func (p *parser) errAt(key, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if p.seen[key+"\x00"+msg] {
		return
	}
	p.seen[key+"\x00"+msg] = true
	p.errs = append(p.errs, &Error{File: p.file, Pos: p.at(key), Key: key, Msg: msg})
}

// Parse validates the sweep file src (name is used in messages and to
// resolve the base chip and workload files): every point is applied to
// the base chip and validated with netlist.Parse, and its workload built
// with bench.New, so that no run starts on a sweep with a bad point.
// Every problem is reported at once as an Errors value.
func Parse(name string, src []byte) (*Spec, error) { return parse(name, src, LoadOptions{}) }

func parse(name string, src []byte, opt LoadOptions) (*Spec, error) {
	p := &parser{file: name, pos: netlist.KeyPositions(string(src)), seen: map[string]bool{}, shard: opt.Shard, shards: max(1, opt.Shards)}
	var raw rawSweepFile
	md, err := toml.Decode(string(src), &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) { // a syntax error
			return nil, Errors{{File: name, Pos: Pos{Line: pe.Position.Line, Col: pe.Position.Col}, Msg: pe.Message}}
		}
		p.decodeErr(err, "")
		return nil, p.sorted()
	}
	p.md = md
	s := &Spec{File: name, pos: p.pos}
	for _, k := range md.Undecoded() {
		if len(k) == 1 {
			p.unknown(k[0], k[0], []string{"sweep", "workload", "set", "axis", "point"})
		}
	}
	chipRef := p.sweepTable(s, raw.Sweep)
	p.workloadTable(s, raw.Workload)
	base := p.baseChip(s, name, chipRef)

	// Problems so far do not keep the points from being checked; a bad
	// base chip or bad axes do.
	before := len(p.errs)
	cols := p.columns(raw)
	p.overrides(s, raw.Set, cols, opt.Set)
	if base == nil || len(p.errs) > before {
		return nil, p.sorted()
	}
	s.Axes = cols.axes
	s.pathKeys = cols.pathKeys
	p.expand(s, cols, base)
	if len(p.errs) > maxErrors {
		n := len(p.errs) - maxErrors
		p.errs = append(p.errs[:maxErrors], &Error{File: name, Msg: fmt.Sprintf("… and %d more problems", n)})
	}
	if len(p.errs) > 0 {
		return nil, p.sorted()
	}
	s.sweepSum = s.fingerprint()
	return s, nil
}

// rawSweepFile is a sweep file's schema. [workload] holds the workload's
// parameters (which bench decodes), [set] and [[point]] chip keys and
// workload parameters (which the chip schema and the workload decode); the
// rest is typed here.
type rawSweepFile struct {
	Sweep    *toml.Primitive  `toml:"sweep"`
	Workload *toml.Primitive  `toml:"workload"`
	Set      map[string]any   `toml:"set"`
	Axis     []toml.Primitive `toml:"axis"`
	Point    []map[string]any `toml:"point"`
}

// rawSweep is the [sweep] table.
type rawSweep struct {
	Name        string   `toml:"name"`
	Description string   `toml:"description"`
	Chip        string   `toml:"chip"`
	Seed        *int64   `toml:"seed"`
	Instances   *int     `toml:"instances"`
	Seeds       *int     `toml:"seeds"`
	Streams     Streams  `toml:"streams"`
	Accuracy    string   `toml:"accuracy"`
	Metrics     []string `toml:"metrics"`
}

// rawAxis is one [[axis]] table: a path and its values, listed or as a
// range.
type rawAxis struct {
	Path   string `toml:"path"`
	Values *[]any `toml:"values"`
	From   any    `toml:"from"`
	To     any    `toml:"to"`
	Count  *int   `toml:"count"`
	Scale  Scale  `toml:"scale"`
	Label  string `toml:"label"`
}

// Streams says how the points of a sweep share chip seeds: a vocabulary,
// written like every other (internal/vocab; the same shape on purpose).
type Streams string

const (
	// StreamsCommon: every point uses the same chip seed, so instance i
	// has the same mismatch draw at every point (common random numbers).
	StreamsCommon Streams = "common"
	// StreamsIndependent: the chip seed is hashed from the sweep seed and
	// the point's values.
	StreamsIndependent Streams = "independent"
)

// UnmarshalText accepts "common" or "independent".
func (m *Streams) UnmarshalText(b []byte) error {
	return vocab.Set(m, b, "streams", StreamsCommon, StreamsIndependent)
}

// Scale is how a range axis spaces its values.
type Scale string

const (
	ScaleLinear Scale = "linear"
	ScaleLog    Scale = "log"
)

// UnmarshalText accepts "linear" or "log".
func (c *Scale) UnmarshalText(b []byte) error { return vocab.Set(c, b, "scale", ScaleLinear, ScaleLog) }

// decode decodes one table of the sweep file (at key) into dst, a struct
// of toml-tagged fields: a value of the wrong type is reported at its key,
// a key dst does not have as unknown, with the nearest known one.
func (p *parser) decode(prim toml.Primitive, key string, dst any) bool {
	if err := p.md.PrimitiveDecode(prim, dst); err != nil {
		p.decodeErr(err, key)
		return false
	}
	var all map[string]any
	if err := p.md.PrimitiveDecode(prim, &all); err != nil {
		p.decodeErr(err, key)
		return false
	}
	known := tomlKeys(dst)
	for _, k := range sortedKeys(all) {
		if !contains(known, k) {
			p.unknown(key+"."+k, k, known)
		}
	}
	return true
}

// decodeErr records an error of the TOML decoder inside the table at
// section ("axis[2]"), whose keys the decoder names without the index.
func (p *parser) decodeErr(err error, section string) {
	key, msg, pos, _ := netlist.DecodeProblem(err)
	if section != "" {
		if _, k, ok := strings.Cut(key, "."); ok && !strings.HasPrefix(key, section+".") {
			key = section + "." + k
		} else if key == "" {
			key = section
		}
	}
	if pos.Col == 0 {
		pos = p.at(key)
	}
	p.errs = append(p.errs, &Error{File: p.file, Pos: pos, Key: key, Msg: msg})
}

// unknown reports key, whose last part k is none of known.
func (p *parser) unknown(key, k string, known []string) {
	p.errs = append(p.errs, &Error{File: p.file, Pos: p.at(key), Key: key,
		Msg: "unknown key" + netlist.Suggest(k, known), Err: netlist.ErrUnknownKey})
}

// tomlKeys returns the toml keys of the struct dst points to.
func tomlKeys(dst any) []string {
	t := reflect.TypeOf(dst).Elem()
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if k, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ","); k != "" && k != "-" {
			out = append(out, k)
		}
	}
	return out
}

// sweepTable reads [sweep] into s and returns its chip reference.
func (p *parser) sweepTable(s *Spec, prim *toml.Primitive) (chipRef string) {
	r := rawSweep{Streams: StreamsCommon, Accuracy: "accuracy"}
	if prim == nil {
		p.errAt("", "[sweep] table is required")
	} else if !p.decode(*prim, "sweep", &r) {
		return "" // the decoder stopped inside [sweep]: its values are partial
	}
	s.Name = r.Name
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(p.file), filepath.Ext(p.file))
	}
	s.Description = r.Description
	if r.Chip == "" && prim != nil {
		p.errAt("sweep", "chip is required: a chip description path (relative to the sweep file) or \"embedded:NAME\"")
	}
	s.Seed = 1
	if r.Seed != nil {
		s.Seed = *r.Seed
	}
	s.Instances = p.atLeast("sweep.instances", r.Instances, 1, 1)
	s.Seeds = p.atLeast("sweep.seeds", r.Seeds, 1, 1)
	s.Streams = r.Streams
	s.Accuracy = r.Accuracy
	s.Metrics = []string{s.Accuracy}
	for i, m := range r.Metrics {
		if m == "" {
			p.errAt(fmt.Sprintf("sweep.metrics[%d]", i), "empty metric name")
		} else if !contains(s.Metrics, m) {
			s.Metrics = append(s.Metrics, m)
		}
	}
	return r.Chip
}

// atLeast returns *v (def when nil), reporting a value below lo at key.
func (p *parser) atLeast(key string, v *int, def, lo int) int {
	if v == nil {
		return def
	}
	if *v < lo {
		p.errAt(key, "must be ≥ %d (got %d)", lo, *v)
		return def
	}
	return *v
}

// workloadTable reads [workload]: the kind and the parameters the axes
// add to.
func (p *parser) workloadTable(s *Spec, prim *toml.Primitive) {
	s.Workload = bench.Spec{Dir: filepath.Dir(p.file), Params: map[string]any{}}
	if prim == nil {
		p.errAt("", "[workload] table is required")
		return
	}
	var wl struct {
		Kind string `toml:"kind"`
	}
	if err := p.md.PrimitiveDecode(*prim, &wl); err != nil {
		p.decodeErr(err, "workload")
		return
	}
	if err := p.md.PrimitiveDecode(*prim, &s.Workload.Params); err != nil {
		p.decodeErr(err, "workload")
		return
	}
	delete(s.Workload.Params, "kind")
	s.Workload.Kind = wl.Kind
	if s.Workload.Kind == "" {
		p.errAt("workload", "kind is required (one of %s)", strings.Join(bench.Kinds(), ", "))
	} else if !contains(bench.Kinds(), s.Workload.Kind) {
		p.errAt("workload.kind", "unknown workload %q (want one of %s)", s.Workload.Kind, strings.Join(bench.Kinds(), ", "))
		s.Workload.Kind = "" // points are still checked against the chip
	}
}

// baseChip reads and validates the base chip and returns it decoded as a
// generic map (nil after a problem).
func (p *parser) baseChip(s *Spec, name, chipRef string) (base map[string]any) {
	if chipRef == "" {
		return nil // reported by sweepTable
	}
	var chipSrc []byte
	var err error
	s.Chip, chipSrc, err = readChip(name, chipRef)
	if err != nil {
		p.errAt("sweep.chip", "%v", err)
		return nil
	}
	if _, err := netlist.Parse(s.Chip, chipSrc, nil); err != nil {
		p.errAt("sweep.chip", "the base chip is invalid:\n%v", err)
		return nil
	}
	if _, err := toml.Decode(string(chipSrc), &base); err != nil {
		p.errAt("sweep.chip", "%v", err)
		return nil
	}
	// The fingerprint of the chip's content, not its comments.
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(base); err == nil {
		sum := sha256.Sum256(buf.Bytes())
		s.chipSum = hex.EncodeToString(sum[:])
	}
	return base
}

// overrides reads the [set] table and the command line's --set entries
// (which replace [set] entries of the same path).
func (p *parser) overrides(s *Spec, st map[string]any, cols *columns, set []string) {
	if st != nil {
		flat := map[string]any{}
		flatten("", st, flat)
		keys := sortedKeys(flat)
		for _, path := range keys {
			key := "set." + path
			if !p.checkPath(key, path) {
				continue
			}
			for _, a := range cols.axes {
				if a.Path == path {
					p.errAt(key, "%s is also swept", path)
				}
			}
			s.Set = append(s.Set, Assignment{Path: path, Value: newValue(flat[path], key)})
		}
	}
	for _, kv := range set {
		path, text, ok := strings.Cut(kv, "=")
		path = strings.TrimSpace(path)
		key := "--set " + path
		if !ok || path == "" {
			p.errAt("--set "+kv, "want path=value")
			continue
		}
		if !p.checkPath(key, path) {
			continue
		}
		var doc map[string]any
		var raw any = strings.TrimSpace(text)
		if _, err := toml.Decode("v = "+text, &doc); err == nil {
			raw = doc["v"]
		}
		for _, a := range cols.axes {
			if a.Path == path {
				p.errAt(key, "%s is swept", path)
			}
		}
		a := Assignment{Path: path, Value: newValue(raw, key)}
		replaced := false
		for i := range s.Set {
			if s.Set[i].Path == path {
				s.Set[i], replaced = a, true
			}
		}
		if !replaced {
			s.Set = append(s.Set, a)
		}
	}
}

// fingerprint hashes what the sweep computes (seeds, counts, metrics, the
// workload and every point's values), so that comments and layout of the
// sweep file do not keep --resume or merge from accepting its results.
// The content of the files a point reads (the chip's weights, sites mask
// and ring model, the workload's weights: pointFiles) is hashed too, so a
// retrained weights file under the same name starts the sweep over
// instead of mixing results; where the files live is not, so a moved
// checkout resumes. Data sets are verified by their own checksums
// (package dataset) and not hashed here.
func (s *Spec) fingerprint() string {
	type pt struct {
		Key   string
		Seed  int64
		Files []string `json:",omitempty"`
	}
	doc := struct {
		Seed                    int64
		Instances, Seeds        int
		Streams, Accuracy, Kind string
		Metrics                 []string
		Params                  map[string]any
		Set                     []string
		Axes                    []Axis
		Points                  []pt
	}{Seed: s.Seed, Instances: s.Instances, Seeds: s.Seeds, Streams: string(s.Streams), Accuracy: s.Accuracy,
		Kind: s.Workload.Kind, Metrics: s.Metrics, Params: s.Workload.Params, Axes: s.Axes}
	for _, a := range s.Set {
		doc.Set = append(doc.Set, a.Path+"="+a.Value.Text)
	}
	sums := map[string]string{}
	for _, p := range s.Points {
		var files []string
		for _, f := range pointFiles(p) {
			if _, ok := sums[f]; !ok {
				sums[f] = fileSum(f)
			}
			files = append(files, sums[f])
		}
		doc.Points = append(doc.Points, pt{p.Key, p.ChipSeed, files})
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic("sweep: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// sorted returns the errors in file order, those without a position last.
func (p *parser) sorted() Errors {
	sort.SliceStable(p.errs, func(i, j int) bool {
		a, b := p.errs[i].Pos, p.errs[j].Pos
		if (a.Line == 0) != (b.Line == 0) {
			return b.Line == 0
		}
		return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
	})
	return p.errs
}

// readChip reads the base chip: "embedded:NAME" or a path relative to the
// sweep file.
func readChip(sweepFile, ref string) (name string, src []byte, err error) {
	if n, ok := strings.CutPrefix(ref, "embedded:"); ok {
		if filepath.Ext(n) == "" {
			n += ".toml"
		}
		src, err := configs.Read(n)
		return "embedded:" + n, src, err
	}
	path := ref
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(sweepFile), ref)
	}
	src, err = os.ReadFile(path)
	if err != nil {
		return "", nil, fmt.Errorf("cannot read the base chip: %w", err)
	}
	return path, src, nil
}

// columns holds the parsed axes: the paths of listed points and their
// values, and the grid axes and theirs.
type columns struct {
	axes     []Axis
	pathKeys []string
	labels   []string  // grid axes' labels
	listed   [][]Value // listed[k][c] for the first nListed columns
	grid     [][]Value // grid[a] values of grid axis a (column nListed+a)
	nList    int
}

func (p *parser) columns(raw rawSweepFile) *columns {
	c := &columns{}
	var paths []string
	// Listed points: [[point]] tables of path = value.
	if pts := raw.Point; pts != nil {
		for k, pt := range pts {
			flat := map[string]any{}
			flatten("", pt, flat)
			keys := sortedKeys(flat)
			if k == 0 {
				// Column order: as written in the first point.
				sort.SliceStable(keys, func(i, j int) bool {
					a, b := p.at(fmt.Sprintf("point[0].%s", keys[i])), p.at(fmt.Sprintf("point[0].%s", keys[j]))
					return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
				})
				paths = keys
				for _, path := range paths {
					p.checkPath(fmt.Sprintf("point[0].%s", path), path)
				}
			} else if !sameSet(keys, paths) {
				p.errAt(fmt.Sprintf("point[%d]", k), "every point must set the same parameters (%s); this one sets %s", strings.Join(paths, ", "), strings.Join(keys, ", "))
				continue
			}
			row := make([]Value, len(paths))
			for i, path := range paths {
				row[i] = newValue(flat[path], fmt.Sprintf("point[%d].%s", k, path))
			}
			c.listed = append(c.listed, row)
		}
		if len(pts) == 0 {
			p.errAt("point", "no points listed")
		}
	}
	c.nList = len(paths)
	for _, path := range paths {
		c.pathKeys = append(c.pathKeys, "point[0]."+path)
	}
	// Grid axes: [[axis]] path = "...", values = [...] or from/to/count.
	if raw.Axis != nil {
		for a, prim := range raw.Axis {
			key := fmt.Sprintf("axis[%d]", a)
			ax := rawAxis{Scale: ScaleLinear}
			if !p.decode(prim, key, &ax) {
				continue
			}
			path := ax.Path
			if path == "" {
				p.errAt(key, "path is required (a chip parameter such as \"oscillators.linewidth\", or \"workload.NAME\")")
				continue
			}
			if !p.checkPath(key+".path", path) {
				continue
			}
			if contains(paths, path) {
				p.errAt(key+".path", "%s is swept twice", path)
				continue
			}
			paths = append(paths, path)
			c.grid = append(c.grid, p.axisValues(ax, key))
			c.labels = append(c.labels, ax.Label)
			c.pathKeys = append(c.pathKeys, key+".path")
		}
	}
	if raw.Axis == nil && raw.Point == nil {
		p.errAt("", "no axes: give [[axis]] tables (path and values) or [[point]] tables")
	}
	for i, path := range paths {
		var vals []Value
		if i < c.nList {
			for _, row := range c.listed {
				vals = append(vals, row[i])
			}
		} else {
			vals = c.grid[i-c.nList]
		}
		c.axes = append(c.axes, newAxis(path, vals))
		if i >= c.nList && c.labels[i-c.nList] != "" {
			c.axes[i].Label = c.labels[i-c.nList]
		}
	}
	return c
}

// checkPath reports a path that cannot name a chip key or workload
// parameter.
func (p *parser) checkPath(key, path string) bool {
	segs, err := splitPath(path)
	if err != nil {
		p.errAt(key, "%v", err)
		return false
	}
	head := segs[0].name
	switch {
	case head == "tag":
		if len(segs) != 2 || segs[1].idx >= 0 {
			p.errAt(key, "%s: a tag is tag.NAME", path)
			return false
		}
	case head == "workload":
		if len(segs) != 2 || segs[1].idx >= 0 {
			p.errAt(key, "%s: a workload parameter is workload.NAME", path)
			return false
		}
		if segs[1].name == "kind" {
			p.errAt(key, "workload.kind cannot be swept: run one sweep per workload")
			return false
		}
	case !contains(chipSections, head):
		p.errAt(key, "%s: unknown path (want a chip key under %s, workload.NAME or tag.NAME)", path, strings.Join(chipSections, ", "))
		return false
	case len(segs) < 2:
		p.errAt(key, "%s is a table: sweep a key inside it", path)
		return false
	case stripIndex(path) == "run.seed":
		p.errAt(key, "run.seed cannot be swept: sweep.seed, sweep.instances and sweep.seeds set the randomness")
		return false
	}
	return true
}

// axisValues returns an axis's values: a list, or from/to/count with a
// linear or log scale.
func (p *parser) axisValues(ax rawAxis, key string) []Value {
	if ax.Values != nil {
		for k, set := range map[string]bool{"from": ax.From != nil, "to": ax.To != nil, "count": ax.Count != nil} {
			if set {
				p.errAt(key+"."+k, "give either values or from/to/count, not both")
			}
		}
		list := *ax.Values
		if len(list) == 0 {
			p.errAt(key+".values", "want a non-empty list of values")
			return nil
		}
		out := make([]Value, len(list))
		for i, v := range list {
			out[i] = newValue(v, fmt.Sprintf("%s.values[%d]", key, i))
		}
		return out
	}
	from, to := ax.From, ax.To
	if from == nil || to == nil {
		p.errAt(key, "values are required: a list (values = [...]) or a range (from, to, count)")
		return nil
	}
	count := p.atLeast(key+".count", ax.Count, 0, 2)
	scale := ax.Scale
	a, aok := number(from)
	b, bok := number(to)
	if !aok {
		p.errAt(key+".from", "want a number in SI units (got %v)", from)
	}
	if !bok {
		p.errAt(key+".to", "want a number in SI units (got %v)", to)
	}
	if !aok || !bok || count < 2 {
		if count == 0 && aok && bok {
			p.errAt(key, "count is required with from and to (≥ 2)")
		}
		return nil
	}
	if scale == ScaleLog && (a <= 0 || b <= 0) {
		p.errAt(key, "a log scale needs from and to > 0 (got %g, %g)", a, b)
		return nil
	}
	_, ai := from.(int64)
	_, bi := to.(int64)
	ints := ai && bi
	var out []Value
	for i := 0; i < count; i++ {
		f := float64(i) / float64(count-1)
		x := a + f*(b-a)
		if scale == ScaleLog {
			x = a * math.Pow(b/a, f)
		}
		var raw any = x
		if ints {
			r := int64(math.Round(x))
			if len(out) > 0 && out[len(out)-1].Raw == r {
				continue
			}
			raw = r
		}
		v := newValue(raw, key)
		out = append(out, v)
	}
	return out
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, !math.IsNaN(x) && !math.IsInf(x, 0)
	}
	return 0, false
}

func newValue(raw any, key string) Value {
	v := Value{Raw: raw, key: key}
	switch x := raw.(type) {
	case string:
		v.Text = x
		v.Num, _, v.IsNum = netlist.ParseQuantity(x)
	case int64:
		v.Text = strconv.FormatInt(x, 10)
		v.Num, v.IsNum = float64(x), true
	case float64:
		v.Text = formatFloat(x)
		v.Num, v.IsNum = x, true
	default:
		v.Text = fmt.Sprint(x)
	}
	return v
}

// newAxis names a column and finds its unit: the known one of its path,
// else the unit its values are written in, else text.
func newAxis(path string, vals []Value) Axis {
	ax := Axis{Path: path, Label: path[strings.LastIndexByte(path, '.')+1:]}
	unit, label, ok := knownUnit(path)
	if ok {
		ax.Label = label
	} else {
		unit = ""
		for i, v := range vals {
			s, isStr := v.Raw.(string)
			var u string
			switch {
			case !v.IsNum:
				u = unitText
			case isStr:
				_, u, _ = netlist.ParseQuantity(s)
			}
			if i == 0 || u == unitText || unit == "" {
				unit = u
			}
			if unit == unitText {
				break
			}
		}
	}
	ax.Unit = unit
	ax.Column = path + columnSuffix(unit)
	return ax
}

// expand builds every point: listed points (or one empty point) times the
// grid, the first grid axis slowest; then applies each to the base chip
// and the workload and validates it.
func (p *parser) expand(s *Spec, c *columns, base map[string]any) {
	listed := c.listed
	if len(listed) == 0 {
		listed = [][]Value{nil}
	}
	n := len(listed)
	for _, g := range c.grid {
		n *= len(g)
	}
	idx := make([]int, len(c.grid))
	for _, row := range listed {
		for k := range idx {
			idx[k] = 0
		}
		for {
			vals := append([]Value(nil), row...)
			for a, g := range c.grid {
				vals = append(vals, g[idx[a]])
			}
			s.Points = append(s.Points, p.point(s, len(s.Points), vals, base))
			if len(p.errs) > maxErrors {
				return
			}
			a := len(idx) - 1
			for ; a >= 0; a-- {
				idx[a]++
				if idx[a] < len(c.grid[a]) {
					break
				}
				idx[a] = 0
			}
			if a < 0 {
				break
			}
		}
	}
}

// point applies one point's values and validates the chip and workload.
func (p *parser) point(s *Spec, index int, vals []Value, base map[string]any) *Point {
	pt := &Point{Index: index, Values: vals}
	keys := make([]string, len(vals))
	for i, v := range vals {
		t := v.Text
		if v.IsNum {
			t = formatFloat(v.Num)
		}
		keys[i] = s.Axes[i].Path + "=" + t
	}
	sort.Strings(keys)
	pt.Key = strings.Join(keys, ";")
	pt.ChipSeed = s.Seed
	if s.Streams == StreamsIndependent {
		h := fnv.New64a()
		fmt.Fprintf(h, "%d\x00%s", s.Seed, pt.Key)
		pt.ChipSeed = int64(h.Sum64() >> 1)
	}
	desc := s.describe(vals)

	chipMap := deepCopy(base).(map[string]any)
	params := map[string]any{}
	for k, v := range s.Workload.Params {
		params[k] = v
	}
	ok := true
	for _, a := range s.Set {
		if strings.HasPrefix(a.Path, "tag.") {
			continue
		}
		if name, isWl := strings.CutPrefix(a.Path, "workload."); isWl {
			params[name] = a.Value.Raw
			continue
		}
		segs, _ := splitPath(a.Path)
		if err := setPath(chipMap, segs, a.Value.Raw); err != nil {
			p.errAt(a.Value.key, "%s = %s: %v", a.Path, quote(a.Value), err)
			ok = false
		}
	}
	for i, v := range vals {
		path := s.Axes[i].Path
		if strings.HasPrefix(path, "tag.") {
			continue // a result column only
		}
		if name, isWl := strings.CutPrefix(path, "workload."); isWl {
			params[name] = v.Raw
			continue
		}
		segs, _ := splitPath(path)
		if err := setPath(chipMap, segs, v.Raw); err != nil {
			p.errAt(v.key, "%s = %s: %v", path, quote(v), err)
			ok = false
		}
	}
	if !ok {
		return pt
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(chipMap); err != nil {
		p.errAt(vals[0].key, "%s: %v", desc, err)
		return pt
	}
	nl, err := netlist.Parse(s.Chip, buf.Bytes(), nil)
	if err != nil {
		var nes netlist.Errors
		if !errors.As(err, &nes) {
			p.errAt(vals[0].key, "%s: %v", desc, err)
			return pt
		}
		for _, ne := range nes {
			if a := matchSet(s.Set, ne.Key); a != nil {
				p.errAt(a.Value.key, "%s = %s: %s", a.Path, quote(a.Value), ne.Msg)
			} else if i := matchAxis(s.Axes, ne.Key); i >= 0 && errors.Is(ne, netlist.ErrUnknownKey) {
				p.errAt(s.pathKeys[i], "%s: %s", ne.Key, ne.Msg)
			} else if i >= 0 {
				p.errAt(vals[i].key, "%s = %s: %s", s.Axes[i].Path, quote(vals[i]), ne.Msg)
			} else {
				p.errAt(vals[len(vals)-1].key, "%s: %s: %s: %s", desc, s.Chip, ne.Key, ne.Msg)
			}
		}
		return pt
	}
	pt.Netlist = nl
	if s.Workload.Kind == "" || index%p.shards != p.shard {
		return pt
	}
	w, err := bench.New(bench.Spec{Kind: s.Workload.Kind, Params: params, Dir: s.Workload.Dir}, nl)
	if err != nil {
		p.workloadErr(s, vals, desc, err)
		return pt
	}
	pt.Workload = w
	return pt
}

// workloadErr reports the problems bench.New found with a point's workload
// at the place each parameter is written: an unknown parameter at the path
// of the axis that sets it, a bad value at the value (of an axis, a [set]
// entry or the [workload] table); a problem that names no parameter at
// workload.kind.
func (p *parser) workloadErr(s *Spec, vals []Value, desc string, err error) {
	var nes netlist.Errors
	if !errors.As(err, &nes) {
		nes = netlist.Errors{{Msg: err.Error()}}
	}
	prefix := ""
	if hasWorkloadAxis(s.Axes) {
		prefix = desc + ": "
	}
	for _, ne := range nes {
		path := "workload." + ne.Key
		msg := ne.Msg
		if ne.Key != "" {
			msg = path + ": " + msg
		}
		key := "workload.kind"
		if ne.Key != "" {
			if _, ok := s.Workload.Params[ne.Key]; ok {
				key = path
			}
			for _, a := range s.Set {
				if a.Path == path {
					key = a.Value.key
				}
			}
			for i, v := range vals {
				if s.Axes[i].Path == path {
					key = v.key
					if _, written := s.Workload.Params[ne.Key]; !written && errors.Is(ne, netlist.ErrUnknownKey) {
						p.errAt(s.pathKeys[i], "%s", msg)
						key = ""
					}
				}
			}
		}
		if key != "" {
			p.errAt(key, "%s%s", prefix, msg)
		}
	}
}

func hasWorkloadAxis(axes []Axis) bool {
	for _, a := range axes {
		if strings.HasPrefix(a.Path, "workload.") {
			return true
		}
	}
	return false
}

// matchAxis returns the axis a netlist error key is about, or −1.
func matchAxis(axes []Axis, key string) int {
	k := stripIndex(key)
	for i, a := range axes {
		if a.Path == key || stripIndex(a.Path) == k {
			return i
		}
	}
	return -1
}

// matchSet returns the [set] override a netlist error key is about.
func matchSet(set []Assignment, key string) *Assignment {
	k := stripIndex(key)
	for i, a := range set {
		if a.Path == key || stripIndex(a.Path) == k {
			return &set[i]
		}
	}
	return nil
}

// describe names a point by its values: "point (a = 1, b = "x")".
func (s *Spec) describe(vals []Value) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = s.Axes[i].Path + " = " + quote(v)
	}
	return "point (" + strings.Join(parts, ", ") + ")"
}

func quote(v Value) string {
	if _, ok := v.Raw.(string); ok {
		return strconv.Quote(v.Text)
	}
	return v.Text
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !contains(b, x) {
			return false
		}
	}
	return true
}

// flatten turns nested tables into dotted keys.
func flatten(prefix string, m map[string]any, out map[string]any) {
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			flatten(prefix+k+".", sub, out)
			continue
		}
		out[prefix+k] = v
	}
}

// pointFiles lists the files a point's chip and workload read, in a fixed
// order: the chip's weights, sites mask and ring model, then the
// workload's files (bench.FileUser).
func pointFiles(p *Point) []string {
	var out []string
	if nl := p.Netlist; nl != nil {
		for _, f := range []string{nl.Couplings.WeightsFile, nl.Couplings.SitesFile, nl.Oscillators.RingFile()} {
			if f != "" {
				out = append(out, f)
			}
		}
	}
	if fu, ok := p.Workload.(bench.FileUser); ok {
		out = append(out, fu.Files()...)
	}
	return out
}

// fileSum is the SHA-256 of a file's content, or a marker when it cannot be
// read (the point has already failed validation then, or is about to).
func fileSum(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unreadable"
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "unreadable"
	}
	return hex.EncodeToString(h.Sum(nil))
}
