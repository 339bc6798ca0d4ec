package sweep

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"oscsim/bench"
	"oscsim/chip"
	"oscsim/internal/atomicfile"
)

// Options control how a sweep runs; none of them changes a result.
type Options struct {
	// Dir is the results directory (created if needed).
	Dir string
	// Resume continues the results in Dir: finished points are kept,
	// a point cut off while being written is dropped and run again.
	Resume bool
	// Shard and Shards select shard Shard (0-based) of Shards: the points
	// whose index is Shard modulo Shards. Shards ≤ 1 runs every point.
	Shard, Shards int
	// Jobs is the number of runs in flight (0 = GOMAXPROCS).
	Jobs int
	// Progress, when set, is called after every finished run.
	Progress func(Progress)
}

// Progress counts a sweep's finished work (of this shard).
type Progress struct {
	PointsDone, Points int
	RunsDone, Runs     int
	// Resumed counts the points found finished in the results directory.
	Resumed int
}

// ErrExists is returned when the results directory already holds results
// and Options.Resume is not set.
var ErrExists = errors.New("results exist")

// ShardPoints returns the points of shard i of n (all for n ≤ 1).
func (s *Spec) ShardPoints(i, n int) []*Point {
	if n <= 1 {
		return s.Points
	}
	var out []*Point
	for _, p := range s.Points {
		if p.Index%n == i {
			out = append(out, p)
		}
	}
	return out
}

