package chip

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"oscsim/netlist"
)

// tinyChip is a hand-checkable chip on the 45 nm card: two 5-stage rings at
// 1 GHz, one programmable site at code +1 (3 magnitude codes in 2 bits) of
// 100 kΩ per finger, a constant 5 µA pump on both rings, a sampler per
// ring read once, 20 pads, 50 cycles.
const tinyChip = `
[chip]
name = "tiny"
tech = "45nm"
pads = 20
[oscillators]
count = 2
stages = 5
frequency = "1GHz"
init_phases = [0.0, 90.0]
[couplings]
bits = 2
max_code = 3
quantize = "exact"
unit_resistance = "100kOhm"
programmable = true
[[coupling]]
from = 0
to = 1
weight = 1
[shil]
current = "5uA"
[[detector]]
kind = "sampler"
[run]
cycles = 50
model = "phase"
`

func compileSrc(t *testing.T, src string) *Chip {
	t.Helper()
	return compileText(t, "t.toml", src)
}

func lineValue(t *testing.T, ls []Line, name string) float64 {
	t.Helper()
	for _, l := range ls {
		if l.Name == name {
			return l.Value
		}
	}
	t.Fatalf("no ledger line %q", name)
	return 0
}

// TestLedgerHand checks every line of the tiny chip's estimate against
// values worked out by hand from the 45 nm card (tech.go: AreaInv = AreaTG
// 0.532 µm², AreaDFF 4.522 µm², AreaSRAM 0.346 µm², NodeCap 10 fF,
// ShortCircuit 0.076, LeakInv 0.5 nW, CUnit 0.4 fF, EnergyDFF 3 fJ,
// EnergyBit 20 fJ, PadPitch 50 µm, PadDepth 150 µm).
func TestLedgerHand(t *testing.T) {
	t.Parallel()
	L := compileSrc(t, tinyChip).Ledger(nil)
	const um2 = 1e-12
	T := 50e-9
	pumpInj := 2 * 1.0 * 2 * 5e-6 / math.Pi // n·VDD·2I/π
	for _, c := range []struct {
		name      string
		ls        []Line
		want, tol float64
	}{
		// Area: rings 2·5 inverters; one programmable site = 3·3 fingers,
		// 2 inverters, 2+1 bits; pump Devices(2) = 3; 2 flip-flops.
		{"rings", L.Area, 10 * 0.532 * um2, 1e-12},
		{"couplers: TG fingers", L.Area, 9 * 0.532 * um2, 1e-12},
		{"couplers: path inverters", L.Area, 2 * 0.532 * um2, 1e-12},
		{"couplers: configuration bits", L.Area, 3 * 0.346 * um2, 1e-12},
		{"SHIL pump", L.Area, 3 * 0.532 * um2, 1e-12},
		{"detectors", L.Area, 2 * 4.522 * um2, 1e-12},
		// Pad-limited: inner side 20·50 µm/4 = 250 µm, die side 550 µm,
		// ring 550² − 250² µm².
		{"pad ring (I/O)", L.Area, (550*550 - 250*250) * um2, 1e-9},
		// Power: rings 2·5·(10 + 0.63) fF·1 V²·1 GHz = 106.3 µW (explicit
		// load and device capacitance), +1.1%, leakage
		// 10·0.5 nW; TG at code 1 = 10 µS with ⟨cos Δ⟩ = 0: G·V²/4 = 2.5 µW;
		// no inverter-path code; leakage (9 + 2 + 2·3)·0.5 nW; pump
		// injection 2·1 V·2·5 µA/π, distribution 3·0.4 fF·1 V²·2 GHz;
		// 2 samples·3 fJ over 50 ns.
		{"rings: switching", L.Power, 106.3e-6, 1e-12},
		{"rings: short-circuit", L.Power, 0.011 * 106.3e-6, 1e-12},
		{"rings: leakage", L.Power, 5e-9, 1e-12},
		{"couplers: TG conduction", L.Power, 2.5e-6, 1e-7}, // G kept in float32
		{"couplers: path inverters", L.Power, 0, 0},
		{"couplers: leakage", L.Power, 17 * 0.5e-9, 1e-12},
		{"SHIL pump: injection", L.Power, pumpInj, 1e-12},
		{"SHIL pump: distribution", L.Power, 3 * 0.4e-15 * 2e9, 1e-12},
		{"detectors: sampling", L.Power, 2 * 3e-15 / T, 1e-9},
		// Energy: 3 configuration bits·20 fJ; the run at total power.
		{"programming", L.Energy, 60e-15, 1e-12},
	} {
		got := lineValue(t, c.ls, c.name)
		if c.want == 0 {
			if got != 0 {
				t.Errorf("%s = %g, want 0", c.name, got)
			}
			continue
		}
		if math.Abs(got/c.want-1) > c.tol {
			t.Errorf("%s = %.6g, want %.6g", c.name, got, c.want)
		}
	}
	if !L.PadLimited || L.Pads != 20 || L.PadsAssumed || math.Abs(L.DieSide-550e-6) > 1e-12 {
		t.Errorf("die: side %g, pads %d (assumed %v), pad-limited %v", L.DieSide, L.Pads, L.PadsAssumed, L.PadLimited)
	}
	if L.Sites != 1 || L.ConfigBits != 3 || L.CouplerPowerFrom != "estimate" {
		t.Errorf("sites %d, bits %d, coupler power from %q", L.Sites, L.ConfigBits, L.CouplerPowerFrom)
	}
	checkTotals(t, L)
}

