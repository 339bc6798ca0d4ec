package bench

import (
	"context"
	"math"
	"math/cmplx"
	"os"
	"strconv"
	"testing"

	"oscsim/chip"
	"oscsim/learn/eqprop"
	"oscsim/netlist"
	"oscsim/phasedet"
)

// diagEnv reads a float from the environment (def when unset).
func diagEnv(t *testing.T, key string, def float64) float64 {
	s := os.Getenv(key)
	if s == "" {
		return def
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return v
}

// TestEPCycleDiagnose compares, image by image, the cycle model's settled
// phases with the phase model's on the MNIST chip (docs/ep.md, "The cycle
// model against the phase model"). Opt-in:
//
//	OSCSIM_EP_CYCLEDIAG=weights.npz [OSCSIM_EP_CYCLEDIAG_N=64 _OFFSET=5000
//	_UNITK=3e-5 _SPC=32 _TIME=0 _NOISE=0 _MISMATCH=0] go test ./bench -run EPCycleDiagnose -v
func TestEPCycleDiagnose(t *testing.T) {
	wf := os.Getenv("OSCSIM_EP_CYCLEDIAG")
	if wf == "" {
		t.Skip("set OSCSIM_EP_CYCLEDIAG=weights.npz to compare the chip's cycle and phase models")
	}
	w, err := eqprop.LoadLayered(wf)
	if err != nil {
		t.Fatal(err)
	}
	nl, err := netlist.Load("../configs/ep-mnist.toml")
	if err != nil {
		t.Fatal(err)
	}
	if u := diagEnv(t, "OSCSIM_EP_CYCLEDIAG_UNITK", 0); u > 0 {
		c := *nl
		c.Couplings.UnitK = u
		nl = &c
	}
	n := int(diagEnv(t, "OSCSIM_EP_CYCLEDIAG_N", 64))
	e := DefaultEPEval()
	e.Net, e.Weights, e.Images, e.Offset, e.Calibrate = w, wf, n, int(diagEnv(t, "OSCSIM_EP_CYCLEDIAG_OFFSET", 5000)), 0
	e.Dataset = w.Settings.Data
	if e.Dataset == "" {
		e.Dataset = "mnist"
	}
	e.NoNoise = diagEnv(t, "OSCSIM_EP_CYCLEDIAG_NOISE", 0) == 0
	e.NoMismatch = diagEnv(t, "OSCSIM_EP_CYCLEDIAG_MISMATCH", 0) == 0
	e.Time = diagEnv(t, "OSCSIM_EP_CYCLEDIAG_TIME", 0)
	e.DetBits = 12
	e.NoTrim = diagEnv(t, "OSCSIM_EP_CYCLEDIAG_TRIM", 1) == 0
	nl2, tdc, err := e.chipFor(nl)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := e.loadImages(ctx); err != nil {
		t.Skipf("no data: %v", err)
	}
	ch, err := chip.Compile(nl2, chip.Options{})
	if err != nil {
		t.Fatal(err)
	}
	finals := map[netlist.Model][][]float64{}
	for _, m := range []netlist.Model{netlist.ModelPhase, netlist.ModelCycle} {
		e.Model = m
		run, err := newEPRun(&e, ch, tdc)
		if err != nil {
			t.Fatal(err)
		}
		if m == netlist.ModelCycle {
			if s := diagEnv(t, "OSCSIM_EP_CYCLEDIAG_SPC", 0); s > 0 {
				run.spc = s
			}
		}
		t.Logf("%s: κ = %.4g%% of ω0, r = %.3g κ, T = %.3g ns, %g steps a cycle, clamp %.3g κ", m, 100*run.kappa/run.wref, run.r, run.dur*1e9, run.spc, run.clamp)
		for lo := 0; lo < n; lo += 64 {
			hi := min(n, lo+64)
			_, res, err := run.classify(ctx, e.Pixels[lo:hi], e.Offset+lo, false)
			if err != nil {
				t.Fatal(err)
			}
			finals[m] = append(finals[m], res.Final...)
		}
	}
	in0, H := w.Sizes[0], w.Sizes[1]
	out0 := in0 + H
	P, C := finals[netlist.ModelPhase], finals[netlist.ModelCycle]
	// Per layer: the common rotation (circular mean of cycle − phase over
	// the layer's rings, per image) and the rest.
	type acc struct{ common, resid, clamp float64 }
	layers := []struct {
		name   string
		lo, hi int
	}{{"input", 0, in0}, {"hidden", in0, out0}, {"output", out0, out0 + w.Sizes[2]}}
	sys := make([]complex128, w.Sizes[2])
	agree, accP, accC := 0, 0, 0
	for l, L := range layers {
		var a acc
		var commons []float64
		for k := range P {
			var z complex128
			for i := L.lo; i < L.hi; i++ {
				z += cmplx.Rect(1, C[k][i]-P[k][i])
			}
			c := cmplx.Phase(z)
			commons = append(commons, c)
			a.common += c
			for i := L.lo; i < L.hi; i++ {
				d := phasedet.Wrap(C[k][i] - P[k][i] - c)
				a.resid += d * d
				if l == 2 {
					sys[i-L.lo] += cmplx.Rect(1, d)
				}
			}
			if l == 0 {
				for i := L.lo; i < L.hi; i++ {
					d := phasedet.Wrap(C[k][i] - eqprop.PixelPhase(e.Pixels[k][i]))
					a.clamp += d * d
				}
			}
		}
		var sd float64
		mean := a.common / float64(len(P))
		for _, c := range commons {
			sd += (c - mean) * (c - mean)
		}
		t.Logf("%s rings: common rotation cycle − phase %.4f ± %.4f rad (mean ± sd over images), rms rest %.4f rad; cycle input vs pixel rms %.4f",
			L.name, mean, math.Sqrt(sd/float64(len(P))), math.Sqrt(a.resid/float64(len(P)*(L.hi-L.lo))), math.Sqrt(a.clamp/float64(len(P)*(L.hi-L.lo))))
	}
	for k, z := range sys {
		t.Logf("output %d: systematic part of the rest %.4f rad (|mean phasor| %.3f)", k, cmplx.Phase(z), cmplx.Abs(z)/float64(len(P)))
	}
	for k := range P {
		p := eqprop.Classify(P[k][out0:], 0)
		c := eqprop.Classify(C[k][out0:], 0)
		if p == c {
			agree++
		}
		if p == e.Labels[k] {
			accP++
		}
		if c == e.Labels[k] {
			accC++
		}
	}
	t.Logf("%d images: decisions agree %d; right: phase %d, cycle %d (φ_ref = 0)", len(P), agree, accP, accC)
}
