package engine

import (
	"fmt"
	"math"
	"os"
	"oscsim/ringosc"
)

//go:generate go run -C asmgen . -out ../kernels_amd64.s -stubs ../kernels_stubs_amd64.go -pkg engine

// Levels of the engine's kernels (OSCSIM_KERNELS; EngineKernels): plain
// Go everywhere, and on amd64 the vector kernels of kernels_amd64.s for
// AVX2 (8 float32 or 4 float64 lanes) and AVX-512 (16 or 8). Every level
// gives the same bits.
type kernelLevel int

const (
	levelGo kernelLevel = iota
	levelAVX2
	levelAVX512
)

var levelNames = [...]string{levelGo: "go", levelAVX2: "avx2", levelAVX512: "avx512"}

// kernelsEnv names the environment variable that forces a lower level.
const kernelsEnv = "OSCSIM_KERNELS"

func (l kernelLevel) String() string { return levelNames[l] }

// UnmarshalText reads a level's name.
func (l *kernelLevel) UnmarshalText(b []byte) error {
	for k, name := range levelNames {
		if string(b) == name {
			*l = kernelLevel(k)
			return nil
		}
	}
	return fmt.Errorf("unknown kernels %q (want go, avx2 or avx512)", b)
}

// chooseKernels returns the level to use given OSCSIM_KERNELS's value env
// and the CPU's best level: the best when env is empty, else env's level
// if the CPU runs it; otherwise the best, with an error naming the setting.
func chooseKernels(env string, best kernelLevel) (kernelLevel, error) {
	if env == "" {
		return best, nil
	}
	var l kernelLevel
	if err := l.UnmarshalText([]byte(env)); err != nil {
		return best, fmt.Errorf("chip: %s=%s: %v", kernelsEnv, env, err)
	}
	if l > best {
		return best, fmt.Errorf("chip: %s=%s: this CPU runs at most %s", kernelsEnv, env, best)
	}
	return l, nil
}

// real is the precision of an engine's state.
type real interface{ ~float32 | ~float64 }