// checkTotals holds every total to the sum of its breakdown.
func checkTotals(t *testing.T, L *Ledger) {
	t.Helper()
	sum := func(ls []Line) float64 {
		s := 0.0
		for _, l := range ls {
			if l.Value < -1e-18 {
				t.Errorf("line %q is negative: %g", l.Name, l.Value)
			}
			s += l.Value
		}
		return s
	}
	for _, c := range []struct {
		name       string
		total, sum float64
	}{
		{"die area", L.DieArea, sum(L.Area)},
		{"total power", L.TotalPower, sum(L.Power)},
		{"energy per run", L.EnergyPerRun, sum(L.Energy)},
		{"core area", L.CoreArea, sum(L.Area[:len(L.Area)-2])},
	} {
		if math.Abs(c.total-c.sum) > 1e-9*math.Abs(c.total) {
			t.Errorf("%s %g ≠ Σ breakdown %g", c.name, c.total, c.sum)
		}
	}
	if want := L.TotalPower * L.Duration; math.Abs(lineValue(t, L.Energy, "run")-want) > 1e-9*want {
		t.Errorf("run energy ≠ total power × duration")
	}
}

// TestLedgerTotals holds the totals to their breakdowns for every embedded
// example chip (estimate) and a hard-wired and a core-limited case.
func TestLedgerTotals(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		tinyChip,
		strings.Replace(tinyChip, "programmable = true", "programmable = false", 1),
		strings.Replace(tinyChip, "pads = 20", "pads = 4", 1),
		strings.Replace(tinyChip, "pads = 20\n", "", 1),
	} {
		checkTotals(t, compileSrc(t, src).Ledger(nil))
	}
	// Hard-wired: the site holds only its code's finger, no bits.
	L := compileSrc(t, strings.Replace(tinyChip, "programmable = true", "programmable = false", 1)).Ledger(nil)
	if L.Hardware.Fingers != 1 || L.Hardware.Bits != 0 || L.ProgramEnergy != 0 {
		t.Errorf("hard-wired site: %+v, program energy %g", L.Hardware, L.ProgramEnergy)
	}
	// Default pads: 8 signal + 2 supply pairs at this power.
	L = compileSrc(t, strings.Replace(tinyChip, "pads = 20\n", "", 1)).Ledger(nil)
	if L.Pads != 12 || !L.PadsAssumed {
		t.Errorf("default pads %d (assumed %v), want 12", L.Pads, L.PadsAssumed)
	}
}

