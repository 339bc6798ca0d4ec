package bench

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"oscsim/chip"
	"oscsim/dataset"
	"oscsim/internal/progress"
	"oscsim/internal/vocab"
	"oscsim/learn"
	"oscsim/netlist"
)

// OscNet runs OscNet v1.5 inference on the simulated chip (Cai et al.,
// arXiv 2506.12610, eqs. 11–15; docs/oscnet.md, docs/model.md §11), through package chip: every
// decision comes from the samplers' read-out of a relaxed oscillator array,
// never from a software energy.
//
//   - Per-class relaxation: the image is loaded as phases (x = +1 → 0,
//     −1 → π, plus a small uniform jitter so the binary state is not an
//     exact equilibrium [A]), class c's network (symmetrised and quantised
//     by Mapping [A]) is programmed onto the couplers, the chip relaxes with the
//     SHIL pump, and the class energy E_c = −Σ_{i<j} w_ij·s_i·s_j is computed
//     from the read-out spins s and the weights as programmed (quantised
//     codes). The lowest energy wins: 10 runs per image.
//   - Pairwise elimination: two-pattern networks W^(a,b) = (p^a p^aᵀ +
//     p^b p^bᵀ)/N (eq. 15) from the class prototypes, with the connections
//     chosen by the learned weights: a pair (i, j) is kept when its
//     importance max(|S2[a,i,j]|, |S2[a,j,i]|, |S2[b,i,j]|, |S2[b,j,i]|) is
//     among the top Fraction of the nonzero couplings of W^(a,b) [A].
//     A king-of-the-hill tournament (w = 0; for d = 1..9 play (w, d)) of 9
//     matches; a match's winner is the prototype with the larger overlap
//     s·p with the read-out spins (the paper's rule).
type OscNet struct {
	Model *learn.Model
	// Method is MethodPerClass or MethodPairwise.
	Method Method
	// Images are the test images as ±1 spins and Labels their classes.
	// Offset is the index of Images' first image in its data set (set by
	// LoadImages): image k's initial jitter and noise streams are those of
	// image Offset + k, so a range of images classified on its own gets the
	// same outcome, image for image, as inside a larger run.
	Images learn.Spins
	Labels []uint8
	Offset int
	// Fraction is the share of W^(a,b)'s nonzero couplings kept by the
	// pairwise method (1 = fully connected).
	Fraction float64
	// PairCode is the coupler code of one unit of W^(a,b) (its weights are
	// ±2/N or 0): the pairwise networks program ±PairCode or 0.
	PairCode int
	// Mapping is how the per-class method turns class networks into codes
	// (oscnet_map.go); the zero value is DefaultMapping.
	Mapping Mapping
	// Readout is how the per-class method scores a relaxed class network
	// (ReadSpins: energy from the samplers' spins and the programmed
	// codes; ReadSupply: the couplers' measured supply power through ADC).
	// "" = ReadSpins.
	Readout Readout
	// ADC is the current-sense ADC of the supply read-out.
	ADC SupplyADC
	// Progress counts the images done (nil: silent).
	Progress *progress.Meter
	// Jitter is the half-width (rad) of the uniform initial-phase jitter.
	Jitter float64
	// Batch is the number of images run together (one chip.Run).
	Batch int
	// Group is the number of images the pairwise method plays together, in
	// batches of Batch (0 = TournamentGroup).
	Group int
	// Duration overrides the chip's run time (s); 0 keeps it.
	Duration float64
	// NoNoise switches phase noise off (chip.RunOptions.NoNoise).
	NoNoise bool
	// NoPower skips the runs' coupler-power average in the pairwise
	// method (chip.RunOptions.NoPower; the per-class supply read-out needs
	// it): the result's power and energy then take the ledger's estimate
	// of the TG conduction.
	NoPower bool
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

	classEdges [][]netlist.Edge          // per-class programs (perclass)
	classScale []float64                 // their full scales
	pairEdges  map[[2]int][]netlist.Edge // pairwise programs
	kept, full int                       // pairwise: kept and full nonzero couplings, summed over pairs
	fabric     []netlist.Edge            // the union of the programs' coupler sites
}

