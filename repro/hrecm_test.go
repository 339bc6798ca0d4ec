package repro

import (
	"context"
	"fmt"
	"testing"
)

// TestHrecmExp2Quick runs `oscsim reproduce hrecm-exp2 --quick` (CI): every
// N/P/reg and N/P/unreg key is present, rates are percentages, and at
// P = 5 (far below capacity) the rate is below 1%. About 15 s on 2 cores.
func TestHrecmExp2Quick(t *testing.T) {
	res, err := Run(context.Background(), "hrecm-exp2", Env{Quick: true, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range hrecmExp2Sizes {
		for _, p := range hrecmLoads(n) {
			for _, v := range []string{"reg", "unreg"} {
				key := fmt.Sprintf("%d/%d/%s", n, p, v)
				r := res.Row(key)
				if r == nil {
					t.Fatalf("no row %s", key)
				}
				if r.Ours < 0 || r.Ours > 100 || r.Unit != "%" {
					t.Errorf("%s = %v %s, want a percentage", key, r.Ours, r.Unit)
				}
				if p == 5 && r.Ours > 1 {
					t.Errorf("%s = %.2f%%, want < 1%% at P = 5", key, r.Ours)
				}
			}
		}
	}
	if res.Row("claim/reg<=unreg") == nil {
		t.Error("no claim/reg<=unreg row")
	}
}
