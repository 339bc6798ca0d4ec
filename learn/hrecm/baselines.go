package hrecm

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"oscsim/internal/vocab"
)

// Rule names a way to set the couplings from the desired patterns.
type Rule string

const (
	// RuleHebbian is J = (1/N) Σ_p p pᵀ, zero diagonal (Hopfield 1982).
	RuleHebbian Rule = "hebbian"
	// RulePinv is the projection (pseudo-inverse) rule J = X X⁺, zero
	// diagonal (Personnaz, Guyon & Dreyfus 1985; Kanter & Sompolinsky 1987).
	RulePinv Rule = "pinv"
	// RuleStorkey is Storkey's incremental rule (Storkey 1997).
	RuleStorkey Rule = "storkey"
	// RuleHRECM is Algorithm 1 (Train).
	RuleHRECM Rule = "hrecm"
)

// Rules lists every rule, baselines first.
func Rules() []Rule { return []Rule{RuleHebbian, RulePinv, RuleStorkey, RuleHRECM} }

// UnmarshalText accepts the names of Rules.
func (r *Rule) UnmarshalText(b []byte) error {
	return vocab.Set(r, b, "rule", Rules()...)
}

// Couplings sets J from the patterns by rule; RuleHRECM trains with cfg.
func Couplings(ctx context.Context, rule Rule, patterns [][]int8, cfg Config) (*Net, error) {
	n, err := checkPatterns(patterns)
	if err != nil {
		return nil, err
	}
	switch rule {
	case RuleHebbian:
		return Hebbian(n, patterns), nil
	case RulePinv:
		return Pinv(n, patterns), nil
	case RuleStorkey:
		return Storkey(n, patterns), nil
	case RuleHRECM:
		return Train(ctx, patterns, cfg, nil)
	}
	return nil, fmt.Errorf("hrecm: unknown rule %q", rule)
}

// Pinv returns the projection rule: J = U Uᵀ with U an orthonormal basis
// of the patterns' span (= X (XᵀX)⁺ Xᵀ, from the SVD of X, rank cut at
// 1e-10 of the largest singular value), diagonal set to zero. Once the
// patterns span all of R^N (P ≥ N, typically) J = I − I = 0.
func Pinv(n int, patterns [][]int8) *Net {
	x := mat.NewDense(n, len(patterns), nil)
	for k, p := range patterns {
		for i, v := range p {
			x.Set(i, k, float64(v))
		}
	}
	var svd mat.SVD
	net := NewNet(n)
	if !svd.Factorize(x, mat.SVDThin) {
		return net
	}
	var u mat.Dense
	svd.UTo(&u)
	rank := svd.Rank(1e-10)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			s := 0.0
			for k := 0; k < rank; k++ {
				s += u.At(i, k) * u.At(j, k)
			}
			net.Set(i, j, s)
		}
	}
	return net
}

// Storkey returns Storkey's rule: for each pattern ξ in turn,
// w_ij += (ξ_iξ_j − ξ_i h_ji − h_ij ξ_j)/N with the local fields
// h_ij = Σ_{k≠i,j} w_ik ξ_k, zero diagonal.
func Storkey(n int, patterns [][]int8) *Net {
	net := NewNet(n)
	w := net.J
	h := make([]float64, n)
	for _, p := range patterns {
		net.Fields(p, h) // h_i = Σ_k w_ik ξ_k (w_ii = 0)
		upd := make([]float64, n*n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if i == j {
					continue
				}
				hij := h[i] - w[i*n+j]*float64(p[j]) // k ≠ i, j
				hji := h[j] - w[j*n+i]*float64(p[i])
				upd[i*n+j] = (float64(p[i]*p[j]) - float64(p[i])*hji - hij*float64(p[j])) / float64(n)
			}
		}
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				v := w[i*n+j] + (upd[i*n+j]+upd[j*n+i])/2
				w[i*n+j], w[j*n+i] = v, v
			}
		}
	}
	return net
}
