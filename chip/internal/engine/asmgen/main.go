// Command asmgen writes the engine's vector kernels for amd64
// (chip/internal/engine/kernels_amd64.s and their Go declarations,
// chip/internal/engine/kernels_stubs_amd64.go) with avo (github.com/mmcloughlin/avo).
// It is its own module, so the main build and `go vet ./...` never see
// it; run it through `go generate ./chip/internal/engine` (kernels.go).
//
// Every kernel does, lane by lane, exactly the separately rounded
// operations of its plain-Go counterpart in chip/internal/engine/kernels.go,
// trig.go and noise32.go, in the same order: no
// fused multiply-add, no reassociation, so each path gives the plain-Go
// bits (the engine package's TestVectorKernelsMatchGo holds every path to them). Each
// kernel exists twice: AVX2 (256-bit vectors, 16 registers) and AVX-512
// (512-bit vectors, 32 registers, mask registers). Lanes left after the
// last whole vector go through one masked vector (VMASKMOVPS on AVX2,
// a K mask on AVX-512), so odd batch sizes stay vectorised; masked-off
// lanes are neither read nor written. Every kernel ends with VZEROUPPER.
package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

func main() {
	for _, avx512 := range []bool{false, true} {
		for _, f32 := range []bool{true, false} {
			g := &gen{avx512: avx512, f32: f32}
			g.spmm(true)
			g.spmm(false)
			g.gsum(true)
			g.gsum(false)
			g.phaseF()
			g.cycleF()
			g.cycleFs()
			g.axpy()
			g.addK()
			g.acc2()
			g.rk4()
			g.rot()
			g.pump2()
			g.tabIdx()
			if f32 {
				g.sincos32()
				g.cycleTrig32()
				g.wrapScan32()
				g.powAcc32()
				g.noise2()
				g.bm()
			} else {
				g.finiteScan64()
				g.powAcc64()
				g.sincos64()
				g.cycleTrig64()
			}
		}
	}
	TEXT("vzeroupper", NOSPLIT, "func()")
	Doc("vzeroupper clears the upper halves of the vector registers.")
	VZEROUPPER()
	RET()
	Generate()
}

// gen emits one kernel set: AVX2 or AVX-512, float32 or float64.
type gen struct {
	avx512, f32 bool
	// Inside a kernel: the tail mask while the masked vector is emitted.
	masked bool
	ymask  VecVirtual // AVX2: all-ones lanes to keep
	kmask  Register   // AVX-512
}

// consts holds the read-only data emitted so far, by name.
var consts = map[string]Mem{}

func (g *gen) suffix() string {
	p := "F64"
	if g.f32 {
		p = "F32"
	}
	if g.avx512 {
		return p + "AVX512"
	}
	return p + "AVX2"
}

// T is the Go element type name.
func (g *gen) T() string {
	if g.f32 {
		return "float32"
	}
	return "float64"
}

// size is the element size in bytes; shift its log2.
func (g *gen) size() int {
	if g.f32 {
		return 4
	}
	return 8
}

func (g *gen) shift() uint8 {
	if g.f32 {
		return 2
	}
	return 3
}

// W is the number of lanes in a vector.
func (g *gen) W() int {
	if g.avx512 {
		return 64 / g.size()
	}
	return 32 / g.size()
}

// vb is the vector size in bytes.
func (g *gen) vb() int { return g.W() * g.size() }

func (g *gen) vec() VecVirtual {
	if g.avx512 {
		return ZMM()
	}
	return YMM()
}

func (g *gen) text(name, sig string) {
	TEXT(name+g.suffix(), NOSPLIT, sig)
	Pragma("noescape")
}

// ---- data ----

func constMem(name string, words []uint64, width int) Mem {
	if m, ok := consts[name]; ok {
		return m
	}
	m := GLOBL(name, RODATA|NOPTR)
	for i, w := range words {
		if width == 4 {
			DATA(4*i, U32(uint32(w)))
		} else {
			DATA(8*i, U64(w))
		}
	}
	consts[name] = m
	return m
}

// cf broadcasts the float constant x (rounded to the precision, as an
// untyped Go constant in an expression of that type is).
func (g *gen) cf(x float64) VecVirtual {
	if g.f32 {
		return g.ci32(math.Float32bits(float32(x)))
	}
	return g.ci64(math.Float64bits(x))
}

// c32 broadcasts a float32 constant; pass untyped constants, so they are
// rounded once, to float32, as in the Go source.
func (g *gen) c32(x float32) VecVirtual { return g.ci32(math.Float32bits(x)) }

// ci32 broadcasts a 32-bit pattern.
func (g *gen) ci32(w uint32) VecVirtual {
	m := constMem(fmt.Sprintf("c32_%08x", w), []uint64{uint64(w)}, 4)
	r := g.vec()
	VPBROADCASTD(m, r)
	return r
}

// ci64 broadcasts a 64-bit pattern.
func (g *gen) ci64(w uint64) VecVirtual {
	m := constMem(fmt.Sprintf("c64_%016x", w), []uint64{w}, 8)
	r := g.vec()
	VPBROADCASTQ(m, r)
	return r
}

// param broadcasts a float parameter of the precision.
func (g *gen) param(name string) VecVirtual {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	r := g.vec()
	if g.f32 {
		VBROADCASTSS(b.Addr, r)
	} else {
		VBROADCASTSD(b.Addr, r)
	}
	return r
}

// base loads a slice parameter's data pointer.
func base(name string) Register { return Load(Param(name).Base(), GP64()) }

// ---- memory ----

// at is element i of the slice at p (element size sz).
func at(p, i Register, sz int) Mem { return Mem{Base: p, Index: i, Scale: uint8(sz)} }

func (g *gen) load(m Mem) VecVirtual {
	r := g.vec()
	switch {
	case g.masked && g.avx512 && g.f32:
		VMOVUPS_Z(m, g.kmask, r)
	case g.masked && g.avx512:
		VMOVUPD_Z(m, g.kmask, r)
	case g.masked && g.f32:
		VMASKMOVPS(m, g.ymask, r)
	case g.masked:
		VMASKMOVPD(m, g.ymask, r)
	default:
		VMOVUPS(m, r)
	}
	return r
}

func (g *gen) store(r VecVirtual, m Mem) {
	switch {
	case g.masked && g.avx512 && g.f32:
		VMOVUPS(r, g.kmask, m)
	case g.masked && g.avx512:
		VMOVUPD(r, g.kmask, m)
	case g.masked && g.f32:
		VMASKMOVPS(r, g.ymask, m)
	case g.masked:
		VMASKMOVPD(r, g.ymask, m)
	default:
		VMOVUPS(r, m)
	}
}

