package tech

import (
	"fmt"
	"math"
	"sort"
)

// TGRow is one channel length of a TGTable: the mean conductance per
// metre of width of an NMOS and a PMOS switch over the common mode (S/m),
// and their capacitance per metre of width seen from the source and drain
// tied together (F/m).
type TGRow struct {
	L              float64
	GN, GP, CN, CP float64
}

// TGTable is a card's transmission-gate switches, measured: a switch's
// conductance is defined as oscsim defines a coupler's, the mean of its
// small-signal conductance G(V_cm) over the common mode V_cm from 5% to 95%
// of VDD (NMOS gate at VDD, PMOS gate at ground); a TG's is the sum of its
// NMOS's and PMOS's, which is exact for the mean (docs/ringmodel.md,
// "Couplers by geometry").
type TGTable []TGRow

// Switch returns the conductance (S) and capacitance (F) of fingers
// parallel TGs of NMOS width wn, PMOS width wp and channel length l,
// interpolated log-log in l between the table's rows. The error says why
// a geometry is outside the table.
func (t TGTable) Switch(wn, wp, l float64, fingers int) (g, c float64, err error) {
	if len(t) < 2 {
		return 0, 0, fmt.Errorf("no transmission-gate table")
	}
	lo, hi := t[0].L, t[len(t)-1].L
	if !(l >= lo*(1-1e-9)) || !(l <= hi*(1+1e-9)) {
		return 0, 0, fmt.Errorf("channel length %.4g nm is outside the measured %.4g–%.4g nm", l*1e9, lo*1e9, hi*1e9)
	}
	k := sort.Search(len(t), func(i int) bool { return t[i].L >= l })
	if k == 0 {
		k = 1
	}
	a, b := t[k-1], t[k]
	f := math.Log(l/a.L) / math.Log(b.L/a.L)
	ip := func(x, y float64) float64 { return math.Exp(math.Log(x) + f*(math.Log(y)-math.Log(x))) }
	n := float64(fingers)
	g = n * (wn*ip(a.GN, b.GN) + wp*ip(a.GP, b.GP))
	c = n * (wn*ip(a.CN, b.CN) + wp*ip(a.CP, b.CP))
	return g, c, nil
}

// generic45TG is the built-in generic 45 nm cards' switches (nmos45g,
// pmos45g; ngspice-39, 27 °C, VDD 1 V, W = 1 µm): conductance from a DC
// sweep of the common mode with 10 mV across the switch (a transient ramp
// adds the channel's charging current, which at 1 µm is larger than the
// mid-rail signal), capacitance from a 100 ns ramp of the switch with its
// terminals tied. A 90/180 nm TG at 45 nm from it: 1/⟨G⟩ = 4.45 kΩ and
// 0.43 fF, the values oscsim characterize measures. The spread of G over
// the common mode, max/min, grows with L (3.5 at 45 nm, 6.0 at 450 nm, 6.4
// at 1 µm): the mean is what the engine's linear coupler takes.
func generic45TG() TGTable {
	// Columns: L (nm); G_N, G_P (S per µm of width); C_N, C_P (fF per µm).
	rows := []struct{ l, gn, gp, cn, cp float64 }{
		{45, 0.0012375, 0.00063097, 1.581, 1.61},
		{60, 0.0010422, 0.0005118, 1.839, 1.877},
		{100, 0.00073672, 0.00034108, 2.526, 2.59},
		{150, 0.00054046, 0.00024096, 3.385, 3.481},
		{200, 0.0004271, 0.00018633, 4.243, 4.372},
		{300, 0.00030107, 0.00012823, 5.961, 6.154},
		{450, 0.00020878, 8.7377e-05, 8.538, 8.828},
		{700, 0.00013821, 5.7077e-05, 12.83, 13.28},
		{1000, 9.8338e-05, 4.0305e-05, 17.99, 18.63},
	}
	t := make(TGTable, len(rows))
	for i, r := range rows {
		t[i] = TGRow{L: r.l * nm, GN: r.gn / um, GP: r.gp / um, CN: r.cn * fF / um, CP: r.cp * fF / um}
	}
	return t
}
