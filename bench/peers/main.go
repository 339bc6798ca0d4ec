// Command peers measures oscsim's phase-model engine side by side with a
// numpy/scipy implementation of the same model on the same chip
// (phase_numpy.py), and prints both rates in coupling-updates per second
// and their ratio. A coupling-update is one directed coupler applied to one
// input for one step.
//
//	go run ./bench/peers -steps 400 -repeat 3
//
// The Go side uses the CPU's best kernels (chip.EngineKernels); the float32
// B = 64 one-thread case is timed again at each lower level named by
// -kernels, in a child process with OSCSIM_KERNELS set. The sparse product
// alone, in C (csrc/spmm.c, compiled with -cc -O3 -march=native), is the
// third peer: the floor a hand-written step cannot go below. numpy and
// scipy come from Debian (apt-get install python3-numpy python3-scipy).
//
// The chip is OscNet-sized: 784 rings, each coupled to 56 others scattered
// over the array, a constant SHIL pump and phase noise; both sides take
// Euler–Maruyama steps of 1/4 cycle with noise, batches of B = 1, 16, 64
// inputs. First both run a short noise-free stretch from the same phases and
// the final phases are compared, so the two are the same model. The Go side
// is timed through chip.Run (setup, noise, the finite check and the lock
// measurement included) with RunOptions.NoPower, since the numpy side does
// not compute the coupler power either; the rate with the power averaged
// every cycle is printed too.
//
// Rates are given per second of wall clock and per CPU-second: on a machine
// shared with other work only the second says what each side does with a
// core to itself.
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"oscsim/chip"
	"oscsim/coupling"
	"oscsim/internal/benchkit"
	"oscsim/netlist"
	"oscsim/ringosc"
)

