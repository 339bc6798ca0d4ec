package repro

import "testing"

// TestEPMnistQuick runs ep-mnist --quick (784-32-10 trained on 1,000
// images, 3 seeds, the chip on a few test images); it skips only where
// MNIST cannot be had, and in -short.
func TestEPMnistQuick(t *testing.T) {
	res := runMNISTQuick(t, "ep-mnist", "trains on 1,000 MNIST images three times")
	wantRows(t, res, "software", "chip/phase", "chip/cycle", "energy_nJ", "area_mm2")
	if len(res.Rows) != 5 {
		t.Errorf("%d rows, want the 5 keys", len(res.Rows))
	}
	if sw := res.Row("software"); sw == nil || sw.Paper == nil || *sw.Paper != 97.2 || !(sw.Ours > 20) {
		t.Errorf("software row %+v: want paper 97.2 and above chance (≈ 35%% measured)", sw)
	}
	if e := res.Row("energy_nJ"); e == nil || !(e.Ours > 0) {
		t.Errorf("energy row %+v", e)
	}
}