// kernels are the engine's inner loops for one precision. Every kernel
// computes each lane with the same sequence of separately rounded
// operations whatever the number of lanes, so a lane's result does not
// depend on the batch size, the lane's position in the batch or whether
// the vector kernels (kernels_amd64.s) replace these plain-Go ones.
// All slices are indexed from 0; n is the number of lanes. The vector
// kernels do not check lengths: every slice a kernel reads or writes
// must be at least as long as the plain-Go kernel would index.
type kernels[T real] struct {
	level kernelLevel
	// spmm2 sets S[b] = Σ_x vals[x]·src[cols[x]·stride + b] and
	// C[b] = Σ_x vals[x]·src[cols[x]·stride + half + b] for b < n, summing
	// over x in order from zero, with dst = S ‖ C (len 2n).
	spmm2 func(cols []int32, vals, src []T, stride, half, n int, dst []T)
	// spmm1 is spmm2 without the second half: dst = S (len n).
	spmm1 func(cols []int32, vals, src []T, stride, n int, dst []T)
	// gsum2 and gsum1 are a batch of one's coupling sums of a block of
	// rows (sell.go: gsum2Go, or gsum2PairsGo in float32, and
	// gsum1Go); nil in plain Go, where the batch of one sums rows with
	// scalar chains (rowSums2, rowSums1).
	gsum2 func(cols []int32, vals, tb, S, C []T)
	gsum1 func(cols []int32, vals, tb, S []T)
	// phaseF is the phase model's right-hand side (OscNet v1.5 eq. 12,
	// docs/model.md §11), f = dw + a·(cos φ·S − sin φ·C) − kp·sin φ·cos φ:
	// Σ_j K_ij sin(φ_j − φ_i) = cos φ_i·(K·sin φ)_i − sin φ_i·(K·cos φ)_i
	// with K = a·G (coupling.Rate, a = h1/C), S = G·sin φ, C = G·cos φ,
	// and sin 2φ_i = 2·sin φ_i·cos φ_i (kp = 2·K_s·f(t) on pumped rings).
	phaseF func(f, dw, sn, cs, S, C []T, a, kp T)
	// cycleF is the cycle model's: f = dw + Γ·(Y + gn − gt·v)·invC + Γp·pm.
	// The coupler current into node i per VDD is
	// Σ_j G_ij·(v'_j − v_i) = Σ_j g_ij·v_j + Σ_neg |G_ij| − v_i·Σ_j |G_ij|
	// with v'_j = v_j (in-phase path) or 1 − v_j (inverter path), so
	// Y = G·v (signed g), gn = Σ_neg |G_ij|, gt = Σ_j |G_ij|; pm is the
	// pump current per q_max on pumped rings.
	cycleF func(f, dw, v, gam, gamp, Y []T, gn, gt, invC, pm T)
	// cycleFs is cycleF for the analytic ring from sn = sin θ alone:
	// Γ = g1·sin θ and Γp = m2·sin θ·cos θ with cos θ = 2v − 1
	// (g1 = −Γ1, m2 = −2·C2; ringosc.Model.Gamma, GammaPump).
	cycleFs func(f, dw, v, sn, Y []T, gn, gt, invC, pm, g1, m2 T)
	// sincos sets s, c = sin x, cos x.
	sincos func(x, s, c []T)
	// cycleTrig sets, at θ = wt + x, v = (1 + cos θ)/2 and sn = sin θ
	// (sn may be x itself).
	cycleTrig func(x []T, wt T, v, sn []T)
	axpy      func(y, p []T, a T, f []T)      // y = p + a·f
	add       func(y, z []T)                  // y = y + z
	acc2      func(acc, f []T)                // acc = acc + 2·f
	rk4       func(y, p []T, c T, acc, f []T) // y = p + c·(acc + f)
	// wrap keeps float32 phases in [−π, π], counting whole turns removed,
	// and reports whether every phase is finite (float64: check only).
	wrap func(p []T, turns []int32) bool
	// powAcc adds the coupler-power terms of a row,
	// acc[b] += float64(cos φ·C + sin φ·S) (the term rounded in T).
	powAcc func(acc []float64, sn, cs, S, C []T)
	// noise2 sets a[k] = σ·ξ₀ and, when b is not nil, b[k] = σ·ξ₁ from the
	// next normal pair of lane k's xoshiro128++ stream (states s0…s3;
	// noise32.go).
	noise2 func(s0, s1, s2, s3 []uint32, sigma T, a, b []T)
	// bm sets z0[m], z1[m] = σ·ξ₀, σ·ξ₁ from the draws x1[m], x2[m]: noise2's
	// Box–Muller step alone, for one input's draws along the rings.
	bm func(x1, x2 []uint32, sigma T, z0, z1 []T)
	// tabIdx sets k[b], f[b] to the table position of θ = float64(wt + y[b])
	// (wt + y[b] rounded in T): ringosc.Packed.Index with the constants of
	// its Reduction (scale = M/2π, invM = 1/M, fm = M), the same bits.
	tabIdx func(wt T, y []T, scale, invM, fm float64, k []int32, f []float64)
	// rot sets a path's rotated row (paths.go):
	// s2 = a·(sn + ρ·cs), c2 = a·(cs − ρ·sn).
	rot func(sn, cs []T, a, rho T, s2, c2 []T)
	// pump2 adds the phase model's second-order pump drift (paths.go):
	// f += kq·(q0 + q1·4·sc·(c² − s²) + q2·(1 − 8·(sc)²)) with s = sn,
	// c = cs, i.e. kq·(q0 + q1·sin 4φ + q2·cos 4φ), and, if first (a
	// measured pump law), the first order's difference from −K_s·sin 2φ,
	// kp·(r0·sc + r1·(c² − s²)), summed into the term before f.
	pump2 func(f, sn, cs []T, kq, q0, q1, q2 T, first bool, kp, r0, r1 T)
}

