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
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"oscsim/bench"
	"oscsim/configs"
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
	// Streams is "common" (every point uses the same chip seed, so
	// instance i has the same mismatch draw at every point: common random
	// numbers) or "independent" (the chip seed is hashed from the sweep
	// seed and the point's values).
	Streams string
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
	var doc map[string]any
	if _, err := toml.Decode(string(src), &doc); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, Errors{{File: name, Pos: Pos{Line: pe.Position.Line, Col: pe.Position.Col}, Msg: pe.Message}}
		}
		return nil, Errors{{File: name, Msg: err.Error()}}
	}
	s := &Spec{File: name, pos: p.pos}
	for _, k := range sortedKeys(doc) {
		if k != "sweep" && k != "workload" && k != "set" && k != "axis" && k != "point" {
			p.errAt(k, "unknown table (want sweep, workload, set, axis or point)")
		}
	}
	chipRef := p.sweepTable(s, doc)
	p.workloadTable(s, doc)
	base := p.baseChip(s, name, chipRef)

	// Problems so far do not keep the points from being checked; a bad
	// base chip or bad axes do.
	before := len(p.errs)
	cols := p.columns(doc)
	p.overrides(s, doc, cols, opt.Set)
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

var sweepKeys = []string{"name", "description", "chip", "seed", "instances", "seeds", "streams", "accuracy", "metrics"}

// sweepTable reads [sweep] into s and returns its chip reference.
func (p *parser) sweepTable(s *Spec, doc map[string]any) (chipRef string) {
	sw := p.table(doc, "sweep", true)
	s.Name = p.str(sw, "sweep.name", strings.TrimSuffix(filepath.Base(p.file), filepath.Ext(p.file)))
	s.Description = p.str(sw, "sweep.description", "")
	chipRef = p.str(sw, "sweep.chip", "")
	if chipRef == "" && sw != nil {
		p.errAt("sweep", "chip is required: a chip description path (relative to the sweep file) or \"embedded:NAME\"")
	}
	s.Seed = int64(p.integer(sw, "sweep.seed", 1, math.MinInt64))
	s.Instances = p.integer(sw, "sweep.instances", 1, 1)
	s.Seeds = p.integer(sw, "sweep.seeds", 1, 1)
	s.Streams = p.str(sw, "sweep.streams", "common")
	if s.Streams != "common" && s.Streams != "independent" {
		p.errAt("sweep.streams", "want \"common\" or \"independent\" (got %q)", s.Streams)
	}
	s.Accuracy = p.str(sw, "sweep.accuracy", "accuracy")
	s.Metrics = []string{s.Accuracy}
	for i, m := range p.strList(sw, "sweep.metrics") {
		if m == "" {
			p.errAt(fmt.Sprintf("sweep.metrics[%d]", i), "empty metric name")
		} else if !contains(s.Metrics, m) {
			s.Metrics = append(s.Metrics, m)
		}
	}
	for _, k := range sortedKeys(sw) {
		if !contains(sweepKeys, k) {
			p.errAt("sweep."+k, "unknown key%s", netlist.Suggest(k, sweepKeys))
		}
	}
	return chipRef
}

