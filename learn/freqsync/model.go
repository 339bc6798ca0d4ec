package freqsync

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"oscsim/internal/vocab"
)

// Arch is the classifier's architecture.
type Arch int

// Architectures (Vodenicarevic et al. 2018, Fig. 1).
const (
	// Reference: N_I input oscillators whose natural frequencies are the
	// inputs (mapped linearly onto the tuning range) and N − N_I tuning
	// oscillators whose natural frequencies are the parameters.
	Reference Arch = iota
	// Extended: every natural frequency is an affine function of the
	// input, F = W·[x; 1], with W of shape N × (dim x + 1).
	Extended
)

var archNames = []string{"reference", "extended"}

func (a Arch) String() string { return vocab.Name(a, "Arch", archNames...) }

// UnmarshalText accepts "reference" or "extended".
func (a *Arch) UnmarshalText(b []byte) error {
	return vocab.Index(a, b, "architecture", archNames...)
}

// Pair is one output pair of oscillators: its synchronisation is one bit
// of the output.
type Pair struct{ I, J int }

// Model is a classifier's parameters and how inputs reach frequencies.
type Model struct {
	Arch Arch
	// N is the number of oscillators, Dim that of the input x.
	N, Dim int
	// Inputs (reference) gives the oscillator of each input component.
	Inputs []int
	Pairs  []Pair
	// Unit is the frequency (Hz) of one unit of a parameter: the
	// optimiser's steps are in these units (docs/sync.md, "Units").
	Unit float64
	// Params: reference, the natural frequency of every oscillator in
	// Unit (input oscillators' entries unused); extended, W row-major
	// N × (Dim+1), the last column the bias, in Unit per standardised
	// input unit.
	Params []float64
	// Lo and Hi normalise the input: reference maps x_l ∈ [Lo_l, Hi_l]
	// linearly onto [FMin, FMax]; extended uses z_l = (x_l − Lo_l)/Hi_l
	// (Lo the training mean, Hi the standard deviation).
	Lo, Hi []float64
	// FMin and FMax clip every natural frequency (Hz).
	FMin, FMax float64
}

// Validate reports every inconsistency of the model's shapes and values.
func (m *Model) Validate() error {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf("freqsync: model: "+f, a...)) }
	if m.N < 2 {
		bad("n = %d, need at least 2 oscillators", m.N)
	}
	if m.Dim < 1 {
		bad("input dimension %d, need at least 1", m.Dim)
	}
	if want := m.NumParams(); len(m.Params) != want {
		bad("params has %d values, want %d for a %s network of %d oscillators and %d inputs", len(m.Params), want, m.Arch, m.N, m.Dim)
	}
	for k, v := range m.Params {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			bad("params[%d] is not finite", k)
			break
		}
	}
	if len(m.Lo) != m.Dim || len(m.Hi) != m.Dim {
		bad("input normalisation has %d/%d values, want %d", len(m.Lo), len(m.Hi), m.Dim)
	}
	if m.Arch == Reference {
		if len(m.Inputs) != m.Dim {
			bad("reference network: %d input oscillators for %d inputs", len(m.Inputs), m.Dim)
		}
		for _, i := range m.Inputs {
			if i < 0 || i >= m.N {
				bad("input oscillator %d out of range", i)
			}
		}
	}
	if len(m.Pairs) == 0 {
		bad("no output pair")
	}
	for _, p := range m.Pairs {
		if p.I < 0 || p.J < 0 || p.I >= m.N || p.J >= m.N || p.I == p.J {
			bad("output pair (%d, %d) invalid for %d oscillators", p.I, p.J, m.N)
		}
	}
	if !(m.Unit > 0) || !(m.FMax > m.FMin) {
		bad("unit %g and range [%g, %g] must be positive and ordered", m.Unit, m.FMin, m.FMax)
	}
	return errors.Join(errs...)
}

// NumParams is the number of parameters of the architecture.
func (m *Model) NumParams() int {
	if m.Arch == Extended {
		return m.N * (m.Dim + 1)
	}
	return m.N
}

// Learned is the number of parameters training adjusts: the tuning
// oscillators' frequencies (reference) or all of W (extended).
func (m *Model) Learned() int {
	if m.Arch == Extended {
		return m.NumParams()
	}
	return m.N - len(m.Inputs)
}

