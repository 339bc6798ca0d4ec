package main

import (
	"bytes"
	"testing"
)

// The meter takes absolute counts from several goroutines (out of order),
// restarts for a new total, and does nothing when switched off.
func TestMeter(t *testing.T) {
	var b bytes.Buffer
	m := newMeter(&b, false, "x", "items")
	m.Set(5, 10)
	m.Set(3, 10) // a late report from another goroutine
	if m.last != 5 {
		t.Errorf("last = %d after an out-of-order count, want 5", m.last)
	}
	m.Set(2, 20) // the next run
	if m.total != 20 || m.last != 2 {
		t.Errorf("total %d last %d, want a new meter at 2/20", m.total, m.last)
	}
	m.simProgress(1e-9, 2e-9)
	m.simProgress(0.5e-9, 2e-9) // the next ngspice run of the same length
	if m.last != 500 {
		t.Errorf("last = %d, want a restarted meter at 500 ps", m.last)
	}
	m.Done()
	var off *meter = newMeter(&b, true, "x", "items")
	off.Set(1, 2)
	off.Done()
}