// setMask prepares the tail mask for the first r lanes (0 < r < W).
// The AVX2 mask lanes are as wide as the elements (esz bytes).
func (g *gen) setMask(r Register, esz int) {
	if g.avx512 {
		t := GP64()
		MOVQ(U32(1), t)
		SHLXQ(r, t, t)
		DECQ(t)
		g.kmask = K()
		KMOVW(t.As32(), g.kmask)
		return
	}
	lanes := 32 / esz
	var words []uint64
	for i := 0; i < 2*lanes; i++ {
		w := uint64(0)
		if i < lanes {
			w = math.MaxUint64
		}
		words = append(words, w)
	}
	tab := constMem(fmt.Sprintf("masktab%d", esz*8), words, esz)
	p := GP64()
	LEAQ(tab, p)
	off := GP64()
	MOVQ(U32(uint32(lanes)), off)
	SUBQ(r, off)
	g.ymask = YMM()
	VMOVDQU(Mem{Base: p, Index: off, Scale: uint8(esz)}, g.ymask)
}

// ---- arithmetic (lane by lane, each operation rounded once) ----

func (g *gen) add(a, b VecVirtual) VecVirtual {
	r := g.vec()
	if g.f32 {
		VADDPS(b, a, r)
	} else {
		VADDPD(b, a, r)
	}
	return r
}

// sub is a − b.
func (g *gen) sub(a, b VecVirtual) VecVirtual {
	r := g.vec()
	if g.f32 {
		VSUBPS(b, a, r)
	} else {
		VSUBPD(b, a, r)
	}
	return r
}

func (g *gen) mul(a, b VecVirtual) VecVirtual {
	r := g.vec()
	if g.f32 {
		VMULPS(b, a, r)
	} else {
		VMULPD(b, a, r)
	}
	return r
}

func (g *gen) and(a, b VecVirtual) VecVirtual {
	r := g.vec()
	if g.avx512 {
		VPANDD(b, a, r)
	} else {
		VPAND(b, a, r)
	}
	return r
}

func (g *gen) or(a, b VecVirtual) VecVirtual {
	r := g.vec()
	if g.avx512 {
		VPORD(b, a, r)
	} else {
		VPOR(b, a, r)
	}
	return r
}

func (g *gen) xor(a, b VecVirtual) VecVirtual {
	r := g.vec()
	if g.avx512 {
		VPXORD(b, a, r)
	} else {
		VPXOR(b, a, r)
	}
	return r
}

// 32-bit integer lanes.
func (g *gen) addi(a, b VecVirtual) VecVirtual { r := g.vec(); VPADDD(b, a, r); return r }
func (g *gen) subi(a, b VecVirtual) VecVirtual { r := g.vec(); VPSUBD(b, a, r); return r }
func (g *gen) shl(a VecVirtual, k uint8) VecVirtual {
	r := g.vec()
	VPSLLD(U8(k), a, r)
	return r
}
func (g *gen) shr(a VecVirtual, k uint8) VecVirtual {
	r := g.vec()
	VPSRLD(U8(k), a, r)
	return r
}
func (g *gen) sra(a VecVirtual, k uint8) VecVirtual {
	r := g.vec()
	VPSRAD(U8(k), a, r)
	return r
}
func (g *gen) rotl(a VecVirtual, k uint8) VecVirtual {
	if g.avx512 {
		r := g.vec()
		VPROLD(U8(k), a, r)
		return r
	}
	return g.or(g.shl(a, k), g.shr(a, 32-k))
}

// cvtt is int32(x) (truncation, as Go converts); cvt is float32(i).
func (g *gen) cvtt(a VecVirtual) VecVirtual { r := g.vec(); VCVTTPS2DQ(a, r); return r }
func (g *gen) cvt(a VecVirtual) VecVirtual  { r := g.vec(); VCVTDQ2PS(a, r); return r }

// sel is m ? a : b bit by bit (m all ones or all zeros per lane).
func (g *gen) sel(m, a, b VecVirtual) VecVirtual {
	return g.xor(b, g.and(g.xor(a, b), m))
}

// lt32 is all ones in the lanes where a < b (float32, ordered).
func (g *gen) lt32(a, b VecVirtual) VecVirtual {
	r := g.vec()
	if g.avx512 {
		k := K()
		VCMPPS(U8(1), b, a, k)
		VPMOVM2D(k, r)
		return r
	}
	VCMPPS(U8(1), b, a, r)
	return r
}

// ---- kernel shapes ----

// elementwise runs body on whole vectors of lanes [0, n) and then on one
// masked vector; i is the lane index register.
func (g *gen) elementwise(n Register, esz int, body func(i Register)) {
	i := GP64()
	XORQ(i, i)
	e := GP64()
	MOVQ(n, e)
	SUBQ(U32(uint32(g.W())), e) // whole vectors while i ≤ n − W
	Label("loop")
	CMPQ(i, e)
	JG(LabelRef("tail"))
	body(i)
	ADDQ(U32(uint32(g.W())), i)
	JMP(LabelRef("loop"))
	Label("tail")
	CMPQ(i, n)
	JGE(LabelRef("done"))
	r := GP64()
	MOVQ(n, r)
	SUBQ(i, r)
	g.setMask(r, esz)
	g.masked = true
	body(i)
	g.masked = false
	Label("done")
	VZEROUPPER()
	RET()
}

