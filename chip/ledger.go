package chip

import (
	"fmt"
	"math"
	"strconv"

	"oscsim/coupling"
	"oscsim/netlist"
	"oscsim/phasedet"
	"oscsim/ringosc"
	"oscsim/shil"
	"oscsim/tech"
)

// Line is one entry of a ledger breakdown: a component's share and the
// formula it came from, written with the card fields and chip parameters
// it used, so every figure can be traced to a technology card.
type Line struct {
	Name string `json:"name"`
	// Value is in m² (area), W (power) or J (energy).
	Value   float64 `json:"value"`
	Formula string  `json:"formula"`
}

// Ledger is the area, power and energy account of one chip instance, for
// one run or (without a run) as an estimate from the description alone.
// The totals are the sums of their breakdowns: DieArea = Σ Area,
// TotalPower = Σ Power, EnergyPerRun = Σ Energy.
type Ledger struct {
	Chip string `json:"chip"`
	Tech string `json:"tech"`

	// Area is the die broken down: the core's components, the placement
	// overhead that brings them to the core area, the pad ring, and the
	// unused core area of a pad-limited die.
	Area     []Line  `json:"area"`
	CoreArea float64 `json:"core_area_m2"`
	DieArea  float64 `json:"die_area_m2"`
	// DieSide is the side of the (square) die in metres.
	DieSide float64 `json:"die_side_m"`
	// Pads is the pad count used; PadsAssumed is true when the description
	// gave none and DefaultPads was used.
	Pads        int  `json:"pads"`
	PadsAssumed bool `json:"pads_assumed"`
	// PadLimited is true when the pad ring, not the core, sets the die size.
	PadLimited bool `json:"pad_limited"`

	// Power is the average power during a run, broken down.
	Power      []Line  `json:"power"`
	TotalPower float64 `json:"total_power_w"`
	// CouplerPowerFrom is "run" when the TG conduction power came from the
	// phase differences of a run, or "estimate" (uniformly distributed
	// phase differences, ⟨cos Δ⟩ = 0) without one.
	CouplerPowerFrom string `json:"coupler_power_from"`

	// Energy is the energy of one solution from a blank chip: one
	// programming of the couplers plus one run.
	Energy       []Line  `json:"energy"`
	EnergyPerRun float64 `json:"energy_per_run_j"`
	// ProgramEnergy is the energy of one (re)configuration of every
	// coupler site: ConfigBits·EnergyBit.
	ProgramEnergy float64 `json:"program_energy_j"`
	// Programs counts the programmings of this instance so far (the
	// initial one plus Chip.Reprograms()).
	Programs int `json:"programs"`

	Sites        int           `json:"coupler_sites"`
	Programmable bool          `json:"programmable"`
	Hardware     coupling.Site `json:"coupler_hardware"`
	ConfigBits   int           `json:"config_bits"`
	// DriverBits are the injection drivers' configuration bits (drivers.go),
	// written per input when the injections carry it (a layered chip's
	// input clamps), not counted in ProgramEnergy.
	DriverBits int `json:"driver_bits,omitempty"`

	// Duration is the run's simulated time; TimeToSolution is the time of
	// one solution (the run; programming time is not modelled).
	Duration       float64 `json:"duration_s"`
	TimeToSolution float64 `json:"time_to_solution_s"`

	// Assumptions lists the choices the ledger made that the description
	// and card do not fix, and card fields that were missing (counted 0).
	Assumptions []string `json:"assumptions"`
}

// Ledger constants that no card or description sets. Each is an
// assumption [A]; docs/power.md lists them.
const (
	// CoreUtilization is the fraction of the core area occupied by cells;
	// the rest is placement and routing overhead (a common standard-cell
	// row utilisation).
	CoreUtilization = 0.7
	// SignalPads is the number of non-supply pads DefaultPads assumes:
	// reference clock, reset, pump enable, configuration clock, data and
	// load, read-out clock and data.
	SignalPads = 8
	// SupplyPadCurrent is the supply current (A) one VDD/VSS pad pair
	// carries in DefaultPads (electromigration / IR-drop rule of thumb).
	SupplyPadCurrent = 50e-3
)

