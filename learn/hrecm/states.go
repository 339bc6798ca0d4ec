package hrecm

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"oscsim/internal/progress"
)

// MaxEnumerate is the largest N Enumerate accepts: 2^(N−1) states, 16 bytes
// each (2^23 states, 134 MB, at N = 24). Count walks up to N = 32 without
// storing.
const MaxEnumerate, MaxCount = 24, 32

// Index returns the state index of σ (docs/hrecm.md, "States"): σ and −σ
// share an index; with σ normalised to σ_0 = +1, bit i−1 of the index is
// set iff σ_i = −1 (i ≥ 1).
func Index(s []int8) uint64 {
	neg := s[0] < 0
	var k uint64
	for i := 1; i < len(s); i++ {
		if (s[i] < 0) != neg {
			k |= 1 << (i - 1)
		}
	}
	return k
}

// State writes the spins of state index k into s (σ_0 = +1).
func State(k uint64, s []int8) []int8 {
	s[0] = 1
	for i := 1; i < len(s); i++ {
		s[i] = int8(1 - 2*int((k>>(i-1))&1))
	}
	return s
}

// Spectrum holds H(σ) and λ(σ) of every binary equilibrium pair, indexed
// by Index.
type Spectrum struct {
	N      int
	H      []float64
	Lambda []float64
}

// Options steer a walk over all states.
type Options struct {
	// Workers is the number of goroutines (0: GOMAXPROCS). Results never
	// depend on it.
	Workers int
	// Progress, if non-nil, receives the count of states done.
	Progress *progress.Meter
}

