package bench

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"oscsim/chip"
	"oscsim/internal/chiptest"
	"oscsim/learn"
	"oscsim/netlist"
)

var supplyChip = oscnetTestTOML("count = 6\nfrequency = \"1GHz\"\n", 10, 16)

// TestSupplyPowerIsEnergy is the closed form of the supply read-out
// (oscnet_supply.go): on a 6-ring chip with noise and mismatch off, rings
// loaded exactly at 0 or π stay there, and the couplers' measured power is
//
//	P = VDD²·g/4·(Σ m_k·|code_k| − Σ_{k+} code_k·s_i·s_j + 2·Σ_{k−} |code_k|·s_i·s_j),
//
// m = 1 in-phase, 2 inverter path: the class constant plus the Hopfield
// energy of the codes, with the inverter pairs counted twice
// (E' = E + Σ_{k−} |w_k|·s_i·s_j). Tolerance 1e-7 of the constant term:
// the chip keeps conductances in float32 (6·10⁻⁸ relative each; measured
// deviation ≤ 1·10⁻⁸ of P).
func TestSupplyPowerIsEnergy(t *testing.T) {
	t.Parallel()
	ch := chiptest.Compile(t, "supply.toml", []byte(supplyChip))
	r := rand.New(rand.NewPCG(5, 6))
	var edges []netlist.Edge
	for i := 0; i < 6; i++ {
		for j := i + 1; j < 6; j++ {
			edges = append(edges, netlist.Edge{I: i, J: j, W: 2*r.Float64() - 1})
		}
	}
	if _, err := ch.ProgramScale(edges, 1); err != nil {
		t.Fatal(err)
	}
	codes := ch.Codes()
	w := make([]float64, len(codes))
	for k, c := range codes {
		w[k] = ch.CodeValue(c)
	}
	var states [][]int
	var in []chip.Input
	for x := 0; x < 8; x++ {
		s := make([]int, 6)
		ph := make([]float64, 6)
		for i := range s {
			s[i] = 1
			if (x*37>>i)&1 == 1 {
				s[i], ph[i] = -1, math.Pi
			}
		}
		states = append(states, s)
		in = append(in, chip.Input{Phases: ph})
	}
	res, err := ch.Run(context.Background(), in, chip.RunOptions{NoNoise: true, Precision: chip.PrecisionFloat64})
	if err != nil {
		t.Fatal(err)
	}
	sm := newSupplyModel(ch, codes, ch.CodeValue(1))
	vdd, g := ch.Netlist().Tech.VDD, ch.UnitConductance()
	for b, s := range states {
		hop := pairEnergy(edges, w, s) // eq (11) of the codes
		extra := 0.0
		for k, e := range edges {
			if w[k] < 0 {
				extra -= w[k] * float64(s[e.I]*s[e.J])
			}
		}
		want := SupplyEnergy(edges, w, s)
		if math.Abs(want-(hop+extra)) > 1e-12 {
			t.Fatalf("state %v: E' = %g, E + Σ_{k−}|w|ss = %g", s, want, hop+extra)
		}
		wantP := vdd * vdd * g / 4 * (sm.c0 + want/sm.unit)
		tol := 1e-7 * vdd * vdd * g / 4 * sm.c0
		if got := res.CouplerPower[b]; math.Abs(got-wantP) > tol {
			t.Errorf("state %v: coupler power %.12g W, closed form %.12g W", s, got, wantP)
		}
		if got := sm.energy(res.CouplerPower[b]); math.Abs(got-want) > 1e-7*sm.c0*sm.unit {
			t.Errorf("state %v: read-out energy %.12g, E' %.12g", s, got, want)
		}
	}
}

// TestSupplyADC: an ideal ADC passes the power through; a b-bit ADC
// rounds the current to FS/(2^b − 1) steps and clips at full scale; the
// default conversion energy is 10 fJ·2^b.
func TestSupplyADC(t *testing.T) {
	t.Parallel()
	if got := (SupplyADC{}).read(0.123, 1, 1); got != 0.123 {
		t.Errorf("ideal ADC: %g, want 0.123", got)
	}
	a := SupplyADC{Bits: 2} // steps of 1/3 A at 1 V
	for _, c := range []struct{ p, want float64 }{{0.1, 0}, {0.2, 1.0 / 3}, {0.5, 2.0 / 3}, {0.9, 1}, {5, 1}, {-1, 0}} {
		if got := a.read(c.p, 1, 1); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("2-bit ADC of %g W: %g, want %g", c.p, got, c.want)
		}
	}
	if got := (SupplyADC{Bits: 12}).conversionEnergy(); math.Abs(got-40.96e-12) > 1e-20 {
		t.Errorf("12-bit conversion energy %g J, want 40.96 pJ", got)
	}
}

