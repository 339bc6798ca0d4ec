package repro

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"oscsim/chip"
	"oscsim/configs"
	"oscsim/internal/progress"
	"oscsim/learn/eqprop"
	"oscsim/netlist"
)

// Equilibrium propagation on oscillator networks (Gemo, Bonnin & Corinto,
// Neuromorph. Comput. Eng. 6 (2026) 024016; Zoppo et al., ISCAS 2022):
// associative memory of stored binary patterns, couplings set by EP, by
// backpropagation through the dynamics, by Hebbian and pseudo-inverse
// rules, and by EP with the chip in the loop (docs/ep.md). The papers give
// no numbers (their text is not available); every row's paper is nil.
func epExperiments() []Experiment {
	return []Experiment{
		{Name: "ep-memory", Paper: "Gemo, Bonnin & Corinto, Neuromorph. Comput. Eng. 6 (2026) 024016; Zoppo et al., ISCAS 2022",
			Summary: "retrieval accuracy of a 60-ring associative memory (10×6 digit glyphs; random patterns at loads P/N) from 10/20/30% flipped pixels: EP, Hebbian, pseudo-inverse, BPTT, chip-in-the-loop EP",
			Run:     runEPMemory},
		{Name: "ep-failure-modes", Paper: "Gemo, Bonnin & Corinto, Neuromorph. Comput. Eng. 6 (2026) 024016 (\"possible failure modes\")",
			Summary: "EP's failure modes as curves: even part of the coupling function (gradient cosine to BPTT, accuracy), coupler mismatch (asymmetric inverter-path TGs), ring frequency mismatch",
			Run:     runEPFailure},
	}
}

// EPSettings are ep-memory's settings (EPMemorySettings gives the full and
// quick ones).
type EPSettings struct {
	Seeds int
	// Loads are the random tasks' P/N in percent.
	Loads []int
	Flips []int // percent
	// PerPattern training corruptions per pattern per epoch; Probes test
	// corruptions per pattern per flip level.
	PerPattern, Probes int
	Train              eqprop.TrainConfig
	Kick               float64
	Epochs             int // EP and BPTT
	ChipEpochs         int // chip-ep
	ChipProbes         int // probes per pattern per flip on the chip
	Cycle              bool
	CycleProbes        int
	Config             eqprop.Config
	ChipConfigName     string
	// Only, when not nil, runs these methods alone (their rows only).
	Only []eqprop.Method
}

// EPMemorySettings returns the settings of the full run or (quick) of the
// CI version: the same keys, fewer seeds, epochs and probes.
func EPMemorySettings(quick bool) EPSettings {
	s := EPSettings{
		Seeds: 5, Loads: []int{10, 20, 30}, Flips: []int{10, 20, 30},
		PerPattern: 8, Probes: 20,
		Train:  eqprop.TrainConfig{Eta: 0.005, Beta: 1, Batch: 20},
		Kick:   0.1,
		Epochs: 100, ChipEpochs: 100, ChipProbes: 10,
		Cycle: true, CycleProbes: 4,
		Config:         eqprop.Config{Time: 30, StepRate: 1, WMax: 0.5},
		ChipConfigName: "ep-memory.toml",
	}
	if quick {
		s.Seeds, s.PerPattern, s.Probes = 1, 2, 2
		s.Epochs, s.ChipEpochs, s.ChipProbes = 3, 2, 2
		s.Loads = []int{10, 20, 30}
		s.Cycle = false
		s.Config.Time = 20
	}
	return s
}

func runEPMemory(ctx context.Context, env Env) (*Result, error) {
	return EPMemory(ctx, env, EPMemorySettings(env.Quick))
}

// epTask is one memory: its name in the keys and its patterns per seed.
type epTask struct {
	key      string
	patterns func(seed uint64) []eqprop.Pattern
}

