package engine

import "golang.org/x/sys/cpu"

// The vector kernels of amd64: Go assembly written by chip/asmgen (avo),
// kernels_amd64.s, declared in kernels_stubs_amd64.go. Each does the
// plain-Go kernel's separately rounded operations lane by lane, so every
// level gives the same bits (TestVectorKernelsMatchGo); docs/performance.md
// has the speeds.

// cpuKernels is the best level this CPU runs. AVX-512 needs F, DQ
// (VPMOVM2D, VXORPS on ZMM) and VL (EVEX forms on YMM registers) with the
// OS saving the ZMM and mask registers (cpu checks XCR0), and BMI2 for the
// tail masks (SHLX); AVX2 needs the OS's YMM state.
func cpuKernels() kernelLevel {
	switch {
	case cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL && cpu.X86.HasBMI2:
		return levelAVX512
	case cpu.X86.HasAVX2:
		return levelAVX2
	}
	return levelGo
}

// vectorKernels32 and vectorKernels64 return the kernels of a vector
// level: the plain-Go set with the vector kernels in their places.
func vectorKernels32(l kernelLevel) kernels[float32] {
	k := goKernels32()
	switch l {
	case levelAVX2:
		k.gsum2, k.gsum1 = gsum2F32AVX2, gsum1F32AVX2
		k.spmm2, k.spmm1, k.phaseF, k.cycleF, k.cycleFs = spmm2F32AVX2, spmm1F32AVX2, phaseFF32AVX2, cycleFF32AVX2, cycleFsF32AVX2
		k.axpy, k.add, k.acc2, k.rk4, k.rot, k.pump2 = axpyF32AVX2, addF32AVX2, acc2F32AVX2, rk4F32AVX2, rotF32AVX2, pump2F32AVX2
		k.sincos, k.cycleTrig, k.wrap, k.powAcc = sincos32AVX2, cycleTrig32AVX2, wrap32AVX2, powAcc32AVX2
		k.noise2, k.bm = noise2F32AVX2, bmF32AVX2
		k.tabIdx = tabIdx32AVX2
	case levelAVX512:
		k.gsum2, k.gsum1 = gsum2F32AVX512, gsum1F32AVX512
		k.spmm2, k.spmm1, k.phaseF, k.cycleF, k.cycleFs = spmm2F32AVX512, spmm1F32AVX512, phaseFF32AVX512, cycleFF32AVX512, cycleFsF32AVX512
		k.axpy, k.add, k.acc2, k.rk4, k.rot, k.pump2 = axpyF32AVX512, addF32AVX512, acc2F32AVX512, rk4F32AVX512, rotF32AVX512, pump2F32AVX512
		k.sincos, k.cycleTrig, k.wrap, k.powAcc = sincos32AVX512, cycleTrig32AVX512, wrap32AVX512, powAcc32AVX512
		k.noise2, k.bm = noise2F32AVX512, bmF32AVX512
		k.tabIdx = tabIdx32AVX512
	}
	return k
}

func vectorKernels64(l kernelLevel) kernels[float64] {
	k := goKernels64()
	switch l {
	case levelAVX2:
		k.gsum2, k.gsum1 = gsum2F64AVX2, gsum1F64AVX2
		k.spmm2, k.spmm1, k.phaseF, k.cycleF, k.cycleFs = spmm2F64AVX2, spmm1F64AVX2, phaseFF64AVX2, cycleFF64AVX2, cycleFsF64AVX2
		k.axpy, k.add, k.acc2, k.rk4, k.rot, k.pump2 = axpyF64AVX2, addF64AVX2, acc2F64AVX2, rk4F64AVX2, rotF64AVX2, pump2F64AVX2
		k.wrap, k.powAcc = finite64AVX2, powAccF64AVX2
		k.sincos, k.cycleTrig = sincos64AVX2, cycleTrig64AVX2
		k.tabIdx = tabIdx64AVX2
	case levelAVX512:
		k.gsum2, k.gsum1 = gsum2F64AVX512, gsum1F64AVX512
		k.spmm2, k.spmm1, k.phaseF, k.cycleF, k.cycleFs = spmm2F64AVX512, spmm1F64AVX512, phaseFF64AVX512, cycleFF64AVX512, cycleFsF64AVX512
		k.axpy, k.add, k.acc2, k.rk4, k.rot, k.pump2 = axpyF64AVX512, addF64AVX512, acc2F64AVX512, rk4F64AVX512, rotF64AVX512, pump2F64AVX512
		k.wrap, k.powAcc = finite64AVX512, powAccF64AVX512
		k.sincos, k.cycleTrig = sincos64AVX512, cycleTrig64AVX512
		k.tabIdx = tabIdx64AVX512
	}
	return k
}

