package spice

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"oscsim/internal/errtext"
)

// ErrNoNgspice is returned when the ngspice executable cannot be found.
// Tests that need ngspice skip on it; the CLI tells the user how to install
// it (Debian/Ubuntu: apt-get install ngspice).
var ErrNoNgspice = errors.New("ngspice not found")

// ErrNoConvergence is wrapped when ngspice stops before the end of the
// transient (time step too small, singular matrix, no DC operating point).
var ErrNoConvergence = errors.New("ngspice did not converge")

// Simulator runs ngspice in batch mode.
type Simulator struct {
	// Path is the ngspice executable; "" looks "ngspice" up on PATH.
	Path string
	// KeepDir, when not "", keeps decks, raw files and logs there instead
	// of a temporary directory that is removed afterwards.
	KeepDir string
	// CacheDir, when not "", keeps each successful run's raw file and log
	// under the SHA-256 of its deck (and tstop) and answers a run of the
	// same deck from there without ngspice (Output.Cached). ngspice is
	// deterministic for a given deck, version and models, so this is for
	// iterating on the engine side of a cross-check; clear the directory
	// after changing ngspice or model cards that a deck includes by path.
	CacheDir string
	// Threads is how many OpenMP threads ngspice may use for device
	// evaluation (the OMP_THREAD_LIMIT of its process); 0 means 1, unless
	// OMP_THREAD_LIMIT is set in the environment. Debian's ngspice loads
	// BSIM4 devices with a team of num_threads = 2 by default. On a chip
	// of a few dozen transistors the team's barriers cost more than the
	// work: on an idle 2-core machine two threads take the same wall time
	// as one (4×4 array, 120 cycles: 6.7 s) and twice the CPU time, and
	// when other processes share the cores the threads spin at the
	// barriers, so a run took up to 300× longer (a two-ring deck: 95 s
	// instead of 0.32 s) and reported the spinning as CPU time. One thread
	// gives the same raw file bit for bit.
	Threads int
	// Progress, when not nil, is called about once a second while ngspice
	// runs, with the simulated time reached and the run's tstop. ngspice
	// in batch mode streams its raw file, whose last complete point gives
	// the time (see rawProgress).
	Progress func(simulated, tstop float64)
	// Trims, when not nil, keeps TrimLoads' measurements for every
	// simulator that shares it; nil measures at every call.
	Trims *TrimCache
}

// Find returns the path of the ngspice executable or ErrNoNgspice.
func (s Simulator) Find() (string, error) {
	if s.Path != "" {
		st, err := os.Stat(s.Path)
		if err != nil {
			return "", fmt.Errorf("%w at %s (%v)", ErrNoNgspice, s.Path, err)
		}
		if st.IsDir() || st.Mode()&0o111 == 0 {
			return "", fmt.Errorf("%w at %s: not an executable file", ErrNoNgspice, s.Path)
		}
		return s.Path, nil
	}
	p, err := exec.LookPath("ngspice")
	if err != nil {
		return "", fmt.Errorf("%w on PATH (install it, e.g. apt-get install ngspice, or give --ngspice PATH)", ErrNoNgspice)
	}
	return p, nil
}

// Version returns the simulator's version string, e.g. "ngspice-39".
func (s Simulator) Version(ctx context.Context) (string, error) {
	p, err := s.Find()
	if err != nil {
		return "", err
	}
	out, _ := exec.CommandContext(ctx, p, "--version").CombinedOutput()
	if m := regexp.MustCompile(`ngspice-[0-9][0-9.]*`).Find(out); m != nil {
		return string(m), nil
	}
	return "ngspice", nil
}

// Output is what one ngspice run produced.
type Output struct {
	// Names are the saved vectors in file order ("time", "v(left_n0)",
	// "i(vdd_left)", all lower case) and Data[k] the samples of Names[k].
	Names []string
	Data  [][]float64
	// Log is ngspice's standard output and error.
	Log string
	// Wall is the wall-clock time of the ngspice process, CPU its user and
	// system CPU time (close to the wall time of an idle machine); for a
	// cached output, those of the run that made it.
	Wall, CPU time.Duration
	// Cached is true when the output came from Simulator.CacheDir.
	Cached bool
}

// Vec returns the samples of a saved vector by name (case-insensitive).
func (o *Output) Vec(name string) ([]float64, error) {
	name = strings.ToLower(name)
	for k, n := range o.Names {
		if n == name {
			return o.Data[k], nil
		}
	}
	return nil, fmt.Errorf("spice: vector %q not in the ngspice output (have %s)", name, strings.Join(o.Names, ", "))
}

// Time returns the time vector.
func (o *Output) Time() []float64 { return o.Data[0] }