// EPMemory runs ep-memory with settings s.
func EPMemory(ctx context.Context, env Env, s EPSettings) (*Result, error) {
	tasks := []epTask{{"glyphs", func(uint64) []eqprop.Pattern { return eqprop.Digits(eqprop.Glyphs10x6) }}}
	const N = 60
	for _, l := range s.Loads {
		P := max(1, int(math.Round(float64(l)*N/100)))
		tasks = append(tasks, epTask{"random-" + strconv.Itoa(l), func(seed uint64) []eqprop.Pattern {
			return eqprop.RandomPatterns(P, N, rand.New(rand.NewPCG(seed, uint64(P))))
		}})
	}
	src, err := configs.Read(s.ChipConfigName)
	if err != nil {
		return nil, err
	}
	nl, err := netlist.Parse(s.ChipConfigName, src, nil)
	if err != nil {
		return nil, err
	}
	methods := eqprop.Methods()
	// acc[task][flip][method] collects one accuracy (percent) per seed.
	acc := make([][][][]float64, len(tasks))
	for t := range acc {
		acc[t] = make([][][]float64, len(s.Flips))
		for f := range acc[t] {
			acc[t][f] = make([][]float64, len(methods))
		}
	}
	meter := progress.New(env.Log, "ep-memory", int64(len(tasks)*s.Seeds), "memories")
	res := &Result{}
	var ledgers []*chip.Ledger
	var cycleAcc []float64
	for t, task := range tasks {
		for seed := 0; seed < s.Seeds; seed++ {
			sd := uint64(env.Seed)*1000003 + uint64(seed)
			pats := task.patterns(sd)
			out, extra, err := epMemoryOne(ctx, env, s, nl, pats, sd, seed, t == 0)
			if err != nil {
				return nil, fmt.Errorf("%s seed %d: %w", task.key, seed, err)
			}
			for f := range s.Flips {
				for k := range methods {
					acc[t][f][k] = append(acc[t][f][k], out[f][k])
				}
			}
			if extra != nil {
				if extra.ledger != nil {
					ledgers = append(ledgers, extra.ledger)
				}
				if !math.IsNaN(extra.cycleAcc) {
					cycleAcc = append(cycleAcc, extra.cycleAcc)
				}
			}
			meter.Add(1)
		}
	}
	meter.Done()
	for t, task := range tasks {
		for f, fl := range s.Flips {
			for k, m := range methods {
				if s.Only != nil && !slices.Contains(s.Only, m) {
					continue
				}
				mean, sd := meanStd(acc[t][f][k])
				r := res.Add(fmt.Sprintf("%s/%d/%s", task.key, fl, m), mean, NoPaper, "%")
				r.Spread = &sd
			}
		}
	}
	if len(cycleAcc) > 0 {
		mean, sd := meanStd(cycleAcc)
		r := res.Add(fmt.Sprintf("chip/cycle/glyphs/%d/chip-ep", s.Flips[0]), mean, NoPaper, "%")
		r.Spread = &sd
	}
	if len(ledgers) > 0 {
		var area, power, energy float64
		for _, L := range ledgers {
			area += L.DieArea / float64(len(ledgers))
			power += L.TotalPower / float64(len(ledgers))
			energy += (L.TotalPower * L.Duration) / float64(len(ledgers))
		}
		res.Add("chip/die-area", area*1e6, NoPaper, "mm2")
		res.Add("chip/power", power*1e3, NoPaper, "mW")
		res.Add("chip/energy-per-retrieval", energy*1e9, NoPaper, "nJ")
	}
	res.Notes = append(res.Notes,
		fmt.Sprintf("%d seeds; %d-ring all-to-all networks; glyphs: the ten 10×6 digits (P/N = 1/6); random-LOAD: round(LOAD%%·60) random ±1 patterns; FLIP: exactly round(FLIP%%·60) pixels flipped; %d probes per pattern and flip level; accuracy = share of probes whose free equilibrium decodes (relative to ring 0, up to the global sign) exactly to the stored pattern", s.Seeds, N, s.Probes),
		fmt.Sprintf("ep and bptt: %d epochs from the Hebbian couplings, %d corruptions per pattern per epoch (10/20/30%% flips), minibatches of %d, η = %g; ep: one-sided nudge β = %g κ after a kick of ±%g rad (binary equilibria are rigid: docs/ep.md); bptt: exact gradient through the engine's Euler steps", s.Epochs, s.PerPattern, s.Train.Batch, s.Train.Eta, s.Train.Beta, s.Kick),
		fmt.Sprintf("chip-ep: %s (phase model with its mismatch and phase noise, 5-bit couplers stepped by code, phases read by its 6-bit TDC, the nudge an injection at f0), %d epochs, %d probes per pattern and flip level", s.ChipConfigName, s.ChipEpochs, s.ChipProbes),
		"the papers' text is not available (abstracts only): no published numbers; docs/ep.md records every choice")
	return res, nil
}

// epExtra is what the glyph task's chip runs add: the cycle-model
// retrieval accuracy (NaN when not run) and its ledger.
type epExtra struct {
	cycleAcc float64
	ledger   *chip.Ledger
}