// OscNetPrecision is the precision OscNet runs in unless told otherwise:
// float32, whose read-outs agree with float64's (accuracy on the same
// images within the noise; docs/performance.md) at about twice the speed.
const OscNetPrecision = chip.PrecisionFloat32

// OscNetResult is one evaluation.
type OscNetResult struct {
	Method    Method
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
	// ReadoutCorrect (per-class method) counts the images each read-out
	// of the same runs classifies correctly (ReadInput, ReadIdeal,
	// ReadSpins, ReadSupply; docs/oscnet.md, "Where the points go"), and
	// Flips is the mean share of spins the samplers read different from
	// the loaded image.
	ReadoutCorrect map[Readout]int
	Flips          float64
	// ADCEnergy is the supply read-out's conversion energy per inference
	// (J), included in Energy when Readout is ReadSupply.
	ADCEnergy float64
	// ClassPower[k][c] is image k's measured coupler power (W, before the
	// ADC) in class c's run (per-class method), for re-scoring with
	// another ADC (OscNet.SupplyAccuracy).
	ClassPower [][]float64 `json:"-"`
	// Fabric is the union of the coupler sites the method's networks
	// program (W = 1): the fabric a chip built for this model needs
	// instead of all-to-all (price it with Sparsity).
	Fabric []netlist.Edge `json:"-"`
	supply []supplyModel
	adcFS  float64
}

// Method is an OscNet inference method, a vocabulary written like every
// other (internal/vocab; the same shape on purpose).
type Method string

const (
	// MethodPerClass relaxes each class network and compares the class
	// energies read out.
	MethodPerClass Method = "perclass"
	// MethodPairwise plays a king-of-the-hill tournament of two-prototype
	// networks.
	MethodPairwise Method = "pairwise"
)

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *Method) UnmarshalText(b []byte) error {
	return vocab.Set(m, b, "method", MethodPerClass, MethodPairwise)
}

// Accuracy returns Correct/Images.
func (r OscNetResult) Accuracy() float64 { return float64(r.Correct) / float64(max(1, r.Images)) }

// MethodDefaults fills the zero run settings of o with the defaults of
// its method, measured on MNIST (docs/oscnet.md), both [A] choices the
// paper leaves open:
//   - perclass: the chip's pump at full strength (KsScale 1) and its run
//     length, so that the read-out stays near the input and the energy
//     compares classes;
//   - pairwise: a pump at 0.02× and PairwiseCycles with PairCode 15, so
//     that the two-pattern network can pull the state to one of its
//     prototypes: a pixel flips only when x_i·h_i < −2·K_s (docs/model.md §5),
//     and at PairCode 5 with a 0.1× pump no field reached that, so
//     the tournament reduced to nearest-prototype matching of the input.
func (o *OscNet) MethodDefaults(nl *netlist.Netlist) {
	if o.Method != MethodPairwise {
		if o.KsScale == 0 {
			o.KsScale = 1
		}
		return
	}
	if o.KsScale == 0 {
		o.KsScale = 0.02
	}
	if o.Duration == 0 {
		o.Duration = PairwiseCycles / nl.Oscillators.Frequency
	}
	if o.StepsPerCycle == 0 {
		o.StepsPerCycle = 2
	}
	if o.PairCode == 0 {
		o.PairCode = 15
	}
}