// tgWeights sets w[x] to coupler x's share of the TG power sum when every
// directed coupler of a row is visited: an inverter-path coupler (v < 0)
// is its own TG; an in-phase TG serves both directions, so each direction
// counts half. No branch: signs are random, a branch would mispredict.
func tgWeights[T real](w []T, vals []float32) {
	tab := [2]T{0.5, 1}
	w = w[:len(vals)]
	for x, v := range vals {
		w[x] = T(v) * tab[math.Float32bits(v)>>31]
	}
}

// goKernels32 and goKernels64 are the plain-Go kernels.
func goKernels32() kernels[float32] {
	return kernels[float32]{
		spmm2: spmm2Go[float32], spmm1: spmm1Go[float32], phaseF: phaseFGo[float32], cycleF: cycleFGo[float32], cycleFs: cycleFsGo[float32],
		sincos: sincos32Go, cycleTrig: cycleTrig32Go,
		axpy: axpyGo[float32], add: addGo[float32], acc2: acc2Go[float32], rk4: rk4Go[float32],
		wrap: wrap32Go, powAcc: powAccGo[float32], noise2: noise2Go32, bm: bmGo32, tabIdx: tabIdxGo[float32],
		rot: rotGo[float32], pump2: pump2Go[float32],
	}
}

func goKernels64() kernels[float64] {
	return kernels[float64]{
		spmm2: spmm2Go[float64], spmm1: spmm1Go[float64], phaseF: phaseFGo[float64], cycleF: cycleFGo[float64], cycleFs: cycleFsGo[float64],
		sincos: sincos64Go, cycleTrig: cycleTrig64Go,
		axpy: axpyGo[float64], add: addGo[float64], acc2: acc2Go[float64], rk4: rk4Go[float64],
		wrap: finite64Go, powAcc: powAccGo[float64], noise2: noise2Go64, bm: bmGo64, tabIdx: tabIdxGo[float64],
		rot: rotGo[float64], pump2: pump2Go[float64],
	}
}

// kernelsAt32 and kernelsAt64 return the kernels of level l (which the
// CPU must run).
func kernelsAt32(l kernelLevel) kernels[float32] {
	k := goKernels32()
	if l != levelGo {
		k = vectorKernels32(l)
	}
	k.level = l
	return k
}

func kernelsAt64(l kernelLevel) kernels[float64] {
	k := goKernels64()
	if l != levelGo {
		k = vectorKernels64(l)
	}
	k.level = l
	return k
}

// The kernels the engine uses in this process, chosen once at start-up:
// the CPU's best level, or the lower one OSCSIM_KERNELS asks for
// (kernelsErr says why a setting was not taken; New returns it).
// They are not changed afterwards.
var (
	level, kernelsErr = chooseKernels(os.Getenv(kernelsEnv), cpuKernels())
	kernels32         = kernelsAt32(level)
	kernels64         = kernelsAt64(level)
)

// Kernels names the engine's inner loops in this process: "avx512" or
// "avx2" (the amd64 vector kernels, chosen by the CPU's features) or "go"
// (plain Go); the environment variable OSCSIM_KERNELS=go|avx2|avx512
// forces a lower level. Results are the same bits at every level.
func Kernels() string { return level.String() }

// kernelsFor returns the kernels of precision T.
func kernelsFor[T real]() *kernels[T] {
	var z T
	switch any(z).(type) {
	case float32:
		return any(&kernels32).(*kernels[T])
	default:
		return any(&kernels64).(*kernels[T])
	}
}

