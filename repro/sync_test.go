package repro

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"oscsim/dataset"
)

// TestSyncQuick runs the sync entries in --quick mode and checks the
// contract: every key the issue names, accuracies in [0, 100], the paper's
// number where it gives one, the plots of the figures.
func TestSyncQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: trains a dozen small networks")
	}
	want := map[string][]string{
		"sync-tasks":  {"basic/online", "basic/offline", "circle/reference", "circle/extended", "concave/reference", "concave/extended"},
		"sync-table1": {"extended/setosa", "extended/versicolor", "extended/virginica", "reference/setosa", "reference/versicolor", "reference/virginica", "perceptron/setosa", "perceptron/versicolor", "perceptron/virginica"},
		"sync-fig7":   {"extended/params=15", "tanh/params=13"},
		"sync-fig8":   {"mean@1MHz", "worst@1MHz", "aware/mean@1MHz", "aware/worst@1MHz"},
	}
	plots := map[string]string{"sync-tasks": "sync-tasks.png", "sync-fig7": "sync-fig7.png", "sync-fig8": "sync-fig8.png"}
	for name, keys := range want {
		if name != "sync-tasks" {
			if _, err := dataset.Locate(context.Background(), "iris", ""); err != nil {
				t.Logf("Iris not available (run 'oscsim data fetch iris'): %v", err)
				continue
			}
		}
		dir := t.TempDir()
		res, err := Run(context.Background(), name, Env{Quick: true, Seed: 0, PlotDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if p := plots[name]; p != "" {
			if fi, err := os.Stat(filepath.Join(dir, p)); err != nil || fi.Size() == 0 {
				t.Errorf("%s: no plot %s (%v)", name, p, err)
			}
		}
		for _, k := range keys {
			r := res.Row(k)
			if r == nil {
				t.Errorf("%s: no row %q", name, k)
				continue
			}
			if r.Ours < 0 || r.Ours > 100 || (r.Paper == nil) != (name == "sync-fig7" || strings.HasPrefix(k, "aware/")) {
				t.Errorf("%s/%s: %+v", name, k, *r)
			}
		}
	}
}
