package hrecm

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/lapack/gonum"
)

// The top eigenpair of A(σ) without the full eigen-decomposition
// (docs/hrecm.md, "Speed"): Algorithm 1 needs only the largest eigenvalue
// and its eigenvector, and LAPACK's dsyev with vectors spends most of its
// time accumulating all N eigenvectors in the QR iteration. Here A is
// reduced to tridiagonal form T = Qᵀ A Q (dsytrd), T's eigenvalues are
// found without vectors (dsterf), T's top eigenvector by inverse
// iteration with a shift just above the eigenvalue (a tridiagonal solve
// with partial pivoting, as LAPACK's dgtsv, O(N) a step), and mapped back
// by the Householder reflectors of Q (O(N²)). The cost is about that of
// the eigenvalues alone.

// topEig holds the buffers of one top-eigenpair solve.
type topEig struct {
	d, e, tau     []float64 // T's diagonal, off-diagonal, the reflectors' factors
	dd, ee        []float64 // copies for dsterf
	dl, dm, du, x []float64 // the shifted tridiagonal system and its solution
	work          []float64
}

func newTopEig(n int) *topEig {
	t := &topEig{
		d: make([]float64, n), e: make([]float64, max(n-1, 1)), tau: make([]float64, max(n-1, 1)),
		dd: make([]float64, n), ee: make([]float64, max(n-1, 1)),
		dl: make([]float64, n), dm: make([]float64, n), du: make([]float64, n), x: make([]float64, n),
	}
	q := []float64{0}
	gonum.Implementation{}.Dsytrd(blas.Upper, n, nil, n, t.d, t.e, t.tau, q, -1)
	t.work = make([]float64, max(int(q[0]), 1))
	return t
}

// inverseIterations is the number of inverse-iteration steps: with the
// shift a few ulps above a simple eigenvalue one step converges to
// working precision; the later ones make a near-repeated top eigenvalue
// settle on a vector of its eigenspace.
const inverseIterations = 3

// solve overwrites a (n×n row-major, upper triangle of a symmetric
// matrix) and writes its largest eigenvalue's unit eigenvector into v;
// it returns the eigenvalue, or NaN if the eigenvalue iteration fails.
func (t *topEig) solve(n int, a []float64, v []float64) float64 {
	impl := gonum.Implementation{}
	impl.Dsytrd(blas.Upper, n, a, n, t.d, t.e, t.tau, t.work, len(t.work))
	copy(t.dd, t.d)
	copy(t.ee, t.e[:n-1])
	if !impl.Dsterf(n, t.dd, t.ee) {
		return math.NaN()
	}
	lam := t.dd[n-1]
	norm := 0.0 // ‖T‖_1
	for i := 0; i < n; i++ {
		r := math.Abs(t.d[i])
		if i > 0 {
			r += math.Abs(t.e[i-1])
		}
		if i < n-1 {
			r += math.Abs(t.e[i])
		}
		norm = math.Max(norm, r)
	}
	if norm == 0 {
		norm = 1
	}
	const eps = 0x1p-52
	mu := lam + 8*eps*norm
	tiny := eps * norm
	// A start not orthogonal to any eigenvector in practice.
	for i := range t.x[:n] {
		t.x[i] = 1 + 0.5*math.Sin(float64(i+1))
	}
	for it := 0; it < inverseIterations; it++ {
		for i := 0; i < n; i++ {
			t.dm[i] = t.d[i] - mu
			if i < n-1 {
				t.dl[i], t.du[i] = t.e[i], t.e[i]
			}
		}
		gtsv(n, t.dl, t.dm, t.du, t.x[:n], tiny)
		s := 0.0
		for _, xi := range t.x[:n] {
			s += xi * xi
		}
		s = 1 / math.Sqrt(s)
		for i := range t.x[:n] {
			t.x[i] *= s
		}
	}
	// v = Q x = H_{n−2} ⋯ H_0 x, H_i = I − τ_i w wᵀ with w_i = 1,
	// w_k = a[k][i+1] for k < i, 0 beyond i (gonum's dsytrd, upper).
	copy(v, t.x[:n])
	for i := 0; i < n-1; i++ {
		tau := t.tau[i]
		if tau == 0 {
			continue
		}
		dot := v[i]
		for k := 0; k < i; k++ {
			dot += a[k*n+i+1] * v[k]
		}
		dot *= tau
		v[i] -= dot
		for k := 0; k < i; k++ {
			v[k] -= dot * a[k*n+i+1]
		}
	}
	return lam
}

// gtsv solves the tridiagonal system with sub-diagonal dl, diagonal d and
// super-diagonal du (each overwritten) for b in place, by Gaussian
// elimination with partial pivoting (LAPACK dgtsv, one right-hand side);
// a zero pivot is replaced by tiny, as inverse iteration wants.
func gtsv(n int, dl, d, du, b []float64, tiny float64) {
	pivot := func(x float64) float64 {
		if x == 0 {
			return tiny
		}
		return x
	}
	for i := 0; i < n-1; i++ {
		if math.Abs(d[i]) >= math.Abs(dl[i]) {
			d[i] = pivot(d[i])
			f := dl[i] / d[i]
			d[i+1] -= f * du[i]
			b[i+1] -= f * b[i]
			dl[i] = 0
		} else {
			f := d[i] / dl[i]
			d[i] = dl[i]
			tmp := d[i+1]
			d[i+1] = du[i] - f*tmp
			if i < n-2 {
				dl[i] = du[i+1]
				du[i+1] = -f * dl[i]
			} else {
				dl[i] = 0
			}
			du[i] = tmp
			b[i], b[i+1] = b[i+1], b[i]-f*b[i+1]
		}
	}
	d[n-1] = pivot(d[n-1])
	b[n-1] /= d[n-1]
	if n > 1 {
		b[n-2] = (b[n-2] - du[n-2]*b[n-1]) / d[n-2]
	}
	for i := n - 3; i >= 0; i-- {
		b[i] = (b[i] - du[i]*b[i+1] - dl[i]*b[i+2]) / d[i]
	}
}