// Run simulates deck (the text of a .cir file whose last analysis is a
// .tran to tstop) and reads the binary raw file it writes. The deck is
// named name.cir in the work directory.
func (s Simulator) Run(ctx context.Context, name, deck string, tstop float64) (*Output, error) {
	if s.CacheDir == "" {
		return s.run(ctx, name, deck, tstop)
	}
	key := sha256.Sum256([]byte(fmt.Sprintf("%s\n%.17g", deck, tstop)))
	dir := filepath.Join(s.CacheDir, hex.EncodeToString(key[:12]))
	if out, err := readCached(dir); err == nil {
		return out, nil
	}
	out, err := s.run(ctx, name, deck, tstop)
	if err != nil {
		return nil, err
	}
	if err := writeCached(dir, out); err != nil {
		return nil, fmt.Errorf("spice: cache: %w", err)
	}
	return out, nil
}

// readCached reads an output writeCached stored in dir.
func readCached(dir string) (*Output, error) {
	meta, err := os.ReadFile(filepath.Join(dir, "times"))
	if err != nil {
		return nil, err
	}
	var wall, cpu int64
	if _, err := fmt.Sscan(string(meta), &wall, &cpu); err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(dir, "out.raw"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out, err := ReadRaw(bufio.NewReader(f))
	if err != nil {
		return nil, err
	}
	log, _ := os.ReadFile(filepath.Join(dir, "log"))
	out.Log, out.Wall, out.CPU, out.Cached = string(log), time.Duration(wall), time.Duration(cpu), true
	return out, nil
}

// writeCached stores out in dir as a binary raw file (ReadRaw's format),
// its log and its times; the times file, written last, marks it complete.
func writeCached(dir string, out *Output) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "Title: oscsim cache\nPlotname: Transient Analysis\nFlags: real\nNo. Variables: %d\nNo. Points: %d\nVariables:\n", len(out.Names), len(out.Data[0]))
	for k, n := range out.Names {
		fmt.Fprintf(&b, "\t%d\t%s\tunknown\n", k, n)
	}
	b.WriteString("Binary:\n")
	buf := make([]byte, 8)
	for p := range out.Data[0] {
		for k := range out.Names {
			binary.LittleEndian.PutUint64(buf, math.Float64bits(out.Data[k][p]))
			b.Write(buf)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "out.raw"), b.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "log"), []byte(out.Log), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "times"), fmt.Appendf(nil, "%d %d\n", int64(out.Wall), int64(out.CPU)), 0o644)
}