// DefaultPads returns the pad count assumed when a description gives none:
// SignalPads plus one VDD/VSS pair per SupplyPadCurrent of supply current
// P/VDD, at least two pairs.
func DefaultPads(power, vdd float64) int {
	pairs := 2
	if vdd > 0 {
		pairs = max(pairs, int(math.Ceil(power/vdd/SupplyPadCurrent)))
	}
	return SignalPads + 2*pairs
}

// DieGeometry returns the side s (m) of a square die whose core needs area
// core (m², utilisation included) and whose pad ring holds pads pads of
// pitch p and depth d: the inner side must fit both the core, √core, and
// the pads along its four edges, pads·p/4; then s = inner + 2d. padRing is
// s² − (s−2d)², and padLimited reports whether the pads set the size.
func DieGeometry(core float64, pads int, p, d float64) (s, padRing float64, padLimited bool) {
	a := math.Sqrt(core)
	b := float64(pads) * p / 4
	inner := math.Max(a, b)
	s = inner + 2*d
	return s, s*s - inner*inner, b > a
}

// Ledger returns the chip's area, power and energy account. With res nil
// it estimates from the description: the couplers' TG conduction uses
// uniformly distributed phase differences and the detectors their
// scheduled samples. With a run's result it uses that run's duration,
// coupler power (mean over its inputs) and detector samples.
//
// Everything that does not depend on the run — the area, the hardware, the
// rings' and couplers' fixed power lines, most formulas — is worked out once
// per program (ledgerStatic) and reused: Run builds a ledger every time, and
// formatting it afresh was about a tenth of a small chip's run (4×4 array,
// phase model, one input: 10 ns of 80 per ring-cycle, 59 of 109
// allocations; docs/fidelity.md, "Speed"). Each call returns a ledger of
// its own (no slice is shared with another call's).
func (ch *Chip) Ledger(res *Result) *Ledger {
	return ch.ledgerStatic().ledger(ch, res)
}

// ledgerFixed is the run-independent part of a chip's ledger for one
// program (Chip.Ledger).
type ledgerFixed struct {
	programs int // ch.programs it was made for
	L        Ledger
	// notes are the assumptions before the run's: missing card fields
	// and the coupler sites.
	notes []string
	// tgEstimate is the TG conduction with ⟨cos Δ⟩ = 0 (W).
	tgEstimate float64
	nt         int // pumped rings
	// Per detector: bits (counters: of their largest count) and energy
	// of one sample.
	detBits   []int
	detSample []float64
	// power are the power lines with the run's values left 0.
	power []Line
	// cells are the core's area lines; cellSum their sum (m²).
	cells   []Line
	cellSum float64
	// program is the energy line of one programming.
	program Line
	// padRing and padNote are the pad ring's formula and (when the pad
	// count is assumed) the assumption for pads pads.
	pads             int
	padRing, padNote string
}

// Indices of the lines a run sets in ledgerFixed.power.
const (
	lineTG                             = 3
	linePumpInj, linePumpDist, lineDet = 6, 7, 8
)

// ledgerStatic returns ch's ledgerFixed for its current program, made on
// first use after each programming and kept in ch.ledgerMemo (an atomic
// pointer: Runs may ask concurrently, and at worst two of them make it).
func (ch *Chip) ledgerStatic() *ledgerFixed {
	if f := ch.ledgerMemo.Load(); f != nil && f.programs == ch.programs {
		return f
	}
	f := ch.newLedgerFixed()
	ch.ledgerMemo.Store(f)
	return f
}

