package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"oscsim/chip"
	"oscsim/dataset"
	"oscsim/learn"
	"oscsim/netlist"
)

// OscNet runs OscNet v1.5 inference on the simulated chip (Cai et al.,
// arXiv 2506.12610; docs/model.md §11), through package chip: every
// decision comes from the samplers' read-out of a relaxed oscillator array,
// never from a software energy.
//
//   - Per-class relaxation: the image is loaded as phases (x = +1 → 0,
//     −1 → π, plus a small uniform jitter so the binary state is not an
//     exact equilibrium, docs/oscnet.md §1.9 [A]), class c's network (OR-symmetrised mask,
//     docs/oscnet.md §1.9 [A]) is programmed onto the couplers, the chip relaxes with the
//     SHIL pump, and the class energy E_c = −Σ_{i<j} w_ij·s_i·s_j is computed
//     from the read-out spins s and the weights as programmed (quantised
//     codes). The lowest energy wins: 10 runs per image.
//   - Pairwise elimination: two-pattern networks W^(a,b) = (p^a p^aᵀ +
//     p^b p^bᵀ)/N (eq. 15) from the class prototypes, with the connections
//     chosen by the learned weights: a pair (i, j) is kept when its
//     importance max(|S2[a,i,j]|, |S2[a,j,i]|, |S2[b,i,j]|, |S2[b,j,i]|) is
//     among the top Fraction of the nonzero couplings of W^(a,b) (docs/oscnet.md §1.10 [A]).
//     A king-of-the-hill tournament (w = 0; for d = 1..9 play (w, d)) of 9
//     matches; a match's winner is the prototype with the larger overlap
//     s·p with the read-out spins (docs/oscnet.md §1.10 [R]).
type OscNet struct {
	Model *learn.Model
	// Method is "perclass" or "pairwise".
	Method string
	// Images are the test images as ±1 spins and Labels their classes.
	Images learn.Spins
	Labels []uint8
	// Fraction is the share of W^(a,b)'s nonzero couplings kept by the
	// pairwise method (1 = fully connected).
	Fraction float64
	// PairCode is the coupler code of one unit of W^(a,b) (its weights are
	// ±2/N or 0): the pairwise networks program ±PairCode or 0.
	PairCode int
	// ScaleQuantile sets the per-class full scale: the weight magnitude at
	// this quantile of all classes' |w| maps to the largest code (larger
	// ones clip). 1 = the largest weight.
	ScaleQuantile float64
	// Jitter is the half-width (rad) of the uniform initial-phase jitter.
	Jitter float64
	// Batch is the number of images run together.
	Batch int
	// Duration overrides the chip's run time (s); 0 keeps it.
	Duration float64
	// NoNoise switches phase noise off (chip.RunOptions.NoNoise).
	NoNoise bool
	// KsScale scales the chip's pump for this method (0 = 1), and
	// StepsPerCycle overrides its step (0 = the chip's): the per-class
	// method wants a pump strong enough to hold the read-out near the
	// input, the pairwise method a weak one so that the network can move
	// the state toward a prototype.
	KsScale       float64
	StepsPerCycle float64
	// Precision is the engine's state precision (chip.RunOptions.Precision);
	// "" = OscNetPrecision.
	Precision string
	// Progress, when not nil, is called after every finished batch with
	// the images done and the total (from any goroutine).
	Progress func(done, total int)

	classEdges [][]netlist.Edge // per-class programs (perclass)
	classScale float64
	pairEdges  map[[2]int][]netlist.Edge // pairwise programs
	pairScale  float64
	kept, full int // pairwise: kept and full nonzero couplings, summed over pairs
}

// OscNetPrecision is the precision OscNet runs in unless told otherwise:
// float32, whose read-outs agree with float64's (accuracy on the same
// images within the noise; docs/performance.md) at about twice the speed.
const OscNetPrecision = chip.PrecisionFloat32