// spmm: dst = S ‖ C (two) or S, S[b] = Σ_x vals[x]·src[cols[x]·stride + b]
// (C: + half), summed in x order from zero, as spmm2Go and spmm1Go.
func (g *gen) spmm(two bool) {
	T := g.T()
	if two {
		g.text("spmm2", fmt.Sprintf("func(cols []int32, vals, src []%s, stride, half, n int, dst []%s)", T, T))
		Doc("spmm2 is spmm2Go (kernels.go).")
	} else {
		g.text("spmm1", fmt.Sprintf("func(cols []int32, vals, src []%s, stride, n int, dst []%s)", T, T))
		Doc("spmm1 is spmm1Go (kernels.go).")
	}
	sz, W := g.size(), g.W()
	cols, vals, src, dst := base("cols"), base("vals"), base("src"), base("dst")
	nnz := Load(Param("cols").Len(), GP64())
	stride := Load(Param("stride"), GP64())
	SHLQ(U8(g.shift()), stride) // bytes
	n := Load(Param("n"), GP64())
	var half, dstC Register
	if two {
		half = Load(Param("half"), GP64())
		SHLQ(U8(g.shift()), half)
		dstC = GP64()
		LEAQ(at(dst, n, sz), dstC)
	}
	b := GP64()
	XORQ(b, b)
	// block emits a pass over the row for u vectors from lane b.
	block := func(name string, u int, tail bool) {
		Label(name)
		if !tail {
			e := GP64()
			MOVQ(b, e)
			ADDQ(U32(uint32(u*W)), e)
			CMPQ(e, n)
			JG(LabelRef(name + "_end"))
		} else {
			CMPQ(b, n)
			JGE(LabelRef(name + "_end"))
			r := GP64()
			MOVQ(n, r)
			SUBQ(b, r)
			g.setMask(r, sz)
			g.masked = true
		}
		h := 1
		if two {
			h = 2
		}
		acc := make([]VecVirtual, u*h)
		for k := range acc {
			acc[k] = g.vec()
			VXORPS(acc[k], acc[k], acc[k])
		}
		p := GP64()
		LEAQ(at(src, b, sz), p)
		x := GP64()
		XORQ(x, x)
		Label(name + "_col")
		CMPQ(x, nnz)
		JGE(LabelRef(name + "_store"))
		j := GP64()
		MOVLQSX(Mem{Base: cols, Index: x, Scale: 4}, j)
		IMULQ(stride, j)
		ADDQ(p, j)
		v := g.vec()
		if g.f32 {
			VBROADCASTSS(at(vals, x, sz), v)
		} else {
			VBROADCASTSD(at(vals, x, sz), v)
		}
		for k := 0; k < u; k++ {
			for hh := 0; hh < h; hh++ {
				m := Mem{Base: j, Disp: k * g.vb()}
				if hh == 1 {
					m = Mem{Base: j, Index: half, Scale: 1, Disp: k * g.vb()}
				}
				t := g.load(m)
				a := acc[k*h+hh]
				if g.f32 {
					VMULPS(t, v, t)
					VADDPS(t, a, a)
				} else {
					VMULPD(t, v, t)
					VADDPD(t, a, a)
				}
			}
		}
		INCQ(x)
		JMP(LabelRef(name + "_col"))
		Label(name + "_store")
		for k := 0; k < u; k++ {
			g.store(acc[k*h], Mem{Base: dst, Index: b, Scale: uint8(sz), Disp: k * g.vb()})
			if two {
				g.store(acc[k*h+1], Mem{Base: dstC, Index: b, Scale: uint8(sz), Disp: k * g.vb()})
			}
		}
		g.masked = false
		if !tail {
			ADDQ(U32(uint32(u*W)), b)
			JMP(LabelRef(name))
		}
		Label(name + "_end")
	}
	// Whole blocks of 4 vectors, then of 2, then 1 and the masked tail:
	// each block's vectors sum along the row at once, so a batch of 2
	// vectors (32 float32 inputs: a shard of 64, shards.go) keeps 4
	// independent chains of additions (2 with spmm1) rather than walking
	// the row twice with 2. Every lane sums in the row's order either way.
	block("b4", 4, false)
	block("b2", 2, false)
	block("b1", 1, false)
	block("bt", 1, true)
	VZEROUPPER()
	RET()
}

// sellHeight is the number of rows in a block of the batch-of-one layout
// (the engine's sell blocks): lane r of coupler x of a block at x·16 + r.
const sellHeight = 16

// gsum: the coupling sums of a block of 16 rows for a batch of one,
// S[r] = Σ_x vals[x·16+r]·tb[cols[x·16+r]] (and C[r] with tb[… + 1]),
// each lane summed in x order from zero, as rowSums2 and rowSums1.
func (g *gen) gsum(two bool) {
	T := g.T()
	if two {
		g.text("gsum2", fmt.Sprintf("func(cols []int32, vals, tb, S, C []%s)", T))
		if g.f32 {
			Doc("gsum2 is gsum2PairsGo (sell.go): a block's sums of sin and cos,",
				"interleaved in S (C unused).")
		} else {
			Doc("gsum2 is gsum2Go (sell.go): a block's sums of sin and cos.")
		}
	} else {
		g.text("gsum1", fmt.Sprintf("func(cols []int32, vals, tb, S []%s)", T))
		Doc("gsum1 is gsum1Go (sell.go): a block's sums of v.")
	}
	if two && g.f32 {
		g.gsum2Pairs()
		return
	}
	sz, W := g.size(), g.W()
	nv := sellHeight / W
	cols, vals, tb, S := base("cols"), base("vals"), base("tb"), base("S")
	var C Register
	if two {
		C = base("C")
	}
	n := Load(Param("cols").Len(), GP64())
	h := 1
	if two {
		h = 2
	}
	acc := make([]VecVirtual, nv*h)
	for k := range acc {
		acc[k] = g.vec()
		VXORPS(acc[k], acc[k], acc[k])
	}
	var ones Register
	if g.avx512 {
		ones = GP32()
		MOVL(U32(0xffff), ones)
	}
	x := GP64()
	XORQ(x, x)
	Label("col")
	CMPQ(x, n)
	JGE(LabelRef("store"))
	for q := 0; q < nv; q++ {
		var idx VecVirtual
		switch {
		case g.f32:
			idx = g.vec()
		case g.avx512:
			idx = YMM()
		default:
			idx = XMM()
		}
		VMOVUPS(Mem{Base: cols, Index: x, Scale: 4, Disp: 4 * q * W}, idx)
		v := g.vec()
		VMOVUPS(Mem{Base: vals, Index: x, Scale: uint8(sz), Disp: sz * q * W}, v)
		for hh := 0; hh < h; hh++ {
			m := Mem{Base: tb, Index: idx, Scale: uint8(sz), Disp: hh * sz}
			t := g.vec()
			VXORPS(t, t, t) // the gather merges into t: defined, and apart from idx
			if g.avx512 {
				k := K()
				KMOVW(ones, k)
				if g.f32 {
					VGATHERDPS(m, k, t)
				} else {
					VGATHERDPD(m, k, t)
				}
			} else {
				mk := g.ci32(0xffffffff)
				if g.f32 {
					VGATHERDPS(mk, m, t)
				} else {
					VGATHERDPD(mk, m, t)
				}
			}
			a := acc[q*h+hh]
			if g.f32 {
				VMULPS(t, v, t)
				VADDPS(t, a, a)
			} else {
				VMULPD(t, v, t)
				VADDPD(t, a, a)
			}
		}
	}
	ADDQ(U32(sellHeight), x)
	JMP(LabelRef("col"))
	Label("store")
	for q := 0; q < nv; q++ {
		VMOVUPS(acc[q*h], Mem{Base: S, Disp: sz * q * W})
		if two {
			VMOVUPS(acc[q*h+1], Mem{Base: C, Disp: sz * q * W})
		}
	}
	VZEROUPPER()
	RET()
}

