package ringosc

import "math"

// Packed holds a tabulated model's four tables interleaved sample by sample
// — v, Γ, Γp and the inverter path's output —
// with sample 0 repeated after sample M−1, for the engine's inner loop: one
// index for the four values, adjacent in memory, and no modulo for the
// next sample. At returns the same values, bit for bit, as V, Gamma,
// GammaPump and InvV.
type Packed struct {
	ix    tableIx
	s     []float64 // 4·(M+1)
	noInv bool      // no Inv table: the output is 1 − v(θ), as InvV
}

// Pack returns the model's packed tables, or nil if it is not tabulated.
func (m *Model) Pack() *Packed {
	if !m.Tabulated() {
		return nil
	}
	M := len(m.Wave)
	p := &Packed{ix: newTableIx(M), s: make([]float64, 4*(M+1)), noInv: m.Inv == nil}
	for k := 0; k <= M; k++ {
		j := k % M
		r := p.s[4*k : 4*k+4]
		r[0], r[1], r[2] = m.Wave[j], m.ISF[j], m.Pump[j]
		if m.Inv != nil {
			r[3] = m.Inv[j]
		}
	}
	return p
}

// At returns v(θ), Γ(θ), Γp(θ) and the inverter path's output at θ.
func (p *Packed) At(theta float64) (v, g, gp, inv float64) {
	k, f := p.ix.at(theta)
	r := p.s[4*k : 4*k+8 : 4*k+8]
	e := 1 - f
	v, g, gp, inv = r[0]*e+r[4]*f, r[1]*e+r[5]*f, r[2]*e+r[6]*f, r[3]*e+r[7]*f
	if p.noInv {
		inv = 1 - v
	}
	return v, g, gp, inv
}

// tableIx locates θ in a table of m samples uniformly over [0, 2π).
type tableIx struct {
	m                int
	fm, scale, invFm float64 // M, M/2π, 1/M
}

func newTableIx(m int) tableIx {
	return tableIx{m: m, fm: float64(m), scale: float64(m) / (2 * math.Pi), invFm: 1 / float64(m)}
}

// at returns the sample k ∈ [0, M) at or below θ and the fraction f of the
// way to sample k+1 (which is sample 0 for k = M−1): TableIndex.
func (ix tableIx) at(theta float64) (k int, f float64) {
	return TableIndex(theta, ix.scale, ix.invFm, ix.fm)
}

// TableIndex locates θ in a table of M = fm samples over [0, 2π) with
// scale = M/2π and invM = 1/M (Packed.Reduction): θ is reduced by
// multiplications only (the engine's θ grows with time), x = θ·M/2π less
// M·⌊x/M⌋; k = int(x) is clamped to [0, M−1], so that rounding at either
// end of [0, M) costs at most an interpolation weight of 1 on the
// neighbouring sample; f = x − k. Every way of locating θ (At, SampleRows,
// the engine's plain-Go kernel) goes through this arithmetic, and the
// engine's vector kernel must give its bits.
func TableIndex(theta, scale, invM, fm float64) (k int, f float64) {
	x := theta * scale
	x -= math.Floor(x*invM) * fm
	k = int(x)
	if m := int(fm); k >= m {
		k = m - 1
	} else if k < 0 {
		k = 0
	}
	return k, x - float64(k)
}

// Index returns At's table position of θ: sample k ∈ [0, M) and the
// fraction f of the way to the next sample.
func (p *Packed) Index(theta float64) (k int, f float64) { return p.ix.at(theta) }

// Reduction returns M/2π, 1/M and M, the constants of Index: x = θ·(M/2π),
// x −= ⌊x·(1/M)⌋·M, k = int(x) (truncated) clamped to [0, M−1], f = x − k,
// each operation rounded separately. An implementation of Index over many
// θ at once (the engine's vector kernels) must give the same bits.
func (p *Packed) Reduction() (scale, invM, fm float64) { return p.ix.scale, p.ix.invFm, p.ix.fm }

// SampleRows fills, for each input b of a row of the engine's state,
// θ = wt + y[b] (summed in T, then widened), v[b] = v(θ), g[b] = Γ(θ),
// gp[b] = Γp(θ) and, if notInv is not nil, notInv[b] = 1 − InvV(θ) (the
// inverter path's pull, paths.go in package chip/internal/engine), all rounded to T
// from the values At returns.
func SampleRows[T ~float32 | ~float64](p *Packed, wt T, y, v, g, gp, notInv []T) {
	s := p.s
	v, g, gp = v[:len(y)], g[:len(y)], gp[:len(y)]
	if notInv != nil {
		notInv = notInv[:len(y)]
	}
	for b, ph := range y {
		k, f := p.ix.at(float64(wt + ph))
		// SampleIndexed's loads, written out (one pass: the engine calls
		// this for rows of one input). A shared helper is not inlined and
		// cost the cycle model 20% at batch 64.
		r := s[4*k : 4*k+8 : 4*k+8]
		e := 1 - f
		vv := r[0]*e + r[4]*f
		v[b], g[b], gp[b] = T(vv), T(r[1]*e+r[5]*f), T(r[2]*e+r[6]*f)
		if notInv != nil {
			inv := r[3]*e + r[7]*f
			if p.noInv {
				inv = 1 - vv
			}
			notInv[b] = T(1 - inv)
		}
	}
}

// SampleIndexed is SampleRows from the positions k[b], f[b] that Index gave
// for each θ. A k outside [0, M) (from a θ that is not finite) reads
// sample 0.
func SampleIndexed[T ~float32 | ~float64](p *Packed, k []int32, f []float64, v, g, gp, notInv []T) {
	s, m := p.s, uint(p.ix.m)
	f, v, g, gp = f[:len(k)], v[:len(k)], g[:len(k)], gp[:len(k)]
	if notInv != nil {
		notInv = notInv[:len(k)]
	}
	for b, kb := range k {
		j := uint(kb)
		if j >= m {
			j = 0
		}
		r := s[4*j : 4*j+8 : 4*j+8]
		fb := f[b]
		e := 1 - fb
		vv := r[0]*e + r[4]*fb
		v[b], g[b], gp[b] = T(vv), T(r[1]*e+r[5]*fb), T(r[2]*e+r[6]*fb)
		if notInv != nil {
			inv := r[3]*e + r[7]*fb
			if p.noInv {
				inv = 1 - vv
			}
			notInv[b] = T(1 - inv)
		}
	}
}