// OscNetResult is one evaluation.
type OscNetResult struct {
	Method    string
	Images    int
	Correct   int
	Confusion [][]int // [true][predicted]
	Predicted []int
	// Couplings is the mean number of programmed couplings (pairs) per
	// network; Programs is the number of reprogramming events per image.
	Couplings float64
	Programs  float64
	// KeptFraction is the pairwise method's kept share of W^(a,b)'s
	// nonzero couplings, averaged over the 45 pairs.
	KeptFraction float64
	// ChipTime is the simulated chip time per image (s).
	ChipTime float64
	// Power is the chip's mean power over the runs (W, weighted by run
	// time) and CouplerPower its couplers' TG share, both from every run's
	// ledger (chip.Ledger(res): the TG conduction from the phase
	// differences each run carried). Energy is the energy of one
	// inference (J): the runs of one image plus Programs programmings.
	// Ledger is that account line by line (chip.LedgerMean).
	Power, CouplerPower, Energy float64
	Ledger                      *chip.Ledger
}

// Accuracy returns Correct/Images.
func (r OscNetResult) Accuracy() float64 { return float64(r.Correct) / float64(max(1, r.Images)) }

// MethodDefaults fills the zero run settings of o with the defaults of
// its method, measured on MNIST (docs/oscnet.md), both [A] choices the
// paper leaves open:
//   - perclass: the chip's pump at full strength (KsScale 1) and its run
//     length, so that the read-out stays near the input and the energy
//     compares classes;
//   - pairwise: a pump at 0.02× and 60 cycles with PairCode 15, so that
//     the two-pattern network can pull the state to one of its
//     prototypes: a pixel flips only when x_i·h_i < −2·K_s (docs/model.md
//     §5), and at PairCode 5 with a 0.1× pump no field reached that, so
//     the tournament reduced to nearest-prototype matching of the input.
func (o *OscNet) MethodDefaults(nl *netlist.Netlist) {
	if o.Method != "pairwise" {
		if o.KsScale == 0 {
			o.KsScale = 1
		}
		return
	}
	if o.KsScale == 0 {
		o.KsScale = 0.02
	}
	if o.Duration == 0 {
		o.Duration = 60 / nl.Oscillators.Frequency
	}
	if o.StepsPerCycle == 0 {
		o.StepsPerCycle = 2
	}
	if o.PairCode == 0 {
		o.PairCode = 15
	}
}