// Run runs the sweep's points (of one shard) and writes the results
// directory: meta.json, runs.csv (one row per point × instance × noise
// seed), summary.csv (one row per point) and breakdown.csv (the ledger's
// area, power and energy lines per point). A finished point is appended
// to runs.csv in one write and synced, and the summaries are rewritten
// atomically, so a killed sweep loses only the points in flight. When
// every point is done, runs.csv is rewritten in point order: the files of
// a finished sweep do not depend on the number of jobs, on interruptions,
// or (after Merge) on sharding.
func Run(ctx context.Context, s *Spec, opt Options) (Progress, error) {
	if opt.Shards <= 1 {
		opt.Shard, opt.Shards = 0, 1
	}
	if opt.Shard < 0 || opt.Shard >= opt.Shards {
		panic("sweep: shard out of range")
	}
	if opt.Jobs <= 0 {
		opt.Jobs = runtime.GOMAXPROCS(0)
	}
	points := s.ShardPoints(opt.Shard, opt.Shards)
	for _, p := range points {
		if p.Workload == nil {
			panic("sweep: point without a workload: load the spec with LoadShard for this shard")
		}
	}
	meta := s.Meta(opt.Shard, opt.Shards)
	pr := Progress{Points: len(points), Runs: len(points) * s.Instances * s.Seeds}

	if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
		return pr, err
	}
	unlock, err := lockDir(opt.Dir)
	if err != nil {
		return pr, err
	}
	defer unlock()

	// meta.json: written once; on resume it must be this sweep's.
	metaPath := filepath.Join(opt.Dir, MetaFile)
	mb := meta.encode()
	old, err := os.ReadFile(metaPath)
	switch {
	case err == nil && !opt.Resume:
		return pr, fmt.Errorf("sweep: %w in %s: continue them with --resume, or choose another directory", ErrExists, opt.Dir)
	case err == nil && !bytes.Equal(old, mb):
		return pr, fmt.Errorf("sweep: %s holds results of another sweep, chip or shard (%s differs); choose another directory", opt.Dir, MetaFile)
	case err != nil && !os.IsNotExist(err):
		return pr, err
	case err != nil:
		if err := atomicfile.WriteFile(metaPath, mb); err != nil {
			return pr, err
		}
	}

	// runs.csv: keep the whole points already there.
	inShard := map[int]*Point{}
	for _, p := range points {
		inShard[p.Index] = p
	}
	runsPath := filepath.Join(opt.Dir, RunsFile)
	var blocks []block
	data, err := os.ReadFile(runsPath)
	if err != nil && !os.IsNotExist(err) {
		return pr, err
	}
	var valid int
	if err == nil {
		blocks, valid, err = scanRuns(data, meta, func(b block) error { return checkBlock(s, meta, inShard, b) })
		if err != nil {
			return pr, fmt.Errorf("sweep: %s: %v", runsPath, err)
		}
	}
	if valid == 0 {
		if err := atomicfile.WriteFile(runsPath, csvLine(meta.runsHeader())); err != nil {
			return pr, err
		}
	} else if valid < len(data) {
		if err := os.Truncate(runsPath, int64(valid)); err != nil {
			return pr, err
		}
	}
	f, err := os.OpenFile(runsPath, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return pr, err
	}
	defer f.Close()

	done := map[int]bool{}
	breakdown := map[int][][]string{}
	prev, _ := readBreakdown(opt.Dir, meta) // rows of points already done, if any
	for _, b := range blocks {
		done[b.point] = true
		if rows, ok := prev[b.point]; ok {
			breakdown[b.point] = rows
			continue
		}
		// Killed after appending the point and before writing its
		// breakdown: run its first run again for the ledger.
		rows, err := s.breakdownAgain(ctx, meta, inShard[b.point], b)
		if err != nil {
			return pr, err
		}
		breakdown[b.point] = rows
	}
	pr.Resumed, pr.PointsDone = len(blocks), len(blocks)
	pr.RunsDone = pr.PointsDone * s.Instances * s.Seeds
	if err := writeSummary(opt.Dir, meta, blocks); err != nil {
		return pr, err
	}
	if err := writeBreakdown(opt.Dir, meta, breakdown); err != nil {
		return pr, err
	}
	if opt.Progress != nil {
		opt.Progress(pr)
	}

	// Run the remaining points: tasks in point order, any number in flight.
	type task struct {
		pt             *Point
		instance, seed int
	}
	type result struct {
		task
		vals   []float64
		ledger *chip.Ledger
		err    error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tasks := make(chan task)
	results := make(chan result, opt.Jobs)
	var todo []*Point
	for _, p := range points {
		if !done[p.Index] {
			todo = append(todo, p)
		}
	}
	go func() {
		defer close(tasks)
		for _, p := range todo {
			for i := 0; i < s.Instances; i++ {
				for k := 0; k < s.Seeds; k++ {
					select {
					case tasks <- task{p, i, k}:
					case <-ctx.Done():
						return
					}
				}
			}
		}
	}()
	var wg sync.WaitGroup
	for j := 0; j < opt.Jobs; j++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range tasks {
				vals, L, err := s.runOne(ctx, t.pt, t.instance, t.seed)
				results <- result{t, vals, L, err}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	pending := map[int][][]float64{}
	ledgers := map[int]*chip.Ledger{} // instance 0, seed 0's, per point
	var firstErr error
	for r := range results {
		if firstErr != nil {
			continue
		}
		if r.err != nil {
			firstErr = r.err
			cancel()
			continue
		}
		p := r.pt.Index
		if pending[p] == nil {
			pending[p] = make([][]float64, s.Instances*s.Seeds)
		}
		pending[p][r.instance*s.Seeds+r.seed] = r.vals
		if r.instance == 0 && r.seed == 0 {
			ledgers[p] = r.ledger
		}
		pr.RunsDone++
		if n := countDone(pending[p]); n == s.Instances*s.Seeds {
			b := s.block(meta, r.pt, pending[p])
			delete(pending, p)
			if err := appendBlock(f, b); err != nil {
				firstErr = err
				cancel()
				continue
			}
			blocks = append(blocks, b)
			rows := breakdownRows(s, meta, r.pt, b, ledgers[p])
			delete(ledgers, p)
			var err error
			breakdown[p] = rows
			err = writeSummary(opt.Dir, meta, blocks)
			if err == nil {
				err = writeBreakdown(opt.Dir, meta, breakdown)
			}
			if err != nil {
				firstErr = err
				cancel()
				continue
			}
			pr.PointsDone++
		}
		if opt.Progress != nil {
			opt.Progress(pr)
		}
	}
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		if errors.Is(firstErr, context.Canceled) {
			return pr, fmt.Errorf("sweep: interrupted with %d of %d points done (continue with --resume): %w", pr.PointsDone, pr.Points, firstErr)
		}
		return pr, firstErr
	}
	if err := f.Close(); err != nil {
		return pr, err
	}
	return pr, writeRuns(opt.Dir, meta, blocks)
}

