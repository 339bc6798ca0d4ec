package spice

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"oscsim/netlist"
	"oscsim/ringosc"
	"oscsim/tech"
)

// RingSpec is the ring to characterise: its design and operating point.
type RingSpec struct {
	// Name names the model ("left" ring of chip "two-rings").
	Name   string
	Design Design
	Stages int
	// VDD (V) and NodeCap (F, the explicit load of each node; also the C
	// of q_max = C·VDD that the ISF is normalised to).
	VDD, NodeCap float64
	// FGuess is a first guess of the frequency (Hz) that sizes the runs.
	FGuess float64
	// Points is the number of charge injections over a cycle (default 64);
	// Charge their size as a fraction of q_max (default 0.02).
	Points int
	Charge float64
	// TablePoints is the length of the model's tables (default 128).
	TablePoints int
	// FreeRunOnly skips the ISF run: the result has the frequency, power,
	// waveforms and device data but no model.
	FreeRunOnly bool
	// PumpCurrent is the larger pump amplitude (A) of the pump-law run
	// (measurePumpLaw; the other is half of it). 0 picks the current whose
	// ISF rate K_s is 0.25% of ω0 (10 µA for the generic ring), to two
	// significant digits; < 0 skips the run. SpecFor sets it to the chip's
	// shil.current (a pump given as ks has no current before the ring's g2
	// is known, and keeps the default).
	PumpCurrent float64
	// Coupler, when not nil, is the chip's coupler TG described by its
	// geometry (couplings.tg_*; SpecFor sets it): the free run also sweeps
	// it over the common mode and the result has its conductance curve.
	Coupler *netlist.TGGeometry
	// resized is set on the second free run, whose steps are sized by the
	// first run's frequency (guessTol).
	resized bool
}

// guessTol is how far (relative) the measured frequency may be from
// FGuess before the ring is measured again with its runs sized by the
// measured frequency. The free run's time step is FGuess·StepsPerCycle⁻¹:
// a 1 fF ring (9.06 GHz) characterised from a description's 1 GHz ran at
// 8.6 steps per cycle and measured 7.41 GHz, and a 3 fF ring's ISF gave a
// pump gain 38% high (docs/ringmodel.md).
const guessTol = 0.05

// TGCurve is a coupler TG's small-signal conductance over the common mode,
// measured like the ring's switch: 10 mV across it while its common mode
// ramps from 0 to VDD.
type TGCurve struct {
	// VCM are common-mode voltages (V), G the conductance there (S).
	VCM, G []float64
	// Mean is ⟨G⟩ over 5–95% of VDD, oscsim's definition of a coupler's
	// conductance (1/Mean is its unit_resistance); Cap its capacitance (F).
	Mean, Cap float64
}

// Characterization is the outcome of Characterize.
type Characterization struct {
	Model ringosc.Model
	// F0 (Hz), Power (W), Supply (A, mean supply current).
	F0, Power, Supply float64
	// Theta and Gamma are the raw ISF samples: injection phase (rad) and
	// Γ = Δφ·q_max/Δq.
	Theta, Gamma []float64
	// C0, C1, C2 are the mean and the first two Fourier magnitudes of the
	// ISF; H1 and G2 the phase model's coupling and pump gains.
	C0, C1, C2, H1, G2 float64
	// H1Inv is the inverter path's coupling gain (InverterGain).
	H1Inv float64
	// FitRMS is the rms residual of the ISF's Fourier fit.
	FitRMS float64
	// InverterPull is Measured.InverterPull.
	InverterPull float64
	// Coupler is the measured curve of RingSpec.Coupler (nil without one).
	Coupler *TGCurve
	// Wall is the ngspice wall time of each run.
	Wall map[string]time.Duration
	// Tool is the simulator version.
	Tool string
}

const (
	warmCycles    = 6  // free-run cycles before measuring
	measureCycles = 24 // free-run cycles measured
	pulsePeriod   = 4  // cycles between two injections into one ring
	isfRings      = 16 // perturbed rings of the ISF run
	loadStep      = 0.2
	coupleProbe   = 4 // coupler inverters on the probe ring's tap
	pullG         = 1.0 / 100e3
	ronGuess      = 5e3 // switch resistance taken off the pull resistor (small next to 100 kΩ)
)

