package repro

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"oscsim/chip"
	"oscsim/configs"
	"oscsim/learn/eqprop"
	"oscsim/netlist"
)

// EPFailureSettings are ep-failure-modes' settings.
type EPFailureSettings struct {
	Seeds int
	// EvenDeg are the tilts α of the ISF (degrees): even part ρ = −tan α.
	EvenDeg []int
	// Sigma are coupler conductance mismatches (percent); Detune are ring
	// frequency mismatches σ_f as a percentage of κ.
	Sigma, Detune []int
	Epochs        int // EP training of the glyph memory
	Probes        int // per pattern at 10% flips
	Memory        EPSettings
}

// EPFailureDefaults returns the full or quick settings.
func EPFailureDefaults(quick bool) EPFailureSettings {
	s := EPFailureSettings{Seeds: 2, EvenDeg: []int{0, 10, 20, 30, 45}, Sigma: []int{0, 5, 10, 20, 40},
		Detune: []int{0, 5, 10, 20, 40}, Epochs: 100, Probes: 20, Memory: EPMemorySettings(false)}
	if quick {
		s.Seeds, s.Epochs, s.Probes = 1, 2, 2
		s.EvenDeg, s.Sigma, s.Detune = []int{0, 30}, []int{0, 20}, []int{0, 20}
		s.Memory = EPMemorySettings(true)
	}
	return s
}

func runEPFailure(ctx context.Context, env Env) (*Result, error) {
	return EPFailure(ctx, env, EPFailureDefaults(env.Quick))
}