func countDone(v [][]float64) int {
	n := 0
	for _, x := range v {
		if x != nil {
			n++
		}
	}
	return n
}

// appendBlock appends a finished point's rows in one write and syncs them.
func appendBlock(f *os.File, b block) error {
	if _, err := f.Write(encodeBlock(b.rows)); err != nil {
		return err
	}
	return f.Sync()
}

// NoiseSeed returns the chip.RunOptions.NoiseSeed of noise realisation k
// (0-based); 0 is left to the description's own streams.
func NoiseSeed(k int) int64 { return int64(k) + 1 }

// runOne runs the workload on one chip instance with one noise
// realisation and returns the metric columns.
func (s *Spec) runOne(ctx context.Context, pt *Point, instance, seed int) ([]float64, *chip.Ledger, error) {
	fail := func(err error) ([]float64, *chip.Ledger, error) {
		return nil, nil, fmt.Errorf("sweep: point %d (%s), instance %d, noise seed %d: %w", pt.Index, pt.Key, instance, NoiseSeed(seed), err)
	}
	ch, err := chip.Compile(pt.Netlist, chip.Options{Seed: pt.ChipSeed, SetSeed: true, Instance: instance})
	if err != nil {
		return fail(err)
	}
	var m bench.Metrics
	var L *chip.Ledger
	if lw, ok := pt.Workload.(bench.LedgerWorkload); ok {
		m, L, err = lw.RunLedger(ctx, ch, NoiseSeed(seed))
	} else {
		m, err = pt.Workload.Run(ctx, ch, NoiseSeed(seed))
	}
	if err != nil {
		return fail(err)
	}
	for _, name := range s.Metrics {
		if _, ok := m[name]; !ok {
			key := "sweep.metrics"
			if name == s.Accuracy {
				key = "sweep.accuracy"
			}
			return nil, nil, Errors{{File: s.File, Pos: s.pos[key], Key: key,
				Msg: fmt.Sprintf("workload %s reports no metric %q (it reports %s)", pt.Workload.Name(), name, strings.Join(m.Names(), ", "))}}
		}
	}
	if L == nil {
		L = ch.Ledger(nil)
	}
	std := ledgerMetrics(L, m)
	cols := s.MetricColumns()
	out := make([]float64, len(cols))
	for i, c := range cols {
		if v, ok := m[c]; ok {
			out[i] = v
		} else {
			out[i] = std[c]
		}
	}
	return out, L, nil
}

// ledgerMetrics returns the standard metrics from the ledger of the
// workload's run: its own (bench.LedgerWorkload) or else the chip's
// (chip.Ledger(nil): an estimate from the description and the couplings
// programmed last). A workload's own power_w and energy_per_inference_j
// win; else, when it measured the couplers' power (coupler_power_w), that
// replaces the ledger's estimate of the TG conduction. An inference takes programs_per_image programmings
// (1 if not reported) and time_to_solution_s of chip time (the ledger's
// run time if not reported).
func ledgerMetrics(L *chip.Ledger, m bench.Metrics) map[string]float64 {
	power := L.TotalPower
	if v, ok := m[MetricPower]; ok {
		power = v // measured by the workload over all its runs
	} else if cp, ok := m["coupler_power_w"]; ok {
		power += cp - L.PowerLine(chip.LineTGConduction)
	}
	programs := 1.0
	if p, ok := m["programs_per_image"]; ok {
		programs = p
	}
	t := L.TimeToSolution
	if v, ok := m[MetricTime]; ok {
		t = v
	}
	energy := programs*L.ProgramEnergy + power*t
	if v, ok := m[MetricEnergy]; ok {
		energy = v
	}
	return map[string]float64{
		MetricArea:     L.DieArea,
		MetricCoreArea: L.CoreArea,
		MetricPower:    power,
		MetricEnergy:   energy,
		MetricTime:     t,
	}
}