// newLedgerFixed works out the run-independent part of ch's ledger.
func (ch *Chip) newLedgerFixed() *ledgerFixed {
	nl := ch.nl
	card := nl.Tech
	o := nl.Oscillators
	cp := nl.Couplings
	N := ch.n
	F := &ledgerFixed{programs: ch.programs}
	L := &F.L
	*L = Ledger{Chip: nl.Name, Tech: card.Name, Programs: 1 + ch.programs, Programmable: cp.Programmable}
	note := func(format string, args ...any) { F.notes = append(F.notes, fmt.Sprintf(format, args...)) }
	si := netlist.FormatSI
	for _, f := range missingFields(card) {
		note("card %s has no %s: the lines that use it count 0", card.Name, f)
	}
	f0, vdd := ch.f0, ch.vdd

	// Rings: ringosc.Area and ringosc.RingPower (docs/model.md §9).
	ringA := float64(N) * ringosc.Area(card, o.Stages)
	rp := ringosc.RingPower(card, o.Stages, ch.c, f0)

	// Couplers: the sites the fabric builds and the codes programmed now.
	var hw coupling.Site
	nNeg := 0
	for _, c := range ch.codes {
		if c < 0 {
			nNeg++
		}
	}
	if cp.Programmable {
		L.Sites = nl.FabricSites()
		hw = coupling.ProgrammableSite(cp.MaxCode, cp.Bits).Scale(L.Sites)
		note("coupler sites are programmable: both paths with %d fingers each, 2 path inverters and %d+1 configuration bits per site; path inverters switch only on sites programmed to the inverter path", cp.MaxCode, cp.Bits)
	} else {
		for _, c := range ch.codes {
			if c != 0 {
				L.Sites++
			}
			hw = hw.Add(coupling.FixedSite(c))
		}
		note("coupler sites are hard-wired: each holds only the fingers of its code, no configuration bits")
	}
	L.Hardware, L.ConfigBits = hw, hw.Bits
	tgA, invA, cfgA := hw.Area(card)

	// TG conduction estimate (coupling.Power): ⟨1 − s·cos Δ⟩ = 1.
	m := &ch.csr
	for i := 0; i < N; i++ {
		for x := m.rowPtr[i]; x < m.rowPtr[i+1]; x++ {
			if g := float64(m.g[x]); g < 0 || int(m.col[x]) > i { // in-phase TG shared: count once
				F.tgEstimate += math.Abs(g) * vdd * vdd / 4
			}
		}
	}
	invP := coupling.InverterPower(2*nNeg, card, f0)
	cplLeak := hw.Leakage(card)

	// SHIL pump (shil.Power with the schedule's mean amplitude, per run).
	var pumpA float64
	if s := nl.SHIL; s != nil {
		F.nt = len(s.Targets)
		pumpA = shil.Area(F.nt, card)
	}

	// Detectors: phasedet.Area per channel and SampleEnergy per sample.
	var detA float64
	for _, det := range ch.detectors {
		bits := det.Bits
		if det.kind == phasedet.Counter {
			// A counter holds the largest count of its window.
			bits = max(1, int(math.Ceil(math.Log2(det.Window*f0+1))))
		}
		detA += float64(len(det.Targets)) * phasedet.Area(det.kind, bits, card)
		F.detBits = append(F.detBits, bits)
		F.detSample = append(F.detSample, phasedet.SampleEnergy(det.kind, bits, card))
	}

	// Power breakdown; the run fills the TG, pump and detector values.
	nt := F.nt
	F.power = []Line{
		{"rings: switching", float64(N) * rp.Dynamic, fmt.Sprintf("N·stages·(C+C_dev)·VDD²·f0 = %d·%d·(%s+%s)·(%s)²·%s", N, o.Stages, si(ch.c, "F"), si(card.DevCap, "F"), si(vdd, "V"), si(f0, "Hz"))},
		{"rings: short-circuit", float64(N) * rp.ShortCircuit, fmt.Sprintf("ShortCircuit·switching = %.3g·switching", card.ShortCircuit)},
		{"rings: leakage", float64(N) * rp.Leakage, fmt.Sprintf("N·stages·LeakInv = %d·%d·%s", N, o.Stages, si(card.LeakInv, "W"))},
		{LineTGConduction, 0, ""},
		{"couplers: path inverters", invP, fmt.Sprintf("2·%d inverter-path sites·CUnit·VDD²·f0·(1+ShortCircuit), CUnit = %s", nNeg, si(card.CUnit, "F"))},
		{"couplers: leakage", cplLeak, fmt.Sprintf("(fingers + inverters + 2·bits)·LeakInv = (%d + %d + 2·%d)·%s", hw.Fingers, hw.Inverters, hw.Bits, si(card.LeakInv, "W"))},
		{"SHIL pump: injection", 0, fmt.Sprintf("n·VDD·2·I·⟨schedule⟩/π, n = %d, I = %s", nt, si(ch.pumpI, "A"))},
		{"SHIL pump: distribution", 0, fmt.Sprintf("Devices(n)·CUnit·VDD²·2·f0·on-fraction, %d devices", shil.Devices(nt))},
		{"detectors: sampling", 0, ""},
	}
	if l, ok := ch.tapLoadLine(f0); ok {
		F.power = append(F.power, l)
	}

	// Area breakdown.
	F.cells = []Line{
		{"rings", ringA, fmt.Sprintf("N·stages·AreaInv = %d·%d·%.3gµm²", N, o.Stages, card.AreaInv*1e12)},
		{"couplers: TG fingers", tgA, fmt.Sprintf("%d fingers·AreaTG (%d sites)", hw.Fingers, L.Sites)},
		{"couplers: path inverters", invA, fmt.Sprintf("%d·AreaInv", hw.Inverters)},
		{"couplers: configuration bits", cfgA, fmt.Sprintf("%d bits·AreaSRAM", hw.Bits)},
		{"SHIL pump", pumpA, fmt.Sprintf("Devices(%d) = %d unit inverters·AreaInv", nt, shil.Devices(nt))},
		{"detectors", detA, fmt.Sprintf("Σ targets·phasedet.Area over %d bank(s)", len(ch.detectors))},
	}
	if drv := ch.Drivers(); drv.Drivers > 0 {
		cellA, signA, bitA := drv.Area(card)
		F.cells = append(F.cells, Line{"injection drivers", cellA + signA + bitA,
			fmt.Sprintf("%d drivers·(2·%d unit cells·AreaInv + 4·AreaTG + 2·(%d+1) bits·AreaSRAM)", drv.Drivers, 1<<drv.Bits-1, drv.Bits)})
		F.power = append(F.power,
			Line{"injection drivers: quadrature lines", drv.QuadratureLines(card, f0), fmt.Sprintf("2·%d drivers·CUnit·VDD²·f0", drv.Drivers)},
			Line{"injection drivers: leakage", drv.Leakage(card), fmt.Sprintf("(%d cells + 4·%d sign switches + 2·%d bits)·LeakInv", drv.Cells(), drv.Drivers, drv.ConfigBits())})
		note("injection drivers: two signed %d-bit current DACs per driver on the reference's quadrature lines (unit cell = AreaInv); their run power is the line %q", drv.Bits, LineInjection)
	}
	progBits, progFormula := hw.Bits, "config bits"
	if b := ch.pumpBits; b > 0 && nt > 0 {
		cells := nt * (1<<b - 1)
		F.cells = append(F.cells, Line{"SHIL pump: per-ring amplitude DACs",
			float64(cells)*card.AreaInv + float64(2*nt)*card.AreaTG + float64(nt*(b+1))*card.AreaSRAM,
			fmt.Sprintf("%d rings·((2^%d − 1)·AreaInv + 2·AreaTG + %d bits·AreaSRAM)", nt, b, b+1)})
		F.power = append(F.power, Line{"SHIL pump: amplitude DACs' leakage",
			float64(cells+2*nt+nt*(b+1)) * card.LeakInv,
			fmt.Sprintf("%d rings·((2^%d − 1) cells + 2 + %d bits)·LeakInv", nt, b, b+1)})
		progBits += nt * (b + 1)
		progFormula = fmt.Sprintf("(config bits + %d pump DAC bits)", nt*(b+1))
		note("SHIL pump: a signed %d-bit amplitude DAC per pumped ring (SetPumpDACs)", b)
	}
	for _, l := range F.cells {
		F.cellSum += l.Value
	}
	L.CoreArea = F.cellSum / CoreUtilization

	L.ProgramEnergy = float64(progBits) * card.EnergyBit
	F.program = Line{"programming", L.ProgramEnergy, fmt.Sprintf("%s·EnergyBit = %d·%s", progFormula, progBits, si(card.EnergyBit, "J"))}
	L.DriverBits = ch.Drivers().ConfigBits()

	// The pad ring's formula for the pad count of the estimate (a run's
	// assumed count differs only when its power crosses a pad pair).
	F.pads = -1
	est := F.ledger(ch, nil)
	F.pads, F.padRing, F.padNote = est.Pads, F.padRingFormula(ch, est.Pads), padNote(est.Pads)
	return F
}