const chipTOML = `
[chip]
name = "oscnet784-peer"
tech = "45nm"

[oscillators]
count = 784
stages = 5
frequency = "1.4GHz"
freq_sigma = "1%"
linewidth = "100kHz"
init = "random"

[couplings]
bits = 4
unit_k = 0.0001

[shil]
ks = 0.01
schedule = "constant"
targets = "all"

[run]
model = "phase"
integrator = "euler"
steps_per_cycle = 4
cycles = 10
`

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	fs := flag.NewFlagSet("peers", flag.ContinueOnError)
	steps := fs.Int("steps", 400, "time steps per measurement")
	repeat := fs.Int("repeat", 3, "measurements per case (the best is kept)")
	batches := fs.String("batch", "1,16,64", "batch sizes")
	python := fs.String("python", "/usr/bin/python3", "python with numpy and scipy")
	keep := fs.String("dir", "", "directory for the exported problem (default: a temporary one)")
	levels := fs.String("kernels", "avx2,go", "lower kernel levels to time too (oscsim float32, B = 64, 1 thread; each in a child process with OSCSIM_KERNELS set)")
	cc := fs.String("cc", "gcc", "C compiler for the SpMM-only reference spmm.c (\"\" to skip)")
	child := fs.String("child", "", "internal: time oscsim at PREC,B,WORKERS and print JSON")
	profile := fs.String("cpuprofile", "", "write a CPU profile of this process (oscsim's runs) to this file")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return err
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var bs []int
	for _, s := range strings.Split(*batches, ",") {
		b, err := strconv.Atoi(s)
		if err != nil || b < 1 {
			return fmt.Errorf("bad batch size %q", s)
		}
		bs = append(bs, b)
	}
	nl, err := netlist.Parse("oscnet784-peer.toml", []byte(chipTOML), nil)
	if err != nil {
		return err
	}
	ch, err := chip.Compile(nl, chip.Options{})
	if err != nil {
		return err
	}
	if _, err := ch.Program(benchkit.CirculantEdges(784, 56, 1)); err != nil {
		return err
	}
	dir := *keep
	if dir == "" {
		if dir, err = os.MkdirTemp("", "oscsim-peers-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	nnz, err := export(dir, ch, 4)
	if err != nil {
		return err
	}

	// oscsim.
	dur := float64(*steps) / (nl.Oscillators.Frequency * 4)
	measure := func(prec string, b, workers int, noPower, noNoise bool) (best, bestCPU float64, err error) {
		for r := 0; r < *repeat; r++ {
			in := inputs(ch.N(), b)
			c0 := benchkit.CPUTime()
			res, err := ch.Run(context.Background(), in, chip.RunOptions{Precision: prec, Workers: workers, Duration: dur, NoPower: noPower, NoNoise: noNoise})
			if err != nil {
				return 0, 0, err
			}
			upd := float64(nnz) * float64(b) * float64(res.Steps)
			best = math.Max(best, upd/res.Wall.Seconds())
			bestCPU = math.Max(bestCPU, upd/(benchkit.CPUTime()-c0).Seconds())
		}
		return best, bestCPU, nil
	}
	if *child != "" {
		return runChild(w, *child, measure)
	}

	// Same model: a noise-free stretch from the same phases.
	in := inputs(ch.N(), 4)
	const checkSteps = 200
	res, err := ch.Run(context.Background(), in, chip.RunOptions{NoNoise: true, Duration: checkSteps / (nl.Oscillators.Frequency * 4)})
	if err != nil {
		return err
	}
	final := make([]float64, ch.N()*4)
	for b := range res.Unwrapped {
		for i, p := range res.Unwrapped[b] {
			final[i*4+b] = p
		}
	}
	if err := writeBin(filepath.Join(dir, "go_final.f64"), final); err != nil {
		return err
	}
	var check struct {
		MaxAbsDiff float64 `json:"max_abs_diff"`
	}
	out, err := exec.Command(*python, peerScript(), dir, "--check").Output()
	if err != nil {
		return fmt.Errorf("%s --check: %w", *python, err)
	}
	if err := json.Unmarshal(out, &check); err != nil {
		return fmt.Errorf("python check output %q: %w", out, err)
	}
	fmt.Fprintf(w, "chip: 784 rings, %d couplers (%.0f per row), Euler–Maruyama, 1/4 cycle steps, phase noise, SHIL\n", nnz, float64(nnz)/784)
	fmt.Fprintf(w, "same model: after %d noise-free steps max |φ_go − φ_numpy| = %.2g rad\n", checkSteps, check.MaxAbsDiff)
	if !(check.MaxAbsDiff < 1e-9) {
		return fmt.Errorf("numpy and Go disagree by %g rad: not the same model", check.MaxAbsDiff)
	}
	fmt.Fprintf(w, "go %s %s/%s, %d CPUs, kernels %q; %d steps, best of %d\n\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), chip.EngineKernels(), *steps, *repeat)

	// numpy/scipy.
	type row struct {
		who, prec string
		b, w      int
		rate, cpu float64 // per second of wall clock, per CPU-second
	}
	var rows []row
	cmd := exec.Command(*python, peerScript(), dir, "--batch", *batches, "--steps", strconv.Itoa(*steps), "--repeat", strconv.Itoa(*repeat))
	cmd.Stderr = os.Stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	var versions string
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		var m struct {
			Batch int     `json:"batch"`
			DType string  `json:"dtype"`
			Rate  float64 `json:"updates_per_s"`
			CPU   float64 `json:"updates_per_cpu_s"`
			Numpy string  `json:"numpy"`
			Scipy string  `json:"scipy"`
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return fmt.Errorf("python output %q: %w", sc.Text(), err)
		}
		versions = "numpy " + m.Numpy + ", scipy " + m.Scipy
		rows = append(rows, row{"numpy/scipy", m.DType, m.Batch, 1, m.Rate, m.CPU})
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("%s: %w", *python, err)
	}
	var cRows []row
	var ccVersion string
	if *cc != "" {
		for _, b := range bs {
			rs, v, err := runC(*cc, dir, b, *steps, *repeat)
			if err != nil {
				return err
			}
			cRows = append(cRows, row{"C SpMM only", "float32", b, 1, rs[0].Rate, rs[0].CPU})
			if len(rs) > 1 {
				cRows = append(cRows, row{"C SpMM, blocked", "float32", b, 1, rs[1].Rate, rs[1].CPU})
			}
			ccVersion = v
		}
	}

	for _, prec := range []string{chip.PrecisionFloat64, chip.PrecisionFloat32} {
		for _, b := range bs {
			for _, workers := range []int{1, 2} {
				best, bestCPU, err := measure(prec, b, workers, true, false)
				if err != nil {
					return err
				}
				rows = append(rows, row{"oscsim", prec, b, workers, best, bestCPU})
			}
		}
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "engine\tprecision\tB\tthreads\tcoupling-updates/s\tper CPU-second\t")
	for _, r := range append(rows, cRows...) {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.3g\t%.3g\t\n", r.who, r.prec, r.b, r.w, r.rate, r.cpu)
	}
	tw.Flush()
	bestOf := func(who string, w int, cpu bool) row {
		var best row
		for _, r := range rows {
			if r.who == who && r.w == w && ((!cpu && r.rate > best.rate) || (cpu && r.cpu > best.cpu)) {
				best = r
			}
		}
		return best
	}
	np1, go1, go2 := bestOf("numpy/scipy", 1, false), bestOf("oscsim", 1, false), bestOf("oscsim", 2, false)
	fmt.Fprintf(w, "\n%s; load average at the end: %s\n", versions, loadAvg())
	fmt.Fprintf(w, "wall clock:  best numpy/scipy (1 thread) %.3g (%s, B=%d)\n", np1.rate, np1.prec, np1.b)
	fmt.Fprintf(w, "             best oscsim, 1 thread  %.3g (%s, B=%d)  ratio %.1f×\n", go1.rate, go1.prec, go1.b, go1.rate/np1.rate)
	fmt.Fprintf(w, "             best oscsim, 2 threads %.3g (%s, B=%d)  ratio %.1f×\n", go2.rate, go2.prec, go2.b, go2.rate/np1.rate)
	// On a machine shared with other work, rates per CPU-second are what
	// each side does with a core to itself; the two-thread figure then
	// counts both cores' CPU time (spinning at the barriers included).
	np1, go1, go2 = bestOf("numpy/scipy", 1, true), bestOf("oscsim", 1, true), bestOf("oscsim", 2, true)
	fmt.Fprintf(w, "CPU time:    best numpy/scipy (1 thread) %.3g per CPU-s (%s, B=%d)\n", np1.cpu, np1.prec, np1.b)
	fmt.Fprintf(w, "             best oscsim, 1 thread  %.3g per CPU-s (%s, B=%d)  ratio %.1f×\n", go1.cpu, go1.prec, go1.b, go1.cpu/np1.cpu)
	fmt.Fprintf(w, "             best oscsim, 2 threads %.3g per CPU-s (%s, B=%d): parallel efficiency %.0f%%, so %.1f× on two free cores\n",
		go2.cpu, go2.prec, go2.b, 100*go2.cpu/go1.cpu, 2*go2.cpu/np1.cpu)
	for _, c := range cRows {
		if c.b == go1.b {
			fmt.Fprintf(w, "%s (%s -O3 -march=native; float32, B=%d): %.3g per CPU-s: oscsim's whole step is %.2f× its sparse product alone\n",
				c.who, ccVersion, c.b, c.cpu, go1.cpu/c.cpu)
		}
	}
	for _, l := range strings.Split(*levels, ",") {
		if l == "" || l == chip.EngineKernels() {
			continue
		}
		r, err := childRate(l, chip.PrecisionFloat32, 64, 1)
		if err != nil {
			fmt.Fprintf(w, "kernels %s: %v\n", l, err)
			continue
		}
		fmt.Fprintf(w, "kernels %s (OSCSIM_KERNELS=%s; float32, B=64, 1 thread): %.3g/s, %.3g per CPU-s: ratio %.1f× (CPU)\n",
			l, l, r.Rate, r.CPU, r.CPU/np1.cpu)
	}
	wp, cp, err := measure(go1.prec, go1.b, 1, false, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "with the coupler power every cycle (oscsim %s, B=%d, 1 thread): %.3g/s, %.3g per CPU-s, ratio %.1f× (CPU)\n",
		go1.prec, go1.b, wp, cp, cp/np1.cpu)

	// Without phase noise: the dynamics alone (both sides draw their
	// normals with a ziggurat; oscsim's reproduces math/rand/v2's numbers
	// exactly, which costs ~4.5 ns a draw, about half its step at B = 64).
	out, err = exec.Command(*python, peerScript(), dir, "--batch", strconv.Itoa(go1.b), "--dtype", "float32,float64",
		"--steps", strconv.Itoa(*steps), "--repeat", strconv.Itoa(*repeat), "--no-noise").Output()
	if err != nil {
		return fmt.Errorf("%s --no-noise: %w", *python, err)
	}
	bestNP, bestNPCPU := 0.0, 0.0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var m struct {
			Rate float64 `json:"updates_per_s"`
			CPU  float64 `json:"updates_per_cpu_s"`
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			return fmt.Errorf("python output %q: %w", line, err)
		}
		bestNP, bestNPCPU = math.Max(bestNP, m.Rate), math.Max(bestNPCPU, m.CPU)
	}
	q1, q1c, err := measure(go1.prec, go1.b, 1, true, true)
	if err != nil {
		return err
	}
	q2, q2c, err := measure(go1.prec, go1.b, 2, true, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "without phase noise (B=%d): numpy/scipy %.3g/s (%.3g per CPU-s); oscsim %s 1 thread %.3g/s (%.3g per CPU-s, %.1f× CPU), 2 threads %.3g/s (%.3g per CPU-s: %.1f× on two free cores)\n",
		go1.b, bestNP, bestNPCPU, go1.prec, q1, q1c, q1c/bestNPCPU, q2, q2c, 2*q2c/bestNPCPU)
	return nil
}