// workloadTable reads [workload]: the kind and the parameters the axes
// add to.
func (p *parser) workloadTable(s *Spec, doc map[string]any) {
	wl := p.table(doc, "workload", true)
	s.Workload = bench.Spec{Dir: filepath.Dir(p.file), Params: map[string]any{}}
	if wl != nil {
		s.Workload.Kind = p.str(wl, "workload.kind", "")
		if s.Workload.Kind == "" {
			p.errAt("workload", "kind is required (one of %s)", strings.Join(bench.Kinds(), ", "))
		} else if !contains(bench.Kinds(), s.Workload.Kind) {
			p.errAt("workload.kind", "unknown workload %q (want one of %s)", s.Workload.Kind, strings.Join(bench.Kinds(), ", "))
			s.Workload.Kind = "" // points are still checked against the chip
		}
		for k, v := range wl {
			if k != "kind" {
				s.Workload.Params[k] = v
			}
		}
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
func (p *parser) overrides(s *Spec, doc map[string]any, cols *columns, set []string) {
	if st := p.table(doc, "set", false); st != nil {
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
	}{Seed: s.Seed, Instances: s.Instances, Seeds: s.Seeds, Streams: s.Streams, Accuracy: s.Accuracy,
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

func (p *parser) columns(doc map[string]any) *columns {
	c := &columns{}
	var paths []string
	// Listed points: [[point]] tables of path = value.
	if v, ok := doc["point"]; ok {
		pts, ok := v.([]map[string]any)
		if !ok {
			p.errAt("point", "want [[point]] tables")
		}
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
	if v, ok := doc["axis"]; ok {
		axes, ok := v.([]map[string]any)
		if !ok {
			p.errAt("axis", "want [[axis]] tables")
		}
		for a, ax := range axes {
			key := fmt.Sprintf("axis[%d]", a)
			for _, k := range sortedKeys(ax) {
				if !contains([]string{"path", "values", "from", "to", "count", "scale", "label"}, k) {
					p.errAt(key+"."+k, "unknown key%s", netlist.Suggest(k, []string{"path", "values", "from", "to", "count", "scale", "label"}))
				}
			}
			path := p.str(ax, key+".path", "")
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
			c.labels = append(c.labels, p.str(ax, key+".label", ""))
			c.pathKeys = append(c.pathKeys, key+".path")
		}
	}
	_, hasAxis := doc["axis"]
	_, hasPoint := doc["point"]
	if !hasAxis && !hasPoint {
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
func (p *parser) axisValues(ax map[string]any, key string) []Value {
	if vs, ok := ax["values"]; ok {
		for _, k := range []string{"from", "to", "count", "scale"} {
			if _, ok := ax[k]; ok {
				p.errAt(key+"."+k, "give either values or from/to/count, not both")
			}
		}
		list, ok := vs.([]any)
		if !ok || len(list) == 0 {
			p.errAt(key+".values", "want a non-empty list of values")
			return nil
		}
		out := make([]Value, len(list))
		for i, v := range list {
			out[i] = newValue(v, fmt.Sprintf("%s.values[%d]", key, i))
		}
		return out
	}
	from, fok := ax["from"]
	to, tok := ax["to"]
	if !fok || !tok {
		p.errAt(key, "values are required: a list (values = [...]) or a range (from, to, count)")
		return nil
	}
	count := p.integer(ax, key+".count", 0, 2)
	scale := p.str(ax, key+".scale", "linear")
	if scale != "linear" && scale != "log" {
		p.errAt(key+".scale", "want \"linear\" or \"log\" (got %q)", scale)
		return nil
	}
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
	if scale == "log" && (a <= 0 || b <= 0) {
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
		if scale == "log" {
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
	if s.Streams == "independent" {
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
			} else if i := matchAxis(s.Axes, ne.Key); i >= 0 && strings.HasPrefix(ne.Msg, "unknown key") {
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
		// Name the workload axis or [workload] key the message is about:
		// an unknown parameter at the axis's path, a bad value at the value.
		key := "workload.kind"
		for i, v := range vals {
			if name, isWl := strings.CutPrefix(s.Axes[i].Path, "workload."); isWl && strings.Contains(err.Error(), name) {
				if strings.Contains(err.Error(), "unknown parameter") {
					p.errAt(s.pathKeys[i], "%s: %v", s.Axes[i].Path, err)
					return pt
				}
				key = v.key
			}
		}
		if key == "workload.kind" {
			for _, a := range s.Set {
				if name, isWl := strings.CutPrefix(a.Path, "workload."); isWl && strings.Contains(err.Error(), name) {
					key = a.Value.key
				}
			}
		}
		if key == "workload.kind" {
			for k := range s.Workload.Params {
				if strings.Contains(err.Error(), k) {
					key = "workload." + k
				}
			}
		}
		if hasWorkloadAxis(s.Axes) {
			p.errAt(key, "%s: %v", desc, err)
		} else {
			p.errAt(key, "%v", err)
		}
		return pt
	}
	pt.Workload = w
	return pt
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

// table returns the table at key of doc.
func (p *parser) table(doc map[string]any, key string, required bool) map[string]any {
	v, ok := doc[key]
	if !ok {
		if required {
			p.errAt("", "[%s] table is required", key)
		}
		return nil
	}
	t, ok := v.(map[string]any)
	if !ok {
		p.errAt(key, "want a table [%s]", key)
		return nil
	}
	return t
}

func last(key string) string { return key[strings.LastIndexByte(key, '.')+1:] }

func (p *parser) str(t map[string]any, key, def string) string {
	v, ok := t[last(key)]
	if !ok {
		return def
	}
	s, ok := v.(string)
	if !ok {
		p.errAt(key, "want a string (got %v)", v)
		return def
	}
	return s
}

func (p *parser) integer(t map[string]any, key string, def, lo int) int {
	v, ok := t[last(key)]
	if !ok {
		return def
	}
	n, ok := v.(int64)
	if !ok {
		p.errAt(key, "want an integer (got %v)", v)
		return def
	}
	if n < int64(lo) {
		p.errAt(key, "must be ≥ %d (got %d)", lo, n)
		return def
	}
	return int(n)
}

func (p *parser) strList(t map[string]any, key string) []string {
	v, ok := t[last(key)]
	if !ok {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		p.errAt(key, "want a list of strings (got %v)", v)
		return nil
	}
	out := make([]string, 0, len(l))
	for i, e := range l {
		s, ok := e.(string)
		if !ok {
			p.errAt(fmt.Sprintf("%s[%d]", key, i), "want a string (got %v)", e)
			continue
		}
		out = append(out, s)
	}
	return out
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
		for _, f := range []string{nl.Couplings.WeightsFile, nl.Couplings.SitesFile, nl.Oscillators.RingModel} {
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
