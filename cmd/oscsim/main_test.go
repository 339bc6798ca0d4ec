package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := realMain(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestRunDefault(t *testing.T) {
	code, out, errs := runCLI(t, "run")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"chip         maxcut-ring8 (embedded:maxcut-ring8.toml)", "oscillators", "couplings", "pump", "model        cycle", "lock", "phases", "spins", "wall"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

func TestRunOutputs(t *testing.T) {
	dir := t.TempDir()
	js, csv := filepath.Join(dir, "r.json"), filepath.Join(dir, "t.csv")
	code, _, errs := runCLI(t, "run", "../../configs/two-rings-antiphase.toml", "--seed", "5", "-o", js, "--trace", csv)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["seed"].(float64) != 5 {
		t.Errorf("seed %v, want 5", doc["seed"])
	}
	res := doc["result"].(map[string]any)
	for _, k := range []string{"final_phases", "readouts", "lock", "trace"} {
		if _, ok := res[k]; !ok {
			t.Errorf("result lacks %q", k)
		}
	}
	if _, ok := doc["settings"].(map[string]any)["netlist"]; !ok {
		t.Error("settings lack the netlist used")
	}
	c, err := os.ReadFile(csv)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(c)), "\n")
	if lines[0] != "t_ns,left_rad,right_rad" || len(lines) != 102 {
		t.Errorf("trace header %q and %d lines, want t_ns,left_rad,right_rad and 102", lines[0], len(lines))
	}
}

func TestValidate(t *testing.T) {
	code, out, _ := runCLI(t, "validate", "../../configs/shil-binarize.toml")
	if code != 0 || !strings.Contains(out, "ok  ../../configs/shil-binarize.toml") {
		t.Errorf("exit %d, out %q", code, out)
	}
	code, out, _ = runCLI(t, "validate", "../../netlist/testdata/invalid/many_problems.toml")
	if code != 1 || strings.Count(out, "many_problems.toml:") != 9 {
		t.Errorf("exit %d (want 1), out:\n%s", code, out)
	}
	// A phase-model step too long for the chip's rates is caught by compiling.
	dir := t.TempDir()
	f := filepath.Join(dir, "coarse.toml")
	os.WriteFile(f, []byte("[oscillators]\ncount = 2\n[shil]\nks = 0.5\n[run]\nmodel = \"phase\"\nsteps_per_cycle = 1\n"), 0o644)
	code, out, _ = runCLI(t, "validate", f)
	if code != 1 || !strings.Contains(out, "needs steps_per_cycle ≥") {
		t.Errorf("exit %d, out %q", code, out)
	}
	if code, _, _ := runCLI(t, "validate"); code != 2 {
		t.Errorf("validate without files: exit %d, want 2", code)
	}
	if code, _, _ := runCLI(t, "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}

// A failed run leaves no output file behind.
func TestNoHalfWrittenFiles(t *testing.T) {
	dir := t.TempDir()
	js := filepath.Join(dir, "r.json")
	code, _, _ := runCLI(t, "run", "../../netlist/testdata/invalid/nan_weight.toml", "-o", js)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Errorf("files left behind: %v", ents)
	}
}