// loadAvg is the first field of /proc/loadavg, or "?".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

// inputs returns b inputs with fixed random initial phases.
func inputs(n, b int) []chip.Input {
	r := rand.New(rand.NewPCG(9, 9))
	in := make([]chip.Input, b)
	for k := range in {
		in[k].Phases = make([]float64, n)
		for i := range in[k].Phases {
			in[k].Phases[i] = (2*r.Float64() - 1) * math.Pi
		}
	}
	return in
}

// export writes the chip's phase model for phase_numpy.py: the coupling
// rates K_ij as CSR (receiving ring i, source j), the detuning, the pump
// term 2·K_s per ring, the step, the noise and b inputs' initial phases.
func export(dir string, ch *chip.Chip, b int) (int, error) {
	nl := ch.Netlist()
	n := ch.N()
	ring := ch.Ring()
	h1, c := ring.CouplingGain(), nl.Tech.NodeCap
	cp := ch.Couplers()
	sort.SliceStable(cp, func(x, y int) bool {
		if cp[x].To != cp[y].To {
			return cp[x].To < cp[y].To
		}
		return cp[x].From < cp[y].From
	})
	rowptr := make([]int32, n+1)
	col := make([]int32, len(cp))
	k := make([]float64, len(cp))
	for x, e := range cp {
		g := e.G
		if e.Inverted {
			g = -g
		}
		rowptr[e.To+1]++
		col[x], k[x] = int32(e.From), coupling.Rate(g, h1, c)
	}
	for i := 0; i < n; i++ {
		rowptr[i+1] += rowptr[i]
	}
	_, ks, _ := ch.Rates()
	kp := make([]float64, n)
	for _, i := range nl.SHIL.Targets {
		kp[i] = 2 * ks
	}
	spc := 4.0
	dt := 1 / (nl.Oscillators.Frequency * spc)
	meta := map[string]any{"n": n, "dt": dt, "sigma": math.Sqrt(2 * ringosc.Diffusion(nl.Oscillators.Linewidth) * dt), "check_steps": 200}
	phi0 := make([]float64, n*b)
	for bb, in := range inputs(n, b) {
		for i, p := range in.Phases {
			phi0[i*b+bb] = p
		}
	}
	mb, err := json.Marshal(meta)
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(filepath.Join(dir, "meta.json"), mb, 0o644); err != nil {
		return 0, err
	}
	for name, v := range map[string]any{"rowptr.i32": rowptr, "col.i32": col, "k.f64": k, "dw.f64": ch.Detuning(), "kp.f64": kp, "phi0.f64": phi0} {
		if err := writeBin(filepath.Join(dir, name), v); err != nil {
			return 0, err
		}
	}
	return len(cp), nil
}

