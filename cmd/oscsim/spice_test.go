package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSpiceDeck(t *testing.T) {
	out := filepath.Join(t.TempDir(), "golden.cir")
	code, stdout, errs := runCLI(t, "spice", "../../spice/testdata/golden.toml", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(stdout, "deck      "+out) {
		t.Errorf("no deck line in:\n%s", stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	deck := string(b)
	for _, want := range []string{"* ring \"left\"", "Vdd_right_1", "ci_mid_right_1", "Bpump_left", ".ic v(left_n0)=", ".tran ", ".save v(left_n0)"} {
		if !strings.Contains(deck, want) {
			t.Errorf("deck lacks %q", want)
		}
	}
	// The ring model's measured circuit is used: the generic cards inline.
	if !strings.Contains(deck, ".model nmos45g nmos level=54") {
		t.Error("deck lacks the generic cards")
	}
}

func TestSpiceNoNgspice(t *testing.T) {
	none := filepath.Join(t.TempDir(), "none")
	code, _, errs := runCLI(t, "spice", "../../spice/testdata/ring1.toml", "--run", "--ngspice", none)
	if code != 1 || !strings.Contains(errs, "ngspice not found at "+none) {
		t.Errorf("exit %d, stderr %q; want 1 and ngspice not found at the path given", code, errs)
	}
	t.Setenv("PATH", t.TempDir())
	code, _, errs = runCLI(t, "spice", "../../spice/testdata/ring1.toml", "--run")
	if code != 1 || !strings.Contains(errs, "ngspice not found on PATH") || !strings.Contains(errs, "apt-get install ngspice") {
		t.Errorf("exit %d, stderr %q; want 1 and a message on installing ngspice", code, errs)
	}
}

func TestSpiceUsage(t *testing.T) {
	code, _, errs := runCLI(t, "spice")
	if code != 2 || !strings.Contains(errs, "want one chip file") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	code, _, errs = runCLI(t, "spice", "../../spice/testdata/ring1.toml", "--duration", "fast")
	if code != 2 || !strings.Contains(errs, "--duration") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

func TestCharacterizeErrors(t *testing.T) {
	code, _, errs := runCLI(t, "characterize", "../../spice/testdata/ring1.toml", "--ring", "nope", "--ngspice", filepath.Join(t.TempDir(), "none"))
	if code != 1 || !strings.Contains(errs, `no oscillator named "nope"`) {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	code, _, errs = runCLI(t, "characterize", "../../spice/testdata/ring1.toml", "--ngspice", filepath.Join(t.TempDir(), "none"))
	if code != 1 || !strings.Contains(errs, "ngspice not found") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

// TestRingModelMismatch: a ring model measured on another ring is refused.
func TestRingModelMismatch(t *testing.T) {
	dir := t.TempDir()
	model, err := os.ReadFile("../../spice/testdata/generic45.ring.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ring.toml"), model, 0o644); err != nil {
		t.Fatal(err)
	}
	chip := "[chip]\ntech = \"45nm\"\n[oscillators]\ncount = 2\nstages = 7\nring_model = \"ring.toml\"\n"
	if err := os.WriteFile(filepath.Join(dir, "chip.toml"), []byte(chip), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, "run", filepath.Join(dir, "chip.toml"))
	if code != 1 || !strings.Contains(errs, "5-stage ring, the chip has 7 stages") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}