// gsum2Pairs is float32 gsum2 on the pair layout: sin φ_j and cos φ_j sit
// side by side in tb (a batch of one), so one 64-bit gather fetches both
// (half the gathered elements of two 32-bit gathers); vals holds each
// coupler's value twice (x·32 + 2r + {0, 1}), so a lane pair sums sin
// and cos of one row, and S receives the block's sums interleaved:
// S[2r] = Σ v·sin, S[2r+1] = Σ v·cos.
func (g *gen) gsum2Pairs() {
	W := g.W() // float32 lanes: 8 or 16
	nv := 2 * sellHeight / W
	cols, vals, tb, S := base("cols"), base("vals"), base("tb"), base("S")
	n := Load(Param("cols").Len(), GP64())
	acc := make([]VecVirtual, nv)
	for k := range acc {
		acc[k] = g.vec()
		VXORPS(acc[k], acc[k], acc[k])
	}
	var ones Register
	if g.avx512 {
		ones = GP32()
		MOVL(U32(0xffff), ones)
	}
	x := GP64()
	XORQ(x, x)
	Label("col")
	CMPQ(x, n)
	JGE(LabelRef("store"))
	for q := 0; q < nv; q++ {
		var idx VecVirtual // W/2 row indices, one per pair
		if g.avx512 {
			idx = YMM()
		} else {
			idx = XMM()
		}
		VMOVUPS(Mem{Base: cols, Index: x, Scale: 4, Disp: 4 * q * W / 2}, idx)
		v := g.vec()
		VMOVUPS(Mem{Base: vals, Index: x, Scale: 8, Disp: 4 * q * W}, v)
		m := Mem{Base: tb, Index: idx, Scale: 8}
		t := g.vec()
		VXORPS(t, t, t)
		if g.avx512 {
			k := K()
			KMOVW(ones, k)
			VGATHERDPD(m, k, t)
		} else {
			VGATHERDPD(g.ci32(0xffffffff), m, t)
		}
		VMULPS(t, v, t)
		VADDPS(t, acc[q], acc[q])
	}
	ADDQ(U32(sellHeight), x)
	JMP(LabelRef("col"))
	Label("store")
	for q := 0; q < nv; q++ {
		VMOVUPS(acc[q], Mem{Base: S, Disp: 4 * q * W})
	}
	VZEROUPPER()
	RET()
}

// slices loads the data pointers of the named slice parameters.
func slices(names ...string) map[string]Register {
	m := map[string]Register{}
	for _, s := range names {
		m[s] = base(s)
	}
	return m
}

func (g *gen) phaseF() {
	T := g.T()
	g.text("phaseF", fmt.Sprintf("func(f, dw, sn, cs, S, C []%s, a, kp %s)", T, T))
	Doc("phaseF is phaseFGo: f = dw + a·(cs·S − sn·C) − kp·sn·cs.")
	p := slices("f", "dw", "sn", "cs", "S", "C")
	n := Load(Param("f").Len(), GP64())
	a, kp := g.param("a"), g.param("kp")
	sz := g.size()
	g.elementwise(n, sz, func(i Register) {
		s, c := g.load(at(p["sn"], i, sz)), g.load(at(p["cs"], i, sz))
		u := g.sub(g.mul(c, g.load(at(p["S"], i, sz))), g.mul(s, g.load(at(p["C"], i, sz))))
		f := g.add(g.load(at(p["dw"], i, sz)), g.mul(a, u))
		g.store(g.sub(f, g.mul(g.mul(kp, s), c)), at(p["f"], i, sz))
	})
}

func (g *gen) cycleF() {
	T := g.T()
	g.text("cycleF", fmt.Sprintf("func(f, dw, v, gam, gamp, Y []%s, gn, gt, invC, pm %s)", T, T))
	Doc("cycleF is cycleFGo: f = dw + gam·(Y + gn − gt·v)·invC + gamp·pm.")
	p := slices("f", "dw", "v", "gam", "gamp", "Y")
	n := Load(Param("f").Len(), GP64())
	gn, gt, ic, pm := g.param("gn"), g.param("gt"), g.param("invC"), g.param("pm")
	sz := g.size()
	g.elementwise(n, sz, func(i Register) {
		cur := g.sub(g.add(g.load(at(p["Y"], i, sz)), gn), g.mul(gt, g.load(at(p["v"], i, sz))))
		f := g.add(g.load(at(p["dw"], i, sz)), g.mul(g.mul(g.load(at(p["gam"], i, sz)), cur), ic))
		g.store(g.add(f, g.mul(g.load(at(p["gamp"], i, sz)), pm)), at(p["f"], i, sz))
	})
}

func (g *gen) cycleFs() {
	T := g.T()
	g.text("cycleFs", fmt.Sprintf("func(f, dw, v, sn, Y []%s, gn, gt, invC, pm, g1, m2 %s)", T, T))
	Doc("cycleFs is cycleFsGo: f = dw + g1·sn·cur·invC + m2·sn·(2v − 1)·pm.")
	p := slices("f", "dw", "v", "sn", "Y")
	n := Load(Param("f").Len(), GP64())
	gn, gt, ic, pm := g.param("gn"), g.param("gt"), g.param("invC"), g.param("pm")
	g1, m2 := g.param("g1"), g.param("m2")
	sz := g.size()
	g.elementwise(n, sz, func(i Register) {
		v, s := g.load(at(p["v"], i, sz)), g.load(at(p["sn"], i, sz))
		cur := g.sub(g.add(g.load(at(p["Y"], i, sz)), gn), g.mul(gt, v))
		f := g.add(g.load(at(p["dw"], i, sz)), g.mul(g.mul(g.mul(g1, s), cur), ic))
		q := g.mul(g.mul(g.mul(m2, s), g.sub(g.mul(g.cf(2), v), g.cf(1))), pm)
		g.store(g.add(f, q), at(p["f"], i, sz))
	})
}

func (g *gen) axpy() {
	T := g.T()
	g.text("axpy", fmt.Sprintf("func(y, p []%s, a %s, f []%s)", T, T, T))
	Doc("axpy is axpyGo: y = p + a·f.")
	q := slices("y", "p", "f")
	n := Load(Param("y").Len(), GP64())
	a := g.param("a")
	sz := g.size()
	g.elementwise(n, sz, func(i Register) {
		g.store(g.add(g.load(at(q["p"], i, sz)), g.mul(a, g.load(at(q["f"], i, sz)))), at(q["y"], i, sz))
	})
}

func (g *gen) addK() {
	T := g.T()
	g.text("add", fmt.Sprintf("func(y, z []%s)", T))
	Doc("add is addGo: y = y + z.")
	q := slices("y", "z")
	n := Load(Param("y").Len(), GP64())
	sz := g.size()
	g.elementwise(n, sz, func(i Register) {
		g.store(g.add(g.load(at(q["y"], i, sz)), g.load(at(q["z"], i, sz))), at(q["y"], i, sz))
	})
}

func (g *gen) acc2() {
	T := g.T()
	g.text("acc2", fmt.Sprintf("func(acc, f []%s)", T))
	Doc("acc2 is acc2Go: acc = acc + 2·f.")
	q := slices("acc", "f")
	n := Load(Param("acc").Len(), GP64())
	sz := g.size()
	g.elementwise(n, sz, func(i Register) {
		g.store(g.add(g.load(at(q["acc"], i, sz)), g.mul(g.cf(2), g.load(at(q["f"], i, sz)))), at(q["acc"], i, sz))
	})
}