// Prepare builds the networks to program. It is called by Evaluate.
func (o *OscNet) Prepare() error {
	m := o.Model
	if m == nil {
		return fmt.Errorf("oscnet: no model")
	}
	if o.Batch <= 0 {
		o.Batch = 64
	}
	switch o.Method {
	case "perclass":
		if o.classEdges != nil {
			return nil
		}
		var mags []float64
		o.classEdges = make([][]netlist.Edge, m.Classes)
		for c := 0; c < m.Classes; c++ {
			sym := m.Nets[c].Symmetric(learn.SymOr)
			for i := 0; i < sym.N; i++ {
				idx, val := sym.Row(i)
				for k, j := range idx {
					if int(j) > i && val[k] != 0 {
						o.classEdges[c] = append(o.classEdges[c], netlist.Edge{I: i, J: int(j), W: float64(val[k])})
						mags = append(mags, math.Abs(float64(val[k])))
					}
				}
			}
		}
		if len(mags) == 0 {
			return fmt.Errorf("oscnet: the model has no couplings")
		}
		sort.Float64s(mags)
		q := o.ScaleQuantile
		if !(q > 0 && q <= 1) {
			q = 1
		}
		o.classScale = mags[min(len(mags)-1, int(q*float64(len(mags)-1)+0.5))]
	case "pairwise":
		if o.pairEdges != nil {
			return nil
		}
		if m.Prototypes == nil {
			return fmt.Errorf("oscnet: the model has no prototypes (needed by the pairwise method)")
		}
		if !(o.Fraction > 0 && o.Fraction <= 1) {
			return fmt.Errorf("oscnet: fraction of connections must be in (0, 1] (got %g)", o.Fraction)
		}
		if o.PairCode <= 0 {
			o.PairCode = 1
		}
		N := m.Pixels
		dense := make([][]float64, m.Classes)
		for c := range dense {
			dense[c] = m.Nets[c].Dense()
		}
		o.pairEdges = map[[2]int][]netlist.Edge{}
		o.kept, o.full = 0, 0
		type cand struct {
			i, j  int
			w     float64
			score float64
		}
		for a := 0; a < m.Classes; a++ {
			for b := a + 1; b < m.Classes; b++ {
				pa, pb := m.Prototype(a), m.Prototype(b)
				da, db := dense[a], dense[b]
				var cs []cand
				for i := 0; i < N; i++ {
					for j := i + 1; j < N; j++ {
						w := float64(pa[i]*pa[j]+pb[i]*pb[j]) / float64(N)
						if w == 0 {
							continue
						}
						s := math.Max(math.Max(math.Abs(da[i*N+j]), math.Abs(da[j*N+i])), math.Max(math.Abs(db[i*N+j]), math.Abs(db[j*N+i])))
						cs = append(cs, cand{i, j, w, s})
					}
				}
				sort.SliceStable(cs, func(x, y int) bool { return cs[x].score > cs[y].score })
				keep := int(math.Round(o.Fraction * float64(len(cs))))
				e := make([]netlist.Edge, 0, keep)
				for _, c := range cs[:keep] {
					e = append(e, netlist.Edge{I: c.i, J: c.j, W: c.w})
				}
				sort.Slice(e, func(x, y int) bool { return e[x].I < e[y].I || (e[x].I == e[y].I && e[x].J < e[y].J) })
				o.pairEdges[[2]int{a, b}] = e
				o.kept += keep
				o.full += len(cs)
			}
		}
	default:
		return fmt.Errorf("oscnet: unknown method %q (want \"perclass\" or \"pairwise\")", o.Method)
	}
	return nil
}

// stepsFor returns the steps per cycle for the chip's current program: the
// configured ones, or more if the program's coupling sums need them
// (chip.MinStepsPerCycle), so that hub pixels of a dense network never make
// a run fail part-way through an evaluation.
func (o *OscNet) stepsFor(ch *chip.Chip) float64 {
	nl := ch.Netlist()
	spc := o.StepsPerCycle
	if spc == 0 {
		spc = nl.Run.StepsPerCycle
	}
	return math.Max(spc, ch.MinStepsPerCycle(nl.Run.Model, o.KsScale))
}

// initialPhases returns image k's initial phases: π(1−x_i)/2 plus a
// uniform jitter in [−Jitter, Jitter] from a stream of (seed, image).
func (o *OscNet) initialPhases(k int, seed int64) []float64 {
	N := o.Images.N
	r := rand.New(rand.NewPCG(uint64(seed)^0x9e3779b97f4a7c15, uint64(k)))
	p := make([]float64, N)
	for i := range p {
		if o.Images.At(k, i) < 0 {
			p[i] = math.Pi
		}
		p[i] += o.Jitter * (2*r.Float64() - 1)
	}
	return p
}

// spinsOf returns input b's final spins from the chip's first sampler bank,
// which must read every ring.
func spinsOf(res *chip.Result, b, n int) ([]int, error) {
	for _, ro := range res.Readouts {
		if ro.Kind != "sampler" || len(ro.Targets) != n {
			continue
		}
		last := ro.Values[b][len(ro.Values[b])-1]
		s := make([]int, n)
		for k, i := range ro.Targets {
			s[i] = int(last[k])
		}
		return s, nil
	}
	return nil, fmt.Errorf("oscnet: the chip needs a sampler detector bank reading all %d rings", n)
}

// Evaluate classifies images [from, to) on chip ch with noise seed seed.
func (o *OscNet) Evaluate(ctx context.Context, ch *chip.Chip, from, to int, seed int64) (OscNetResult, error) {
	return o.EvaluateOn(ctx, []*chip.Chip{ch}, from, to, seed)
}

