package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportTable(t *testing.T) {
	code, out, errs := runCLI(t, "report", "embedded:lo-48", "--static", "--formulas")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"chip     lo-48", "area     die", "pad ring (I/O)", "couplers: TG conduction",
		"power    average over 50ns; coupler TG power from the estimate", "1128 sites", "time     50ns to solution",
		"N·stages·(C+C_dev)·VDD²·f0", "assumptions"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

// The JSON ledger's totals equal the sums of its breakdowns, and a run
// (the default) takes the coupler power from the run.
func TestReportJSON(t *testing.T) {
	code, out, errs := runCLI(t, "report", "embedded:two-rings-antiphase", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Ledger struct {
			Power []struct {
				Value float64 `json:"value"`
			} `json:"power"`
			Total float64 `json:"total_power_w"`
			From  string  `json:"coupler_power_from"`
		} `json:"ledger"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, l := range doc.Ledger.Power {
		sum += l.Value
	}
	if doc.Ledger.From != "run" || doc.Ledger.Total <= 0 || sum/doc.Ledger.Total < 1-1e-12 || sum/doc.Ledger.Total > 1+1e-12 {
		t.Errorf("ledger: from %q, total %g, Σ lines %g", doc.Ledger.From, doc.Ledger.Total, sum)
	}
}

func TestReportSparsity(t *testing.T) {
	code, out, errs := runCLI(t, "report", "--sparsity", "--k", "10,16")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "oscnet-784") || !strings.Contains(out, "energy/inference nJ") || strings.Count(out, "\n") < 5 {
		t.Errorf("sparsity table:\n%s", out)
	}
	if code, _, errs := runCLI(t, "report", "--sparsity", "--k", "ten"); code != 2 || !strings.Contains(errs, "try 'oscsim report -h'") {
		t.Errorf("bad --k: exit %d, %s", code, errs)
	}
}

// `oscsim run -o` writes the run's ledger beside the result, and the
// summary prints it.
func TestRunLedger(t *testing.T) {
	js := filepath.Join(t.TempDir(), "r.json")
	code, out, errs := runCLI(t, "run", "embedded:two-rings-antiphase", "-o", js)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "ledger") || !strings.Contains(out, "time to solution") {
		t.Errorf("summary lacks the ledger:\n%s", out)
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Ledger *struct {
			Total float64 `json:"total_power_w"`
		} `json:"ledger"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.Ledger == nil || doc.Ledger.Total <= 0 {
		t.Errorf("result JSON ledger: %v %+v", err, doc.Ledger)
	}
}
