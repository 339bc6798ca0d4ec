package sweep

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"oscsim/internal/atomicfile"

	"gonum.org/v1/gonum/stat/distuv"
)

// Result file names inside a results directory.
const (
	MetaFile      = "meta.json"
	RunsFile      = "runs.csv"
	SummaryFile   = "summary.csv"
	BreakdownFile = "breakdown.csv"
	lockFile      = ".lock"
	formatVersion = "oscsim-sweep/1"
)

// Standard metric columns every sweep records. A workload that reports a
// metric of the same name provides it; otherwise it comes from the chip's
// ledger (chip.Ledger): the die area and the core area (cells with
// placement overhead, without the pad ring), the average power (the ledger's
// estimate with the coupler conduction replaced by the run's measured
// coupler_power_w when the workload reports it), the energy of one
// solution (one programming plus one run at that power) and the run time.
const (
	MetricArea     = "area_m2"
	MetricCoreArea = "core_area_m2"
	MetricPower    = "power_w"
	MetricEnergy   = "energy_per_inference_j"
	MetricTime     = "time_to_solution_s"
)

var standardMetrics = []string{MetricArea, MetricCoreArea, MetricPower, MetricEnergy, MetricTime}

// Metric is one metric column of the result files.
type Metric struct {
	Column string `json:"column"`
	Unit   string `json:"unit"`
}