// padRingFormula is the pad ring line's formula for pads pads.
func (F *ledgerFixed) padRingFormula(ch *Chip, pads int) string {
	if pads == F.pads {
		return F.padRing
	}
	card := ch.nl.Tech
	return fmt.Sprintf("s² − (s − 2·PadDepth)², %d pads at %s pitch, depth %s", pads, netlist.FormatSI(card.PadPitch, "m"), netlist.FormatSI(card.PadDepth, "m"))
}

func padNote(pads int) string {
	return fmt.Sprintf("pad count not given: %d assumed (%d signal + VDD/VSS pairs of %s each)", pads, SignalPads, netlist.FormatSI(SupplyPadCurrent, "A"))
}

// ledger completes the fixed part with a run's (or, res nil, the
// description's) duration, coupler power and detector samples.
func (F *ledgerFixed) ledger(ch *Chip, res *Result) *Ledger {
	nl := ch.nl
	card := nl.Tech
	f0, vdd := ch.f0, ch.vdd
	L := new(Ledger)
	*L = F.L
	L.Assumptions = append(make([]string, 0, len(F.notes)+3), F.notes...)

	T := nl.Run.Duration
	if res != nil {
		T = res.Duration
	}
	L.Duration, L.TimeToSolution = T, T

	// TG conduction (coupling.Power): from a run, or ⟨1 − s·cos Δ⟩ = 1.
	var tgP float64
	if res != nil && len(res.CouplerPower) > 0 {
		for _, p := range res.CouplerPower {
			tgP += p
		}
		tgP /= float64(len(res.CouplerPower))
		L.CouplerPowerFrom = "run"
	} else {
		tgP = F.tgEstimate
		L.CouplerPowerFrom = "estimate"
		L.Assumptions = append(L.Assumptions, "TG conduction estimated with uniformly distributed phase differences (⟨cos Δ⟩ = 0); a run replaces it with the phase differences it carried")
	}

	// SHIL pump (shil.Power with the schedule's mean amplitude, times the
	// run's pump scale: a run at RunOptions.KsScale drives that share of
	// the description's current).
	var pumpInj, pumpDist float64
	if nl.SHIL != nil {
		nt := F.nt
		mean, on := ch.sched.Mean(T), ch.sched.OnFraction(T)
		if res != nil && res.KsScale > 0 {
			mean *= res.KsScale
		}
		pumpInj = shil.Power(ch.pumpI*mean, nt, vdd, 0, f0)
		// Per-ring gains (SetPumpGains): ring i draws |g_i| of the current.
		var gsum float64
		for _, g := range ch.pumpMask {
			gsum += math.Abs(g)
		}
		if gsum != float64(nt) {
			pumpInj = shil.Power(ch.pumpI*mean, 1, vdd, 0, f0) * gsum
			L.Assumptions = append(L.Assumptions, fmt.Sprintf("SHIL pump: per-ring gains, injection Σ|g_i|·VDD·2·I·⟨schedule⟩/π with Σ|g_i| = %.4g over %d targets", gsum, nt))
		}
		pumpDist = shil.Power(0, nt, vdd, shil.DistCap(nt, card), f0) * on
	}

	// Detectors: SampleEnergy per sample.
	var detE float64
	var detSamples int
	for d, det := range ch.detectors {
		var perTarget float64 // samples (or counted edges) per target
		switch {
		case det.kind == phasedet.Counter:
			perTarget = math.Round(det.Window * f0)
		case res != nil && d < len(res.Readouts):
			perTarget = float64(len(res.Readouts[d].Times))
		default:
			perTarget = 1
			if det.Every > 0 {
				perTarget = math.Max(1, math.Floor(T*f0/float64(det.Every)))
			}
		}
		detSamples += int(perTarget) * len(det.Targets)
		detE += perTarget * float64(len(det.Targets)) * F.detSample[d]
	}
	detP := 0.0
	if T > 0 {
		detP = detE / T
	}

	// Power breakdown.
	L.Power = append([]Line(nil), F.power...)
	L.Power[lineTG].Value = tgP
	L.Power[lineTG].Formula = "Σ G·VDD²·(1 − s·cos Δ)/4 over conducting TGs (" + L.CouplerPowerFrom + ")"
	L.Power[linePumpInj].Value = pumpInj
	L.Power[linePumpDist].Value = pumpDist
	L.Power[lineDet].Value = detP
	L.Power[lineDet].Formula = strconv.Itoa(detSamples) + " samples·SampleEnergy / T"
	if res != nil && res.InjectPower != nil {
		var p float64
		for _, x := range res.InjectPower {
			p += x
		}
		L.Power = append(L.Power, Line{LineInjection, p / float64(len(res.InjectPower)), "Σ VDD·2·I_inj/π over injected rings, mean over inputs (inject.go)"})
	}
	for _, l := range L.Power {
		L.TotalPower += l.Value
	}

	// Area breakdown: the cells, then the die.
	L.Pads = nl.Pads
	if L.Pads == 0 {
		L.Pads, L.PadsAssumed = DefaultPads(L.TotalPower, vdd), true
		note := F.padNote
		if L.Pads != F.pads {
			note = padNote(L.Pads)
		}
		L.Assumptions = append(L.Assumptions, note)
	}
	s, ring, padLimited := DieGeometry(L.CoreArea, L.Pads, card.PadPitch, card.PadDepth)
	L.DieSide, L.PadLimited = s, padLimited
	L.DieArea = s * s
	fill := 0.0
	if padLimited {
		fill = L.DieArea - ring - L.CoreArea
	} else {
		ring = L.DieArea - L.CoreArea // the same value, without rounding residue
	}
	L.Area = append(append(make([]Line, 0, len(F.cells)+3), F.cells...),
		Line{"core overhead (placement, routing)", L.CoreArea - F.cellSum, coreOverheadFormula},
		Line{"pad ring (I/O)", ring, F.padRingFormula(ch, L.Pads)},
		Line{"unused core (pad-limited die)", fill, "(s − 2·PadDepth)² − core"},
	)
	L.Assumptions = append(L.Assumptions, coreNote)

	// Energy of one solution: program once, then run.
	L.Energy = []Line{
		F.program,
		{"run", L.TotalPower * T, "total power·T = " + netlist.FormatSI(L.TotalPower, "W") + "·" + netlist.FormatSI(T, "s")},
	}
	for _, l := range L.Energy {
		L.EnergyPerRun += l.Value
	}
	return L
}

