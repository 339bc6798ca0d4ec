package bench

import (
	"oscsim/internal/chiptest"
	"testing"
)

// TestHRECMWorkload trains a 3-pattern memory on the embedded hrecm-16
// chip (60 iterations) and relaxes corrupted copies (one flip in 16) on
// the phase model: the stored patterns stay and most corrupted starts
// return. A smoke test of the sweep workload; the numbers are in
// docs/hrecm.md.
func TestHRECMWorkload(t *testing.T) {
	nl := chiptest.Config(t, "hrecm-16.toml")
	_, _, m := runWorkload(t, Spec{Kind: "hrecm", Params: map[string]any{"patterns": int64(3), "iters": int64(60), "flips": 0.0625, "starts": int64(2), "cycles": 1000.0}}, nl, 1)
	t.Logf("metrics %v", m)
	if m["stored_kept"] < 1 || m["accuracy"] < 0.5 {
		t.Errorf("stored_kept %v, accuracy %v: want 1 and ≥ 0.5", m["stored_kept"], m["accuracy"])
	}
	if _, err := New(Spec{Kind: "hrecm", Params: map[string]any{"flip": 0.1}}, nl); err == nil {
		t.Error("unknown parameter flip accepted")
	}
}