func writeBin(path string, v any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := binary.Write(f, binary.LittleEndian, v); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// peerScript is phase_numpy.py next to this file.
func peerScript() string { return peerFile("phase_numpy.py") }

// peerFile is the named file next to this one.
func peerFile(name string) string {
	_, file, _, ok := runtime.Caller(0)
	if ok {
		return filepath.Join(filepath.Dir(file), name)
	}
	return filepath.Join("bench", "peers", name)
}

// rate is one timed case: coupling-updates per second and per CPU-second.
type rate struct {
	Rate float64 `json:"updates_per_s"`
	CPU  float64 `json:"updates_per_cpu_s"`
}

// runChild times the case spec = "PREC,B,WORKERS" (with phase noise,
// without coupler power) and prints it as JSON: a child process run by
// childRate with another OSCSIM_KERNELS.
func runChild(w io.Writer, spec string, measure func(prec string, b, workers int, noPower, noNoise bool) (float64, float64, error)) error {
	f := strings.Split(spec, ",")
	if len(f) != 3 {
		return fmt.Errorf("-child %q: want PREC,B,WORKERS", spec)
	}
	b, err1 := strconv.Atoi(f[1])
	wk, err2 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil {
		return fmt.Errorf("-child %q: want PREC,B,WORKERS", spec)
	}
	r, c, err := measure(f[0], b, wk, true, false)
	if err != nil {
		return err
	}
	return json.NewEncoder(w).Encode(rate{r, c})
}

// childRate times oscsim at kernel level l in a child process (the level
// is chosen once per process, from OSCSIM_KERNELS).
func childRate(l, prec string, b, workers int) (rate, error) {
	exe, err := os.Executable()
	if err != nil {
		return rate{}, err
	}
	args := append([]string{"-child", fmt.Sprintf("%s,%d,%d", prec, b, workers)}, childArgs()...)
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "OSCSIM_KERNELS="+l)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return rate{}, err
	}
	var r rate
	return r, json.Unmarshal(out, &r)
}

