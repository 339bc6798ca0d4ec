package sweep

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Summary is a results directory's summary.csv, read back.
type Summary struct {
	Meta Meta
	// Point[r] is row r's point index and Axis[r][a] its cell of axis a.
	Point []int
	Axis  [][]string
	Runs  []int
	stats [][]Stats // [row][metric], in Meta.Metrics order
}

// Len returns the number of points summarised.
func (t *Summary) Len() int { return len(t.Point) }

// Stat returns the statistics of a metric column at row r (NaN fields for
// an unknown metric).
func (t *Summary) Stat(r int, metric string) Stats {
	for i, m := range t.Meta.Metrics {
		if m.Column == metric {
			return t.stats[r][i]
		}
	}
	nan := math.NaN()
	return Stats{Mean: nan, Min: nan, Max: nan, CI95Lo: nan, CI95Hi: nan, Std: nan}
}

// AxisValue returns row r's value of axis a as a number, if it is one.
func (t *Summary) AxisValue(r, a int) (float64, bool) {
	if t.Meta.Axes[a].Unit == unitText {
		return 0, false
	}
	v, err := strconv.ParseFloat(t.Axis[r][a], 64)
	return v, err == nil
}

// ReadSummary reads the meta.json and summary.csv of a results directory.
func ReadSummary(dir string) (*Summary, error) {
	m, err := ReadMeta(dir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, SummaryFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("sweep: %s: %w", path, err)
	}
	h := m.summaryHeader()
	if len(recs) == 0 || strings.Join(recs[0], ",") != strings.Join(h, ",") {
		return nil, fmt.Errorf("sweep: %s: the header does not match %s", path, MetaFile)
	}
	t := &Summary{Meta: m}
	na := len(m.Axes)
	for i, r := range recs[1:] {
		p, err := strconv.Atoi(r[0])
		if err != nil {
			return nil, fmt.Errorf("sweep: %s:%d: %v", path, i+2, err)
		}
		runs, _ := strconv.Atoi(r[1+na])
		t.Point = append(t.Point, p)
		t.Axis = append(t.Axis, r[1:1+na])
		t.Runs = append(t.Runs, runs)
		var st []Stats
		for k := range m.Metrics {
			c := r[2+na+5*k:]
			f := func(j int) float64 {
				v, err := strconv.ParseFloat(c[j], 64)
				if err != nil {
					return math.NaN()
				}
				return v
			}
			st = append(st, Stats{N: runs, Mean: f(0), Min: f(1), Max: f(2), CI95Lo: f(3), CI95Hi: f(4)})
		}
		t.stats = append(t.stats, st)
	}
	return t, nil
}
