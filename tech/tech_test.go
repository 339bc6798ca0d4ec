package tech

import (
	"math"
	"reflect"
	"testing"
)

// TestCardsComplete checks that every built-in card fills every field: a
// zero field would make a ledger line silently count 0.
func TestCardsComplete(t *testing.T) {
	t.Parallel()
	for _, name := range Names() {
		c, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		v := reflect.ValueOf(c)
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if f.Kind() == reflect.Float64 && !(f.Float() > 0) {
				t.Errorf("card %s: %s = %g, want > 0", name, v.Type().Field(i).Name, f.Float())
			}
		}
		if c.Vth >= c.VDD {
			t.Errorf("card %s: Vth %g ≥ VDD %g", name, c.Vth, c.VDD)
		}
	}
}

// TestNames pins the four required nodes, largest first.
func TestNames(t *testing.T) {
	t.Parallel()
	want := []string{"180nm", "65nm", "45nm", "28nm"}
	if got := Names(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	if _, err := Lookup("7nm"); err == nil {
		t.Fatal("Lookup(7nm) succeeded, want an error naming the known cards")
	}
}

// TestLookupIsACopy checks that changing a returned card does not change
// the built-in one.
func TestLookupIsACopy(t *testing.T) {
	t.Parallel()
	a, _ := Lookup("65nm")
	a.VDD = 99
	b, _ := Lookup("65nm")
	if b.VDD != 1.2 {
		t.Fatalf("built-in 65nm VDD changed to %g", b.VDD)
	}
}

// TestAnchor45 holds the 45 nm card to the project's ngspice anchor
// (docs/model.md §9 [V]): 5 stages, 10 fF per node, 1.0 V run at
// 1.399 GHz. f0 = 1/(2·N·t_d) with t_d = ln2·InvReff·C must land within
// 1%, since InvReff was fitted to it.
func TestAnchor45(t *testing.T) {
	t.Parallel()
	c, _ := Lookup("45nm")
	f := 1 / (2 * 5 * c.StageDelay(c.NodeCap))
	if math.Abs(f/1.399e9-1) > 0.01 {
		t.Fatalf("45nm 5-stage ring at 10 fF: f0 = %.4g Hz, want 1.399 GHz ±1%%", f)
	}
}

// TestNanGateScaling checks the area scaling rule of the cards: NanGate45
// cells scaled by (node/45 nm)² (docs/model.md §9 [D]), e.g. INV_X1
// 0.532 µm² → 1.111 µm² at 65 nm, to 0.1%.
func TestNanGateScaling(t *testing.T) {
	t.Parallel()
	c, _ := Lookup("65nm")
	want := 0.532e-12 * (65.0 / 45) * (65.0 / 45)
	if math.Abs(c.AreaInv/want-1) > 1e-3 {
		t.Fatalf("65nm AreaInv = %g m², want %g", c.AreaInv, want)
	}
}

// TestTapH2FromRiseFall: equal edges give no second harmonic; the closed
// form is symmetric in which edge is slower (r and 1/r); at the generic
// rings' measured 10–90% ratio 0.926 it gives 0.077 (measured c2/c1
// 0.073–0.076) and at PTM 45 nm HP's 0.867 0.141 (measured 0.122),
// docs/ringmodel.md.
func TestTapH2FromRiseFall(t *testing.T) {
	t.Parallel()
	if x := TapH2FromRiseFall(1); x != 0 {
		t.Errorf("equal edges: %g, want 0", x)
	}
	for _, c := range []struct{ r, want float64 }{{0.926, 0.0771}, {0.867, 0.1413}} {
		if x := TapH2FromRiseFall(c.r); math.Abs(x-c.want) > 5e-4 || math.Abs(TapH2FromRiseFall(1/c.r)-x) > 1e-12 {
			t.Errorf("r = %g: %.4f (1/r: %.4f), want %.4f", c.r, x, TapH2FromRiseFall(1/c.r), c.want)
		}
	}
}
