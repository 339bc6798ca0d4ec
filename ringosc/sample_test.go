package ringosc

import (
	"math"
	"testing"
)

// genericModel is the characterised generic ring of the SPICE tests.
func genericModel(t *testing.T) Model {
	t.Helper()
	m, err := ReadFile("../spice/testdata/generic45.ring.toml")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Packed.At returns exactly what the separate lookups return.
func TestPackedMatchesLookups(t *testing.T) {
	m := genericModel(t)
	noInv := m
	noInv.Inv = nil
	for _, mm := range []*Model{&m, &noInv} {
		pk := mm.Pack()
		for k := -1000; k <= 1000; k++ {
			th := float64(k) * 0.0137 * math.Pi
			v, g, gp, inv := pk.At(th)
			if v != mm.V(th) || g != mm.Gamma(th) || gp != mm.GammaPump(th) || inv != mm.InvV(th) {
				t.Fatalf("θ = %g: At (%g, %g, %g, %g), lookups (%g, %g, %g, %g)", th, v, g, gp, inv, mm.V(th), mm.Gamma(th), mm.GammaPump(th), mm.InvV(th))
			}
		}
	}
}

// SampleRows, and SampleIndexed from Index's positions, give At's values
// rounded to T.
func TestSampleRowsMatchesAt(t *testing.T) {
	m := genericModel(t)
	p := m.Pack()
	for _, n := range []int{1, 63, 64, 65, 200} {
		y64, y32 := make([]float64, n), make([]float32, n)
		for b := range y64 {
			y64[b] = 0.731*float64(b) - 40
			y32[b] = float32(y64[b])
		}
		const wt = 1234.567
		out64 := make([][]float64, 4)
		out32 := make([][]float32, 4)
		for q := range out64 {
			out64[q], out32[q] = make([]float64, n), make([]float32, n)
		}
		SampleRows(p, wt, y64, out64[0], out64[1], out64[2], out64[3])
		SampleRows(p, float32(wt), y32, out32[0], out32[1], out32[2], out32[3])
		check(t, p, n, wt, y64, y32, out64, out32)
		// SampleIndexed from Index's positions gives the same.
		for q := range out64 {
			clear(out64[q])
			clear(out32[q])
		}
		k, f := make([]int32, n), make([]float64, n)
		for b := range y64 {
			kb, fb := p.Index(wt + y64[b])
			k[b], f[b] = int32(kb), fb
		}
		SampleIndexed(p, k, f, out64[0], out64[1], out64[2], out64[3])
		for b := range y32 {
			kb, fb := p.Index(float64(float32(wt) + y32[b]))
			k[b], f[b] = int32(kb), fb
		}
		SampleIndexed(p, k, f, out32[0], out32[1], out32[2], out32[3])
		check(t, p, n, wt, y64, y32, out64, out32)
	}
}

func check(t *testing.T, p *Packed, n int, wt float64, y64 []float64, y32 []float32, out64 [][]float64, out32 [][]float32) {
	t.Helper()
	for b := 0; b < n; b++ {
		v, g, gp, inv := p.At(wt + y64[b])
		if w := [4]float64{v, g, gp, 1 - inv}; w != [4]float64{out64[0][b], out64[1][b], out64[2][b], out64[3][b]} {
			t.Fatalf("float64, %d lanes, lane %d: SampleRows %v, At %v", n, b, [4]float64{out64[0][b], out64[1][b], out64[2][b], out64[3][b]}, w)
		}
		v, g, gp, inv = p.At(float64(float32(wt) + y32[b]))
		if w := [4]float32{float32(v), float32(g), float32(gp), float32(1 - inv)}; w != [4]float32{out32[0][b], out32[1][b], out32[2][b], out32[3][b]} {
			t.Fatalf("float32, %d lanes, lane %d: SampleRows %v, At %v", n, b, [4]float32{out32[0][b], out32[1][b], out32[2][b], out32[3][b]}, w)
		}
	}
}