// spmm2Go keeps four lanes of both halves in registers while it walks a
// row's couplings, then finishes the remaining lanes one at a time.
func spmm2Go[T real](cols []int32, vals, src []T, stride, half, n int, dst []T) {
	vals = vals[:len(cols)]
	S, C := dst[:n], dst[n:2*n]
	b := 0
	for ; b+4 <= n; b += 4 {
		var s0, s1, s2, s3, c0, c1, c2, c3 T
		for x, j := range cols {
			v := vals[x]
			o := int(j)*stride + b
			s := (*[4]T)(src[o : o+4])
			c := (*[4]T)(src[o+half : o+half+4])
			s0 += v * s[0]
			s1 += v * s[1]
			s2 += v * s[2]
			s3 += v * s[3]
			c0 += v * c[0]
			c1 += v * c[1]
			c2 += v * c[2]
			c3 += v * c[3]
		}
		S[b], S[b+1], S[b+2], S[b+3] = s0, s1, s2, s3
		C[b], C[b+1], C[b+2], C[b+3] = c0, c1, c2, c3
	}
	for ; b < n; b++ {
		var s, c T
		for x, j := range cols {
			v := vals[x]
			o := int(j)*stride + b
			s += v * src[o]
			c += v * src[o+half]
		}
		S[b], C[b] = s, c
	}
}

func powAccGo[T real](acc []float64, sn, cs, S, C []T) {
	n := len(acc)
	sn, cs, S, C = sn[:n], cs[:n], S[:n], C[:n]
	for b := range acc {
		acc[b] += float64(cs[b]*C[b] + sn[b]*S[b])
	}
}

func spmm1Go[T real](cols []int32, vals, src []T, stride, n int, dst []T) {
	vals = vals[:len(cols)]
	Y := dst[:n]
	b := 0
	for ; b+8 <= n; b += 8 {
		var y0, y1, y2, y3, y4, y5, y6, y7 T
		for x, j := range cols {
			v := vals[x]
			o := int(j)*stride + b
			s := (*[8]T)(src[o : o+8])
			y0 += v * s[0]
			y1 += v * s[1]
			y2 += v * s[2]
			y3 += v * s[3]
			y4 += v * s[4]
			y5 += v * s[5]
			y6 += v * s[6]
			y7 += v * s[7]
		}
		Y[b], Y[b+1], Y[b+2], Y[b+3] = y0, y1, y2, y3
		Y[b+4], Y[b+5], Y[b+6], Y[b+7] = y4, y5, y6, y7
	}
	for ; b < n; b++ {
		var y T
		for x, j := range cols {
			y += vals[x] * src[int(j)*stride+b]
		}
		Y[b] = y
	}
}

func phaseFGo[T real](f, dw, sn, cs, S, C []T, a, kp T) {
	n := len(f)
	dw, sn, cs, S, C = dw[:n], sn[:n], cs[:n], S[:n], C[:n]
	for b := range f {
		f[b] = dw[b] + a*(cs[b]*S[b]-sn[b]*C[b]) - kp*sn[b]*cs[b]
	}
}

func cycleFGo[T real](f, dw, v, gam, gamp, Y []T, gn, gt, invC, pm T) {
	n := len(f)
	dw, v, gam, gamp, Y = dw[:n], v[:n], gam[:n], gamp[:n], Y[:n]
	for b := range f {
		cur := Y[b] + gn - gt*v[b]
		f[b] = dw[b] + gam[b]*cur*invC + gamp[b]*pm
	}
}

func cycleFsGo[T real](f, dw, v, sn, Y []T, gn, gt, invC, pm, g1, m2 T) {
	n := len(f)
	dw, v, sn, Y = dw[:n], v[:n], sn[:n], Y[:n]
	for b := range f {
		cur := Y[b] + gn - gt*v[b]
		f[b] = dw[b] + g1*sn[b]*cur*invC + m2*sn[b]*(2*v[b]-1)*pm
	}
}

func sincos64Go(x, s, c []float64) {
	s, c = s[:len(x)], c[:len(x)]
	for b, p := range x {
		s[b], c[b] = math.Sincos(p)
	}
}

func sincos32Go(x, s, c []float32) {
	s, c = s[:len(x)], c[:len(x)]
	for b, p := range x {
		s[b], c[b] = sincos32(p)
	}
}

func cycleTrig64Go(x []float64, wt float64, v, sn []float64) {
	v, sn = v[:len(x)], sn[:len(x)]
	for b, p := range x {
		s, c := math.Sincos(wt + p)
		v[b] = 0.5 * (1 + c)
		sn[b] = s
	}
}