// TestLedgerCouplerPowerFromRun checks the phase-dependent TG power a run
// puts into the ledger (coupling.Power over the run): two rings on the
// in-phase path locked in phase dissipate nothing in their TG; held
// exactly anti-phase (an equilibrium without noise or mismatch) they
// dissipate the maximum G·VDD²/2 = 10 µS·1 V²/2 = 5 µW.
func TestLedgerCouplerPowerFromRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		phases string
		want   float64
	}{
		{"in phase", "[0.0, 0.0]", 0},
		{"anti-phase", "[0.0, 180.0]", 5e-6},
	} {
		ch := compileSrc(t, strings.Replace(tinyChip, "[0.0, 90.0]", tc.phases, 1))
		res, err := ch.Run(context.Background(), nil, RunOptions{NoNoise: true})
		if err != nil {
			t.Fatal(err)
		}
		L := ch.Ledger(res)
		if res.Ledger == nil || res.Ledger.TotalPower != L.TotalPower {
			t.Errorf("%s: Result.Ledger %v does not match Chip.Ledger(res)", tc.name, res.Ledger)
		}
		got := lineValue(t, L.Power, "couplers: TG conduction")
		if L.CouplerPowerFrom != "run" || math.Abs(got-tc.want) > 1e-3*5e-6 {
			t.Errorf("%s: TG conduction %g W (from %s), want %g W", tc.name, got, L.CouplerPowerFrom, tc.want)
		}
		checkTotals(t, L)
	}
}

// TestLedgerMemo: the ledger's run-independent part is kept per program
// (ledgerFixed); a reprogrammed chip's ledger is the one worked out afresh,
// and no two ledgers share a slice.
func TestLedgerMemo(t *testing.T) {
	t.Parallel()
	ch := compileSrc(t, strings.Replace(tinyChip, "pads = 20\n", "", 1))
	before := ch.Ledger(nil)
	if _, err := ch.Program([]netlist.Edge{{I: 0, J: 1, W: -1}}); err != nil {
		t.Fatal(err)
	}
	res, err := ch.Run(context.Background(), nil, RunOptions{NoNoise: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*Result{nil, res} {
		got, _ := json.Marshal(ch.Ledger(r))
		want, _ := json.Marshal(ch.newLedgerFixed().ledger(ch, r))
		if string(got) != string(want) {
			t.Errorf("ledger after Program (run %v) is not the fresh one:\n%s\n%s", r != nil, got, want)
		}
	}
	after := ch.Ledger(nil)
	if after.Programs != 2 || lineValue(t, after.Power, "couplers: path inverters") == lineValue(t, before.Power, "couplers: path inverters") {
		t.Errorf("ledger did not follow the new program: %d programs", after.Programs)
	}
	a, b := ch.Ledger(res), ch.Ledger(res)
	a.Power[0].Value, a.Area[0].Value, a.Energy[0].Value, a.Assumptions[0] = -1, -1, -1, "x"
	if b.Power[0].Value < 0 || b.Area[0].Value < 0 || b.Energy[0].Value < 0 || b.Assumptions[0] == "x" {
		t.Error("two ledgers share a slice")
	}
}

// The ledger marshals to JSON with its totals.
func TestLedgerJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(compileSrc(t, tinyChip).Ledger(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"die_area_m2"`, `"total_power_w"`, `"energy_per_run_j"`, `"coupler_sites":1`, `"formula"`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("JSON lacks %s", k)
		}
	}
}

// LedgerMean: power lines are the weighted means of the runs' lines, and
// an inference's energy is programs·ProgramEnergy + mean power·t (exact
// closed forms, 1e-12 relative).
func TestLedgerMean(t *testing.T) {
	run := func(a, b float64) *Ledger {
		return &Ledger{ProgramEnergy: 1e-9, Power: []Line{{Name: "a", Value: a}, {Name: "b", Value: b}}, TotalPower: a + b}
	}
	var m LedgerMean
	if m.Ledger(1, 1) != nil {
		t.Fatal("an empty mean has a ledger")
	}
	m.Add(run(1, 2), 1)
	m.Add(run(3, 6), 3)
	m.Add(nil, 5) // runs without a ledger do not count
	L := m.Ledger(2, 1e-8)
	near := func(got, want float64, what string) {
		if math.Abs(got-want) > 1e-12*math.Abs(want) {
			t.Errorf("%s = %g, want %g", what, got, want)
		}
	}
	near(L.Power[0].Value, 2.5, "line a")
	near(L.Power[1].Value, 5, "line b")
	near(L.TotalPower, 7.5, "total power")
	near(L.Energy[0].Value, 2e-9, "programming energy")
	near(L.Energy[1].Value, 7.5e-8, "run energy")
	near(L.EnergyPerRun, 7.7e-8, "energy per inference")
	near(L.TimeToSolution, 1e-8, "time to solution")
}