var (
	coreOverheadFormula = fmt.Sprintf("cells·(1/%.2g − 1)", CoreUtilization)
	coreNote            = fmt.Sprintf("core utilisation %.2g; square die; the pad ring holds all pads on its four inner edges", CoreUtilization)
)

// missingFields lists the card fields the ledger uses that are zero.
func missingFields(c tech.Card) []string {
	var out []string
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"VDD", c.VDD}, {"NodeCap", c.NodeCap}, {"LeakInv", c.LeakInv}, {"AreaInv", c.AreaInv},
		{"AreaNAND2", c.AreaNAND2}, {"AreaTG", c.AreaTG}, {"AreaDFF", c.AreaDFF}, {"AreaSRAM", c.AreaSRAM},
		{"EnergyDFF", c.EnergyDFF}, {"PadPitch", c.PadPitch}, {"PadDepth", c.PadDepth},
		{"CUnit", c.CUnit}, {"EnergyBit", c.EnergyBit},
	} {
		if !(f.v > 0) {
			out = append(out, f.name)
		}
	}
	return out
}

// LineTGConduction names the power line of the couplers' TG conduction,
// the one line a run's phase differences set (Result.CouplerPower).
const LineTGConduction = "couplers: TG conduction"

// LineInjection names the power line of the injection drivers at f0
// (Input.Inject), present only in the ledger of a run that injects.
const LineInjection = "injection at f0"

