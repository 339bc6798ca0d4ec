package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"oscsim/internal/atomicfile"
	"oscsim/internal/progress"
	"oscsim/learn/hrecm"
	"oscsim/repro"
)

const stabilityUsage = `
Usage: oscsim stability CHIP.toml [--weights W.npz|W.npy] [--patterns P.csv] [--train] [flags]

Which binary states (every ring at 0 or π) the chip's oscillator Ising
machine holds stable at its pump strength: σ is stable iff
λ_max(A(σ)) < 2K_s/K, with J, K and K_s read from the compiled chip (its
quantised, mismatched couplers and its pump). Exact over all 2^(N−1) state
pairs up to N = 24 (over all cores), Gibbs-sampled beyond (docs/hrecm.md).

--weights programs a coupling matrix first: an .npy (N, N) or an .npz with
"J" (or "weights") and optionally "patterns" (P, N) of ±1, as
'oscsim stability --train -o W.npz' and learn/hrecm write. With patterns
(from the .npz or --patterns, a CSV of ±1 rows), it also prints the K_s
window that makes exactly those patterns stable, as a rate, a pump current
and the description's shil.ks, or says that none exists. --train trains the
couplings on the patterns first (HRECM, Algorithm 1, default settings).

Examples:
  oscsim stability configs/hrecm-16.toml
  oscsim stability configs/hrecm-16.toml --patterns p.csv --train -o w.npz --plot hl.png
  oscsim stability configs/hrecm-16.toml --weights w.npz --csv states.csv --json summary.json
  oscsim stability configs/hrecm-48.toml --weights w48.npz --samples 20000
`

func runStability(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("stability", stabilityUsage, stderr)
	var (
		weights  = fs.String("weights", "", "coupling matrix to program (.npy or .npz)")
		patFile  = fs.String("patterns", "", "CSV of desired patterns, one row of ±1 per pattern")
		train    = fs.Bool("train", false, "train HRECM couplings on the patterns and program them")
		out      = fs.String("o", "", "with --train: write the trained J and patterns to this .npz")
		csvPath  = fs.String("csv", "", "write every state (index, spins, H, λ, stable, desired) as CSV")
		jsonPath = fs.String("json", "", "write the summary as JSON")
		plotPath = fs.String("plot", "", "write the (H, λ) scatter (.png, .svg or .pdf)")
		samples  = fs.Int("samples", 10000, "Gibbs samples beyond N = 24")
		seed     = addSeedFlag(fs, "mismatch and samples")
		instance = fs.Int("instance", 0, "chip instance number")
	)
	path, err := parseChip(fs, args)
	if err != nil {
		return err
	}
	if *train && *weights != "" {
		return usageErr("stability", "--train and --weights exclude each other")
	}
	if *out != "" && !*train {
		return usageErr("stability", "-o writes trained weights: give --train")
	}
	ch, _, err := seed.compile(path, *instance)
	if err != nil {
		return err
	}
	var pats [][]int8
	if *weights != "" {
		net, p, err := hrecm.Load(*weights)
		if err != nil {
			return err
		}
		pats = p
		if _, err := hrecm.Program(ch, net); err != nil {
			return err
		}
	}
	if *patFile != "" {
		if pats, err = readPatterns(*patFile); err != nil {
			return err
		}
	}
	if *train {
		if len(pats) == 0 {
			return usageErr("stability", "--train needs --patterns")
		}
		cfg := hrecm.DefaultConfig()
		cfg.Seed = uint64(seed.v)
		net, err := hrecm.Train(ctx, pats, cfg, nil)
		if err != nil {
			return err
		}
		if _, err := hrecm.Program(ch, net); err != nil {
			return err
		}
		if *out != "" {
			if err := hrecm.Save(*out, net, pats); err != nil {
				return err
			}
		}
	}
	opt := hrecm.AnalyzeOptions{Samples: *samples, Seed: uint64(seed.v)}
	if ch.N() <= hrecm.MaxEnumerate {
		opt.Progress = progress.New(stderr, "states", int64(1)<<(ch.N()-1), "states")
	}
	a, err := hrecm.Analyze(ctx, ch, pats, opt)
	opt.Progress.Done()
	if err != nil {
		return err
	}
	printStability(stdout, a)
	if *csvPath != "" {
		if err := writeStatesCSV(*csvPath, a); err != nil {
			return err
		}
	}
	if *jsonPath != "" {
		b, err := json.MarshalIndent(a, "", "  ")
		if err != nil {
			return err
		}
		if err := atomicfile.WriteFile(*jsonPath, append(b, '\n')); err != nil {
			return err
		}
	}
	if *plotPath != "" {
		title := fmt.Sprintf("%s: %d of %d stable", a.Chip, a.Stable, a.States)
		if err := repro.SaveHrecmScatter(*plotPath, []repro.HrecmPanel{{Title: title, Spectrum: a.Spectrum, Desired: a.DesiredPositions(), Ks2: a.Threshold}}); err != nil {
			return err
		}
	}
	return nil
}