// EvaluateOn is Evaluate with the batches shared among identical chips
// (compiled from one description, seed and instance), one goroutine per
// chip each running its batches on one engine worker: on a multi-core
// machine that keeps every core on whole runs instead of splitting small
// runs. Every image keeps its own noise streams, so the result is the same
// for any number of chips.
func (o *OscNet) EvaluateOn(ctx context.Context, chips []*chip.Chip, from, to int, seed int64) (OscNetResult, error) {
	if len(chips) == 0 {
		return OscNetResult{}, fmt.Errorf("oscnet: no chip")
	}
	if err := o.Prepare(); err != nil {
		return OscNetResult{}, err
	}
	ch := chips[0]
	o.MethodDefaults(ch.Netlist())
	m := o.Model
	for _, c := range chips {
		if c.N() != m.Pixels || o.Images.N != m.Pixels {
			return OscNetResult{}, fmt.Errorf("oscnet: chip has %d rings, model %d pixels, images %d pixels", c.N(), m.Pixels, o.Images.N)
		}
	}
	if from < 0 || to > o.Images.Count || from >= to {
		return OscNetResult{}, fmt.Errorf("oscnet: image range [%d, %d) outside the %d images", from, to, o.Images.Count)
	}
	res := OscNetResult{Method: o.Method, Images: to - from, Confusion: make([][]int, m.Classes)}
	for c := range res.Confusion {
		res.Confusion[c] = make([]int, m.Classes)
	}
	prec := o.Precision
	if prec == "" {
		prec = OscNetPrecision
	}
	// The runs keep the coupler-power average (one sparse product per
	// cycle): the result reports the chip's measured power and energy.
	opt := chip.RunOptions{NoiseSeed: seed, Duration: o.Duration, NoNoise: o.NoNoise, KsScale: o.KsScale, Precision: prec}
	if len(chips) > 1 {
		opt.Workers = 1
	}
	type batchOut struct {
		pred []int
		t    float64
		tl   tally
		err  error
	}
	var los []int
	for lo := from; lo < to; lo += o.Batch {
		los = append(los, lo)
	}
	outs := make([]batchOut, len(los))
	var wg sync.WaitGroup
	var nextBatch, imagesDone atomic.Int64
	for _, c := range chips {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				x := int(nextBatch.Add(1)) - 1
				if x >= len(los) || ctx.Err() != nil {
					return
				}
				lo := los[x]
				hi := min(to, lo+o.Batch)
				in := make([]chip.Input, hi-lo)
				for k := range in {
					in[k] = chip.Input{Phases: o.initialPhases(lo+k, seed)}
				}
				b := &outs[x]
				switch o.Method {
				case "perclass":
					b.pred, b.t, b.err = o.perClass(ctx, c, in, lo, opt, &b.tl)
				case "pairwise":
					b.pred, b.t, b.err = o.tournament(ctx, c, in, lo, opt, &b.tl)
				}
				if b.err != nil {
					return
				}
				if o.Progress != nil {
					o.Progress(int(imagesDone.Add(int64(hi-lo))), to-from)
				}
			}
		}()
	}
	wg.Wait()
	// Batches are summed in their order, whatever chip ran them, so the
	// result does not depend on the number of chips.
	var programs float64
	var tl tally
	for x, b := range outs {
		if b.err != nil {
			return res, b.err
		}
		if b.pred == nil {
			return res, ctx.Err()
		}
		lo := los[x]
		switch o.Method {
		case "perclass":
			programs += float64(m.Classes) * float64(len(b.pred))
		case "pairwise":
			programs += float64(m.Classes-1) * float64(len(b.pred))
		}
		tl.merge(&b.tl)
		res.ChipTime = b.t
		for k, p := range b.pred {
			y := int(o.Labels[lo+k])
			res.Confusion[y][p]++
			if p == y {
				res.Correct++
			}
			res.Predicted = append(res.Predicted, p)
		}
	}
	res.Couplings = tl.couplings / float64(max(1, tl.nets))
	res.Programs = programs / float64(res.Images)
	// Every image takes part in the same runs, so one inference is
	// Programs programmings and ChipTime of running at the mean power.
	if res.Ledger = tl.ledger.Ledger(res.Programs, res.ChipTime); res.Ledger != nil {
		L := res.Ledger
		res.Power, res.Energy, res.CouplerPower = L.TotalPower, L.EnergyPerRun, L.PowerLine(chip.LineTGConduction)
	}
	if o.Method == "pairwise" && o.full > 0 {
		res.KeptFraction = float64(o.kept) / float64(o.full)
	}
	return res, nil
}

