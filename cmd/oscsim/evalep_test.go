package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"oscsim/bench"
	"oscsim/internal/chiptest"
	"oscsim/learn/eqprop"
)

// A 16-2-2 layered chip classifies the synthetic left/right data set with
// hand-set weights: hidden ring 0 follows the left half's pixels, hidden
// ring 1 the right half's; output 0 follows hidden 1 and output 1 hidden
// 0. Class 0 (left inked, phase π) thus reads output 0 at phase 0 and
// output 1 at π, class 1 the reverse.
func TestEvalEPCommand(t *testing.T) {
	dir := trainTestDir(t)
	tmp := t.TempDir()
	chipFile := filepath.Join(tmp, "lr.toml")
	// κ = 0.3% of ω0 per unit weight.
	if err := os.WriteFile(chipFile, []byte(chiptest.Layered(0.003, 16, 2, 2)), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := eqprop.NewLayered(16, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	for p := 0; p < 16; p++ {
		w.W[0][p*2+p%4/2] = 1 // pixel p → hidden 0 (left) or 1 (right)
	}
	w.W[1] = []float64{0, 1, 1, 0}
	w.Settings.WMax = 1
	wFile := filepath.Join(tmp, "w.npz")
	if err := w.Save(wFile); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	args := []string{"ep", "--chip", chipFile, "--weights", wFile, "--data", dir, "--images", "40", "--json", "--no-progress"}
	if err := runEval(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("eval ep: %v\n%s", err, stderr.String())
	}
	var rep bench.EPReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("--json output does not decode: %v\n%s", err, stdout.String())
	}
	if rep.Images != 40 || rep.Accuracy < 95 || rep.Couplers != 18 || rep.Sites != 36 || !(rep.EnergyNJ > 0) || !(rep.AreaMM2 > 0) {
		t.Errorf("report: %d images, %.1f%%, %d couplers on %d sites, %g nJ, %g mm²", rep.Images, rep.Accuracy, rep.Couplers, rep.Sites, rep.EnergyNJ, rep.AreaMM2)
	}
	stdout.Reset()
	if err := runEval(context.Background(), args[:len(args)-2], &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"accuracy", "energy per inference", "die area", "confusion"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, stdout.String())
		}
	}
	// A chip that cannot run the weights is an error naming both.
	err = runEval(context.Background(), []string{"ep", "--chip", "ep-mnist.toml", "--weights", wFile, "--data", dir, "--no-progress"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "[16 2 2] network") {
		t.Errorf("mismatched chip: %v", err)
	}
}
