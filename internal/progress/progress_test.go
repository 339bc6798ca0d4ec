package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestPlainLines(t *testing.T) {
	var buf bytes.Buffer
	m := New(&buf, "train", 100, "steps")
	clock := m.start
	m.now = func() time.Time { return clock }
	m.Add(10) // before the interval: silent
	if buf.Len() != 0 {
		t.Fatalf("printed before the interval: %q", buf.String())
	}
	clock = clock.Add(Interval)
	m.Add(10) // 20 done in 10 s: 2/s, 40 s left
	got := buf.String()
	for _, want := range []string{"train: 20/100 steps (20%)", "2 steps/s", "40s left"} {
		if !strings.Contains(got, want) {
			t.Errorf("line %q lacks %q", got, want)
		}
	}
	m.Done()
}

func TestNilMeter(t *testing.T) {
	var m *Meter = New(nil, "x", 10, "items")
	m.Add(1) // must not panic
	m.Done()
	if New(&bytes.Buffer{}, "x", 0, "items") != nil {
		t.Error("a meter of no items should be nil")
	}
}