func (g *gen) rk4() {
	T := g.T()
	g.text("rk4", fmt.Sprintf("func(y, p []%s, c %s, acc, f []%s)", T, T, T))
	Doc("rk4 is rk4Go: y = p + c·(acc + f).")
	q := slices("y", "p", "acc", "f")
	n := Load(Param("y").Len(), GP64())
	c := g.param("c")
	sz := g.size()
	g.elementwise(n, sz, func(i Register) {
		s := g.add(g.load(at(q["acc"], i, sz)), g.load(at(q["f"], i, sz)))
		g.store(g.add(g.load(at(q["p"], i, sz)), g.mul(c, s)), at(q["y"], i, sz))
	})
}

func (g *gen) rot() {
	T := g.T()
	g.text("rot", fmt.Sprintf("func(sn, cs []%s, a, rho %s, s2, c2 []%s)", T, T, T))
	Doc("rot is rotGo: s2 = a·(sn + ρ·cs), c2 = a·(cs − ρ·sn).")
	q := slices("sn", "cs", "s2", "c2")
	n := Load(Param("sn").Len(), GP64())
	a, rho := g.param("a"), g.param("rho")
	sz := g.size()
	g.elementwise(n, sz, func(i Register) {
		s, c := g.load(at(q["sn"], i, sz)), g.load(at(q["cs"], i, sz))
		g.store(g.mul(a, g.add(s, g.mul(rho, c))), at(q["s2"], i, sz))
		g.store(g.mul(a, g.sub(c, g.mul(rho, s))), at(q["c2"], i, sz))
	})
}

// pump2 is pump2Term's expression in its order:
// q = kq·((q0 + ((q1·4)·sk)·(k·k − s·s)) + q2·(1 − (8·sk)·sk)), sk = s·k,
// then q + kp·(r0·sk + r1·(k·k − s·s)) if first, then f + q.
func (g *gen) pump2() {
	T := g.T()
	g.text("pump2", fmt.Sprintf("func(f, sn, cs []%s, kq, q0, q1, q2 %s, first bool, kp, r0, r1 %s)", T, T, T))
	Doc("pump2 is pump2Go.")
	q := slices("f", "sn", "cs")
	n := Load(Param("f").Len(), GP64())
	first := Load(Param("first"), GP8())
	sz := g.size()
	body := func(withFirst bool) func(i Register) {
		return func(i Register) {
			s, k := g.load(at(q["sn"], i, sz)), g.load(at(q["cs"], i, sz))
			sk := g.mul(s, k)
			d := g.sub(g.mul(k, k), g.mul(s, s))
			q14 := g.mul(g.param("q1"), g.cf(4))
			t := g.add(g.param("q0"), g.mul(g.mul(q14, sk), d))
			t = g.add(t, g.mul(g.param("q2"), g.sub(g.cf(1), g.mul(g.mul(g.cf(8), sk), sk))))
			t = g.mul(g.param("kq"), t)
			if withFirst {
				t = g.add(t, g.mul(g.param("kp"), g.add(g.mul(g.param("r0"), sk), g.mul(g.param("r1"), d))))
			}
			g.store(g.add(g.load(at(q["f"], i, sz)), t), at(q["f"], i, sz))
		}
	}
	TESTB(first, first)
	JNZ(LabelRef("first"))
	g.elementwise(n, sz, body(false))
	// A second loop with the first-order term; its labels are distinct.
	Label("first")
	i := GP64()
	XORQ(i, i)
	e := GP64()
	MOVQ(n, e)
	SUBQ(U32(uint32(g.W())), e)
	Label("floop")
	CMPQ(i, e)
	JG(LabelRef("ftail"))
	body(true)(i)
	ADDQ(U32(uint32(g.W())), i)
	JMP(LabelRef("floop"))
	Label("ftail")
	CMPQ(i, n)
	JGE(LabelRef("fdone"))
	r := GP64()
	MOVQ(n, r)
	SUBQ(i, r)
	g.setMask(r, sz)
	g.masked = true
	body(true)(i)
	g.masked = false
	Label("fdone")
	VZEROUPPER()
	RET()
}

// ---- float32 sine and cosine (trig.go's sincos32) ----

const (
	s32FOPI = 1.27323954473516
	s32DP1  = 0.78515625
	s32DP2  = 2.4187564849853515625e-4
	s32DP3  = 3.77489497744594108e-8
	s32S0   = -1.9515295891e-4
	s32S1   = 8.3321608736e-3
	s32S2   = -1.6666654611e-1
	s32C0   = 2.443315711809948e-5
	s32C1   = -1.388731625493765e-3
	s32C2   = 4.166664568298827e-2
	s32Lim  = 8192
)

// inRange32 jumps to bail unless every lane of x has |x| < 8192 (false
// for NaN): those lanes need sincos32's float64 fallback.
func (g *gen) inRange32(x VecVirtual, bail string) {
	ax := g.and(x, g.ci32(0x7fffffff))
	lim := g.c32(s32Lim)
	if g.avx512 {
		k := K()
		VCMPPS(U8(1), lim, ax, k) // ax < lim
		KORTESTW(k, k)
		JCC(LabelRef(bail)) // not all ones
		return
	}
	m := g.vec()
	VCMPPS(U8(1), lim, ax, m)
	t := GP32()
	VMOVMSKPS(m, t)
	CMPL(t, U32(0xff))
	JNE(LabelRef(bail))
}

// sincosV is sincos32 on a vector of in-range lanes.
func (g *gen) sincosV(x VecVirtual) (s, c VecVirtual) {
	sign := g.and(x, g.ci32(0x80000000))
	ax := g.and(x, g.ci32(0x7fffffff))
	one := g.ci32(1)
	j := g.cvtt(g.mul(ax, g.c32(s32FOPI)))
	j = g.addi(j, g.and(j, one))
	y := g.cvt(j)
	z := g.sub(g.sub(g.sub(ax, g.mul(y, g.c32(s32DP1))), g.mul(y, g.c32(s32DP2))), g.mul(y, g.c32(s32DP3)))
	zz := g.mul(z, z)
	pc := g.add(g.mul(g.add(g.mul(g.c32(s32C0), zz), g.c32(s32C1)), zz), g.c32(s32C2))
	cc := g.add(g.sub(g.c32(1), g.mul(g.c32(0.5), zz)), g.mul(g.mul(zz, zz), pc))
	ps := g.add(g.mul(g.add(g.mul(g.c32(s32S0), zz), g.c32(s32S1)), zz), g.c32(s32S2))
	ss := g.add(z, g.mul(g.mul(z, zz), ps))
	hi := g.and(g.shr(j, 2), one)
	q := g.and(j, g.ci32(3))
	q1 := g.shr(q, 1)
	swap := g.sra(g.shl(g.xor(q, q1), 31), 31) // all ones in octants 1, 2 (mod 4)
	s = g.sel(swap, cc, ss)
	c = g.sel(swap, ss, cc)
	s = g.xor(s, g.xor(g.shl(hi, 31), sign))
	c = g.xor(c, g.shl(g.xor(hi, q1), 31))
	return s, c
}