// tally sums what an evaluation's runs cost: programmed couplings and
// networks, and the runs' ledgers weighted by run time × inputs (an input
// is one image's run on the physical chip).
type tally struct {
	couplings float64
	nets      int
	ledger    chip.LedgerMean
}

// add records a run of the chip's current program with n inputs.
func (t *tally) add(res *chip.Result, edges, n int) {
	t.couplings += float64(edges)
	t.nets++
	t.ledger.Add(res.Ledger, res.Duration*float64(n))
}

// merge adds u's sums to t.
func (t *tally) merge(u *tally) {
	t.couplings += u.couplings
	t.nets += u.nets
	t.ledger.Merge(&u.ledger)
}

func (o *OscNet) perClass(ctx context.Context, ch *chip.Chip, in []chip.Input, base int, opt chip.RunOptions, tl *tally) ([]int, float64, error) {
	m := o.Model
	best := make([]float64, len(in))
	pred := make([]int, len(in))
	for b := range best {
		best[b] = math.Inf(1)
	}
	// Image k's stream for class c is (image·C + c), so that every run of
	// every image has its own noise in any batch.
	opt.Indices = make([]int, len(in))
	var t float64
	for c := 0; c < m.Classes; c++ {
		for b := range in {
			opt.Indices[b] = (base+b)*m.Classes + c
		}
		if _, err := ch.ProgramScale(o.classEdges[c], o.classScale); err != nil {
			return nil, 0, err
		}
		opt.StepsPerCycle = o.stepsFor(ch)
		res, err := ch.Run(ctx, in, opt)
		if err != nil {
			return nil, 0, err
		}
		tl.add(res, len(o.classEdges[c]), len(in))
		t += res.Duration
		codes := ch.Codes()
		for b := range in {
			s, err := spinsOf(res, b, m.Pixels)
			if err != nil {
				return nil, 0, err
			}
			// E_c = −Σ_{i<j} w_ij·s_i·s_j with w as programmed (eq. 11).
			e := 0.0
			for k, ed := range o.classEdges[c] {
				e -= ch.CodeValue(codes[k]) * float64(s[ed.I]*s[ed.J])
			}
			if e < best[b] {
				best[b], pred[b] = e, c
			}
		}
	}
	return pred, t, nil
}

func (o *OscNet) tournament(ctx context.Context, ch *chip.Chip, in []chip.Input, base int, opt chip.RunOptions, tl *tally) ([]int, float64, error) {
	m := o.Model
	N := m.Pixels
	win := make([]int, len(in))
	// One unit of W^(a,b) = 2/N programs as PairCode: full scale =
	// (2/N)·MaxCode/PairCode.
	fs := 2 / float64(N) * float64(ch.Netlist().Couplings.MaxCode) / float64(o.PairCode)
	var t float64
	for d := 1; d < m.Classes; d++ {
		// Group the images by their current winner: one program each.
		groups := map[int][]int{}
		for b, w := range win {
			groups[w] = append(groups[w], b)
		}
		ws := make([]int, 0, len(groups))
		for w := range groups {
			ws = append(ws, w)
		}
		sort.Ints(ws)
		var roundT float64
		for _, w := range ws {
			a, bcls := min(w, d), max(w, d)
			edges := o.pairEdges[[2]int{a, bcls}]
			if _, err := ch.ProgramScale(edges, fs); err != nil {
				return nil, 0, err
			}
			opt.StepsPerCycle = o.stepsFor(ch)
			idx := groups[w]
			sub := make([]chip.Input, len(idx))
			for k, b := range idx {
				sub[k] = in[b]
			}
			// Each image keeps its own noise stream in any group: its
			// global index is (image, round).
			opt.Indices = make([]int, len(idx))
			for k, b := range idx {
				opt.Indices[k] = (base+b)*m.Classes + d
			}
			res, err := ch.Run(ctx, sub, opt)
			if err != nil {
				return nil, 0, err
			}
			tl.add(res, len(edges), len(sub))
			roundT = res.Duration
			pw, pd := m.Prototype(w), m.Prototype(d)
			for k, b := range idx {
				s, err := spinsOf(res, k, N)
				if err != nil {
					return nil, 0, err
				}
				ow, od := 0, 0
				for i := 0; i < N; i++ {
					ow += s[i] * int(pw[i])
					od += s[i] * int(pd[i])
				}
				if od > ow {
					win[b] = d
				}
			}
		}
		t += roundT
	}
	return win, t, nil
}