// childArgs passes -steps and -repeat on to a child.
func childArgs() []string {
	var a []string
	for i, s := range os.Args[1:] {
		if (s == "-steps" || s == "-repeat") && i+2 < len(os.Args) {
			a = append(a, s, os.Args[i+2])
		} else if strings.HasPrefix(s, "-steps=") || strings.HasPrefix(s, "-repeat=") {
			a = append(a, s)
		}
	}
	return a
}

// runC compiles spmm.c with cc -O3 -march=native into dir and times the
// sparse product alone at batch b; it returns the rates of the plain loop
// and of the register-blocked one (for B = 1, 16, 64) and the compiler's
// version.
func runC(cc, dir string, b, steps, repeat int) ([]rate, string, error) {
	bin := filepath.Join(dir, "spmm")
	if _, err := os.Stat(bin); err != nil {
		out, err := exec.Command(cc, "-O3", "-march=native", "-o", bin, peerFile(filepath.Join("csrc", "spmm.c"))).CombinedOutput()
		if err != nil {
			return nil, "", fmt.Errorf("%s spmm.c: %v: %s", cc, err, out)
		}
	}
	ver, _ := exec.Command(cc, "-dumpfullversion").Output()
	out, err := exec.Command(bin, dir, strconv.Itoa(b), strconv.Itoa(steps), strconv.Itoa(repeat)).Output()
	if err != nil {
		return nil, "", fmt.Errorf("spmm: %w", err)
	}
	var rs []rate
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var r struct {
			rate
			Fixed bool `json:"fixed"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return nil, "", fmt.Errorf("spmm output %q: %w", line, err)
		}
		if !r.Fixed || b == 1 || b == 16 || b == 64 {
			rs = append(rs, r.rate)
		}
	}
	return rs, cc + " " + strings.TrimSpace(string(ver)), nil
}