// scanLoop runs body on whole vectors and masked tail like elementwise,
// but body may jump to "bail" (a lane needs the plain-Go fallback); the
// kernel returns the lane index where it stopped (len when done).
func (g *gen) scanLoop(n Register, esz int, tail bool, body func(i Register)) {
	i := GP64()
	XORQ(i, i)
	e := GP64()
	MOVQ(n, e)
	SUBQ(U32(uint32(g.W())), e)
	Label("loop")
	CMPQ(i, e)
	JG(LabelRef("tail"))
	body(i)
	ADDQ(U32(uint32(g.W())), i)
	JMP(LabelRef("loop"))
	Label("tail")
	if tail {
		CMPQ(i, n)
		JGE(LabelRef("bail"))
		r := GP64()
		MOVQ(n, r)
		SUBQ(i, r)
		g.setMask(r, esz)
		g.masked = true
		body(i)
		g.masked = false
		MOVQ(n, i)
	}
	Label("bail")
	VZEROUPPER()
	Store(i, ReturnIndex(0))
	RET()
}

func (g *gen) sincos32() {
	g.text("sincosScan", "func(x, s, c []float32) int")
	Doc("sincosScan is sincos32Go on lanes [0, k) and returns k: len(x), or",
		"the start of the first vector with a lane outside |x| < 8192.")
	q := slices("x", "s", "c")
	n := Load(Param("x").Len(), GP64())
	g.scanLoop(n, 4, true, func(i Register) {
		x := g.load(at(q["x"], i, 4))
		g.inRange32(x, "bail")
		s, c := g.sincosV(x)
		g.store(s, at(q["s"], i, 4))
		g.store(c, at(q["c"], i, 4))
	})
}

func (g *gen) cycleTrig32() {
	g.text("cycleTrigScan", "func(x []float32, wt float32, v, sn []float32) int")
	Doc("cycleTrigScan is cycleTrig32Go on lanes [0, k) and returns k, as sincosScan.")
	q := slices("x", "v", "sn")
	n := Load(Param("x").Len(), GP64())
	wt := g.param("wt")
	g.scanLoop(n, 4, true, func(i Register) {
		th := g.add(wt, g.load(at(q["x"], i, 4)))
		g.inRange32(th, "bail")
		s, c := g.sincosV(th)
		g.store(g.mul(g.c32(0.5), g.add(g.c32(1), c)), at(q["v"], i, 4))
		g.store(s, at(q["sn"], i, 4))
	})
}

// wrapScan32 stops at the first whole vector with a lane outside
// [−π32, π32] or not finite (|x|'s bits above π32's); the tail is left to
// plain Go.
func (g *gen) wrapScan32() {
	g.text("wrapScan", "func(p []float32) int")
	Doc("wrapScan returns the start of the first whole vector of p with a lane",
		"outside [−π32, π32] or not finite, or the end of the last whole vector.")
	p := base("p")
	n := Load(Param("p").Len(), GP64())
	g.scanLoop(n, 4, false, func(i Register) {
		ax := g.and(g.load(at(p, i, 4)), g.ci32(0x7fffffff))
		pi := g.ci32(math.Float32bits(float32(math.Pi)))
		if g.avx512 {
			k := K()
			VPCMPGTD(pi, ax, k) // ax > π32
			KORTESTW(k, k)
			JNZ(LabelRef("bail"))
			return
		}
		m := g.vec()
		VPCMPGTD(pi, ax, m)
		VPTEST(m, m)
		JNZ(LabelRef("bail"))
	})
}

func (g *gen) finiteScan64() {
	g.text("finiteScan", "func(p []float64) int")
	Doc("finiteScan returns the start of the first whole vector of p with a",
		"lane not finite, or the end of the last whole vector.")
	p := base("p")
	n := Load(Param("p").Len(), GP64())
	g.scanLoop(n, 8, false, func(i Register) {
		ax := g.and(g.load(at(p, i, 8)), g.ci64(0x7fffffffffffffff))
		big := g.ci64(0x7fefffffffffffff) // the largest finite
		if g.avx512 {
			k := K()
			VPCMPGTQ(big, ax, k)
			KORTESTW(k, k)
			JNZ(LabelRef("bail"))
			return
		}
		m := g.vec()
		VPCMPGTQ(big, ax, m)
		VPTEST(m, m)
		JNZ(LabelRef("bail"))
	})
}

// powAcc32 widens the float32 terms cs·C + sn·S to float64, whole vectors
// only (the tail is left to plain Go); it returns the lanes done.
func (g *gen) powAcc32() {
	g.text("powAccScan", "func(acc []float64, sn, cs, S, C []float32) int")
	Doc("powAccScan is powAccGo on the whole vectors of acc and returns their lanes.")
	q := slices("acc", "sn", "cs", "S", "C")
	n := Load(Param("acc").Len(), GP64())
	g.scanLoop(n, 4, false, func(i Register) {
		t := g.add(g.mul(g.load(at(q["cs"], i, 4)), g.load(at(q["C"], i, 4))), g.mul(g.load(at(q["sn"], i, 4)), g.load(at(q["S"], i, 4))))
		lo, hi := g.vec(), g.vec()
		h := W2(g)
		if g.avx512 {
			VCVTPS2PD(t.AsY(), lo)
			y := YMM()
			VEXTRACTF64X4(U8(1), t, y)
			VCVTPS2PD(y, hi)
		} else {
			VCVTPS2PD(t.AsX(), lo)
			x := XMM()
			VEXTRACTF128(U8(1), t, x)
			VCVTPS2PD(x, hi)
		}
		a0 := Mem{Base: q["acc"], Index: i, Scale: 8}
		a1 := Mem{Base: q["acc"], Index: i, Scale: 8, Disp: h * 8}
		r0, r1 := g.vec(), g.vec()
		VMOVUPD(a0, r0)
		VMOVUPD(a1, r1)
		VADDPD(lo, r0, r0)
		VADDPD(hi, r1, r1)
		VMOVUPD(r0, a0)
		VMOVUPD(r1, a1)
	})
}

// W2 is half a float32 vector's lanes.
func W2(g *gen) int { return g.W() / 2 }

func (g *gen) powAcc64() {
	g.text("powAcc", "func(acc []float64, sn, cs, S, C []float64)")
	Doc("powAcc is powAccGo: acc += cs·C + sn·S.")
	q := slices("acc", "sn", "cs", "S", "C")
	n := Load(Param("acc").Len(), GP64())
	g.elementwise(n, 8, func(i Register) {
		t := g.add(g.mul(g.load(at(q["cs"], i, 8)), g.load(at(q["C"], i, 8))), g.mul(g.load(at(q["sn"], i, 8)), g.load(at(q["S"], i, 8))))
		g.store(g.add(g.load(at(q["acc"], i, 8)), t), at(q["acc"], i, 8))
	})
}

// ---- float64 sine and cosine (math.Sincos, operation for operation) ----