func printStability(w io.Writer, a *hrecm.Analysis) {
	how := "exact, all state pairs"
	if !a.Exact {
		how = "distinct pairs among Gibbs samples"
	}
	fmt.Fprintf(w, "chip        %s, %d rings\n", a.Chip, a.N)
	fmt.Fprintf(w, "couplings   K = %.4g rad/s per weight unit; asymmetry %.3g, max detuning %.3g (weight units)\n", a.K, a.Asymmetry, a.Detuning)
	fmt.Fprintf(w, "pump        K_s = %.4g rad/s, 2K_s/K = %.4g\n", a.Ks, a.Threshold)
	fmt.Fprintf(w, "stable      %d of %d binary state pairs (%s)\n", a.Stable, a.States, how)
	if a.Ring != (hrecm.RingCoupling{}) {
		fmt.Fprintf(w, "ring model  coupling even part ρ = %.4g (in-phase), %.4g (inverter): %d of the %d stable states stay stable", a.Ring.In, a.Ring.Inv, a.RingStable, a.Stable)
		if a.Patterns > 0 {
			fmt.Fprintf(w, "; patterns %d of %d (equilibria shifted by up to %.3g rad)", a.RingPatterns, len(a.Desired), a.RingShift)
		}
		fmt.Fprintln(w)
	}
	if a.Patterns == 0 {
		return
	}
	g := a.Gap
	fmt.Fprintf(w, "patterns    %d (%d distinct pairs): max λ = %.4g; other states: min λ = %.4g, %d of %d with λ ≤ max (spurious rate %.3g%%)\n",
		a.Patterns, len(a.Desired), g.MaxDesired, g.MinSpurious, g.Spurious, g.Others, 100*g.Rate())
	if !a.Window {
		fmt.Fprintf(w, "window      none: no K_s makes exactly the patterns stable (train them: --train)\n")
		return
	}
	fmt.Fprintf(w, "window      %.4g < K_s < %.4g rad/s  (pump %.4g … %.4g A; shil.ks %.4g … %.4g)\n",
		a.KsLo, a.KsHi, a.PumpLo, a.PumpHi, a.KsFracLo, a.KsFracHi)
	if !a.Exact {
		fmt.Fprintf(w, "            (upper end from sampled states only: the true window may be narrower)\n")
	}
}

// writeStatesCSV writes one row per analysed state pair.
func writeStatesCSV(path string, a *hrecm.Analysis) error {
	return atomicfile.Write(path, func(bw *bufio.Writer) error {
		cw := csv.NewWriter(bw)
		if err := cw.Write([]string{"state", "spins", "H", "lambda", "stable", "desired"}); err != nil {
			return err
		}
		desired := map[uint64]bool{}
		for _, k := range a.Desired {
			desired[k] = true
		}
		s := make([]int8, a.N)
		var sb strings.Builder
		for i, l := range a.Spectrum.Lambda {
			k := a.StateAt(i)
			hrecm.State(k, s)
			sb.Reset()
			for _, v := range s {
				if v > 0 {
					sb.WriteByte('+')
				} else {
					sb.WriteByte('-')
				}
			}
			rec := []string{strconv.FormatUint(k, 10), sb.String(),
				strconv.FormatFloat(a.Spectrum.H[i], 'g', 10, 64), strconv.FormatFloat(l, 'g', 10, 64),
				strconv.FormatBool(l < a.Threshold), strconv.FormatBool(desired[k])}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
}

// readPatterns reads a CSV of ±1 rows (commas or spaces).
func readPatterns(path string) ([][]int8, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out [][]int8
	for ln, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
		s := make([]int8, len(fields))
		for i, f := range fields {
			switch f {
			case "1", "+1":
				s[i] = 1
			case "-1":
				s[i] = -1
			default:
				return nil, fmt.Errorf("%s:%d: field %d is %q, want 1 or -1", path, ln+1, i+1, f)
			}
		}
		if len(out) > 0 && len(s) != len(out[0]) {
			return nil, fmt.Errorf("%s:%d: %d spins, the first pattern has %d", path, ln+1, len(s), len(out[0]))
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no patterns", path)
	}
	return out, nil
}