// TestQuantizedModel holds the mapping's quantisation against hand-worked
// cases: a 3-pixel class network with S2 stored one way (0,1) = 1 and
// both ways (1,2) = 2, (2,1) = 4.
func TestQuantizedModel(t *testing.T) {
	t.Parallel()
	net := learn.CSR{N: 3, Indptr: []int64{0, 1, 2, 3}, Indices: []int32{1, 2, 1}, Data: []float32{1, 2, 4}, Reverse: []float32{3, 4, 2}}
	m := &learn.Model{Classes: 1, Pixels: 3, Nets: []learn.CSR{net}}
	dense := func(mp Mapping, maxCode int, inv bool) []float64 {
		q, err := QuantizedModel(m, mp, maxCode, inv)
		if err != nil {
			t.Fatal(err)
		}
		return q.Nets[0].Dense()
	}
	for _, c := range []struct {
		name    string
		mp      Mapping
		maxCode int
		inv     bool
		w01     float64 // symmetric weight of pair (0,1); (1,2) is w12
		w12     float64
	}{
		// exact: (0,1) = 1/2, (1,2) = (2+4)/2 = 3.
		{"exact, no quantisation", Mapping{Sym: learn.SymExact, Scale: ScaleCommon, Quantile: 1}, 0, false, 0.5, 3},
		// or: (0,1) = (1+3)/2 = 2, (1,2) = 3.
		{"or, no quantisation", Mapping{Sym: learn.SymOr, Scale: ScaleCommon, Quantile: 1}, 0, false, 2, 3},
		// full scale 3, 1 bit (codes −1…1): 0.5/3 rounds to 0, 3 → 3.
		{"exact, 1 bit", Mapping{Sym: learn.SymExact, Scale: ScaleCommon, Quantile: 1}, 1, false, 0, 3},
		// 2 bits (±3 steps of 1): 0.5 → round(0.5) = 1 (half away from zero).
		{"exact, 2 bits", Mapping{Sym: learn.SymExact, Scale: ScaleClass, Quantile: 1}, 3, false, 1, 3},
		// quantile 0 picks the smallest |w| (0.5) as full scale: 3 clips to 0.5.
		{"exact, clip at the smallest", Mapping{Sym: learn.SymExact, Scale: ScaleClass, Quantile: 1e-9}, 3, false, 0.5, 0.5},
	} {
		d := dense(c.mp, c.maxCode, c.inv)
		if d[1] != c.w01 || d[3] != c.w01 || d[5] != c.w12 || d[7] != c.w12 {
			t.Errorf("%s: weights %v, want (0,1) = %g, (1,2) = %g", c.name, d, c.w01, c.w12)
		}
	}
	// Per row (directed, software only): row 2 holds only 4, so any grid
	// keeps it; row 0 holds only 1.
	d := dense(Mapping{Sym: learn.SymExact, Scale: ScaleRow, Quantile: 1}, 1, false)
	if d[1] != 1 || d[5] != 2 || d[7] != 4 {
		t.Errorf("per-row 1-bit: %v, want (0,1) = 1, (1,2) = 2, (2,1) = 4", d)
	}
	// invTwice doubles the negative weights only.
	neg := learn.CSR{N: 2, Indptr: []int64{0, 1, 2}, Indices: []int32{1, 0}, Data: []float32{-1, -1}, Reverse: []float32{-1, -1}}
	m2 := &learn.Model{Classes: 1, Pixels: 2, Nets: []learn.CSR{neg}}
	q, _ := QuantizedModel(m2, Mapping{Sym: learn.SymExact, Scale: ScaleCommon, Quantile: 1}, 0, true)
	if d := q.Nets[0].Dense(); d[1] != -2 {
		t.Errorf("invTwice: %v, want −2", d)
	}
	if _, err := QuantizedModel(m, Mapping{Sym: learn.SymExact, Scale: ScaleRow, Quantile: 1}, 0, false); err != nil {
		t.Errorf("per-row in software: %v", err)
	}
	if err := (Mapping{Sym: learn.SymExact, Scale: ScaleRow, Quantile: 1}).validate(true); err == nil {
		t.Error("a per-row full scale was accepted for a chip")
	}
}