func (o Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// chunkBits sets the states per work item (2^chunkBits).
const chunkBits = 12

// walk visits every state index once, in Gray-code order inside chunks of
// 2^chunkBits states handed out to the workers, keeping the fields h = Jσ
// up to date with one O(N) update per flip. visit gets the worker's
// workspace, the index, σ, h and tr(A²) − Σ_{i≠j}J_ij² = Σ h_i².
func walk(ctx context.Context, net *Net, opt Options, visit func(ws *Workspace, k uint64, s []int8, h []float64)) error {
	n := net.N
	total := uint64(1) << (n - 1)
	cb := min(chunkBits, n-1)
	chunks := total >> cb
	var next atomic.Uint64
	var wg sync.WaitGroup
	errc := make(chan error, 1)
	for w := 0; w < opt.workers(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws := NewWorkspace(net)
			s := make([]int8, n)
			h := make([]float64, n)
			for {
				c := next.Add(1) - 1
				if c >= chunks {
					return
				}
				if err := ctx.Err(); err != nil {
					select {
					case errc <- err:
					default:
					}
					return
				}
				base := c << cb
				State(base, s)
				net.Fields(s, h)
				for t := uint64(0); t < 1<<cb; t++ {
					if t > 0 {
						// Gray code: step t flips the bit of t's lowest set bit.
						b := bits.TrailingZeros64(t)
						i := b + 1
						s[i] = -s[i]
						d := 2 * float64(s[i])
						col := net.J[i*n : (i+1)*n]
						for j := range h {
							h[j] += d * col[j]
						}
					}
					visit(ws, base|(t^(t>>1)), s, h)
				}
				opt.Progress.Add(1 << cb)
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
	}
	return nil
}

// Enumerate computes H and λ of all 2^(N−1) binary equilibria (σ and −σ
// once), N ≤ MaxEnumerate, spread over Options.Workers goroutines.
func Enumerate(ctx context.Context, net *Net, opt Options) (*Spectrum, error) {
	if net.N > MaxEnumerate {
		return nil, fmt.Errorf("hrecm: exact enumeration is limited to N ≤ %d (got %d); sample instead", MaxEnumerate, net.N)
	}
	total := 1 << (net.N - 1)
	sp := &Spectrum{N: net.N, H: make([]float64, total), Lambda: make([]float64, total)}
	err := walk(ctx, net, opt, func(ws *Workspace, k uint64, s []int8, h []float64) {
		e := 0.0
		for i, hi := range h {
			e -= float64(s[i]) * hi
		}
		sp.H[k] = e / 2
		sp.Lambda[k] = ws.lambdaFields(s, h)
	})
	if err != nil {
		return nil, err
	}
	return sp, nil
}

// CountAtMost returns how many state pairs have λ(σ) ≤ thr, N ≤ MaxCount.
// Theorem 1's bounds (eq 7) decide most states without an eigen-solve: a
// state whose lower bound exceeds thr is not counted, one whose upper
// bound is at most thr is. solved returns how many needed the solve.
func CountAtMost(ctx context.Context, net *Net, thr float64, opt Options) (count, solved uint64, err error) {
	if net.N > MaxCount {
		return 0, 0, fmt.Errorf("hrecm: exact counting is limited to N ≤ %d (got %d); sample instead", MaxCount, net.N)
	}
	sq := net.sumSq()
	var cnt, sol atomic.Uint64
	err = walk(ctx, net, opt, func(ws *Workspace, k uint64, s []int8, h []float64) {
		le, solved := ws.atMostFields(s, h, thr, sq)
		if le {
			cnt.Add(1)
		}
		if solved {
			sol.Add(1)
		}
	})
	return cnt.Load(), sol.Load(), err
}

// Distinct returns the distinct state indices of patterns (σ and −σ are
// one state), in first-seen order.
func Distinct(patterns [][]int8) []uint64 {
	var out []uint64
	for _, p := range patterns {
		k := Index(p)
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// Tolerance is the relative margin under which two eigenvalues count as
// equal when deciding whether a spurious state sits at or below the
// desired patterns' largest λ (docs/hrecm.md, "Spurious rate").
const Tolerance = 1e-9

// Gap describes the operating window of a pattern set on a network.
type Gap struct {
	// MaxDesired is max_{σ∈D} λ(σ); MinSpurious is min over all other
	// states of λ (exact or over a sample).
	MaxDesired  float64 `json:"max_desired"`
	MinSpurious float64 `json:"min_spurious"`
	// Spurious counts the non-desired state pairs with λ ≤ MaxDesired.
	Spurious uint64 `json:"spurious"`
	// Others is the number of non-desired state pairs considered.
	Others uint64 `json:"others"`
}

// Rate returns the spurious rate r = Spurious / Others (docs/hrecm.md).
func (g Gap) Rate() float64 {
	if g.Others == 0 {
		return 0
	}
	return float64(g.Spurious) / float64(g.Others)
}

// Open reports whether a K_s window exists: max_D λ < min_{S\D} λ, eq (6).
func (g Gap) Open() bool { return g.MaxDesired < g.MinSpurious }

// KsWindow returns the window of 2K_s/K that makes exactly the desired
// patterns stable (eq 6); lo ≥ hi when there is none.
func (g Gap) KsWindow(k float64) (lo, hi float64) {
	return k * g.MaxDesired / 2, k * g.MinSpurious / 2
}

// ExactGap computes the gap of patterns on net from its spectrum.
func ExactGap(sp *Spectrum, patterns [][]int8) Gap {
	d := Distinct(patterns)
	g := Gap{MaxDesired: math.Inf(-1), MinSpurious: math.Inf(1)}
	for _, k := range d {
		g.MaxDesired = math.Max(g.MaxDesired, sp.Lambda[k])
	}
	thr := g.MaxDesired + Tolerance*(math.Abs(g.MaxDesired)+1)
	for k, l := range sp.Lambda {
		if slices.Contains(d, uint64(k)) {
			continue
		}
		g.Others++
		g.MinSpurious = math.Min(g.MinSpurious, l)
		if l <= thr {
			g.Spurious++
		}
	}
	return g
}

// CountGap computes the spurious count of patterns on net without storing
// the spectrum (CountAtMost); MinSpurious is not computed (NaN).
func CountGap(ctx context.Context, net *Net, patterns [][]int8, opt Options) (Gap, error) {
	d := Distinct(patterns)
	ws := NewWorkspace(net)
	s := make([]int8, net.N)
	g := Gap{MaxDesired: math.Inf(-1), MinSpurious: math.NaN()}
	for _, k := range d {
		g.MaxDesired = math.Max(g.MaxDesired, ws.Lambda(State(k, s)))
	}
	thr := g.MaxDesired + Tolerance*(math.Abs(g.MaxDesired)+1)
	c, _, err := CountAtMost(ctx, net, thr, opt)
	if err != nil {
		return g, err
	}
	g.Others = uint64(1)<<(net.N-1) - uint64(len(d))
	g.Spurious = c - uint64(len(d))
	return g, nil
}