// trainable reports whether parameter k is trained.
func (m *Model) trainable(k int) bool {
	if m.Arch == Extended {
		return true
	}
	for _, i := range m.Inputs {
		if i == k {
			return false
		}
	}
	return true
}

// Init sets the random initial parameters (Hz): natural frequencies
// (reference tuning oscillators, extended biases) at the centre plus
// N(0, Bias), extended weights N(0, Weight) per standardised input unit.
//
// With Spread, the centres are not all the middle of the range but spread
// over equal slices of it in a random order, each output pair in one slice
// at ±k around its midpoint (NewModel): an all-to-all
// network whose natural frequencies all sit within a few k of each other
// locks as a whole, every pair then has D = 0, and the loss of eq. 4 is
// flat there (dE/dD = −D), so training cannot start (docs/sync.md).
//
// With PairAtEdge (and Spread), each output pair shares one slice at ±k
// around its midpoint (ΔF = 2k, the edge of Adler locking, D ≈ 1) instead
// of two slices of their own.
type Init struct {
	Bias, Weight float64
	Spread       bool
	PairAtEdge   bool
}

// DefaultInit is docs/sync.md's choice: centres spread over the range,
// jitter 5 MHz, weights 20 MHz per standardised input unit; PaperSpec sets
// PairAtEdge for the extended network (measured better on Iris there, worse
// for the reference network: docs/sync.md).
var DefaultInit = Init{Bias: 5e6, Weight: 20e6, Spread: true}

