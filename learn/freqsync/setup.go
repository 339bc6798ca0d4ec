package freqsync

import (
	"context"
	"fmt"
	"math"

	"oscsim/internal/progress"
)

// Spec is one offline (or online) training run's complete setting.
type Spec struct {
	Arch Arch
	N    int
	// Inputs (reference) and Pairs as in Model.
	Inputs []int
	Pairs  []Pair
	Phys   Physics
	// Unit is the parameters' frequency unit (Hz), LR Adam's rate.
	Unit, LR   float64
	Init       Init
	Iterations int
	Grad       Grad
	NoClip     bool
	// FDStep and Draws as in Options.
	FDStep float64
	Draws  int
	// Restarts > 1 trains Probe iterations (0: RestartProbe) from this
	// many initialisations and continues the one with the lowest training
	// loss (docs/sync.md, "Restarts"); 0 or 1: one start.
	Restarts, Probe int
	// SkipConstant makes the restarts' choice pass over starts whose
	// lowest-loss iterate answers the same for every example ("always
	// no"), unless every start does (docs/sync.md, "Fourth session").
	SkipConstant bool
	// Balance weights the loss by class (Options.Balance; a departure
	// from the paper's eq. 1).
	Balance bool
	// Online trains with the reference classifier's online rule instead
	// of Adam: Alpha, Push, PushWeight and Decay as in OnlineOptions.
	Online            bool
	Alpha             float64
	Push              Push
	PushWeight, Decay float64
	Seed              uint64
	// Aware, when not nil, trains hardware-aware (Options.Aware).
	Aware    *Physics
	Progress *progress.Meter
}

// RestartProbe is the number of iterations each restart runs before the
// best is chosen.
const RestartProbe = 10

// DefaultRestarts is PaperSpec's number of starts: a run whose start sits
// where the loss is flat within ±h of every natural frequency never moves,
// and 3 probes rescued every such Iris run measured (docs/sync.md,
// "Restarts").
const DefaultRestarts = 3

// TaskRestarts is PaperSpec's number of starts for the reference network
// on the 2-D tasks, which trains with DefaultFDStep there (docs/sync.md,
// "Fourth session").
const TaskRestarts = 5

// TrainFDStep is PaperSpec's finite-difference step for training from
// scratch (Hz): 10 MHz, half the Adler locking width 2k, sees lock edges
// from farther than DefaultFDStep and, with restarts, trained every stuck
// Iris run measured to ≥ 95% test accuracy (docs/sync.md, "Restarts").
// Fine-tuning a trained model keeps DefaultFDStep.
const TrainFDStep = 10e6

// DefaultUnit is the parameters' frequency unit (Hz): with Adam's rate
// 0.03 a step moves a natural frequency by up to 3 MHz (docs/sync.md,
// "Units": the paper does not give its units; 1 and 10 MHz did not train
// in 100 iterations).
const DefaultUnit = 100e6

// PaperSpec returns the paper's setting for arch on a task with dim inputs:
// N = 6, Adam 0.03, tanh clipping, with two departures: the gradient is
// FiniteDiff (central differences of the loss in every natural frequency,
// common initial phases, step TrainFDStep), not the paper's path-wise
// derivative (Reverse or Forward, which Grad selects back): docs/sync.md,
// "Gradient noise", has the measurements behind the choice; and training
// starts DefaultRestarts times and continues the best start ("Restarts"). On
// the 2-D tasks (iris false) the restarts pass over starts that fell onto a
// constant answer (SkipConstant) and the reference network trains with
// DefaultFDStep and TaskRestarts starts ("Fourth session"). The reference
// network's inputs are oscillators 0..dim−1; the output pair is (4, 5) in
// the paper's numbering (indices 3, 4) on the 2-D tasks, and on Iris the
// two tuning oscillators (4, 5) (reference) or oscillators (0, 1)
// (extended).
func PaperSpec(arch Arch, dim int, iris bool) Spec {
	s := Spec{Arch: arch, N: 6, Phys: FastPhysics(), Unit: DefaultUnit, LR: 0.03, Init: DefaultInit, Iterations: 100, Grad: FiniteDiff,
		FDStep: TrainFDStep, Restarts: DefaultRestarts, Alpha: 0.1, Push: PushThreshold, PushWeight: OnlinePushWeight, Decay: OnlineDecay}
	if arch == Reference {
		for l := 0; l < dim; l++ {
			s.Inputs = append(s.Inputs, l)
		}
	}
	s.Init.PairAtEdge = arch == Extended
	if !iris {
		// The 2-D tasks (docs/sync.md, "Fourth session"):
		// the restarts pass over starts that fell onto "always no", and
		// the reference network takes the narrow step with 5 starts.
		s.SkipConstant = true
		if arch == Reference {
			s.FDStep, s.Restarts = DefaultFDStep, TaskRestarts
		}
	}
	switch {
	case !iris:
		s.Pairs = []Pair{{3, 4}}
	case arch == Reference:
		s.Pairs = []Pair{{4, 5}}
	default:
		s.Pairs = []Pair{{0, 1}}
	}
	return s
}