// oscnetWorkload adapts OscNet to the Workload interface.
type oscnetWorkload struct {
	o       *OscNet
	images  int
	name    string
	weights string
}

// Files implements FileUser: the weights file.
func (w *oscnetWorkload) Files() []string { return []string{w.weights} }

// newOscNetWorkload reads the parameters of the "oscnet-perclass" and
// "oscnet-pairwise" workloads: weights (an .npz from `oscsim train`,
// required), dataset ("mnist"), data (a directory with the IDX files; the
// user cache by default), images (500), offset (0), fraction (0.24),
// pair_code, ks_scale, cycles and steps_per_cycle (0 = the method's
// defaults, see MethodDefaults), scale_quantile (0.99), jitter (0.1 rad),
// batch (64), precision ("" = OscNetPrecision).
func newOscNetWorkload(spec Spec, p *params, nl *netlist.Netlist) (Workload, error) {
	wpath, err := p.String("weights", "")
	if err != nil {
		return nil, err
	}
	if wpath == "" {
		return nil, fmt.Errorf("bench: workload %q needs weights (an .npz from `oscsim train oscnet`)", spec.Kind)
	}
	if !filepath.IsAbs(wpath) && spec.Dir != "" {
		wpath = filepath.Join(spec.Dir, wpath)
	}
	dsName, err := p.String("dataset", "mnist")
	if err != nil {
		return nil, err
	}
	dataDir, err := p.String("data", "")
	if err != nil {
		return nil, err
	}
	n, err := p.Int("images", 500)
	if err != nil {
		return nil, err
	}
	off, err := p.Int("offset", 0)
	if err != nil {
		return nil, err
	}
	o := &OscNet{Method: strings.TrimPrefix(spec.Kind, "oscnet-")}
	if o.Fraction, err = p.Float("fraction", 0.24); err != nil {
		return nil, err
	}
	if o.PairCode, err = p.Int("pair_code", 0); err != nil {
		return nil, err
	}
	if o.ScaleQuantile, err = p.Float("scale_quantile", 0.99); err != nil {
		return nil, err
	}
	if o.KsScale, err = p.Float("ks_scale", 0); err != nil {
		return nil, err
	}
	if o.StepsPerCycle, err = p.Float("steps_per_cycle", 0); err != nil {
		return nil, err
	}
	cycles, err := p.Float("cycles", 0)
	if err != nil {
		return nil, err
	}
	o.Duration = cycles / nl.Oscillators.Frequency
	if o.Jitter, err = p.Float("jitter", 0.1); err != nil {
		return nil, err
	}
	if o.Batch, err = p.Int("batch", 64); err != nil {
		return nil, err
	}
	if o.Precision, err = p.String("precision", ""); err != nil {
		return nil, err
	}
	m, err := learn.Load(wpath)
	if err != nil {
		return nil, err
	}
	o.Model = m
	if err := o.LoadImages(context.Background(), dsName, dataDir, off, n); err != nil {
		return nil, err
	}
	if nl.Oscillators.N() != m.Pixels {
		return nil, fmt.Errorf("bench: chip %s has %d rings but the weights have %d pixels", nl.Name, nl.Oscillators.N(), m.Pixels)
	}
	if err := o.Prepare(); err != nil {
		return nil, err
	}
	return &oscnetWorkload{o: o, images: o.Images.Count, name: spec.Kind, weights: wpath}, nil
}