// PairwiseCycles is the pairwise method's run length per match (cycles of
// the reference), measured on the first 256 test images (docs/oscnet.md,
// "Fig. 8 at full size"): with noise and mismatch off, 10, 20, 30 and 45
// cycles give the same decision on every image (5% of the connections,
// the weakest networks); with them on, the longer run only lets the rings
// the weak pump cannot hold (|Δω| > K_s) drift away from their state, and
// accuracy falls (73.4% at 20 cycles, 64.5% at 60, the earlier default).
// 20 is twice the length the noiseless decisions need [A].
const PairwiseCycles = 20

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
	case MethodPerClass:
		if o.classEdges != nil {
			return nil
		}
		if o.Mapping == (Mapping{}) {
			o.Mapping = DefaultMapping()
		}
		if err := o.Mapping.validate(true); err != nil {
			return err
		}
		switch o.Readout {
		case "":
			o.Readout = ReadSpins
		case ReadSpins, ReadSupply:
		default:
			return fmt.Errorf("oscnet: a chip reads out %q or %q, not %q", ReadSpins, ReadSupply, o.Readout)
		}
		o.classEdges = ClassEdges(m, o.Mapping.Sym)
		if len(edgeWeights(o.classEdges...)) == 0 {
			return fmt.Errorf("oscnet: the model has no couplings")
		}
		o.classScale = o.Mapping.FullScales(o.classEdges)
	case MethodPairwise:
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
				// By score, ties in (i, j) order: the order of a stable sort
				// of cs as generated, at O(n log n) (sort.SliceStable's
				// O(n log² n) took seconds for the 45 fully connected pairs).
				slices.SortFunc(cs, func(x, y cand) int {
					if c := cmp.Compare(y.score, x.score); c != 0 {
						return c
					}
					if c := cmp.Compare(x.i, y.i); c != 0 {
						return c
					}
					return cmp.Compare(x.j, y.j)
				})
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
	var nets [][]netlist.Edge
	if o.Method == MethodPerClass {
		nets = o.classEdges
	} else {
		for _, es := range o.pairEdges {
			nets = append(nets, es)
		}
	}
	o.fabric = unionSites(m.Pixels, nets)
	return nil
}

// unionSites returns the distinct pairs (I < J) of nets, ordered.
func unionSites(n int, nets [][]netlist.Edge) []netlist.Edge {
	seen := make([]bool, n*n)
	for _, es := range nets {
		for _, e := range es {
			seen[min(e.I, e.J)*n+max(e.I, e.J)] = true
		}
	}
	var out []netlist.Edge
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if seen[i*n+j] {
				out = append(out, netlist.Edge{I: i, J: j, W: 1})
			}
		}
	}
	return out
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
// uniform jitter in [−Jitter, Jitter] from a stream of (seed, Offset + k).
func (o *OscNet) initialPhases(k int, seed int64) []float64 {
	N := o.Images.N
	r := rand.New(rand.NewPCG(uint64(seed)^0x9e3779b97f4a7c15, uint64(o.Offset+k)))
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
	var sup []supplyModel
	var adcFS float64
	if o.Method == MethodPerClass {
		var err error
		if sup, adcFS, err = o.supplyModels(ch); err != nil {
			return OscNetResult{}, err
		}
	}
	m := o.Model
	for _, c := range chips {
		if c.N() != m.Pixels || o.Images.N != m.Pixels {
			return OscNetResult{}, fmt.Errorf("oscnet: chip has %d rings, model %d pixels, images %d pixels", c.N(), m.Pixels, o.Images.N)
		}
	}
	if from < 0 || to > o.Images.Count || from >= to {
		return OscNetResult{}, fmt.Errorf("oscnet: image range [%d, %d) outside the %d images", from, to, o.Images.Count)
	}
	res := OscNetResult{Method: o.Method, Images: to - from, Confusion: make([][]int, m.Classes), supply: sup, adcFS: adcFS, Fabric: o.fabric}
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
		pred  []int
		t     float64
		tl    tally
		power [][]float64
		err   error
	}
	// The unit of work a chip takes: a batch of images (per-class), or a
	// group of TournamentGroup images whose matches are batched by the
	// network they need (pairwise, see tournament).
	unit := o.Batch
	if o.Method == MethodPairwise {
		unit = o.Group
		if unit <= 0 {
			unit = TournamentGroup
		}
	}
	var los []int
	for lo := from; lo < to; lo += unit {
		los = append(los, lo)
	}
	outs := make([]batchOut, len(los))
	var wg sync.WaitGroup
	var nextBatch atomic.Int64
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
				hi := min(to, lo+unit)
				in := make([]chip.Input, hi-lo)
				for k := range in {
					in[k] = chip.Input{Phases: o.initialPhases(lo+k, seed)}
				}
				b := &outs[x]
				switch o.Method {
				case MethodPerClass:
					b.pred, b.t, b.power, b.err = o.perClass(ctx, c, in, lo, opt, sup, adcFS, &b.tl)
				case MethodPairwise:
					b.pred, b.t, b.err = o.tournament(ctx, c, in, lo, opt, &b.tl)
				}
				if b.err != nil {
					return
				}
				if o.Method == MethodPerClass {
					o.Progress.Add(int64(len(in))) // the tournament counts its rounds
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
		case MethodPerClass:
			programs += float64(m.Classes) * float64(len(b.pred))
		case MethodPairwise:
			programs += float64(m.Classes-1) * float64(len(b.pred))
		}
		tl.merge(&b.tl)
		res.ClassPower = append(res.ClassPower, b.power...)
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
	if o.Method == MethodPairwise && o.full > 0 {
		res.KeptFraction = float64(o.kept) / float64(o.full)
	}
	if o.Method == MethodPerClass {
		res.ReadoutCorrect = tl.readCorrect
		res.Flips = tl.flips / float64(max(1, res.Images*m.Classes*m.Pixels))
		res.ADCEnergy = float64(m.Classes) * o.ADC.conversionEnergy()
		if o.Readout == ReadSupply {
			res.Energy += res.ADCEnergy
		}
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
	// Per-class method: images each read-out gets right, and spins read
	// different from the loaded image (summed over runs).
	readCorrect map[Readout]int
	flips       float64
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
	t.flips += u.flips
	for k, v := range u.readCorrect {
		if t.readCorrect == nil {
			t.readCorrect = map[Readout]int{}
		}
		t.readCorrect[k] += v
	}
}