// TotalIterations is the number of training iterations Run spends:
// Iterations, plus the probe length (Probe, or RestartProbe) for every
// start after the first.
func (s Spec) TotalIterations() int {
	if p := s.probe(); !s.Online && s.Restarts > 1 && s.Iterations > p {
		return s.Iterations + (s.Restarts-1)*p
	}
	return s.Iterations
}

// probe is the restarts' probe length.
func (s Spec) probe() int {
	if s.Probe > 0 {
		return s.Probe
	}
	return RestartProbe
}

// Outcome is a trained model with its record and scores.
type Outcome struct {
	Model   *Model
	History []Step
	// Train and Test are accuracies (0..1) of noise-free runs with fresh
	// initial phases (Test = Train when there is no test set).
	Train, Test float64
	// TrainPred are the output bits of the run that scored Train, per
	// training example and output pair (the 2-D tasks' maps).
	TrainPred [][]bool
}

// Run trains a model per spec on train and scores it on train and test
// (test may be empty: the 2-D tasks score on the training grid).
func (s Spec) Run(ctx context.Context, train, test Data) (*Outcome, error) {
	if len(train.X) == 0 {
		return nil, fmt.Errorf("freqsync: empty training set")
	}
	net, err := NewNet(s.N, s.Phys, int64(s.Seed), 0)
	if err != nil {
		return nil, err
	}
	m, err := NewModel(s.Arch, s.N, s.Inputs, s.Pairs, train.X, s.Phys, s.Unit, s.Init, s.Seed)
	if err != nil {
		return nil, err
	}
	var hist []Step
	opt := Options{Iterations: s.Iterations, LR: s.LR, Grad: s.Grad, NoClip: s.NoClip, FDStep: s.FDStep, Draws: s.Draws, Balance: s.Balance, Seed: s.Seed, Aware: s.Aware, Progress: s.Progress}
	switch {
	case s.Online:
		hist, err = TrainOnline(ctx, net, m, train, OnlineOptions{Iterations: s.Iterations, Alpha: s.Alpha, Push: s.Push, PushWeight: s.PushWeight, Decay: s.Decay, Seed: s.Seed, Progress: s.Progress})
	case s.Restarts > 1 && s.Iterations > s.probe():
		// Restarts: s.probe() iterations from each of s.Restarts
		// initialisations; the one with the lowest training loss seen
		// goes on for the remaining iterations (a fresh Adam). With
		// SkipConstant a start whose lowest-loss iterate is a constant
		// classifier ranks after every other start.
		best, bestLoss, bestConst := m, math.Inf(1), true
		probe := opt
		probe.Iterations = s.probe()
		for r := 0; r < s.Restarts; r++ {
			c := m
			if r > 0 {
				if c, err = NewModel(s.Arch, s.N, s.Inputs, s.Pairs, train.X, s.Phys, s.Unit, s.Init, s.Seed+uint64(r)*7919); err != nil {
					return nil, err
				}
			}
			h, err := Train(ctx, net, c, train, probe)
			if err != nil {
				return nil, err
			}
			lo, cst := math.Inf(1), false
			for _, st := range h {
				if st.Loss < lo {
					lo, cst = st.Loss, st.Constant
				}
			}
			cst = cst && s.SkipConstant
			if (bestConst && !cst) || (cst == bestConst && lo < bestLoss) || r == 0 {
				best, bestLoss, bestConst, hist = c, lo, cst, h
			}
		}
		m = best
		opt.Iterations -= s.probe()
		h, err := Train(ctx, net, m, train, opt)
		if err != nil {
			return nil, err
		}
		hist = append(hist, h...)
	default:
		hist, err = Train(ctx, net, m, train, opt)
	}
	if err != nil {
		return nil, err
	}
	out := &Outcome{Model: m, History: hist}
	ev := EvalOptions{Seed: s.Seed + 1000}
	if err := checkData(m, train); err != nil {
		return nil, err
	}
	if out.TrainPred, _, err = Predict(ctx, net, m, train.X, ev); err != nil {
		return nil, err
	}
	out.Train = Score(out.TrainPred, train.Y)
	out.Test = out.Train
	if len(test.X) > 0 {
		if out.Test, err = Accuracy(ctx, net, m, test, ev); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DisjointPairs returns the output pairs of a network with several
// outputs: (0, 1), (2, 3), … (docs/sync.md, "Three species"); the n
// oscillators must hold them.
func DisjointPairs(outputs, n int) ([]Pair, error) {
	if 2*outputs > n {
		return nil, fmt.Errorf("freqsync: %d output pairs need %d oscillators, the network has %d", outputs, 2*outputs, n)
	}
	p := make([]Pair, outputs)
	for k := range p {
		p[k] = Pair{2 * k, 2*k + 1}
	}
	return p, nil
}
