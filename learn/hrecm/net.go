package hrecm

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// MaxSpins is the largest network the package handles: a binary state is
// a uint64 index with spin 0 fixed (docs/hrecm.md, "States").
const MaxSpins = 64

// Net is a symmetric coupling matrix J (J_ij = J_ji, J_ii = 0) of N
// spins, stored dense row-major. The OIM it programs runs eq (1) of
// docs/hrecm.md with J scaled by K.
type Net struct {
	N int
	J []float64 // N×N, row-major
}

// NewNet returns the all-zero network of n spins.
func NewNet(n int) *Net {
	if n < 2 || n > MaxSpins {
		panic(fmt.Sprintf("hrecm: %d spins, want 2…%d", n, MaxSpins))
	}
	return &Net{N: n, J: make([]float64, n*n)}
}

// FromMatrix builds a Net from a square matrix. It must be symmetric to
// 1e-9 relative, finite, with a zero diagonal, and 2…64 spins.
func FromMatrix(m mat.Matrix) (*Net, error) {
	r, c := m.Dims()
	if r != c {
		return nil, fmt.Errorf("hrecm: coupling matrix is %d×%d, want square", r, c)
	}
	if r < 2 || r > MaxSpins {
		return nil, fmt.Errorf("hrecm: %d spins, want 2…%d", r, MaxSpins)
	}
	n := NewNet(r)
	scale := 0.0
	for i := 0; i < r; i++ {
		for j := 0; j < r; j++ {
			v := m.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("hrecm: J[%d][%d] = %v", i, j, v)
			}
			scale = math.Max(scale, math.Abs(v))
		}
	}
	for i := 0; i < r; i++ {
		if d := m.At(i, i); d != 0 {
			return nil, fmt.Errorf("hrecm: J[%d][%d] = %g, want a zero diagonal", i, i, d)
		}
		for j := i + 1; j < r; j++ {
			a, b := m.At(i, j), m.At(j, i)
			if math.Abs(a-b) > 1e-9*math.Max(scale, 1e-300) {
				return nil, fmt.Errorf("hrecm: J[%d][%d] = %g but J[%d][%d] = %g, want symmetric", i, j, a, j, i, b)
			}
			n.Set(i, j, (a+b)/2)
		}
	}
	return n, nil
}

// Set sets J_ij = J_ji = v (i ≠ j).
func (n *Net) Set(i, j int, v float64) {
	if i == j {
		panic("hrecm: Set on the diagonal")
	}
	n.J[i*n.N+j], n.J[j*n.N+i] = v, v
}

// At returns J_ij.
func (n *Net) At(i, j int) float64 { return n.J[i*n.N+j] }

// Clone returns a deep copy.
func (n *Net) Clone() *Net {
	return &Net{N: n.N, J: append([]float64(nil), n.J...)}
}

// Sym returns J as a gonum symmetric matrix (a copy).
func (n *Net) Sym() *mat.SymDense {
	return mat.NewSymDense(n.N, append([]float64(nil), n.J...))
}