// PowerLine returns the value of the power line called name, or 0.
func (L *Ledger) PowerLine(name string) float64 {
	for _, l := range L.Power {
		if l.Name == name {
			return l.Value
		}
	}
	return 0
}

// LedgerMean averages the ledgers of a workload's runs on one chip
// instance (an OscNet inference is ten runs of ten programs, say): Add each
// run's ledger (Result.Ledger) with its weight, run time × inputs, and
// Ledger returns the account of one inference.
type LedgerMean struct {
	first *Ledger
	sums  map[string]float64
	w     float64
}

// Add accumulates a run's ledger with weight w (s·inputs).
func (m *LedgerMean) Add(L *Ledger, w float64) {
	if L == nil || !(w > 0) {
		return
	}
	if m.first == nil {
		m.first, m.sums = L, map[string]float64{}
	}
	for _, l := range L.Power {
		m.sums[l.Name] += l.Value * w
	}
	m.w += w
}

// Merge adds the runs accumulated in u (of the same chip instance).
func (m *LedgerMean) Merge(u *LedgerMean) {
	if u.first == nil {
		return
	}
	if m.first == nil {
		m.first, m.sums = u.first, map[string]float64{}
	}
	for _, l := range u.first.Power {
		m.sums[l.Name] += u.sums[l.Name]
	}
	m.w += u.w
}

