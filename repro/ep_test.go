package repro

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"oscsim/learn/eqprop"
)

// TestEPMemoryQuick runs ep-memory --quick (CI) and checks its keys: the
// glyph memory and three random loads, at three flip levels, five methods.
func TestEPMemoryQuick(t *testing.T) {
	res, err := Run(context.Background(), "ep-memory", Env{Quick: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range []string{"glyphs", "random-10", "random-20", "random-30"} {
		for _, fl := range []string{"10", "20", "30"} {
			for _, m := range []string{"ep", "hebbian", "pinv", "bptt", "chip-ep"} {
				k := task + "/" + fl + "/" + m
				r := res.Row(k)
				if r == nil {
					t.Errorf("no row %s", k)
					continue
				}
				if r.Ours < 0 || r.Ours > 100 {
					t.Errorf("%s = %g%%", k, r.Ours)
				}
			}
		}
	}
}

// TestEPMemoryFull runs the full experiment when OSCSIM_EP_FULL is set
// (minutes; not in CI) and logs its table. OSCSIM_EP_FULL=glyphs runs the
// glyph memory alone.
func TestEPMemoryFull(t *testing.T) {
	v := os.Getenv("OSCSIM_EP_FULL")
	if v == "" {
		t.Skip("set OSCSIM_EP_FULL=1 (or glyphs) to run the full ep-memory")
	}
	s := EPMemorySettings(false)
	if v == "glyphs" {
		s.Loads = nil
		s.Seeds = 1
	}
	for _, f := range strings.Fields(os.Getenv("OSCSIM_EP_METHODS")) {
		var m eqprop.Method
		if err := m.UnmarshalText([]byte(f)); err != nil {
			t.Fatal(err)
		}
		s.Only = append(s.Only, m)
	}
	if e, err := strconv.Atoi(os.Getenv("OSCSIM_EP_EPOCHS")); err == nil {
		s.Epochs, s.ChipEpochs = e, e
	}
	res, err := EPMemory(context.Background(), Env{Log: os.Stderr}, s)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	WriteText(&b, res)
	t.Log("\n" + b.String())
}

// TestEPFailureQuick runs ep-failure-modes --quick and checks its keys.
func TestEPFailureQuick(t *testing.T) {
	res := runQuick(t, "ep-failure-modes", "trains EP memories on several rings")
	wantRows(t, res, "even/0/cosine", "even/30/ep", "even/30/ideal", "mismatch/20/ideal", "detune/20/ideal")
	if c := res.Row("even/0/cosine"); c != nil && !(c.Ours > 0.99) {
		t.Errorf("odd ring: cosine(EP, BPTT) = %.4f, want > 0.99", c.Ours)
	}
}