// NewModel returns a model initialised by init (docs/sync.md,
// "Initialisation"). X is the training set (for the normalisation).
func NewModel(arch Arch, n int, inputs []int, pairs []Pair, X [][]float64, p Physics, unit float64, init Init, seed uint64) (*Model, error) {
	if len(X) == 0 {
		return nil, fmt.Errorf("freqsync: no training inputs")
	}
	dim := len(X[0])
	m := &Model{Arch: arch, N: n, Dim: dim, Inputs: inputs, Pairs: pairs, Unit: unit, FMin: p.FMin, FMax: p.FMax}
	m.Lo, m.Hi = make([]float64, dim), make([]float64, dim)
	if arch == Reference {
		for l := 0; l < dim; l++ {
			m.Lo[l], m.Hi[l] = math.Inf(1), math.Inf(-1)
			for _, x := range X {
				m.Lo[l], m.Hi[l] = math.Min(m.Lo[l], x[l]), math.Max(m.Hi[l], x[l])
			}
			if m.Hi[l] == m.Lo[l] {
				m.Hi[l] = m.Lo[l] + 1
			}
		}
	} else {
		for l := 0; l < dim; l++ {
			var s, s2 float64
			for _, x := range X {
				s += x[l]
				s2 += x[l] * x[l]
			}
			mean := s / float64(len(X))
			sd := math.Sqrt(math.Max(s2/float64(len(X))-mean*mean, 0))
			if sd == 0 {
				sd = 1
			}
			m.Lo[l], m.Hi[l] = mean, sd
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	m.Params = make([]float64, m.NumParams())
	fc := p.Center()
	centre := make([]float64, n)
	for i := range centre {
		centre[i] = fc
	}
	if init.Spread {
		// Slots: one per output pair, one per other oscillator. A pair
		// sits at its slot's midpoint ± k (ΔF = 2k: the edge of Adler
		// locking, D ≈ 1, where eqs. 3–4 have gradient); the others at
		// their slots' midpoints.
		inPair := map[int]bool{}
		var slots [][]int
		for _, pr := range pairs {
			if init.PairAtEdge && !inPair[pr.I] && !inPair[pr.J] {
				slots = append(slots, []int{pr.I, pr.J})
				inPair[pr.I], inPair[pr.J] = true, true
			}
		}
		for i := 0; i < n; i++ {
			if !inPair[i] {
				slots = append(slots, []int{i})
				inPair[i] = true
			}
		}
		for k, si := range rng.Perm(len(slots)) {
			mid := p.FMin + (p.FMax-p.FMin)*(float64(k)+0.5)/float64(len(slots))
			if sl := slots[si]; len(sl) == 2 {
				centre[sl[0]], centre[sl[1]] = mid-p.K, mid+p.K
			} else {
				centre[sl[0]] = mid
			}
		}
	}
	if arch == Extended {
		for i := 0; i < n; i++ {
			for l := 0; l < dim; l++ {
				m.Params[i*(dim+1)+l] = init.Weight * rng.NormFloat64() / unit
			}
			m.Params[i*(dim+1)+dim] = (centre[i] + init.Bias*rng.NormFloat64()) / unit
		}
	} else {
		for i := range m.Params {
			m.Params[i] = (centre[i] + init.Bias*rng.NormFloat64()) / unit
		}
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// Frequencies returns the natural frequencies (Hz) for input x, clipped to
// [FMin, FMax], and whether each was clipped (a clipped frequency passes
// no gradient, as a min-max clip does).
func (m *Model) Frequencies(x []float64) (F []float64, clipped []bool) {
	F = make([]float64, m.N)
	clipped = make([]bool, m.N)
	if m.Arch == Extended {
		d := m.Dim
		for i := 0; i < m.N; i++ {
			w := m.Params[i*(d+1) : (i+1)*(d+1)]
			s := w[d]
			for l := 0; l < d; l++ {
				s += w[l] * (x[l] - m.Lo[l]) / m.Hi[l]
			}
			F[i] = s * m.Unit
		}
	} else {
		for i := range F {
			F[i] = m.Params[i] * m.Unit
		}
		for l, i := range m.Inputs {
			F[i] = m.FMin + (x[l]-m.Lo[l])/(m.Hi[l]-m.Lo[l])*(m.FMax-m.FMin)
		}
	}
	for i, f := range F {
		if f < m.FMin {
			F[i], clipped[i] = m.FMin, true
		} else if f > m.FMax {
			F[i], clipped[i] = m.FMax, true
		}
	}
	return F, clipped
}

// paramGrad adds to g the gradient of a loss with respect to the
// parameters, given its gradient dF (1/Hz) with respect to the natural
// frequencies of input x.
func (m *Model) paramGrad(g []float64, x, dF []float64, clipped []bool) {
	if m.Arch == Extended {
		d := m.Dim
		for i := 0; i < m.N; i++ {
			if clipped[i] {
				continue
			}
			gi := g[i*(d+1) : (i+1)*(d+1)]
			u := dF[i] * m.Unit
			for l := 0; l < d; l++ {
				gi[l] += u * (x[l] - m.Lo[l]) / m.Hi[l]
			}
			gi[d] += u
		}
		return
	}
	for i := 0; i < m.N; i++ {
		if m.trainable(i) && !clipped[i] {
			g[i] += dF[i] * m.Unit
		}
	}
}

// project keeps the reference tuning frequencies inside the range, so a
// parameter is never stranded where the clip passes no gradient.
func (m *Model) project() {
	if m.Arch != Reference {
		return
	}
	for i := range m.Params {
		m.Params[i] = math.Max(m.FMin/m.Unit, math.Min(m.FMax/m.Unit, m.Params[i]))
	}
}

// Clone returns a deep copy.
func (m *Model) Clone() *Model {
	c := *m
	c.Inputs = append([]int(nil), m.Inputs...)
	c.Pairs = append([]Pair(nil), m.Pairs...)
	c.Params = append([]float64(nil), m.Params...)
	c.Lo = append([]float64(nil), m.Lo...)
	c.Hi = append([]float64(nil), m.Hi...)
	return &c
}

// Desync returns D = |f̄_i − f̄_j|/(k/2) (eq. 2).
func Desync(fi, fj, k float64) float64 { return math.Abs(fi-fj) / (k / 2) }

// PairLoss returns the error E of eqs. 3–4 for desynchronisation D and its
// derivative dE/dD; sync says whether the pair should synchronise. Both
// branches meet at D = 1 with E = ½ and |dE/dD| = 1.
func PairLoss(D float64, sync bool) (E, dEdD float64) {
	if D <= 1 {
		E, dEdD = 0.5*D*D, D
	} else {
		s := 1 / (1 + math.Exp(-4*(D-1)))
		E, dEdD = s, 4*s*(1-s)
	}
	if !sync {
		E, dEdD = 1-E, -dEdD
	}
	return E, dEdD
}