const (
	sc64PI4A = 7.85398125648498535156e-1
	sc64PI4B = 3.77489470793079817668e-8
	sc64PI4C = 2.69515142907905952645e-15
	sc64Max  = 1 << 29 // math's reduceThreshold: beyond it, Payne–Hanek
)

var (
	sc64Sin = [6]float64{1.58962301576546568060e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6,
		-1.98412698295895385996e-4, 8.33333333332211858878e-3, -1.66666666666666307295e-1}
	sc64Cos = [6]float64{-1.13585365213876817300e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7,
		2.48015872888517045348e-5, -1.38888888888730564116e-3, 4.16666666666665929218e-2}
)

// halfVec is a vector of 32-bit lanes, one per float64 lane.
func (g *gen) halfVec() VecVirtual {
	if g.avx512 {
		return YMM()
	}
	return XMM()
}

// halfConst broadcasts a 32-bit pattern into a half-width vector.
func (g *gen) halfConst(w uint32) VecVirtual {
	m := constMem(fmt.Sprintf("c32_%08x", w), []uint64{uint64(w)}, 4)
	r := g.halfVec()
	VPBROADCASTD(m, r)
	return r
}

// half-width 32-bit integer operations (EVEX forms on AVX-512, so any
// of the 32 registers may be allocated).
func (g *gen) hand(a, b VecVirtual) VecVirtual {
	r := g.halfVec()
	if g.avx512 {
		VPANDD(b, a, r)
	} else {
		VPAND(b, a, r)
	}
	return r
}

func (g *gen) hxor(a, b VecVirtual) VecVirtual {
	r := g.halfVec()
	if g.avx512 {
		VPXORD(b, a, r)
	} else {
		VPXOR(b, a, r)
	}
	return r
}

func (g *gen) hadd(a, b VecVirtual) VecVirtual { r := g.halfVec(); VPADDD(b, a, r); return r }
func (g *gen) hshr(a VecVirtual, k uint8) VecVirtual {
	r := g.halfVec()
	VPSRLD(U8(k), a, r)
	return r
}

// inRange64 jumps to bail unless every lane has |x| < 2^29 (false for NaN).
func (g *gen) inRange64(ax VecVirtual, bail string) {
	lim := g.cf(sc64Max)
	t := GP32()
	if g.avx512 {
		k := K()
		VCMPPD(U8(1), lim, ax, k)
		KMOVW(k, t)
		CMPL(t, U32(0xff))
		JNE(LabelRef(bail))
		return
	}
	m := g.vec()
	VCMPPD(U8(1), lim, ax, m)
	VMOVMSKPD(m, t)
	CMPL(t, U32(0xf))
	JNE(LabelRef(bail))
}

// sincos64V is math.Sincos on a vector of lanes with |x| < 2^29. The
// octant j < 2^29·4/π fits 32 bits, so its logic runs on 32-bit lanes
// and the resulting masks are widened to the float64 lanes.
func (g *gen) sincos64V(x VecVirtual) (s, c VecVirtual) {
	sign := g.and(x, g.ci64(0x8000000000000000))
	ax := g.and(x, g.ci64(0x7fffffffffffffff))
	j := g.halfVec()
	if g.avx512 {
		VCVTTPD2DQ(g.mul(ax, g.cf(4/math.Pi)), j)
	} else {
		VCVTTPD2DQY(g.mul(ax, g.cf(4/math.Pi)), j)
	}
	one := g.halfConst(1)
	j = g.hadd(j, g.hand(j, one)) // j, y made even: y = float64(j)
	y := g.vec()
	VCVTDQ2PD(j, y)
	z := g.sub(g.sub(g.sub(ax, g.mul(y, g.cf(sc64PI4A))), g.mul(y, g.cf(sc64PI4B))), g.mul(y, g.cf(sc64PI4C)))
	zz := g.mul(z, z)
	pc, ps := g.cf(sc64Cos[0]), g.cf(sc64Sin[0])
	for k := 1; k < 6; k++ {
		pc = g.add(g.mul(pc, zz), g.cf(sc64Cos[k]))
		ps = g.add(g.mul(ps, zz), g.cf(sc64Sin[k]))
	}
	cc := g.add(g.sub(g.cf(1), g.mul(g.cf(0.5), zz)), g.mul(g.mul(zz, zz), pc))
	ss := g.add(z, g.mul(g.mul(z, zz), ps))
	hi := g.hand(g.hshr(j, 2), one)
	q := g.hand(j, g.halfConst(3))
	q1 := g.hshr(q, 1)
	sw := g.hand(g.hxor(q, q1), one)
	// Widen: swap → all ones per float64 lane; flips → the sign bit.
	swap := g.vec()
	VPMOVSXDQ(g.hxor(g.hadd(sw, g.halfConst(0xffffffff)), g.halfConst(0xffffffff)), swap) // −sw
	wide := func(f VecVirtual) VecVirtual {
		r := g.vec()
		VPMOVZXDQ(f, r)
		t := g.vec()
		VPSLLQ(U8(63), r, t)
		return t
	}
	s = g.sel(swap, cc, ss)
	c = g.sel(swap, ss, cc)
	s = g.xor(s, g.xor(wide(hi), sign))
	c = g.xor(c, wide(g.hxor(hi, q1)))
	return s, c
}

func (g *gen) sincos64() {
	g.text("sincosScan", "func(x, s, c []float64) int")
	Doc("sincosScan is sincos64Go on lanes [0, k) and returns k: len(x), or",
		"the start of the first vector with a lane outside |x| < 2^29.")
	q := slices("x", "s", "c")
	n := Load(Param("x").Len(), GP64())
	g.scanLoop(n, 8, true, func(i Register) {
		x := g.load(at(q["x"], i, 8))
		g.inRange64(g.and(x, g.ci64(0x7fffffffffffffff)), "bail")
		s, c := g.sincos64V(x)
		g.store(s, at(q["s"], i, 8))
		g.store(c, at(q["c"], i, 8))
	})
}

func (g *gen) cycleTrig64() {
	g.text("cycleTrigScan", "func(x []float64, wt float64, v, sn []float64) int")
	Doc("cycleTrigScan is cycleTrig64Go on lanes [0, k) and returns k, as sincosScan.")
	q := slices("x", "v", "sn")
	n := Load(Param("x").Len(), GP64())
	wt := g.param("wt")
	g.scanLoop(n, 8, true, func(i Register) {
		th := g.add(wt, g.load(at(q["x"], i, 8)))
		g.inRange64(g.and(th, g.ci64(0x7fffffffffffffff)), "bail")
		s, c := g.sincos64V(th)
		g.store(g.mul(g.cf(0.5), g.add(g.cf(1), c)), at(q["v"], i, 8))
		g.store(s, at(q["sn"], i, 8))
	})
}

// ---- the tabulated ring's table positions (ringosc.TableIndex) ----