// EPFailure measures the paper's "possible failure modes" (docs/ep.md §4)
// on the 10×6 glyph memory, accuracy at 10% flips in percent:
//
//   - even/DEG/cosine: cosine of EP's symmetric estimate (β = 0.01) to the
//     BPTT gradient of the same (non-gradient) dynamics on the 5×3 test
//     network, for a ring whose coupling function has an even part
//     ρ = −tan DEG (eqprop.TiltedRing), the nudge tracking the network's
//     drift (Config.Track); even/DEG/cosine-untracked: the nudge at f0;
//     even/DEG/ep: EP trained on that ring; even/DEG/ideal: couplings
//     trained on the odd ring run on it;
//   - mismatch/SIGMA/ideal: EP couplings (trained without mismatch) on
//     configs/ep-memory.toml's couplers with conductance mismatch SIGMA%
//     (rings without frequency mismatch or noise): the inverter path has
//     one TG per direction, so its mismatch makes W asymmetric; the
//     in-phase TG serves both directions and stays symmetric;
//   - detune/X/ideal: the same couplings with ring frequency mismatch
//     σ_f = X% of κ (couplers ideal).
func EPFailure(ctx context.Context, env Env, s EPFailureSettings) (*Result, error) {
	res := &Result{}
	pats := eqprop.Digits(eqprop.Glyphs10x6)
	src, err := configs.Read(s.Memory.ChipConfigName)
	if err != nil {
		return nil, err
	}
	cfg := s.Memory.Config
	cfg.Kick = s.Memory.Kick
	tc := s.Memory.Train
	tc.Epochs = s.Epochs
	fracs := []float64{0.1, 0.2, 0.3}
	type acc map[string][]float64
	a := acc{}
	add := func(k string, v float64) { a[k] = append(a[k], v) }
	for seed := 0; seed < s.Seeds; seed++ {
		sd := uint64(env.Seed)*1000003 + uint64(seed)
		cfg.Seed = sd
		prng := rand.New(rand.NewPCG(sd, 0x70726f6265))
		probes := eqprop.Probes(pats, s.Probes, 0.1, eqprop.Jitter, prng)
		train := func(ring *eqprop.Machine) error {
			drng := rand.New(rand.NewPCG(sd, 0x747261696e))
			data := func(int) []eqprop.Sample {
				return eqprop.MemorySamples(pats, s.Memory.PerPattern, fracs, eqprop.Jitter, drng)
			}
			_, err := eqprop.Train(ctx, ring, tc, data, eqprop.EPGrad(tc.Beta, false), nil)
			return err
		}
		// trained is a software chip of c whose couplings EP trained from
		// the Hebbian ones.
		trained := func(c eqprop.Config) (*eqprop.Machine, error) {
			net := eqprop.AllToAll(60)
			eqprop.Hebbian(net, pats)
			m, err := eqprop.Software(net, c)
			if err != nil {
				return nil, err
			}
			return m, train(m)
		}
		// The odd (ideal) ring's EP couplings.
		mi, err := trained(cfg)
		if err != nil {
			return nil, err
		}
		ideal := mi.Net
		for _, deg := range s.EvenDeg {
			ring := eqprop.TiltedRing(float64(deg) * math.Pi / 180)
			c := cfg
			c.Ring = &ring
			c.Track = true
			// Gradient bias on the 5×3 test network, with the nudge
			// tracking the network's drift and without.
			cos, err := epEvenCosine(ctx, c, sd)
			if err != nil {
				return nil, err
			}
			add(fmt.Sprintf("even/%d/cosine", deg), cos)
			c.Track = false
			if cos, err = epEvenCosine(ctx, c, sd); err != nil {
				return nil, err
			}
			add(fmt.Sprintf("even/%d/cosine-untracked", deg), cos)
			c.Track = true
			m, err := trained(c)
			if err != nil {
				return nil, err
			}
			r, err := eqprop.Retrieve(ctx, m, pats, probes, 0)
			if err != nil {
				return nil, err
			}
			add(fmt.Sprintf("even/%d/ep", deg), 100*r)
			m.Net.W = append(m.Net.W[:0], ideal.W...)
			if err := m.Program(); err != nil {
				return nil, err
			}
			if r, err = eqprop.Retrieve(ctx, m, pats, probes, 0); err != nil {
				return nil, err
			}
			add(fmt.Sprintf("even/%d/ideal", deg), 100*r)
		}
		deploy := func(key string, edit func(string) string) error {
			nl, err := netlist.Parse(s.Memory.ChipConfigName, []byte(edit(string(src))), nil)
			if err != nil {
				return err
			}
			ch, err := chip.Compile(nl, chip.Options{Seed: int64(sd), SetSeed: true})
			if err != nil {
				return err
			}
			m, err := eqprop.InTheLoop(ch, ideal.Clone(), cfg)
			if err != nil {
				return err
			}
			m.Noise = false
			r, err := eqprop.Retrieve(ctx, m, pats, probes, 0)
			if err != nil {
				return err
			}
			add(key, 100*r)
			return nil
		}
		for _, sg := range s.Sigma {
			err := deploy(fmt.Sprintf("mismatch/%d/ideal", sg), func(t string) string {
				t = setTOML(t, "freq_sigma", `"0%"`)
				t = setTOML(t, "linewidth", `"0Hz"`)
				return setTOML(t, "sigma", fmt.Sprintf(`"%d%%"`, sg))
			})
			if err != nil {
				return nil, err
			}
		}
		for _, x := range s.Detune {
			err := deploy(fmt.Sprintf("detune/%d/ideal", x), func(t string) string {
				t = setTOML(t, "sigma", `"0%"`)
				t = setTOML(t, "linewidth", `"0Hz"`)
				// κ = 0.5% of ω0 in configs/ep-memory.toml.
				return setTOML(t, "freq_sigma", fmt.Sprintf(`"%g%%"`, float64(x)*0.005))
			})
			if err != nil {
				return nil, err
			}
		}
		env.Logf("ep-failure-modes: seed %d done", seed)
	}
	var curves []epCurve
	for _, fam := range []struct{ prefix, x string }{{"even", "ISF tilt α (°), even part ρ = −tan α"}, {"mismatch", "coupler σ (%)"}, {"detune", "ring σ_f (% of κ)"}} {
		var xs []int
		switch fam.prefix {
		case "even":
			xs = s.EvenDeg
		case "mismatch":
			xs = s.Sigma
		default:
			xs = s.Detune
		}
		for _, kind := range []string{"cosine", "cosine-untracked", "ep", "ideal"} {
			var pts plotter.XYs
			for _, x := range xs {
				k := fmt.Sprintf("%s/%d/%s", fam.prefix, x, kind)
				v, ok := a[k]
				if !ok {
					continue
				}
				mean, sd := meanStd(v)
				unit := "%"
				if strings.HasPrefix(kind, "cosine") {
					unit = ""
				}
				r := res.Add(k, mean, NoPaper, unit)
				r.Spread = &sd
				pts = append(pts, plotter.XY{X: float64(x), Y: mean})
			}
			if len(pts) > 0 {
				curves = append(curves, epCurve{file: "ep-" + fam.prefix + "-" + kind, x: fam.x, y: kind, pts: pts})
			}
		}
	}
	if env.PlotDir != "" {
		for _, c := range curves {
			p, err := c.save(env.PlotDir)
			if err != nil {
				return nil, err
			}
			res.Plots = append(res.Plots, p)
		}
	}
	res.Notes = append(res.Notes,
		fmt.Sprintf("%d seeds; glyph memory (10×6), retrieval at 10%% flips, %d probes per pattern; EP: %d epochs from Hebbian couplings (one-sided β = %g, kick ±%g rad)", s.Seeds, s.Probes, s.Epochs, tc.Beta, cfg.Kick),
		"cosine: EP's symmetric estimate at β = 0.01 against BPTT through the same non-gradient dynamics (even part included), 5×3 network, relaxations of 200 time constants; the nudge tracks the free equilibrium's drift (cosine) or stays at f0 (cosine-untracked); even/DEG/ep trains with tracking",
		"ideal: couplings trained by EP on the odd analytic ring, run on the non-ideal chip (phase model, no noise); mismatch and detune on configs/ep-memory.toml (5-bit couplers)")
	return res, nil
}

