package repro

import (
	"context"
	"os"
	"strings"
	"testing"
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
	res, err := EPMemory(context.Background(), Env{Log: os.Stderr}, s)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	WriteText(&b, res)
	t.Log("\n" + b.String())
}