// LoadImages reads test images [offset, offset+n) of a data set, binarised
// with the model's threshold.
func (o *OscNet) LoadImages(ctx context.Context, name, dataDir string, offset, n int) error {
	dir, err := dataset.Locate(ctx, name, dataDir)
	if err != nil {
		return err
	}
	im, lab, err := dataset.LoadSplit(dir, "test")
	if err != nil {
		return err
	}
	if offset < 0 || n < 1 || offset+n > im.N {
		return fmt.Errorf("bench: images [%d, %d) outside the %d test images", offset, offset+n, im.N)
	}
	th := o.Model.Settings.Threshold
	if th == 0 {
		th = learn.DefaultSettings().Threshold
	}
	x, err := learn.Binarize(im.Slice(offset, offset+n), th)
	if err != nil {
		return err
	}
	o.Images, o.Labels = x, lab[offset:offset+n]
	return nil
}

func (w *oscnetWorkload) Name() string { return w.name }

// Run implements Workload: metrics accuracy, couplings (mean programmed
// pairs per network), programs_per_image, kept_fraction (pairwise),
// chip_time_per_image_s, and the measured power_w, coupler_power_w and
// energy_per_inference_j (OscNetResult.Power, CouplerPower, Energy).
func (w *oscnetWorkload) Run(ctx context.Context, ch *chip.Chip, seed int64) (Metrics, error) {
	m, _, err := w.RunLedger(ctx, ch, seed)
	return m, err
}

// RunLedger implements LedgerWorkload: Run and the mean ledger of one
// inference.
func (w *oscnetWorkload) RunLedger(ctx context.Context, ch *chip.Chip, seed int64) (Metrics, *chip.Ledger, error) {
	r, err := w.o.Evaluate(ctx, ch, 0, w.images, seed)
	if err != nil {
		return nil, nil, err
	}
	m := Metrics{
		"accuracy":               r.Accuracy(),
		"couplings":              r.Couplings,
		"programs_per_image":     r.Programs,
		"chip_time_per_image_s":  r.ChipTime,
		"time_to_solution_s":     r.ChipTime,
		"power_w":                r.Power,
		"coupler_power_w":        r.CouplerPower,
		"energy_per_inference_j": r.Energy,
	}
	if r.Method == "pairwise" {
		m["kept_fraction"] = r.KeptFraction
	}
	return m, r.Ledger, nil
}

// WithBits returns a copy of nl whose couplers have bits of resolution
// (max code 2^bits − 1). The unit step is rescaled so that the strongest
// coupler keeps its rate: a designer trading bits keeps the coupling range
// and sizes the unit finger accordingly.
func WithBits(nl *netlist.Netlist, bits int) (*netlist.Netlist, error) {
	if bits < 1 || bits > 16 {
		return nil, fmt.Errorf("bench: bits must be in 1..16 (got %d)", bits)
	}
	c := *nl
	old := c.Couplings.MaxCode
	c.Couplings.Bits, c.Couplings.MaxCode = bits, 1<<bits-1
	f := float64(old) / float64(c.Couplings.MaxCode)
	c.Couplings.UnitK *= f
	if c.Couplings.UnitResistance > 0 {
		c.Couplings.UnitResistance /= f
	}
	return &c, nil
}

// WithoutMismatch returns a copy of nl with no frequency or coupler
// mismatch.
func WithoutMismatch(nl *netlist.Netlist) *netlist.Netlist {
	c := *nl
	c.Oscillators.FreqSigma = 0
	c.Couplings.Sigma = 0
	return &c
}