// perClass runs the per-class method on one batch: each class network
// programmed and relaxed in turn, every read-out scored from the same
// runs. It returns the predictions of o.Readout, the chip time, and each
// image's measured coupler power per class (W).
func (o *OscNet) perClass(ctx context.Context, ch *chip.Chip, in []chip.Input, base int, opt chip.RunOptions, sup []supplyModel, adcFS float64, tl *tally) ([]int, float64, [][]float64, error) {
	m := o.Model
	C, N := m.Classes, m.Pixels
	reads := []Readout{ReadInput, ReadIdeal, ReadSpins, ReadSupply}
	best := make([][]float64, len(reads))
	arg := make([][]int, len(reads))
	for r := range reads {
		best[r], arg[r] = make([]float64, len(in)), make([]int, len(in))
		for b := range best[r] {
			best[r][b] = math.Inf(1)
		}
	}
	power := make([][]float64, len(in))
	for b := range power {
		power[b] = make([]float64, C)
	}
	x := make([][]int, len(in))
	for b := range x {
		x[b] = make([]int, N)
		for i := range x[b] {
			x[b][i] = int(o.Images.At(base+b, i))
		}
	}
	// Image k's stream for class c is (image·C + c), so that every run of
	// every image has its own noise in any batch.
	opt.Indices = make([]int, len(in))
	var t float64
	for c := 0; c < C; c++ {
		for b := range in {
			opt.Indices[b] = (o.Offset+base+b)*C + c
		}
		edges := o.classEdges[c]
		if _, err := ch.ProgramScale(edges, o.classScale[c]); err != nil {
			return nil, 0, nil, err
		}
		opt.StepsPerCycle = o.stepsFor(ch)
		res, err := ch.Run(ctx, in, opt)
		if err != nil {
			return nil, 0, nil, err
		}
		tl.add(res, len(edges), len(in))
		t += res.Duration
		codes := ch.Codes()
		w := make([]float64, len(codes))
		for k, cd := range codes {
			w[k] = ch.CodeValue(cd)
		}
		sm := sup[c]
		for b := range in {
			s, err := spinsOf(res, b, N)
			if err != nil {
				return nil, 0, nil, err
			}
			for i := range s {
				if s[i] != x[b][i] {
					tl.flips++
				}
			}
			power[b][c] = res.CouplerPower[b]
			// E_c = −Σ_{i<j} w_ij·s_i·s_j with w as programmed (eq. 11),
			// of the loaded image, of the final phases' signs, of the
			// samplers' spins; and the energy the supply power stands for.
			e := [...]float64{pairEnergy(edges, w, x[b]), pairEnergy(edges, w, res.Spins(b)), pairEnergy(edges, w, s),
				sm.energy(o.ADC.read(res.CouplerPower[b], adcFS, sm.vdd))}
			for r := range reads {
				if e[r] < best[r][b] {
					best[r][b], arg[r][b] = e[r], c
				}
			}
		}
	}
	if tl.readCorrect == nil {
		tl.readCorrect = map[Readout]int{}
	}
	for r, rd := range reads {
		for b := range in {
			if arg[r][b] == int(o.Labels[base+b]) {
				tl.readCorrect[rd]++
			}
		}
	}
	if o.Readout == ReadSupply {
		return arg[3], t, power, nil
	}
	return arg[2], t, power, nil
}