// tabIdx is tabIdxGo on whole vectors of float64 lanes (float32 states
// are summed with wt in float32 and widened, as there): x = θ·scale,
// x −= ⌊x·invM⌋·fm, k = trunc(x) clamped to [0, fm − 1] (in float64,
// NaN to 0, as Go's int conversion and clamp give), f = x − k.
func (g *gen) tabIdx() {
	T := g.T()
	g.text("tabIdxScan", fmt.Sprintf("func(wt %s, y []%s, scale, invM, fm float64, k []int32, f []float64) int", T, T))
	Doc("tabIdxScan is tabIdxGo on the whole vectors of float64 lanes of y and returns their count.")
	h := &gen{avx512: g.avx512} // float64 arithmetic
	q := slices("y", "k", "f")
	n := Load(Param("y").Len(), GP64())
	scale, invM, fm := h.param("scale"), h.param("invM"), h.param("fm")
	hi := h.sub(fm, h.cf(1))
	zero := h.vec()
	VXORPD(zero, zero, zero)
	var wt VecVirtual
	if g.f32 {
		b, _ := Param("wt").Resolve()
		wt = h.halfVec()
		VBROADCASTSS(b.Addr, wt)
	} else {
		wt = h.param("wt")
	}
	h.scanLoop(n, 8, false, func(i Register) {
		th := h.vec()
		if g.f32 {
			y := h.halfVec()
			VMOVUPS(at(q["y"], i, 4), y)
			VADDPS(y, wt, y)
			VCVTPS2PD(y, th)
		} else {
			th = h.add(wt, h.load(at(q["y"], i, 8)))
		}
		x := h.mul(th, scale)
		t := h.mul(x, invM)
		fl, tr := h.vec(), h.vec()
		if h.avx512 {
			VRNDSCALEPD(U8(1), t, fl)
		} else {
			VROUNDPD(U8(1), t, fl)
		}
		x = h.sub(x, h.mul(fl, fm))
		if h.avx512 {
			VRNDSCALEPD(U8(3), x, tr)
		} else {
			VROUNDPD(U8(3), x, tr)
		}
		kd := h.vec()
		VMAXPD(zero, tr, kd) // tr > 0 ? tr : 0 (NaN: 0)
		VMINPD(hi, kd, kd)   // kd < hi ? kd : hi
		k := h.halfVec()
		if h.avx512 {
			VCVTTPD2DQ(kd, k)
		} else {
			VCVTTPD2DQY(kd, k)
		}
		VMOVUPS(k, Mem{Base: q["k"], Index: i, Scale: 4})
		VMOVUPD(h.sub(x, kd), at(q["f"], i, 8))
	})
}

// ---- float32 noise (noise32.go) ----

// xoNext is xoshiro128++ on vectors of states.
func (g *gen) xoNext(s *[4]VecVirtual) VecVirtual {
	r := g.addi(g.rotl(g.addi(s[0], s[3]), 7), s[0])
	t := g.shl(s[1], 9)
	s[2] = g.xor(s[2], s[0])
	s[3] = g.xor(s[3], s[1])
	s[1] = g.xor(s[1], s[2])
	s[0] = g.xor(s[0], s[3])
	s[2] = g.xor(s[2], t)
	s[3] = g.rotl(s[3], 11)
	return r
}

// logV is logf32 on a vector.
func (g *gen) logV(x VecVirtual) VecVirtual {
	e := g.subi(g.shr(x, 23), g.ci32(126))
	m := g.or(g.and(x, g.ci32(0x007fffff)), g.ci32(0x3f000000))
	lt := g.lt32(m, g.c32(0.707106781186547524))
	one := g.c32(1)
	e = g.sel(lt, g.subi(e, g.ci32(1)), e)
	f := g.sel(lt, g.sub(g.add(m, m), one), g.sub(m, one))
	fe := g.cvt(e)
	z := g.mul(f, f)
	y := g.sub(g.mul(g.c32(7.0376836292e-2), f), g.c32(1.1514610310e-1))
	for _, c := range []float32{1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1} {
		if c < 0 {
			y = g.sub(g.mul(y, f), g.c32(-c))
		} else {
			y = g.add(g.mul(y, f), g.c32(c))
		}
	}
	y = g.mul(g.mul(y, f), z)
	y = g.add(y, g.mul(fe, g.c32(-2.12194440e-4)))
	y = g.add(y, g.mul(g.c32(-0.5), z))
	f = g.add(f, y)
	return g.add(f, g.mul(fe, g.c32(0.693359375)))
}

// bmV is normal32Pair scaled by σ: σ·(R·cos Θ), σ·(R·sin Θ).
func (g *gen) bmV(x1, x2, sg VecVirtual) (z0, z1 VecVirtual) {
	u := g.add(g.mul(g.cvt(g.shr(x1, 1)), g.c32(0x1p-31)), g.c32(0x1p-32))
	l := g.mul(g.c32(-2), g.logV(u))
	r := g.vec()
	VSQRTPS(l, r)
	th := g.mul(g.cvt(x2), g.ci32(math.Float32bits(float32(math.Pi*0x1p-31))))
	s, c := g.sincosV(th) // |Θ| ≤ π: always in range
	return g.mul(sg, g.mul(r, c)), g.mul(sg, g.mul(r, s))
}

func (g *gen) noise2() {
	g.text("noise2", "func(s0, s1, s2, s3 []uint32, sigma float32, a, b []float32)")
	Doc("noise2 is noise2Go32 (b may be nil).")
	q := slices("s0", "s1", "s2", "s3", "a", "b")
	n := Load(Param("a").Len(), GP64())
	nb := Load(Param("b").Len(), GP64())
	sg := g.param("sigma")
	g.elementwise(n, 4, func(i Register) {
		var s [4]VecVirtual
		for k := range s {
			s[k] = g.load(at(q[fmt.Sprintf("s%d", k)], i, 4))
		}
		x1 := g.xoNext(&s)
		x2 := g.xoNext(&s)
		for k := range s {
			g.store(s[k], at(q[fmt.Sprintf("s%d", k)], i, 4))
		}
		z0, z1 := g.bmV(x1, x2, sg)
		g.store(z0, at(q["a"], i, 4))
		skip := fmt.Sprintf("nob%v", g.masked)
		TESTQ(nb, nb)
		JZ(LabelRef(skip))
		g.store(z1, at(q["b"], i, 4))
		Label(skip)
	})
}

func (g *gen) bm() {
	g.text("bm", "func(x1, x2 []uint32, sigma float32, z0, z1 []float32)")
	Doc("bm is bmGo32.")
	q := slices("x1", "x2", "z0", "z1")
	n := Load(Param("z0").Len(), GP64())
	sg := g.param("sigma")
	g.elementwise(n, 4, func(i Register) {
		z0, z1 := g.bmV(g.load(at(q["x1"], i, 4)), g.load(at(q["x2"], i, 4)), sg)
		g.store(z0, at(q["z0"], i, 4))
		g.store(z1, at(q["z1"], i, 4))
	})
}