// MaxAbs returns max |J_ij|.
func (n *Net) MaxAbs() float64 {
	m := 0.0
	for _, v := range n.J {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// Fields returns the local fields h = Jσ.
func (n *Net) Fields(s []int8, h []float64) []float64 {
	if cap(h) < n.N {
		h = make([]float64, n.N)
	}
	h = h[:n.N]
	for i := range h {
		row := n.J[i*n.N : (i+1)*n.N]
		v := 0.0
		for j, sj := range s {
			v += row[j] * float64(sj)
		}
		h[i] = v
	}
	return h
}

// Hamiltonian returns the Ising energy H(σ) = −Σ_{i<j} J_ij σ_i σ_j
// (docs/hrecm.md eq 2).
func (n *Net) Hamiltonian(s []int8) float64 {
	e := 0.0
	for i := 0; i < n.N; i++ {
		row := n.J[i*n.N : (i+1)*n.N]
		for j := i + 1; j < n.N; j++ {
			e -= row[j] * float64(s[i]*s[j])
		}
	}
	return e
}

// A returns the stability matrix A(σ) (docs/hrecm.md eq 3):
// A_ij = J_ij σ_i σ_j for i ≠ j and A_ii = −Σ_j J_ij σ_i σ_j. The
// Jacobian of eq (1) at the binary equilibrium σ is K·A(σ) − 2K_s·I.
func (n *Net) A(s []int8) *mat.SymDense {
	a := mat.NewSymDense(n.N, nil)
	h := n.Fields(s, nil)
	for i := 0; i < n.N; i++ {
		a.SetSym(i, i, -float64(s[i])*h[i])
		for j := i + 1; j < n.N; j++ {
			a.SetSym(i, j, n.At(i, j)*float64(s[i]*s[j]))
		}
	}
	return a
}

// Velocity writes dθ/dt of the OIM, eq (1):
// dθ_i/dt = −K Σ_j J_ij sin(θ_i − θ_j) − K_s sin(2θ_i).
func (n *Net) Velocity(theta []float64, k, ks float64, dst []float64) []float64 {
	if cap(dst) < n.N {
		dst = make([]float64, n.N)
	}
	dst = dst[:n.N]
	for i := 0; i < n.N; i++ {
		row := n.J[i*n.N : (i+1)*n.N]
		v := 0.0
		for j, jij := range row {
			if jij != 0 {
				v += jij * math.Sin(theta[i]-theta[j])
			}
		}
		dst[i] = -k*v - ks*math.Sin(2*theta[i])
	}
	return dst
}

// Jacobian returns ∂(dθ/dt)/∂θ of eq (1) at any phase vector θ:
// off-diagonal K·J_ij·cos(θ_i − θ_j), diagonal
// −K Σ_j J_ij cos(θ_i − θ_j) − 2K_s cos(2θ_i).
func (n *Net) Jacobian(theta []float64, k, ks float64) *mat.SymDense {
	jac := mat.NewSymDense(n.N, nil)
	for i := 0; i < n.N; i++ {
		d := 0.0
		for j := 0; j < n.N; j++ {
			if j == i {
				continue
			}
			c := n.At(i, j) * math.Cos(theta[i]-theta[j])
			d += c
			if j > i {
				jac.SetSym(i, j, k*c)
			}
		}
		jac.SetSym(i, i, -k*d-2*ks*math.Cos(2*theta[i]))
	}
	return jac
}

// BoundConst returns Theorem 1's constant c (docs/hrecm.md eq 7):
// c² = (1/N)[Σ_i (Σ_j |J_ij|)² + Σ_{i≠j} J_ij²], so that
// 2H/N ≤ λ(σ) ≤ 2H/N + c·√(N−1) for every σ.
func (n *Net) BoundConst() float64 {
	s := 0.0
	for i := 0; i < n.N; i++ {
		r := 0.0
		for _, v := range n.J[i*n.N : (i+1)*n.N] {
			r += math.Abs(v)
			s += v * v
		}
		s += r * r
	}
	return math.Sqrt(s / float64(n.N))
}

// sumSq returns Σ_{i≠j} J_ij².
func (n *Net) sumSq() float64 {
	s := 0.0
	for _, v := range n.J {
		s += v * v
	}
	return s
}

// Bounds returns the Wolkowicz–Styan bounds of Theorem 1 on λ(σ) from the
// trace statistics of A(σ) (docs/hrecm.md eq 7): with m = tr A/N = 2H/N
// and s² = tr(A²)/N − m², m + s/√(N−1) ≤ λ ≤ m + s·√(N−1).
func (n *Net) Bounds(s []int8) (lo, hi float64) {
	h := n.Fields(s, nil)
	var tr, sq float64
	for i, hi := range h {
		tr -= float64(s[i]) * hi
		sq += hi * hi
	}
	return traceBounds(n.N, tr, sq+n.sumSq())
}

// traceBounds evaluates eq (7) from tr A and tr A².
func traceBounds(n int, tr, tr2 float64) (lo, hi float64) {
	fn := float64(n)
	m := tr / fn
	s := math.Sqrt(math.Max(tr2/fn-m*m, 0))
	r := math.Sqrt(fn - 1)
	return m + s/r, m + s*r
}

// Workspace computes λ(σ) = λ_max(A(σ)) and its eigenvector without
// allocating: one LAPACK symmetric eigen-solve (gonum lapack64.Syev) per
// call on reused buffers. It is not safe for concurrent use; give each
// goroutine its own.
type Workspace struct {
	net  *Net
	a    []float64
	w    []float64
	work []float64
	h    []float64
	top  *topEig // LambdaVec's buffers, made on first use
}

// NewWorkspace returns a workspace for net.
func NewWorkspace(net *Net) *Workspace {
	n := net.N
	ws := &Workspace{net: net, a: make([]float64, n*n), w: make([]float64, n), h: make([]float64, n)}
	q := []float64{0}
	lapack64.Syev(lapack.EVCompute, ws.sym(), ws.w, q, -1)
	ws.work = make([]float64, int(q[0]))
	return ws
}

func (ws *Workspace) sym() blas64.Symmetric {
	n := ws.net.N
	return blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: ws.a}
}

// fill writes the upper triangle of A(σ) from the fields h = Jσ.
func (ws *Workspace) fill(s []int8, h []float64) {
	n := ws.net.N
	for i := 0; i < n; i++ {
		row := ws.net.J[i*n : (i+1)*n]
		ar := ws.a[i*n : (i+1)*n]
		si := float64(s[i])
		ar[i] = -si * h[i]
		for j := i + 1; j < n; j++ {
			ar[j] = row[j] * si * float64(s[j])
		}
	}
}

// lambdaFields returns λ_max(A(σ)) given the fields h = Jσ.
func (ws *Workspace) lambdaFields(s []int8, h []float64) float64 {
	ws.fill(s, h)
	if !lapack64.Syev(lapack.EVNone, ws.sym(), ws.w, ws.work, len(ws.work)) {
		return math.NaN()
	}
	return ws.w[len(ws.w)-1]
}

// atMostFields reports whether λ(σ) ≤ thr given the fields h = Jσ and
// sq = Σ_{i≠j} J_ij², deciding by Theorem 1's bounds (eq 7) when they
// settle it and by the eigen-solve otherwise (solved).
func (ws *Workspace) atMostFields(s []int8, h []float64, thr, sq float64) (le, solved bool) {
	var tr, tr2 float64
	for i, hi := range h {
		tr -= float64(s[i]) * hi
		tr2 += hi * hi
	}
	lo, hi := traceBounds(ws.net.N, tr, tr2+sq)
	// Guard the bounds by a rounding margin so that they never decide a
	// state the solve would put on the other side.
	eps := 1e-9 * (math.Abs(thr) + math.Abs(lo) + 1)
	switch {
	case lo > thr+eps:
		return false, false
	case hi <= thr-eps:
		return true, false
	}
	return ws.lambdaFields(s, h) <= thr, true
}

// Lambda returns λ(σ) = λ_max(A(σ)).
func (ws *Workspace) Lambda(s []int8) float64 {
	return ws.lambdaFields(s, ws.net.Fields(s, ws.h))
}

// LambdaVec returns λ(σ) and writes a unit eigenvector of it into v
// (length N). With a repeated top eigenvalue it is one vector of the
// eigenspace (the paper's U = e1·e1ᵀ choice, docs/hrecm.md eq 9). It
// solves for the top eigenpair only (topeig.go).
func (ws *Workspace) LambdaVec(s []int8, v []float64) float64 {
	ws.fill(s, ws.net.Fields(s, ws.h))
	if ws.top == nil {
		ws.top = newTopEig(ws.net.N)
	}
	l := ws.top.solve(ws.net.N, ws.a, v)
	if math.IsNaN(l) {
		for i := range v {
			v[i] = math.NaN()
		}
	}
	return l
}

// Lambda returns λ(σ) for one state (allocating; use a Workspace in loops).
func (n *Net) Lambda(s []int8) float64 { return NewWorkspace(n).Lambda(s) }