// pairEnergy is −Σ_k w_k·s_I·s_J over the edges (eq. 11 on a symmetric
// network, each pair once).
func pairEnergy(edges []netlist.Edge, w []float64, s []int) float64 {
	e := 0.0
	for k, ed := range edges {
		e -= w[k] * float64(s[ed.I]*s[ed.J])
	}
	return e
}

// TournamentGroup is the number of images the pairwise method plays
// together by default (OscNet.Group): in each round the group's images are sorted by the match they
// play (their current winner against the round's challenger), each match's
// network is programmed once, and its images run in chip batches of
// OscNet.Batch. Playing matches over a group of 64 images instead (one
// batch) left the late rounds with a handful of images per network, each
// run a full pass over the network for a few inputs, and a reprogramming
// per handful. It changes no result (every image keeps its own noise
// streams), only the cost: docs/oscnet.md, "Fig. 8 at full size".
const TournamentGroup = 1024

// tournament plays the king-of-the-hill tournament (w = 0; for d = 1..9 play
// (w, d)) for images base.. base+len(in)−1, round by round: the images are
// grouped by the match they play, each match's network is programmed once
// and its images run in batches of o.Batch. It returns the winners and the
// chip time per image; the progress meter advances by the images' share of
// each round.
func (o *OscNet) tournament(ctx context.Context, ch *chip.Chip, in []chip.Input, base int, opt chip.RunOptions, tl *tally) ([]int, float64, error) {
	m := o.Model
	opt.NoPower = o.NoPower
	N := m.Pixels
	win := make([]int, len(in))
	// One unit of W^(a,b) = 2/N programs as PairCode: full scale =
	// (2/N)·MaxCode/PairCode.
	fs := 2 / float64(N) * float64(ch.Netlist().Couplings.MaxCode) / float64(o.PairCode)
	var t float64
	rounds := m.Classes - 1
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
		next := slices.Clone(win)
		for _, w := range ws {
			a, bcls := min(w, d), max(w, d)
			edges := o.pairEdges[[2]int{a, bcls}]
			if _, err := ch.ProgramScale(edges, fs); err != nil {
				return nil, 0, err
			}
			opt.StepsPerCycle = o.stepsFor(ch)
			pw, pd := m.Prototype(w), m.Prototype(d)
			grp := groups[w]
			for lo := 0; lo < len(grp); lo += o.Batch {
				idx := grp[lo:min(len(grp), lo+o.Batch)]
				sub := make([]chip.Input, len(idx))
				// Each image keeps its own noise stream in any group: its
				// global index is (image, round).
				opt.Indices = make([]int, len(idx))
				for k, b := range idx {
					sub[k] = in[b]
					opt.Indices[k] = (o.Offset+base+b)*m.Classes + d
				}
				res, err := ch.Run(ctx, sub, opt)
				if err != nil {
					return nil, 0, err
				}
				tl.add(res, len(edges), len(sub))
				roundT = res.Duration
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
						next[b] = d
					}
				}
			}
		}
		win = next
		t += roundT
		n := len(in)
		o.Progress.Add(int64(n*d/rounds - n*(d-1)/rounds))
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