// Characterize measures a ring in ngspice and returns its model: the
// free-running frequency F0, the supply power, the waveform of every stage
// node, and the ISF of the tap measured by charge injection (Hajimiri &
// Lee, JSSC 33(2), 1998: a charge Δq into the node at phase θ shifts the
// phase by Γ(θ)·Δq/q_max).
//
// Run 1 free-runs three independent copies of the ring: the nominal one
// (frequency, waveforms, supply current), one with every load 20% larger
// (the device capacitance per node, from f ∝ 1/(C + C_dev)) and one whose
// tap drives four coupler inverters (their input load), and a pair locked
// in anti-phase through the inverter path (its frequency pull). The same
// run sweeps
// the common mode of one transmission-gate switch to measure its mean
// on-resistance. Run 2 holds a reference ring and 16 copies started in the
// same state; each copy receives four short current pulses, four cycles
// apart, at phases spread over the cycle, and the step in its phase
// relative to the reference after each pulse gives Γ at the pulse's phase.
// A Fourier series (16 harmonics) fitted to the samples is the ISF table.
//
// The pump port is the tap, so the pump-port ISF is the tap's ISF, aligned
// to the pump's phase (ringosc.AlignPump).
func Characterize(ctx context.Context, sim Simulator, spec RingSpec) (*Characterization, error) {
	d := spec.Design
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if spec.Stages < 3 || spec.Stages%2 == 0 {
		return nil, fmt.Errorf("spice: a ring needs an odd number of stages ≥ 3 (got %d)", spec.Stages)
	}
	if !(spec.VDD > 0) || !(spec.NodeCap > 0) || !(spec.FGuess > 0) {
		return nil, fmt.Errorf("spice: characterise: VDD, node capacitance and frequency guess must be positive")
	}
	if spec.Points == 0 {
		spec.Points = 64
	}
	if spec.Charge == 0 {
		spec.Charge = 0.02
	}
	if spec.TablePoints == 0 {
		spec.TablePoints = 128
	}
	if spec.Points < 16 || spec.Points%isfRings != 0 {
		return nil, fmt.Errorf("spice: ISF points must be a multiple of %d and ≥ 16 (got %d)", isfRings, spec.Points)
	}
	tool, err := sim.Version(ctx)
	if err != nil {
		return nil, err
	}
	cards, err := d.modelsText()
	if err != nil {
		return nil, err
	}
	out := &Characterization{Wall: map[string]time.Duration{}, Tool: tool}
	S, vdd, C := spec.Stages, spec.VDD, spec.NodeCap
	analytic := ringosc.Analytic(S)

	// Run 1: free-running rings.
	T := 1 / spec.FGuess
	tstop := float64(warmCycles+measureCycles) * T
	tmax := T / d.StepsPerCycle
	var b strings.Builder
	fmt.Fprintf(&b, "* oscsim characterize %s: free-running rings\n%s\n.temp 27\nVdd vdd 0 %s\nVddc vddc 0 %s\n", spec.Name, cards, eng(vdd), eng(vdd))
	var ics []string
	writeRing := func(p string, loads []float64, phase float64) {
		for s := 0; s < S; s++ {
			in, o := fmt.Sprintf("%s_n%d", p, (s+S-1)%S), fmt.Sprintf("%s_n%d", p, s)
			fmt.Fprintf(&b, "M%s_p%d %s %s vdd_%s vdd_%s %s W=%s L=%s\n", p, s, o, in, p, p, d.PMOS, eng(d.WP), eng(d.L))
			fmt.Fprintf(&b, "M%s_n%d %s %s 0 0 %s W=%s L=%s\n", p, s, o, in, d.NMOS, eng(d.WN), eng(d.L))
			fmt.Fprintf(&b, "C%s_%d %s 0 %s\n", p, s, o, eng(loads[s]))
			ics = append(ics, fmt.Sprintf("v(%s)=%s", o, eng(vdd*analytic.NodeV(s, S, phase))))
		}
		fmt.Fprintf(&b, "Vdd_%s vdd_%s 0 %s\n", p, p, eng(vdd))
	}
	loads := func(c float64) []float64 {
		l := make([]float64, S)
		for s := range l {
			l[s] = c
		}
		return l
	}
	writeRing("a", loads(C), 0)
	writeRing("b", loads(C*(1+loadStep)), 0)
	writeRing("c", loads(C), 0)
	for k := 0; k < coupleProbe; k++ {
		// Coupler inverters on ring c's tap, each driving a finger-like
		// load (a switch's capacitance is small; 0.5 fF stands for it).
		fmt.Fprintf(&b, "Mcinv%d_p ci%d c_n0 vddc vddc %s W=%s L=%s\n", k, k, d.PMOS, eng(d.CInvWP), eng(d.L))
		fmt.Fprintf(&b, "Mcinv%d_n ci%d c_n0 0 0 %s W=%s L=%s\n", k, k, d.NMOS, eng(d.CInvWN), eng(d.L))
		fmt.Fprintf(&b, "Cci%d ci%d 0 0.5f\n", k, k)
	}
	// Rings d and e, started half a cycle apart and coupled both ways
	// through the inverter path (inverter, switch, resistor 1/pullG): their
	// locked frequency against ring a's gives the inverter path's pull.
	writeRing("d", loads(C), 0)
	writeRing("e", loads(C), math.Pi)
	for _, pr := range [][2]string{{"d", "e"}, {"e", "d"}} {
		lb := "p" + pr[0] + pr[1]
		fmt.Fprintf(&b, "M%s_p %s %s_n0 vddc vddc %s W=%s L=%s\n", lb, lb, pr[0], d.PMOS, eng(d.CInvWP), eng(d.L))
		fmt.Fprintf(&b, "M%s_n %s %s_n0 0 0 %s W=%s L=%s\n", lb, lb, pr[0], d.NMOS, eng(d.CInvWN), eng(d.L))
		fmt.Fprintf(&b, "M%s_tn %s vddc %s_a 0 %s W=%s L=%s\n", lb, lb, lb, d.NMOS, eng(d.TGWN), eng(d.L))
		fmt.Fprintf(&b, "M%s_tp %s 0 %s_a vddc %s W=%s L=%s\n", lb, lb, lb, d.PMOS, eng(d.TGWP), eng(d.L))
		fmt.Fprintf(&b, "R%s %s_a %s_n0 %s\n", lb, lb, pr[1], eng(1/pullG-ronGuess))
	}
	// One switch, its common mode swept 0 → VDD over the run with 10 mV
	// across it; the current through Vtg gives its conductance.
	fmt.Fprintf(&b, "Vtga tga 0 PWL(0 0 %s %s)\nVtgd tga tgx 0.01\nVtg tgx tgb 0\n", eng(tstop), eng(vdd))
	fmt.Fprintf(&b, "Mtg_n tgb vddc tgc 0 %s W=%s L=%s\nMtg_p tgb 0 tgc vddc %s W=%s L=%s\n", d.NMOS, eng(d.TGWN), eng(d.L), d.PMOS, eng(d.TGWP), eng(d.L))
	// The far end sits 10 mV below the near end: a second source tracks tga.
	fmt.Fprintf(&b, "Etgc tgc 0 tga 0 1\n")
	// Another switch with its terminals tied together, charged by the same
	// ramp: the current through Vswm is C_sw·dV/dt.
	fmt.Fprintf(&b, "Vswm tga swb 0\nMsw_n swb vddc swb 0 %s W=%s L=%s\nMsw_p swb 0 swb vddc %s W=%s L=%s\n", d.NMOS, eng(d.TGWN), eng(d.L), d.PMOS, eng(d.TGWP), eng(d.L))
	if u := spec.Coupler; u != nil {
		// The chip's coupler TG (its fingers in parallel: m = fingers),
		// twice: 10 mV across it either way. The ramp's charging of the
		// channel flows the same way through both and the signal opposite
		// ways, so their difference is the conductance alone (at 1 µm the
		// charging current exceeds the mid-rail signal).
		m := eng(float64(u.Fingers))
		for k, sgn := range []string{"", "-"} {
			fmt.Fprintf(&b, "Vutd%d tga utx%d %s0.01\nVut%d utx%d utb%d 0\nMut%d_n utb%d vddc tgc 0 %s W=%s L=%s m=%s\nMut%d_p utb%d 0 tgc vddc %s W=%s L=%s m=%s\n",
				k, k, sgn, k, k, k, k, k, d.NMOS, eng(u.WN), eng(u.L), m, k, k, d.PMOS, eng(u.WP), eng(u.L), m)
		}
		fmt.Fprintf(&b, "Vusw tga usb 0\nMusw_n usb vddc usb 0 %s W=%s L=%s m=%s\nMusw_p usb 0 usb vddc %s W=%s L=%s m=%s\n", d.NMOS, eng(u.WN), eng(u.L), m, d.PMOS, eng(u.WP), eng(u.L), m)
	}
	saves := []string{"i(vdd_a)", "v(b_n0)", "v(c_n0)", "v(ci0)", "v(d_n0)", "i(vtg)", "i(vswm)"}
	if spec.Coupler != nil {
		saves = append(saves, "i(vut0)", "i(vut1)", "i(vusw)")
	}
	for s := 0; s < S; s++ {
		saves = append(saves, fmt.Sprintf("v(a_n%d)", s))
	}
	o1, err := runTran(ctx, sim, "characterize-free", &b, d, ics, saves, tmax, tstop)
	if err != nil {
		return nil, err
	}
	out.Wall["free"] = o1.Wall
	t := o1.Time()
	tap, _ := o1.Vec("v(a_n0)")
	t0 := float64(warmCycles) * T
	ea := RisingEdges(t, tap, vdd/2)
	fa, err := MeanFrequency(ea, t0, tstop)
	if err != nil {
		return nil, fmt.Errorf("spice: characterise %s: %w", spec.Name, err)
	}
	if math.Abs(fa/spec.FGuess-1) > guessTol && !spec.resized {
		spec.FGuess, spec.resized = fa, true
		return Characterize(ctx, sim, spec)
	}
	vb, _ := o1.Vec("v(b_n0)")
	fb, err := MeanFrequency(RisingEdges(t, vb, vdd/2), t0, tstop)
	if err != nil {
		return nil, err
	}
	vc, _ := o1.Vec("v(c_n0)")
	fc, err := MeanFrequency(RisingEdges(t, vc, vdd/2), t0, tstop)
	if err != nil {
		return nil, err
	}
	// f ∝ 1/(C + Cd): fa/fb = (C(1+ε) + Cd)/(C + Cd) → Cd.
	r := fa / fb
	devCap := (C*(1+loadStep) - r*C) / (r - 1)
	// The tap's extra load k·Cin changes one node of S:
	// fa/fc = (S(C+Cd) + k·Cin)/(S(C+Cd)).
	cin := (fa/fc - 1) * float64(S) * (C + devCap) / coupleProbe
	vd, _ := o1.Vec("v(d_n0)")
	fd, err := MeanFrequency(RisingEdges(t, vd, vdd/2), t0, tstop)
	if err != nil {
		return nil, err
	}
	// Take off the shift of the one coupler inverter on d's tap, then
	// Δω = pull·G/C.
	fd *= (float64(S)*(C+devCap) + cin) / (float64(S) * (C + devCap))
	pull := 2 * math.Pi * (fd - fa) * C / pullG
	// Whole periods for the averages.
	var win []float64
	for _, e := range ea {
		if e >= t0 {
			win = append(win, e)
		}
	}
	wA, wB := win[0], win[len(win)-1]
	isup, _ := o1.Vec("i(vdd_a)")
	supply := -MeanOver(t, isup, wA, wB)
	// TG conductance over the common mode (skip the rails' last 5%).
	itg, _ := o1.Vec("i(vtg)")
	gabs := make([]float64, len(itg))
	for k := range itg {
		gabs[k] = math.Abs(itg[k]) / 0.01
	}
	gmean := MeanOver(t, gabs, 0.05*tstop, 0.95*tstop) // Vcm uniform in time
	if !(gmean > 0) {
		return nil, fmt.Errorf("spice: characterise: the switch conducts no current")
	}
	ron := 1 / gmean
	isw, _ := o1.Vec("i(vswm)")
	tgCap := math.Abs(MeanOver(t, isw, 0.05*tstop, 0.95*tstop)) / (vdd / tstop)
	if spec.Coupler != nil {
		ip, _ := o1.Vec("i(vut0)")
		im, _ := o1.Vec("i(vut1)")
		gu := make([]float64, len(ip))
		for k := range ip {
			gu[k] = math.Abs(ip[k]-im[k]) / 0.02
		}
		cu := &TGCurve{Mean: MeanOver(t, gu, 0.05*tstop, 0.95*tstop)}
		iusw, _ := o1.Vec("i(vusw)")
		cu.Cap = math.Abs(MeanOver(t, iusw, 0.05*tstop, 0.95*tstop)) / (vdd / tstop)
		sr := Series{T: t, Y: gu}
		for k := 0; k <= 10; k++ {
			x := 0.05 + 0.09*float64(k)
			cu.VCM = append(cu.VCM, x*vdd)
			cu.G = append(cu.G, sr.At(x*tstop))
		}
		out.Coupler = cu
	}
	// Node waveforms on θ: θ = −π/2 at each rising tap edge.
	M := spec.TablePoints
	nodes := make([][]float64, S)
	for s := 0; s < S; s++ {
		v, _ := o1.Vec(fmt.Sprintf("v(a_n%d)", s))
		nodes[s] = cycleTable(Series{T: t, Y: v}, win, fa, vdd, M)
	}
	// The coupler inverter's output over ring c's cycle.
	var inv []float64
	{
		ci, _ := o1.Vec("v(ci0)")
		var ec []float64
		for _, e := range RisingEdges(t, vc, vdd/2) {
			if e >= t0 {
				ec = append(ec, e)
			}
		}
		inv = cycleTable(Series{T: t, Y: ci}, ec, fc, vdd, M)
	}
	out.F0, out.Supply, out.Power = fa, supply, supply*vdd
	shape := ringosc.Model{Name: spec.Name, Wave: nodes[0], ISF: make([]float64, M), Pump: make([]float64, M), Nodes: nodes}
	if spec.FreeRunOnly {
		out.Model = shape
		out.Model.F0, out.Model.Power = fa, out.Power
		out.Model.Measured = &ringosc.Measured{Tool: tool, Models: d.Name, NMOS: d.NMOS, PMOS: d.PMOS,
			Stages: S, VDD: vdd, NodeCap: C, L: d.L, WN: d.WN, WP: d.WP,
			DevCap: devCap, CouplerCin: cin, CouplerWN: d.CInvWN, CouplerWP: d.CInvWP, InverterPull: pull,
			TGRon: ron, TGWN: d.TGWN, TGWP: d.TGWP, TGCap: tgCap, StepsPerCycle: d.StepsPerCycle, SpiceOptions: d.Options}
		out.InverterPull = pull
		return out, nil
	}

	// Run 2: ISF by charge injection.
	T = 1 / fa
	K := spec.Points
	perRing := K / isfRings
	tw := 2 * T
	tstop = tw + float64(perRing*pulsePeriod+2)*T
	tmax = T / d.StepsPerCycle
	qmax := C * vdd
	dq := spec.Charge * qmax
	tr, pw := T/400, T/200
	ipk := dq / (pw + tr)
	b.Reset()
	ics = ics[:0]
	fmt.Fprintf(&b, "* oscsim characterize %s: ISF by charge injection (%d points, dq = %g q_max)\n%s\n.temp 27\n", spec.Name, K, spec.Charge, cards)
	type pulse struct {
		ring int
		t    float64
	}
	var pulses []pulse
	for rr := 0; rr <= isfRings; rr++ {
		p := fmt.Sprintf("r%d", rr)
		ics = writeRingStages(&b, p, S, d, C, vdd, &shape, ics)
		if rr == 0 {
			continue // the reference ring
		}
		// Pulses: injection k = (rr−1) + m·isfRings at phase ≈ 2π(k+½)/K.
		var pwl []string
		pwl = append(pwl, "0 0")
		for m := 0; m < perRing; m++ {
			k := (rr - 1) + m*isfRings
			// θ = 0 at t = 0; θ_target = 2π(k+½)/K.
			tc := tw + float64(m*pulsePeriod)*T + (float64(k)+0.5)/float64(K)*T
			ts := tc - pw/2 - tr
			pwl = append(pwl, fmt.Sprintf("%s 0 %s %s %s %s %s 0", eng(ts), eng(ts+tr), eng(ipk), eng(ts+tr+pw), eng(ipk), eng(ts+2*tr+pw)))
			pulses = append(pulses, pulse{rr, tc})
		}
		fmt.Fprintf(&b, "Iinj_%s 0 %s_n0 PWL(%s)\n", p, p, strings.Join(pwl, " "))
	}
	fmt.Fprintf(&b, "Vdd vdd 0 %s\n", eng(vdd))
	saves = saves[:0]
	for rr := 0; rr <= isfRings; rr++ {
		saves = append(saves, fmt.Sprintf("v(r%d_n0)", rr))
	}
	o2, err := runTran(ctx, sim, "characterize-isf", &b, d, ics, saves, tmax, tstop)
	if err != nil {
		return nil, err
	}
	out.Wall["isf"] = o2.Wall
	t = o2.Time()
	edges := make([][]float64, isfRings+1)
	phs := make([]Series, isfRings+1)
	for rr := 0; rr <= isfRings; rr++ {
		v, _ := o2.Vec(fmt.Sprintf("v(r%d_n0)", rr))
		edges[rr] = RisingEdges(t, v, vdd/2)
		phs[rr] = Series{T: edges[rr], Y: EdgePhases(edges[rr], fa)}
		if len(edges[rr]) < 4 {
			return nil, fmt.Errorf("spice: characterise: ring %d of the ISF run does not oscillate", rr)
		}
	}
	// Phase of ring rr relative to the reference at its own edges.
	rel := func(rr int, a, z float64) (float64, bool) {
		var s float64
		n := 0
		for k, e := range edges[rr] {
			if e >= a && e <= z {
				d := phs[rr].Y[k] - phs[0].At(e)
				s += d
				n++
			}
		}
		if n == 0 {
			return 0, false
		}
		return s / float64(n), true
	}
	for _, p := range pulses {
		before, ok1 := rel(p.ring, p.t-1.9*T, p.t-0.05*T)
		after, ok2 := rel(p.ring, p.t+2*T, p.t+(pulsePeriod-0.05)*T)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("spice: characterise: no edges around the pulse at %.4g s", p.t)
		}
		// Injection phase from the ring's own last rising edge.
		k := sort.SearchFloat64s(edges[p.ring], p.t) - 1
		var th float64
		if k >= 0 {
			th = -math.Pi/2 + 2*math.Pi*fa*(p.t-edges[p.ring][k])
		} else {
			th = 2 * math.Pi * fa * p.t
		}
		out.Theta = append(out.Theta, wrap(th))
		out.Gamma = append(out.Gamma, (after-before)*qmax/dq)
	}
	out.InverterPull = pull
	// Fourier fit of Γ(θ).
	H := min(16, K/3)
	coef, rms, err := fitFourier(out.Theta, out.Gamma, H)
	if err != nil {
		return nil, err
	}
	out.FitRMS = rms
	isf := make([]float64, M)
	for m := range isf {
		isf[m] = evalFourier(coef, 2*math.Pi*float64(m)/float64(M))
	}
	out.C0 = coef[0]
	out.C1 = math.Hypot(coef[1], coef[2])
	out.C2 = math.Hypot(coef[3], coef[4])
	psi, pump := ringosc.AlignPump(isf)
	mdl := ringosc.Model{Name: spec.Name, Wave: nodes[0], ISF: isf, Pump: pump, Nodes: nodes, Inv: inv,
		F0: fa, Power: out.Power, PumpPhase: psi,
		Measured: &ringosc.Measured{Tool: tool, Models: d.Name, NMOS: d.NMOS, PMOS: d.PMOS,
			Stages: S, VDD: vdd, NodeCap: C, L: d.L, WN: d.WN, WP: d.WP,
			DevCap: devCap, CouplerCin: cin, InverterPull: pull, CouplerWN: d.CInvWN, CouplerWP: d.CInvWP, TGRon: ron, TGWN: d.TGWN, TGWP: d.TGWP, TGCap: tgCap,
			ISFPoints: K, Charge: spec.Charge, C1: out.C1, C2: out.C2, StepsPerCycle: d.StepsPerCycle, SpiceOptions: d.Options}}
	if d.Models != "" {
		mdl.Measured.Models = d.Models
	}
	if err := mdl.Validate(); err != nil {
		return nil, err
	}
	out.H1, out.G2, out.H1Inv = mdl.CouplingGain(), mdl.PumpGain(), mdl.InverterGain()
	if spec.PumpCurrent >= 0 {
		law, wall, err := measurePumpLaw(ctx, sim, spec, &mdl, cards)
		if err != nil {
			return nil, err
		}
		mdl.Measured.PumpLaw = law
		// The deck's pump phase from the slip-measured lock axis, not the
		// ISF's (ringosc.Model.PinPumpPhase says why).
		mdl.PinPumpPhase()
		out.Wall["pump"] = wall
		if err := mdl.Validate(); err != nil {
			return nil, err
		}
	}
	out.Model = mdl
	return out, nil
}