// Meta describes a results directory: what was swept and how. Two runs of
// the same sweep file and base chip write the same Meta, so it guards
// --resume and merge against mixing sweeps.
type Meta struct {
	Format      string `json:"format"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	SweepFile   string `json:"sweep_file"`
	// SweepSHA256 and ChipSHA256 fingerprint the sweep's content and the
	// base chip's (decoded, so comments do not count).
	SweepSHA256 string  `json:"sweep_sha256"`
	Chip        string  `json:"chip"`
	ChipSHA256  string  `json:"chip_sha256"`
	Workload    string  `json:"workload"`
	Seed        int64   `json:"seed"`
	Instances   int     `json:"instances"`
	Seeds       int     `json:"seeds"`
	Streams     Streams `json:"streams"`
	Accuracy    string  `json:"accuracy"`
	// Set lists the fixed overrides (the [set] table and --set).
	Set     []string `json:"set,omitempty"`
	Axes    []Axis   `json:"axes"`
	Metrics []Metric `json:"metrics"`
	Points  int      `json:"points"`
	// Shard is "i/n" for a shard's results, "" for a whole sweep (run
	// unsharded or merged).
	Shard string `json:"shard,omitempty"`
}

// Meta returns the description of the sweep's results (for shard i of n
// when n > 1).
func (s *Spec) Meta(shard, shards int) Meta {
	m := Meta{Format: formatVersion, Name: s.Name, Description: s.Description,
		SweepFile: filepath.Base(s.File), SweepSHA256: s.sweepSum,
		Chip: filepath.Base(s.Chip), ChipSHA256: s.chipSum, Workload: s.Workload.Kind,
		Seed: s.Seed, Instances: s.Instances, Seeds: s.Seeds, Streams: s.Streams,
		Accuracy: s.Accuracy, Axes: s.Axes, Points: len(s.Points)}
	for _, c := range s.MetricColumns() {
		m.Metrics = append(m.Metrics, Metric{Column: c, Unit: metricUnit(c)})
	}
	for _, a := range s.Set {
		m.Set = append(m.Set, a.Path+" = "+quote(a.Value))
	}
	if shards > 1 {
		m.Shard = fmt.Sprintf("%d/%d", shard, shards)
	}
	return m
}

// MetricColumns returns the metric columns: the sweep's metrics, then the
// standard ones it did not list.
func (s *Spec) MetricColumns() []string {
	out := append([]string(nil), s.Metrics...)
	for _, m := range standardMetrics {
		if !contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// metricUnit reads a metric's unit from its name's suffix.
func metricUnit(name string) string {
	for _, u := range []struct{ suf, unit string }{{"_m2", "m2"}, {"_hz", "Hz"}, {"_w", "W"}, {"_j", "J"}, {"_s", "s"}, {"_a", "A"}, {"_v", "V"}, {"_m", "m"}} {
		if strings.HasSuffix(name, u.suf) {
			return u.unit
		}
	}
	return ""
}

func (m Meta) encode() []byte {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		panic("sweep: " + err.Error())
	}
	return append(b, '\n')
}

// ReadMeta reads a results directory's meta.json.
func ReadMeta(dir string) (Meta, error) {
	var m Meta
	b, err := os.ReadFile(filepath.Join(dir, MetaFile))
	if err != nil {
		return m, fmt.Errorf("sweep: %s is not a results directory: %w", dir, err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("sweep: %s: %w", filepath.Join(dir, MetaFile), err)
	}
	if m.Format != formatVersion {
		return m, fmt.Errorf("sweep: %s: format %q, want %q", filepath.Join(dir, MetaFile), m.Format, formatVersion)
	}
	return m, nil
}

// runsHeader is the header of runs.csv.
func (m Meta) runsHeader() []string {
	h := []string{"point"}
	for _, a := range m.Axes {
		h = append(h, a.Column)
	}
	h = append(h, "instance", "chip_seed", "noise_seed")
	for _, c := range m.Metrics {
		h = append(h, c.Column)
	}
	return h
}

// runsPerPoint is the number of rows a finished point has in runs.csv.
func (m Meta) runsPerPoint() int { return m.Instances * m.Seeds }

// firstMetric is the index of the first metric column of a runs row.
func (m Meta) firstMetric() int { return 1 + len(m.Axes) + 3 }

// csvLine encodes one CSV record with its newline.
func csvLine(rec []string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(rec); err != nil {
		panic("sweep: " + err.Error())
	}
	w.Flush()
	return b.Bytes()
}

func parseLine(line []byte) ([]string, error) {
	r := csv.NewReader(bytes.NewReader(line))
	r.FieldsPerRecord = -1
	return r.Read()
}

// block is the rows of one finished point.
type block struct {
	point int
	rows  [][]string
}

// encodeBlock returns a point's rows as CSV.
func encodeBlock(rows [][]string) []byte {
	var b bytes.Buffer
	for _, r := range rows {
		b.Write(csvLine(r))
	}
	return b.Bytes()
}

// scanRuns reads runs.csv data: the header, then blocks of whole points.
// It returns the finished points and the byte length of the valid prefix.
// A final block that is short or cut mid-line (the process was killed
// while appending it) ends the valid prefix; anything wrong before it is
// an error, as is a header that is not m's. check validates a block.
func scanRuns(data []byte, m Meta, check func(b block) error) (blocks []block, valid int, err error) {
	header := csvLine(m.runsHeader())
	if !bytes.HasPrefix(data, header) {
		if bytes.HasPrefix(header, data) {
			return nil, 0, nil // empty or a cut header: start over
		}
		line, _, _ := bytes.Cut(data, []byte("\n"))
		return nil, 0, fmt.Errorf("header %q is not this sweep's %q", line, bytes.TrimSpace(header))
	}
	valid = len(header)
	off, lineNo := valid, 1
	per := m.runsPerPoint()
	var cur *block
	done := map[int]bool{}
	for off < len(data) {
		nl := bytes.IndexByte(data[off:], '\n')
		if nl < 0 {
			break // a cut line: the tail
		}
		line := data[off : off+nl+1]
		lineNo++
		rec, perr := parseLine(line)
		var pt int
		if perr == nil && len(rec) == len(m.runsHeader()) {
			pt, perr = strconv.Atoi(rec[0])
		} else if perr == nil {
			perr = fmt.Errorf("%d fields, want %d", len(rec), len(m.runsHeader()))
		}
		if perr != nil {
			if bytes.IndexByte(data[off+nl+1:], '\n') >= 0 {
				return nil, 0, fmt.Errorf("line %d: %v", lineNo, perr)
			}
			break
		}
		if cur == nil || cur.point != pt {
			if cur != nil {
				return nil, 0, fmt.Errorf("line %d: point %d has %d rows, want %d", lineNo, cur.point, len(cur.rows), per)
			}
			if done[pt] {
				return nil, 0, fmt.Errorf("line %d: point %d appears twice", lineNo, pt)
			}
			cur = &block{point: pt}
		}
		cur.rows = append(cur.rows, rec)
		off += nl + 1
		if len(cur.rows) == per {
			if err := check(*cur); err != nil {
				return nil, 0, fmt.Errorf("line %d: point %d: %v", lineNo, cur.point, err)
			}
			done[cur.point] = true
			blocks = append(blocks, *cur)
			cur, valid = nil, off
		}
	}
	return blocks, valid, nil
}

// summaryHeader is the header of summary.csv: the point's axes, the number
// of runs, then for every metric its mean, min, max and 95% confidence
// interval of the mean.
func (m Meta) summaryHeader() []string {
	h := []string{"point"}
	for _, a := range m.Axes {
		h = append(h, a.Column)
	}
	h = append(h, "runs")
	for _, c := range m.Metrics {
		for _, st := range []string{"mean", "min", "max", "ci95_lo", "ci95_hi"} {
			h = append(h, c.Column+"_"+st)
		}
	}
	return h
}

// Stats summarises one metric at one point.
type Stats struct {
	N                   int
	Mean, Min, Max      float64
	CI95Lo, CI95Hi, Std float64
}

// summarize returns the statistics of xs: the 95% interval is the
// Student-t confidence interval of the mean over all runs (instances and
// seeds pooled), NaN with fewer than two runs.
func summarize(xs []float64) Stats {
	s := Stats{N: len(xs), Min: math.Inf(1), Max: math.Inf(-1)}
	if len(xs) == 0 {
		return Stats{Mean: math.NaN(), Min: math.NaN(), Max: math.NaN(), CI95Lo: math.NaN(), CI95Hi: math.NaN(), Std: math.NaN()}
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
		s.Min = math.Min(s.Min, x)
		s.Max = math.Max(s.Max, x)
	}
	s.Mean = sum / float64(len(xs))
	if len(xs) < 2 {
		s.CI95Lo, s.CI95Hi, s.Std = math.NaN(), math.NaN(), math.NaN()
		return s
	}
	ss := 0.0
	for _, x := range xs {
		ss += (x - s.Mean) * (x - s.Mean)
	}
	s.Std = math.Sqrt(ss / float64(len(xs)-1))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(xs) - 1)}.Quantile(0.975)
	h := t * s.Std / math.Sqrt(float64(len(xs)))
	s.CI95Lo, s.CI95Hi = s.Mean-h, s.Mean+h
	return s
}

// summaryRow summarises one finished point's rows.
func (m Meta) summaryRow(b block) []string {
	first := b.rows[0]
	rec := append([]string(nil), first[:1+len(m.Axes)]...)
	rec = append(rec, strconv.Itoa(len(b.rows)))
	k0 := m.firstMetric()
	for c := range m.Metrics {
		xs := make([]float64, 0, len(b.rows))
		for _, r := range b.rows {
			x, err := strconv.ParseFloat(r[k0+c], 64)
			if err != nil {
				x = math.NaN()
			}
			xs = append(xs, x)
		}
		st := summarize(xs)
		rec = append(rec, formatFloat(st.Mean), formatFloat(st.Min), formatFloat(st.Max), formatFloat(st.CI95Lo), formatFloat(st.CI95Hi))
	}
	return rec
}

// sortBlocks orders blocks by point.
func sortBlocks(bs []block) {
	sort.SliceStable(bs, func(i, j int) bool { return bs[i].point < bs[j].point })
}

// writeSummary writes summary.csv for the finished points, atomically.
func writeSummary(dir string, m Meta, bs []block) error {
	return writeBlocks(filepath.Join(dir, SummaryFile), m.summaryHeader(), bs, func(b block) []byte { return csvLine(m.summaryRow(b)) })
}

// writeRuns writes runs.csv with the blocks in point order, atomically.
func writeRuns(dir string, m Meta, bs []block) error {
	return writeBlocks(filepath.Join(dir, RunsFile), m.runsHeader(), bs, func(b block) []byte { return encodeBlock(b.rows) })
}

// writeBlocks writes a CSV file atomically: header, then each block's
// lines in point order.
func writeBlocks(path string, header []string, bs []block, lines func(block) []byte) error {
	sorted := append([]block(nil), bs...)
	sortBlocks(sorted)
	var buf bytes.Buffer
	buf.Write(csvLine(header))
	for _, b := range sorted {
		buf.Write(lines(b))
	}
	return atomicfile.WriteFile(path, buf.Bytes())
}

// breakdownHeader is the header of breakdown.csv (long format): one row
// per point, quantity (area, power, energy) and ledger line.
func (m Meta) breakdownHeader() []string {
	h := []string{"point"}
	for _, a := range m.Axes {
		h = append(h, a.Column)
	}
	return append(h, "quantity", "component", "value", "unit")
}

// writeBreakdown writes breakdown.csv from each point's rows, in point
// order, atomically.
func writeBreakdown(dir string, m Meta, rows map[int][][]string) error {
	pts := make([]int, 0, len(rows))
	for p := range rows {
		pts = append(pts, p)
	}
	sort.Ints(pts)
	var buf bytes.Buffer
	buf.Write(csvLine(m.breakdownHeader()))
	for _, p := range pts {
		buf.Write(encodeBlock(rows[p]))
	}
	return atomicfile.WriteFile(filepath.Join(dir, BreakdownFile), buf.Bytes())
}

// readBreakdown reads breakdown.csv rows by point.
func readBreakdown(dir string, m Meta) (map[int][][]string, error) {
	path := filepath.Join(dir, BreakdownFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != strings.Join(m.breakdownHeader(), ",") {
		return nil, fmt.Errorf("%s: not this sweep's header", path)
	}
	out := map[int][][]string{}
	for i, r := range recs[1:] {
		p, err := strconv.Atoi(r[0])
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: %v", path, i+2, err)
		}
		out[p] = append(out[p], r)
	}
	return out, nil
}

// ErrIncomplete is wrapped by errors about results with points missing.
var ErrIncomplete = errors.New("results incomplete")