func cycleTrig32Go(x []float32, wt float32, v, sn []float32) {
	v, sn = v[:len(x)], sn[:len(x)]
	for b, p := range x {
		s, c := sincos32(wt + p)
		v[b] = 0.5 * (1 + c)
		sn[b] = s
	}
}

func axpyGo[T real](y, p []T, a T, f []T) {
	p, f = p[:len(y)], f[:len(y)]
	for b := range y {
		y[b] = p[b] + a*f[b]
	}
}

func addGo[T real](y, z []T) {
	z = z[:len(y)]
	for b := range y {
		y[b] += z[b]
	}
}

func acc2Go[T real](acc, f []T) {
	f = f[:len(acc)]
	for b := range acc {
		acc[b] += 2 * f[b]
	}
}

func rk4Go[T real](y, p []T, c T, acc, f []T) {
	p, acc, f = p[:len(y)], acc[:len(y)], f[:len(y)]
	for b := range y {
		y[b] = p[b] + c*(acc[b]+f[b])
	}
}

func rotGo[T real](sn, cs []T, a, rho T, s2, c2 []T) {
	cs, s2, c2 = cs[:len(sn)], s2[:len(sn)], c2[:len(sn)]
	for b := range sn {
		s2[b] = a * (sn[b] + rho*cs[b])
		c2[b] = a * (cs[b] - rho*sn[b])
	}
}

func pump2Go[T real](f, sn, cs []T, kq, q0, q1, q2 T, first bool, kp, r0, r1 T) {
	sn, cs = sn[:len(f)], cs[:len(f)]
	for b := range f {
		f[b] += pump2Term(sn[b], cs[b], kq, q0, q1, q2, first, kp, r0, r1)
	}
}

// pump2Term is pump2's term for one ring.
func pump2Term[T real](s, k, kq, q0, q1, q2 T, first bool, kp, r0, r1 T) T {
	sk := s * k
	q := kq * (q0 + q1*4*sk*(k*k-s*s) + q2*(1-8*sk*sk))
	if first {
		q += kp * (r0*sk + r1*(k*k-s*s))
	}
	return q
}

// tabIdxGo is ringosc.TableIndex on each input.
func tabIdxGo[T real](wt T, y []T, scale, invM, fm float64, k []int32, f []float64) {
	k, f = k[:len(y)], f[:len(y)]
	for b, ph := range y {
		kb, fb := ringosc.TableIndex(float64(wt+ph), scale, invM, fm)
		k[b], f[b] = int32(kb), fb
	}
}

func finite64Go(p []float64, _ []int32) bool {
	z := 0.0
	for _, x := range p {
		z += x - x // NaN for NaN or ±Inf, else 0
	}
	return z == 0
}

// Float32 phases are kept in [−π32, π32] with π32 = float32(π): whole turns
// go to a counter, so the state keeps float32's resolution however far a
// ring drifts. The turn is removed in float64 (wrapTurn32), so each wrap
// rounds once, without the bias float32(2π) − 2π ≈ 1.7e-7 rad would add.
const pi32 = float32(math.Pi)

func wrap32Go(p []float32, turns []int32) bool {
	turns = turns[:len(p)]
	var z float32
	for b, x := range p {
		z += x - x // NaN for NaN or ±Inf, else 0
		if x > pi32 || x < -pi32 {
			p[b], turns[b] = wrapTurn32(x, turns[b])
		}
	}
	return z == 0
}

// wrapTurn32 moves whole turns of x into the counter t.
func wrapTurn32(x float32, t int32) (float32, int32) {
	d := float64(x)
	if d-d != 0 {
		return x, t // not finite: left for the finite check
	}
	if math.Abs(d) > 1e6 {
		k := math.Round(d / (2 * math.Pi))
		d -= k * 2 * math.Pi
		t += int32(max(min(k, math.MaxInt32), math.MinInt32))
	}
	for d > math.Pi {
		d -= 2 * math.Pi
		t++
	}
	for d < -math.Pi {
		d += 2 * math.Pi
		t--
	}
	return float32(d), t
}