// Ledger returns the mean ledger: the first run's area and hardware
// account, every power line the weighted mean over the runs, and the
// energy of one inference that takes programs programmings and t of chip
// time: programs·ProgramEnergy + mean power·t. Nil when nothing was added.
func (m *LedgerMean) Ledger(programs, t float64) *Ledger {
	if m.first == nil {
		return nil
	}
	L := *m.first
	L.Power = make([]Line, len(m.first.Power))
	L.TotalPower = 0
	for k, l := range m.first.Power {
		l.Value = m.sums[l.Name] / m.w
		l.Formula = "mean over the inference's runs of: " + l.Formula
		L.Power[k] = l
		L.TotalPower += l.Value
	}
	L.Duration, L.TimeToSolution = t, t
	L.Energy = []Line{
		{"programming", programs * L.ProgramEnergy, fmt.Sprintf("%g programmings·%s", programs, netlist.FormatSI(L.ProgramEnergy, "J"))},
		{"run", L.TotalPower * t, fmt.Sprintf("mean power·chip time = %s·%s", netlist.FormatSI(L.TotalPower, "W"), netlist.FormatSI(t, "s"))},
	}
	L.EnergyPerRun = 0
	for _, l := range L.Energy {
		L.EnergyPerRun += l.Value
	}
	L.Assumptions = append(append([]string(nil), m.first.Assumptions...),
		"power lines averaged over the inference's runs, weighted by run time × inputs; energy is one inference's programmings and runs")
	return &L
}