// Pump-law run: detunings of the slipping rings in units of the ISF's K_s.
var pumpLawDetunings = []float64{-2.4, -1.8, 1.8, 2.4}

const pumpLawCycles = 300

// measurePumpLaw measures the averaged drift of the ring under a pump at
// twice a reference frequency (ringosc.PumpLaw) by phase slip. Eight
// copies of the ring, each with the pump I·cos(2·ω_k·t + ψ) at the model's
// pump phase ψ into its tap (as a chip deck drives it), run at two currents,
// I and I/2, each at reference frequencies ω_k = ω0 − Δ_k with Δ_k =
// ±1.8 and ±2.4 times the ISF's K_s at that current, beyond the lock
// range, so each ring slips through every phase φ relative to its
// reference. The drift between successive rising tap edges, less Δ_k, is
// fitted jointly over the eight rings (after 10% of the run) to
//
//	dφ/dt − Δ_k = K_s·(S2·sin 2φ + C2·cos 2φ) + (x²/ω0)·(Q0 + Q4S·sin 4φ + Q4C·cos 4φ),
//
// x = I/q_max, K_s = g2·x: the first two orders of the averaging expansion
// (ringosc.PumpLaw2; Sanders, Verhulst & Murdock, §2.9), whose first order
// scales with I and second with I², which is what the two currents tell
// apart. The detunings come in ± pairs so that a drift term odd in Δ (the
// tap edge's timing carries the pump's within-cycle modulation, ∝ Δ·cos 2φ
// per edge) cancels.
func measurePumpLaw(ctx context.Context, sim Simulator, spec RingSpec, mdl *ringosc.Model, cards string) (*ringosc.PumpLaw, time.Duration, error) {
	d := spec.Design
	S, vdd, C := spec.Stages, spec.VDD, spec.NodeCap
	f0, g2 := mdl.F0, mdl.PumpGain()
	w0 := 2 * math.Pi * f0
	qmax := C * vdd
	I := spec.PumpCurrent
	if I == 0 {
		I = 0.0025 * w0 * qmax / g2
		e := math.Pow(10, math.Floor(math.Log10(I))-1)
		I = math.Round(I/e) * e
	}
	T := 1 / f0
	tstop := pumpLawCycles * T
	tmax := T / d.StepsPerCycle
	type slip struct{ I, delta float64 } // delta = Δ (rad/s)
	var rings []slip
	for _, cur := range []float64{I / 2, I} {
		ks := g2 * cur / qmax
		for _, k := range pumpLawDetunings {
			rings = append(rings, slip{cur, k * ks})
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "* oscsim characterize %s: pump law by phase slip (%s and %s at twice the ring's frequency less 1.8 and 2.4 K_s either way)\n%s\n.temp 27\nVdd vdd 0 %s\n",
		spec.Name, netlist.FormatSI(I/2, "A"), netlist.FormatSI(I, "A"), cards, eng(vdd))
	var ics, saves []string
	for r, sl := range rings {
		p := fmt.Sprintf("p%d", r)
		ics = writeRingStages(&b, p, S, d, C, vdd, mdl, ics)
		fref := f0 - sl.delta/(2*math.Pi)
		fmt.Fprintf(&b, "Bpump_%s 0 %s_n0 I = %s*cos(%s*time%+.6g)\n", p, p, eng(sl.I), strconv.FormatFloat(4*math.Pi*fref, 'g', 12, 64), mdl.PumpPhase)
		saves = append(saves, fmt.Sprintf("v(%s_n0)", p))
	}
	o, err := runTran(ctx, sim, "characterize-pump", &b, d, ics, saves, tmax, tstop)
	if err != nil {
		return nil, 0, err
	}
	t := o.Time()
	// The joint fit's rows, in units of the ISF's K_s at I.
	ksI := g2 * I / qmax
	var X [][]float64
	var Y []float64
	for r, sl := range rings {
		v, _ := o.Vec(fmt.Sprintf("v(p%d_n0)", r))
		fref := f0 - sl.delta/(2*math.Pi)
		edges := RisingEdges(t, v, vdd/2)
		ph := EdgePhases(edges, fref)
		if len(edges) < pumpLawCycles/2 {
			return nil, 0, fmt.Errorf("spice: characterise: ring %d of the pump-law run does not oscillate", r)
		}
		x := sl.I / qmax
		ks := g2 * x
		for e := 1; e < len(edges); e++ {
			if edges[e-1] < 0.1*tstop {
				continue
			}
			p := 0.5 * (ph[e-1] + ph[e])
			y := ((ph[e]-ph[e-1])/(edges[e]-edges[e-1]) - sl.delta) / ksI
			s2, c2 := math.Sincos(2 * p)
			s4, c4 := math.Sincos(4 * p)
			q := x * x / w0 / ksI
			X = append(X, []float64{ks / ksI * s2, ks / ksI * c2, q, q * s4, q * c4})
			Y = append(Y, y)
		}
	}
	c, rms, err := leastSquares(X, Y)
	if err != nil {
		return nil, 0, fmt.Errorf("spice: characterise: pump-law fit: %v", err)
	}
	law := &ringosc.PumpLaw{Current: I, S2: c[0], C2: c[1], Q0: c[2], Q4S: c[3], Q4C: c[4], RMS: rms}
	return law, o.Wall, nil
}

// leastSquares returns the least-squares solution c of X·c ≈ y (rows of X
// the fit's terms at each sample, by QR) and the rms residual.
func leastSquares(X [][]float64, y []float64) ([]float64, float64, error) {
	n := len(X)
	if n == 0 {
		return nil, 0, errors.New("no samples")
	}
	p := len(X[0])
	if n < p {
		return nil, 0, fmt.Errorf("%d samples for %d terms", n, p)
	}
	A := mat.NewDense(n, p, nil)
	for i, row := range X {
		A.SetRow(i, row)
	}
	var qr mat.QR
	qr.Factorize(A)
	var x mat.Dense
	if err := qr.SolveTo(&x, false, mat.NewDense(n, 1, append([]float64(nil), y...))); err != nil {
		return nil, 0, err
	}
	c := mat.Col(nil, 0, &x)
	var ss float64
	for i, row := range X {
		r := y[i] - floats.Dot(row, c)
		ss += r * r
	}
	return c, math.Sqrt(ss / float64(n)), nil
}

// fitFourier fits y(θ) ≈ a0 + Σ_{n=1..H} (a_n cos nθ + b_n sin nθ) by least
// squares and returns [a0, a1, b1, a2, b2, …] and the rms residual.
func fitFourier(theta, y []float64, H int) ([]float64, float64, error) {
	n, p := len(theta), 1+2*H
	if n < p {
		return nil, 0, fmt.Errorf("spice: %d ISF samples cannot fit %d harmonics", n, H)
	}
	X := make([][]float64, n)
	for i, th := range theta {
		X[i] = make([]float64, p)
		X[i][0] = 1
		for h := 1; h <= H; h++ {
			X[i][2*h], X[i][2*h-1] = math.Sincos(float64(h) * th)
		}
	}
	coef, rms, err := leastSquares(X, y)
	if err != nil {
		return nil, 0, fmt.Errorf("spice: ISF fit: %w", err)
	}
	return coef, rms, nil
}

func evalFourier(coef []float64, th float64) float64 {
	v := coef[0]
	for h := 1; 2*h < len(coef); h++ {
		s, c := math.Sincos(float64(h) * th)
		v += coef[2*h-1]*c + coef[2*h]*s
	}
	return v
}

// SpecFor returns the characterisation spec of the ring named ring ("" =
// the first) of a chip description: its stages, the chip's supply and node
// load, and a frequency guess from the description.
func SpecFor(nl *netlist.Netlist, ring string, d Design) (RingSpec, error) {
	o := nl.Oscillators
	if ring == "" {
		ring = o.Names[0]
	}
	found := false
	for _, n := range o.Names {
		found = found || n == ring
	}
	if !found {
		return RingSpec{}, fmt.Errorf("spice: %s has no oscillator named %q (it has %s)", nl.File, ring, listNames(o.Names, 8))
	}
	spec := RingSpec{Name: fmt.Sprintf("%s ring %s", nl.Name, ring), Design: d, Stages: o.Stages,
		VDD: nl.Tech.VDD, NodeCap: nl.Tech.NodeCap, FGuess: o.Frequency}
	// The pump law is measured at the chip's own pump strength (its second
	// order grows with the current).
	if s := nl.SHIL; s != nil {
		spec.PumpCurrent = s.Current
	}
	spec.Coupler = nl.Couplings.TG
	return spec, nil
}

func listNames(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(", … (%d in all)", len(names))
}

// WriteReport prints a characterisation for people.
func (c *Characterization) WriteReport(w io.Writer) error {
	m := c.Model
	ms := m.Measured
	q := ms.NodeCap * ms.VDD
	_, err := fmt.Fprintf(w, `ring        %s (%s, %d stages, VDD %s, %s per node; %s)
frequency   %s free-running
power       %s (supply %s; %.3g fJ per cycle)
ISF         c0 %.4f, c1 %.4f, c2 %.4f (Fourier magnitudes of Γ(θ), per q_max = %s; %d injections of %.3g q_max, fit rms %.3g)
gains       coupling h1 = %.4f (K = h1·G/C: %.3g%% of ω0 per µS; inverter path %.4f), pump g2 = %.4f (K_s = g2·I/q_max: %.3g%% of ω0 per µA), pump phase %.1f°
devices     node device capacitance %s, coupler inverter load %s, switch %s and %s, inverter-path pull %.4f
wall        ngspice %s (free run) + %s (ISF)
`, m.Name, ms.Models, ms.Stages, netlist.FormatSI(ms.VDD, "V"), netlist.FormatSI(ms.NodeCap, "F"), c.Tool,
		netlist.FormatSI(c.F0, "Hz"),
		netlist.FormatSI(c.Power, "W"), netlist.FormatSI(c.Supply, "A"), c.Power/c.F0*1e15,
		c.C0, c.C1, c.C2, netlist.FormatSI(q, "C"), ms.ISFPoints, ms.Charge, c.FitRMS,
		c.H1, 100*c.H1*1e-6/ms.NodeCap/(2*math.Pi*c.F0), c.H1Inv, c.G2, 100*c.G2*1e-6/q/(2*math.Pi*c.F0), m.PumpPhase*180/math.Pi,
		netlist.FormatSI(ms.DevCap, "F"), netlist.FormatSI(ms.CouplerCin, "F"), netlist.FormatSI(ms.TGRon, "Ω"), netlist.FormatSI(ms.TGCap, "F"), ms.InverterPull,
		c.Wall["free"].Round(time.Millisecond), c.Wall["isf"].Round(time.Millisecond))
	if err != nil {
		return err
	}
	// The tap's asymmetry, what a pump into it couples through: the
	// measured c2/c1 (tech.tap_h2) and the rise/fall ratio it follows from
	// (tech.rise_fall, docs/ringmodel.md).
	if r := m.RiseFall(); c.C1 > 0 {
		_, err = fmt.Fprintf(w, "tap         rise/fall %.3f (10–90%%), c2/c1 %.4f: [tech] tap_h2 = %.4f, or rise_fall = %.3f (tap_h2 = |1 − r²|/(1 + r²) = %.4f)\n",
			r, c.C2/c.C1, c.C2/c.C1, r, tech.TapH2FromRiseFall(r))
		if err != nil {
			return err
		}
	}
	if cu := c.Coupler; cu != nil {
		var pts []string
		for k := range cu.VCM {
			pts = append(pts, fmt.Sprintf("%.2f V %s", cu.VCM[k], netlist.FormatSI(cu.G[k], "S")))
		}
		lo, hi := floats.Min(cu.G), floats.Max(cu.G)
		if _, err = fmt.Fprintf(w, "coupler TG  1/⟨G⟩ = %s over 5–95%% common mode (unit_resistance), capacitance %s; G max/min %.1f; G(V_cm): %s\n",
			netlist.FormatSI(1/cu.Mean, "Ω"), netlist.FormatSI(cu.Cap, "F"), hi/lo, strings.Join(pts, ", ")); err != nil {
			return err
		}
	}
	if pl := ms.PumpLaw; pl != nil {
		var isf2 [3]float64
		isf2[0], isf2[1], isf2[2] = m.PumpLaw2()
		x := pl.Current / q
		ks := c.G2 * x
		w0 := 2 * math.Pi * c.F0
		_, err = fmt.Fprintf(w, "pump law    at %s, per K_s: %+.3f·sin 2φ %+.3f·cos 2φ, second order %+.3f %+.3f·sin 4φ %+.3f·cos 4φ (fit rms %.3f; ISF: −1, 0, %+.3f %+.3f %+.3f); ngspice %s\n",
			netlist.FormatSI(pl.Current, "A"), pl.S2, pl.C2, pl.Q0*x*x/w0/ks, pl.Q4S*x*x/w0/ks, pl.Q4C*x*x/w0/ks, pl.RMS,
			isf2[0]*x*x/w0/ks, isf2[1]*x*x/w0/ks, isf2[2]*x*x/w0/ks, c.Wall["pump"].Round(time.Millisecond))
		if err == nil && ms.ISFPumpPhase != 0 {
			_, err = fmt.Fprintf(w, "pump phase  %.2f°, where the slip puts the lock axis at φ = 0 (the ISF's %.2f°; the law above is in that frame)\n",
				m.PumpPhase*180/math.Pi, ms.ISFPumpPhase*180/math.Pi)
		}
	}
	return err
}

// writeRingStages writes ring p's S inverter stages (supply vdd, node load
// C, devices of design d) and appends the initial condition of each node,
// at phase 0 of the ring's waveform m, to ics.
func writeRingStages(b *strings.Builder, p string, S int, d Design, C, vdd float64, m *ringosc.Model, ics []string) []string {
	for s := 0; s < S; s++ {
		in, o := fmt.Sprintf("%s_n%d", p, (s+S-1)%S), fmt.Sprintf("%s_n%d", p, s)
		fmt.Fprintf(b, "M%s_p%d %s %s vdd vdd %s W=%s L=%s\n", p, s, o, in, d.PMOS, eng(d.WP), eng(d.L))
		fmt.Fprintf(b, "M%s_n%d %s %s 0 0 %s W=%s L=%s\n", p, s, o, in, d.NMOS, eng(d.WN), eng(d.L))
		fmt.Fprintf(b, "C%s_%d %s 0 %s\n", p, s, o, eng(C))
		ics = append(ics, fmt.Sprintf("v(%s)=%s", o, eng(vdd*m.NodeV(s, S, 0))))
	}
	return ics
}

// cycleTable samples a node's voltage sr at M phases θ_m = 2πm/M of a
// ring running at f whose rising tap edges are edges (an edge at
// θ = −π/2), averaged over the cycles the edges bound, in units of vdd.
func cycleTable(sr Series, edges []float64, f, vdd float64, M int) []float64 {
	tab := make([]float64, M)
	for m := 0; m < M; m++ {
		th := 2 * math.Pi * float64(m) / float64(M)
		dt := math.Mod(th+math.Pi/2, 2*math.Pi) / (2 * math.Pi * f)
		var acc float64
		for j := 0; j < len(edges)-1; j++ {
			acc += sr.At(edges[j] + dt)
		}
		tab[m] = acc / float64(len(edges)-1) / vdd
	}
	return tab
}

// runTran ends a characterisation deck — the initial conditions six to a
// line, the design's options, the saved vectors, a transient to tstop at
// steps of at most tmax — and runs it in sim as name.
func runTran(ctx context.Context, sim Simulator, name string, b *strings.Builder, d Design, ics, saves []string, tmax, tstop float64) (*Output, error) {
	for k := 0; k < len(ics); k += 6 {
		b.WriteString(".ic " + strings.Join(ics[k:min(k+6, len(ics))], " ") + "\n")
	}
	b.WriteString(d.optionsLine())
	fmt.Fprintf(b, ".save %s\n.tran %s %s 0 %s\n.end\n", strings.Join(saves, " "), eng(tmax), eng(tstop), eng(tmax))
	return sim.Run(ctx, name, b.String(), tstop)
}