// epEvenCosine returns cosine(EP, BPTT) on the 5×3 test network (Hebbian
// couplings of three glyphs plus noise of σ = 0.1) on the ring of c. The
// network and batch are fixed (those of eqprop's TestEPMatchesBPTT), not
// drawn per seed: on a network whose free equilibria are binary both
// gradients vanish (docs/ep.md §2) and their cosine is noise.
func epEvenCosine(ctx context.Context, c eqprop.Config, _ uint64) (float64, error) {
	pats := eqprop.Digits(eqprop.Glyphs5x3)[:3]
	net := eqprop.AllToAll(15)
	eqprop.Hebbian(net, pats)
	rng := rand.New(rand.NewPCG(1, 2))
	for e := range net.W {
		net.W[e] += 0.1 * rng.NormFloat64()
	}
	rng = rand.New(rand.NewPCG(5, 6))
	c.Time, c.Kick = 200, 0
	m, err := eqprop.Software(net, c)
	if err != nil {
		return 0, err
	}
	batch := eqprop.MemorySamples(pats, 3, []float64{0.1, 0.2}, eqprop.Jitter, rng)
	ref, err := m.BPTT(ctx, batch)
	if err != nil {
		return 0, err
	}
	g, err := m.EP(ctx, batch, 0.01, true)
	if err != nil {
		return 0, err
	}
	return eqprop.Cosine(g.G, ref.G), nil
}

// setTOML replaces the value of the first line "key = …" in src.
func setTOML(src, key, value string) string {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		if k, _, ok := strings.Cut(l, "="); ok && strings.TrimSpace(k) == key {
			lines[i] = key + " = " + value
			break
		}
	}
	return strings.Join(lines, "\n")
}

// epCurve is one failure-mode curve for a plot.
type epCurve struct {
	file, x, y string
	pts        plotter.XYs
}

// save writes the curve as dir/file.png.
func (c epCurve) save(dir string) (string, error) {
	p := plot.New()
	p.Title.Text = strings.ReplaceAll(c.file, "-", " ")
	p.X.Label.Text = c.x
	p.Y.Label.Text = c.y
	if !strings.HasPrefix(c.y, "cosine") {
		p.Y.Label.Text = c.y + ": retrieval at 10% flips (%)"
		p.Y.Min, p.Y.Max = 0, 100
	}
	l, pts, err := plotter.NewLinePoints(c.pts)
	if err != nil {
		return "", err
	}
	p.Add(l, pts, plotter.NewGrid())
	path := filepath.Join(dir, c.file+".png")
	return path, writeTiles(path, 1, 5*vg.Inch, 3.5*vg.Inch, []*plot.Plot{p})
}