// clearUpper executes VZEROUPPER when vector kernels are in use. Each
// kernel ends with one; each pass of a worker starts with one too:
// something between passes (the pool's hand-off, the runtime) can leave
// the upper halves dirty, and the SSE-encoded scalar code of the engine
// (the tabulated ring's table lookups) then carries false dependencies —
// 2.1× its CPU time when measured with the earlier AVX-512 kernels (4×4
// array, cycle model, float64, B = 64: 790–810 ns per ring-cycle, 383–392
// with the clear).
func clearUpper(l kernelLevel) {
	if l != levelGo {
		vzeroupper()
	}
}

// The kernels with a plain-Go fallback: the assembly stops at the first
// vector that needs it (a sine argument with |x| ≥ 8192 or not finite, a
// phase to wrap, a non-finite value) or does whole vectors only, and
// returns how far it got.

func sincos32AVX2(x, s, c []float32)   { sincos32Vec(sincosScanF32AVX2, 8, x, s, c) }
func sincos32AVX512(x, s, c []float32) { sincos32Vec(sincosScanF32AVX512, 16, x, s, c) }

func sincos32Vec(scan func(x, s, c []float32) int, w int, x, s, c []float32) {
	n := len(x)
	s, c = s[:n], c[:n]
	for b := 0; b < n; {
		b += scan(x[b:], s[b:], c[b:])
		if b < n {
			e := min(b+w, n)
			sincos32Go(x[b:e], s[b:e], c[b:e])
			b = e
		}
	}
}

func sincos64AVX2(x, s, c []float64)   { sincos64Vec(sincosScanF64AVX2, 4, x, s, c) }
func sincos64AVX512(x, s, c []float64) { sincos64Vec(sincosScanF64AVX512, 8, x, s, c) }

func sincos64Vec(scan func(x, s, c []float64) int, w int, x, s, c []float64) {
	n := len(x)
	s, c = s[:n], c[:n]
	for b := 0; b < n; {
		b += scan(x[b:], s[b:], c[b:])
		if b < n {
			e := min(b+w, n)
			sincos64Go(x[b:e], s[b:e], c[b:e])
			b = e
		}
	}
}

func cycleTrig64AVX2(x []float64, wt float64, v, sn []float64) {
	cycleTrig64Vec(cycleTrigScanF64AVX2, 4, x, wt, v, sn)
}
func cycleTrig64AVX512(x []float64, wt float64, v, sn []float64) {
	cycleTrig64Vec(cycleTrigScanF64AVX512, 8, x, wt, v, sn)
}

func cycleTrig64Vec(scan func(x []float64, wt float64, v, sn []float64) int, w int, x []float64, wt float64, v, sn []float64) {
	n := len(x)
	v, sn = v[:n], sn[:n]
	for b := 0; b < n; {
		b += scan(x[b:], wt, v[b:], sn[b:])
		if b < n {
			e := min(b+w, n)
			cycleTrig64Go(x[b:e], wt, v[b:e], sn[b:e])
			b = e
		}
	}
}

func cycleTrig32AVX2(x []float32, wt float32, v, sn []float32) {
	cycleTrig32Vec(cycleTrigScanF32AVX2, 8, x, wt, v, sn)
}
func cycleTrig32AVX512(x []float32, wt float32, v, sn []float32) {
	cycleTrig32Vec(cycleTrigScanF32AVX512, 16, x, wt, v, sn)
}