func (s Simulator) run(ctx context.Context, name, deck string, tstop float64) (*Output, error) {
	exe, err := s.Find()
	if err != nil {
		return nil, err
	}
	dir := s.KeepDir
	if dir == "" {
		dir, err = os.MkdirTemp("", "oscsim-spice-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cir := filepath.Join(dir, name+".cir")
	raw := filepath.Join(dir, name+".raw")
	if err := os.WriteFile(cir, []byte(deck), 0o644); err != nil {
		return nil, err
	}
	os.Remove(raw)
	cmd := exec.CommandContext(ctx, exe, "-b", "-r", raw, cir)
	cmd.Dir = dir
	if _, set := os.LookupEnv("OMP_THREAD_LIMIT"); !set || s.Threads > 0 {
		cmd.Env = append(os.Environ(), fmt.Sprintf("OMP_THREAD_LIMIT=%d", max(s.Threads, 1)))
	}
	var logBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logBuf, &logBuf
	start := time.Now()
	runErr := cmd.Start()
	if runErr == nil {
		stop := make(chan struct{})
		if s.Progress != nil {
			go func() {
				tick := time.NewTicker(time.Second)
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case <-tick.C:
						if t, ok := rawProgress(raw); ok {
							s.Progress(min(t, tstop), tstop)
						}
					}
				}
			}()
		}
		runErr = cmd.Wait()
		close(stop)
		if s.Progress != nil && runErr == nil {
			s.Progress(tstop, tstop)
		}
	}
	wall := time.Since(start)
	log := logBuf.String()
	if s.KeepDir != "" {
		_ = os.WriteFile(filepath.Join(dir, name+".log"), logBuf.Bytes(), 0o644)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	// Warnings such as "gmin stepping failed" are harmless when ngspice
	// recovers, so a run fails only when the transient is incomplete.
	problem := convergenceProblem(log)
	f, err := os.Open(raw)
	if err != nil {
		if problem != "" {
			return nil, fmt.Errorf("spice: %s: %w: %s", name, ErrNoConvergence, problem)
		}
		if runErr != nil {
			return nil, fmt.Errorf("spice: %s: ngspice failed (%v): %s", name, runErr, errtext.Tail(log, 8))
		}
		return nil, fmt.Errorf("spice: %s: ngspice wrote no output: %s", name, errtext.Tail(log, 8))
	}
	defer f.Close()
	out, err := ReadRaw(bufio.NewReader(f))
	if err != nil {
		if problem != "" || runErr != nil {
			// ngspice stops writing a raw file whose analysis failed.
			why := problem
			if why == "" {
				why = errtext.Tail(log, 8)
			}
			return nil, fmt.Errorf("spice: %s: %w: %s", name, ErrNoConvergence, why)
		}
		return nil, fmt.Errorf("spice: %s: %w", name, err)
	}
	out.Log, out.Wall = log, wall
	if ps := cmd.ProcessState; ps != nil {
		out.CPU = ps.UserTime() + ps.SystemTime()
	}
	if t := out.Time(); len(t) == 0 || t[len(t)-1] < tstop*(1-1e-4) {
		end := 0.0
		if len(t) > 0 {
			end = t[len(t)-1]
		}
		why := problem
		if why == "" {
			why = errtext.Tail(log, 8)
		}
		return nil, fmt.Errorf("spice: %s: %w: the transient stopped at %.4g s of %.4g s: %s", name, ErrNoConvergence, end, tstop, why)
	}
	return out, nil
}

var convergencePatterns = []string{
	"timestep too small",
	"singular matrix",
	"gmin stepping failed",
	"source stepping failed",
	"no convergence",
	"simulation(s) aborted",
	"iteration limit reached",
}

// convergenceProblem returns the first log line that reports a failed
// solution, or "".
func convergenceProblem(log string) string {
	for _, line := range strings.Split(log, "\n") {
		l := strings.ToLower(line)
		for _, p := range convergencePatterns {
			if strings.Contains(l, p) {
				return strings.TrimSpace(line)
			}
		}
	}
	return ""
}

// ReadRaw reads an ngspice raw file with real binary data (the format
// ngspice -r writes): a text header ending in "Binary:" followed by
// No. Points records of No. Variables little-endian float64 values. Only
// the first plot is read.
func ReadRaw(r *bufio.Reader) (*Output, error) {
	var nvars, npts int
	var names []string
	inVars := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("raw file: header: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if inVars {
			f := strings.Fields(line)
			if len(f) >= 3 && len(names) < nvars {
				names = append(names, strings.ToLower(f[1]))
				continue
			}
			inVars = false
		}
		key, val, _ := strings.Cut(line, ":")
		val = strings.TrimSpace(val)
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "flags":
			if strings.Contains(val, "complex") {
				return nil, fmt.Errorf("raw file: complex data is not supported")
			}
		case "no. variables":
			nvars, err = strconv.Atoi(val)
		case "no. points":
			npts, err = strconv.Atoi(val)
		case "variables":
			inVars = true
		case "values":
			return nil, fmt.Errorf("raw file: ASCII raw files are not supported (ngspice writes binary with -r)")
		case "binary":
			if len(names) != nvars || nvars == 0 {
				return nil, fmt.Errorf("raw file: %d variable names for %d variables", len(names), nvars)
			}
			data := make([][]float64, nvars)
			for k := range data {
				data[k] = make([]float64, 0, npts)
			}
			buf := make([]byte, 8*nvars)
			for p := 0; p < npts; p++ {
				if _, err := io.ReadFull(r, buf); err != nil {
					if p > 0 && (err == io.ErrUnexpectedEOF || err == io.EOF) {
						break // a run that stopped early: keep what is there
					}
					return nil, fmt.Errorf("raw file: point %d: %w", p, err)
				}
				for k := 0; k < nvars; k++ {
					data[k] = append(data[k], math.Float64frombits(binary.LittleEndian.Uint64(buf[8*k:])))
				}
			}
			return &Output{Names: names, Data: data}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("raw file: %q: %w", line, err)
		}
	}
}

// rawProgress reads the time of the last complete point of a binary raw
// file that ngspice is still writing: the header gives the number of
// variables (time first, all float64), and the file size the number of
// complete points after "Binary:\n".
func rawProgress(path string) (float64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	head := make([]byte, 1<<16)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	end := bytes.Index(head, []byte("Binary:\n"))
	if end < 0 {
		return 0, false
	}
	end += len("Binary:\n")
	m := regexp.MustCompile(`No\. Variables:\s*(\d+)`).FindSubmatch(head[:end])
	if m == nil {
		return 0, false
	}
	nv, err := strconv.Atoi(string(m[1]))
	if err != nil || nv < 1 {
		return 0, false
	}
	st, err := f.Stat()
	if err != nil {
		return 0, false
	}
	points := (st.Size() - int64(end)) / int64(8*nv)
	if points < 1 {
		return 0, false
	}
	var b [8]byte
	if _, err := f.ReadAt(b[:], int64(end)+(points-1)*int64(8*nv)); err != nil {
		return 0, false
	}
	t := math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
	return t, t >= 0 && !math.IsNaN(t)
}