// epMemoryOne trains and tests every method on one memory (one seed):
// out[flip][method] in percent.
func epMemoryOne(ctx context.Context, env Env, s EPSettings, nl *netlist.Netlist, pats []eqprop.Pattern, sd uint64, seed int, glyphs bool) ([][]float64, *epExtra, error) {
	N := len(pats[0])
	methods := eqprop.Methods()
	out := make([][]float64, len(s.Flips))
	for f := range out {
		out[f] = make([]float64, len(methods))
	}
	prng := rand.New(rand.NewPCG(sd, 0x70726f6265))
	probes := make([][]eqprop.Probe, len(s.Flips))
	for f, fl := range s.Flips {
		probes[f] = eqprop.Probes(pats, s.Probes, float64(fl)/100, eqprop.Jitter, prng)
	}
	fracs := make([]float64, len(s.Flips))
	for f, fl := range s.Flips {
		fracs[f] = float64(fl) / 100
	}
	test := func(m *eqprop.Machine, probes [][]eqprop.Probe, k int) error {
		for f := range s.Flips {
			a, err := eqprop.Retrieve(ctx, m, pats, probes[f], 200)
			if err != nil {
				return err
			}
			out[f][k] = 100 * a
		}
		return nil
	}
	cfg := s.Config
	cfg.Kick, cfg.Seed = s.Kick, sd
	var extra *epExtra
	for k, meth := range methods {
		if s.Only != nil && !slices.Contains(s.Only, meth) {
			continue
		}
		t0 := time.Now()
		net := eqprop.AllToAll(N)
		switch meth {
		case eqprop.MethodHebbian:
			eqprop.Hebbian(net, pats)
		case eqprop.MethodPinv:
			if err := eqprop.PseudoInverse(net, pats); err != nil {
				return nil, nil, err
			}
		default:
			eqprop.Hebbian(net, pats) // the trainers start from the Hebbian couplings
		}
		var m *eqprop.Machine
		var err error
		if meth == eqprop.MethodChipEP {
			ch, cerr := chip.Compile(nl, chip.Options{Seed: int64(sd), SetSeed: true})
			if cerr != nil {
				return nil, nil, cerr
			}
			m, err = eqprop.InTheLoop(ch, net, cfg)
		} else {
			m, err = eqprop.Software(net, cfg)
		}
		if err != nil {
			return nil, nil, err
		}
		drng := rand.New(rand.NewPCG(sd, 0x747261696e+uint64(k)))
		data := func(int) []eqprop.Sample {
			return eqprop.MemorySamples(pats, s.PerPattern, fracs, eqprop.Jitter, drng)
		}
		tc := s.Train
		switch meth {
		case eqprop.MethodEP:
			tc.Epochs = s.Epochs
			_, err = eqprop.Train(ctx, m, tc, data, eqprop.EPGrad(tc.Beta, false), nil)
		case eqprop.MethodBPTT:
			tc.Epochs = s.Epochs
			_, err = eqprop.Train(ctx, m, tc, data, eqprop.BPTTGrad, nil)
		case eqprop.MethodChipEP:
			tc.Epochs = s.ChipEpochs
			_, err = eqprop.Train(ctx, m, tc, data, eqprop.EPGrad(tc.Beta, false), nil)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", meth, err)
		}
		pr := probes
		if meth == eqprop.MethodChipEP && s.ChipProbes != s.Probes {
			pr = make([][]eqprop.Probe, len(s.Flips))
			for f, fl := range s.Flips {
				pr[f] = eqprop.Probes(pats, s.ChipProbes, float64(fl)/100, eqprop.Jitter, prng)
			}
		}
		if err := test(m, pr, k); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", meth, err)
		}
		env.Logf("ep-memory: %d patterns, seed %d, %s: %.0f/%.0f/%.0f%% (%v)", len(pats), seed, meth, out[0][k], out[1][k], out[2][k], time.Since(t0).Round(time.Millisecond))
		if meth == eqprop.MethodChipEP && glyphs && s.Cycle {
			// The trained codes on the cycle model: retrieval at the first
			// flip level and the ledger of one retrieval.
			m.Model = "cycle"
			cp := eqprop.Probes(pats, s.CycleProbes, float64(s.Flips[0])/100, eqprop.Jitter, prng)
			a, err := eqprop.Retrieve(ctx, m, pats, cp, 0)
			if err != nil {
				return nil, nil, fmt.Errorf("chip-ep on the cycle model: %w", err)
			}
			init := [][]float64{cp[0].Init}
			rel, err := m.Relax(ctx, init, nil, false)
			if err != nil {
				return nil, nil, err
			}
			extra = &epExtra{cycleAcc: 100 * a, ledger: rel.Res.Ledger}
		}
	}
	return out, extra, nil
}