func cycleTrig32Vec(scan func(x []float32, wt float32, v, sn []float32) int, w int, x []float32, wt float32, v, sn []float32) {
	n := len(x)
	v, sn = v[:n], sn[:n]
	for b := 0; b < n; {
		b += scan(x[b:], wt, v[b:], sn[b:])
		if b < n {
			e := min(b+w, n)
			cycleTrig32Go(x[b:e], wt, v[b:e], sn[b:e])
			b = e
		}
	}
}

func wrap32AVX2(p []float32, turns []int32) bool   { return wrap32Vec(wrapScanF32AVX2, 8, p, turns) }
func wrap32AVX512(p []float32, turns []int32) bool { return wrap32Vec(wrapScanF32AVX512, 16, p, turns) }

// wrap32Vec hands each vector with a lane to wrap or not finite, and the
// lanes after the last whole vector, to wrap32Go; a vector the scan
// passes is finite and inside [−π32, π32], so it needs nothing.
func wrap32Vec(scan func(p []float32) int, w int, p []float32, turns []int32) bool {
	n := len(p)
	turns = turns[:n]
	ok := true
	for b := 0; b < n; {
		b += scan(p[b:])
		if b < n {
			e := min(b+w, n)
			ok = wrap32Go(p[b:e], turns[b:e]) && ok
			b = e
		}
	}
	return ok
}

func finite64AVX2(p []float64, _ []int32) bool {
	return finite64Go(p[finiteScanF64AVX2(p):], nil)
}
func finite64AVX512(p []float64, _ []int32) bool {
	return finite64Go(p[finiteScanF64AVX512(p):], nil)
}

func powAcc32AVX2(acc []float64, sn, cs, S, C []float32) {
	n := len(acc)
	sn, cs, S, C = sn[:n], cs[:n], S[:n], C[:n]
	b := powAccScanF32AVX2(acc, sn, cs, S, C)
	powAccGo(acc[b:], sn[b:], cs[b:], S[b:], C[b:])
}

func powAcc32AVX512(acc []float64, sn, cs, S, C []float32) {
	n := len(acc)
	sn, cs, S, C = sn[:n], cs[:n], S[:n], C[:n]
	b := powAccScanF32AVX512(acc, sn, cs, S, C)
	powAccGo(acc[b:], sn[b:], cs[b:], S[b:], C[b:])
}

// tabIdx: whole vectors of float64 lanes in assembly, the rest in plain Go.

func tabIdx32AVX2(wt float32, y []float32, scale, invM, fm float64, k []int32, f []float64) {
	k, f = k[:len(y)], f[:len(y)]
	b := tabIdxScanF32AVX2(wt, y, scale, invM, fm, k, f)
	tabIdxGo(wt, y[b:], scale, invM, fm, k[b:], f[b:])
}

func tabIdx32AVX512(wt float32, y []float32, scale, invM, fm float64, k []int32, f []float64) {
	k, f = k[:len(y)], f[:len(y)]
	b := tabIdxScanF32AVX512(wt, y, scale, invM, fm, k, f)
	tabIdxGo(wt, y[b:], scale, invM, fm, k[b:], f[b:])
}

func tabIdx64AVX2(wt float64, y []float64, scale, invM, fm float64, k []int32, f []float64) {
	k, f = k[:len(y)], f[:len(y)]
	b := tabIdxScanF64AVX2(wt, y, scale, invM, fm, k, f)
	tabIdxGo(wt, y[b:], scale, invM, fm, k[b:], f[b:])
}

func tabIdx64AVX512(wt float64, y []float64, scale, invM, fm float64, k []int32, f []float64) {
	k, f = k[:len(y)], f[:len(y)]
	b := tabIdxScanF64AVX512(wt, y, scale, invM, fm, k, f)
	tabIdxGo(wt, y[b:], scale, invM, fm, k[b:], f[b:])
}
