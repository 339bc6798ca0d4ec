package repro

import (
	"context"
	"testing"

	"oscsim/dataset"
)

// TestSyncQuick runs sync-tasks and sync-table1 in --quick mode and checks
// the contract: every key the issue names, accuracies in [0, 100].
func TestSyncQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: trains a dozen small networks")
	}
	want := map[string][]string{
		"sync-tasks":  {"basic/online", "basic/offline", "circle/reference", "circle/extended", "concave/reference", "concave/extended"},
		"sync-table1": {"extended/setosa", "extended/versicolor", "extended/virginica", "reference/setosa", "reference/versicolor", "reference/virginica", "perceptron/setosa", "perceptron/versicolor", "perceptron/virginica"},
	}
	for name, keys := range want {
		if name == "sync-table1" {
			if _, err := dataset.Locate(context.Background(), "iris", ""); err != nil {
				t.Logf("Iris not available (run 'oscsim data fetch iris'): %v", err)
				continue
			}
		}
		res, err := Run(context.Background(), name, Env{Quick: true, Seed: 0})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			r := res.Row(k)
			if r == nil {
				t.Errorf("%s: no row %q", name, k)
				continue
			}
			if r.Ours < 0 || r.Ours > 100 || r.Paper == nil {
				t.Errorf("%s/%s: %+v", name, k, *r)
			}
		}
	}
}