// oscnetParams are the oscnet workloads' parameters, decoded like a chip
// description's keys (typed, strict, each error at its key);
// newOscNetWorkload gives their defaults.
type oscnetParams struct {
	Weights       string     `toml:"weights"`
	Dataset       string     `toml:"dataset"`
	Data          string     `toml:"data"`
	Images        int        `toml:"images"`
	Offset        int        `toml:"offset"`
	Sym           learn.Sym  `toml:"sym"`
	FullScale     ScaleScope `toml:"full_scale"`
	ScaleQuantile float64    `toml:"scale_quantile"`
	Readout       Readout    `toml:"readout"`
	ADCBits       int        `toml:"adc_bits"`
	Fraction      float64    `toml:"fraction"`
	PairCode      int        `toml:"pair_code"`
	KsScale       float64    `toml:"ks_scale"`
	StepsPerCycle float64    `toml:"steps_per_cycle"`
	Cycles        float64    `toml:"cycles"`
	Jitter        float64    `toml:"jitter"`
	Batch         int        `toml:"batch"`
	Precision     string     `toml:"precision"`
}

// newOscNetWorkload reads the parameters of the "oscnet-perclass" and
// "oscnet-pairwise" workloads: weights (an .npz from `oscsim train`,
// required), dataset ("mnist"), data (a directory with the IDX files; the
// user cache by default), images (500), offset (0), fraction (0.24),
// pair_code, ks_scale, cycles and steps_per_cycle (0 = the method's
// defaults, see MethodDefaults), the per-class mapping sym ("exact"),
// full_scale ("class") and scale_quantile (0.999) (DefaultMapping),
// readout ("spins" or "supply") and adc_bits (12), jitter (0.1 rad),
// batch (64), precision ("" = OscNetPrecision).
func newOscNetWorkload(spec Spec, p *params, nl *netlist.Netlist) (Workload, error) {
	o := &OscNet{Method: Method(strings.TrimPrefix(spec.Kind, "oscnet-")), Mapping: DefaultMapping(), ADC: DefaultSupplyADC()}
	c := oscnetParams{Dataset: "mnist", Images: 500, Fraction: 0.24, Sym: o.Mapping.Sym, FullScale: o.Mapping.Scale,
		ScaleQuantile: o.Mapping.Quantile, Readout: ReadSpins, ADCBits: o.ADC.Bits, Jitter: 0.1, Batch: 64}
	if err := p.Decode(&c); err != nil {
		return nil, err
	}
	wpath := c.Weights
	if wpath == "" {
		return nil, fmt.Errorf("bench: workload %q needs weights (an .npz from `oscsim train oscnet`)", spec.Kind)
	}
	if !filepath.IsAbs(wpath) && spec.Dir != "" {
		wpath = filepath.Join(spec.Dir, wpath)
	}
	o.Mapping.Sym, o.Mapping.Scale, o.Mapping.Quantile = c.Sym, c.FullScale, c.ScaleQuantile
	o.Readout, o.ADC.Bits = c.Readout, c.ADCBits
	o.Fraction, o.PairCode, o.KsScale, o.StepsPerCycle = c.Fraction, c.PairCode, c.KsScale, c.StepsPerCycle
	o.Duration = c.Cycles / nl.Oscillators.Frequency
	o.Jitter, o.Batch, o.Precision = c.Jitter, c.Batch, c.Precision
	dsName, dataDir, n, off := c.Dataset, c.Data, c.Images, c.Offset
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
	o.MethodDefaults(nl)
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
	o.Images, o.Labels, o.Offset = x, lab[offset:offset+n], offset
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
