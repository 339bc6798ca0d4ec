package repro

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"oscsim/internal/testkit"
)

// TestNamesUnique holds the contract that every experiment has a unique
// name and a Run.
func TestNamesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range All() {
		if seen[e.Name] || e.Run == nil || e.Summary == "" || e.Paper == "" {
			t.Errorf("experiment %q: duplicate, or missing Run, Summary or Paper", e.Name)
		}
		seen[e.Name] = true
	}
	if _, err := Find("no-such"); err == nil || !strings.Contains(err.Error(), "oscnet-table2") {
		t.Errorf("Find of an unknown name: %v", err)
	}
}

// TestJSONShape pins the JSON other tools read: name, rows of key, ours,
// paper (null when the paper gives none).
func TestJSONShape(t *testing.T) {
	res := &Result{Name: "x"}
	res.Add("a/1", 12.5, Paper(10), "%")
	res.Add("b", 3, NoPaper, "")
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"x","rows":[{"key":"a/1","ours":12.5,"paper":10,"unit":"%"},{"key":"b","ours":3,"paper":null}]}`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
	var buf bytes.Buffer
	if err := WriteText(&buf, res); err != nil || !strings.Contains(buf.String(), "+2.50") {
		t.Errorf("text: %v\n%s", err, buf.String())
	}
}

// runQuick runs the experiment name in --quick mode. It skips in -short,
// saying why (the test's cost), and where one of the data sets it needs
// cannot be had.
func runQuick(t *testing.T, name, why string, data ...string) *Result {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped in -short: " + why)
	}
	for _, d := range data {
		testkit.Dataset(t, context.Background(), d, false)
	}
	res, err := Run(context.Background(), name, Env{Quick: true})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// runMNISTQuick is runQuick of an experiment on MNIST.
func runMNISTQuick(t *testing.T, name, why string) *Result {
	t.Helper()
	return runQuick(t, name, why, "mnist")
}

// wantRows checks that res has a row of each key.
func wantRows(t *testing.T, res *Result, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if res.Row(k) == nil {
			t.Errorf("no row %q", k)
		}
	}
}

// TestOscnetQuick runs oscnet-table4 --quick (2,000/500 images); it skips
// only where MNIST cannot be had.
func TestOscnetQuick(t *testing.T) {
	res := runMNISTQuick(t, "oscnet-table4", "trains on 2,000 MNIST images")
	both := res.Row("both")
	if both == nil || both.Ours < 75 || both.Ours > 95 {
		t.Errorf("both-axes normalisation on the quick split: %+v, want 75–95%% (81%% measured)", both)
	}
}