// block turns a finished point's runs into runs.csv rows.
func (s *Spec) block(m Meta, pt *Point, vals [][]float64) block {
	b := block{point: pt.Index}
	for i := 0; i < s.Instances; i++ {
		for k := 0; k < s.Seeds; k++ {
			rec := s.rowPrefix(pt)
			rec = append(rec, strconv.Itoa(i), strconv.FormatInt(pt.ChipSeed, 10), strconv.FormatInt(NoiseSeed(k), 10))
			for _, v := range vals[i*s.Seeds+k] {
				rec = append(rec, formatFloat(v))
			}
			b.rows = append(b.rows, rec)
		}
	}
	return b
}

// rowPrefix is the point index and axis cells every row of a point starts
// with.
func (s *Spec) rowPrefix(pt *Point) []string {
	rec := []string{strconv.Itoa(pt.Index)}
	for i, v := range pt.Values {
		rec = append(rec, v.Cell(s.Axes[i].Unit))
	}
	return rec
}

// checkBlock validates a finished point read back from runs.csv.
func checkBlock(s *Spec, m Meta, inShard map[int]*Point, b block) error {
	pt, ok := inShard[b.point]
	if !ok {
		return fmt.Errorf("not a point of this sweep or shard")
	}
	want := s.rowPrefix(pt)
	for j, r := range b.rows {
		i, k := j/s.Seeds, j%s.Seeds
		if strings.Join(r[:len(want)], "\x00") != strings.Join(want, "\x00") {
			return fmt.Errorf("row %d: axis values %v, want %v", j, r[:len(want)], want)
		}
		id := r[len(want) : len(want)+3]
		if id[0] != strconv.Itoa(i) || id[1] != strconv.FormatInt(pt.ChipSeed, 10) || id[2] != strconv.FormatInt(NoiseSeed(k), 10) {
			return fmt.Errorf("row %d: instance, chip seed, noise seed %v, want %d, %d, %d", j, id, i, pt.ChipSeed, NoiseSeed(k))
		}
	}
	return nil
}

// breakdownAgain runs a finished point's first run (instance 0, seed 0)
// again for its ledger and returns the point's breakdown rows.
func (s *Spec) breakdownAgain(ctx context.Context, m Meta, pt *Point, b block) ([][]string, error) {
	_, L, err := s.runOne(ctx, pt, 0, 0)
	if err != nil {
		return nil, err
	}
	return breakdownRows(s, m, pt, b, L), nil
}

// breakdownRows returns a point's breakdown.csv rows: the area, power and
// energy lines of instance 0's first run's ledger (see ledgerMetrics).
// The coupler-conduction line is set so that the power lines add up to
// the point's mean power_w, and the run energy follows from that power.
func breakdownRows(s *Spec, m Meta, pt *Point, b block, L *chip.Ledger) [][]string {
	// The mean measured power over the point's runs.
	pc := -1
	for i, c := range m.Metrics {
		if c.Column == MetricPower {
			pc = m.firstMetric() + i
		}
	}
	mean := L.TotalPower
	if pc >= 0 {
		sum := 0.0
		for _, r := range b.rows {
			x, _ := strconv.ParseFloat(r[pc], 64)
			sum += x
		}
		mean = sum / float64(len(b.rows))
	}
	prefix := s.rowPrefix(pt)
	var rows [][]string
	add := func(q, name string, v float64, unit string) {
		rec := append(append([]string(nil), prefix...), q, name, formatFloat(v), unit)
		rows = append(rows, rec)
	}
	for _, l := range L.Area {
		add("area", l.Name, l.Value, "m2")
	}
	for _, l := range L.Power {
		v := l.Value
		if l.Name == chip.LineTGConduction {
			v += mean - L.TotalPower
		}
		add("power", l.Name, v, "W")
	}
	for _, l := range L.Energy {
		v := l.Value
		if l.Name == "run" {
			v = mean * L.TimeToSolution
		}
		if math.IsNaN(v) {
			v = 0
		}
		add("energy", l.Name, v, "J")
	}
	return rows
}
