package main

import (
	"flag"
	"io"
	"sync"

	"oscsim/internal/progress"
)

// meter reports a command's progress on stderr through internal/progress
// (a bar on a terminal, a line with rate and ETA every 10 s otherwise).
// Its Set method takes absolute counts, as library callbacks give them;
// the meter starts at the first call, when the total is known, and starts
// again when the total changes (the next of several runs). A nil
// *meter (progress switched off) does nothing.
type meter struct {
	mu         sync.Mutex
	w          io.Writer
	what, unit string
	m          *progress.Meter
	last       int
	total      int
}

// newMeter returns a meter, or nil when off is set.
func newMeter(stderr io.Writer, off bool, what, unit string) *meter {
	if off {
		return nil
	}
	return &meter{w: stderr, what: what, unit: unit}
}

// Set records done of total items. Safe for concurrent use.
func (m *meter) Set(done, total int) { m.set(done, total, false) }

// set records done of total; with again, a count that goes back starts a
// new meter (the next of several runs of the same length).
func (m *meter) set(done, total int, again bool) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m != nil && (total != m.total || again && done < m.last) {
		m.m.Done()
		m.m = nil
	}
	if m.m == nil {
		m.m = progress.New(m.w, m.what, int64(total), m.unit)
		m.total, m.last = total, 0
	}
	if done > m.last { // counts from several goroutines may come out of order
		m.m.Add(int64(done - m.last))
		m.last = done
	}
}

// Done ends the meter.
func (m *meter) Done() {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m.Done()
}

// noProgressFlag adds the --no-progress flag every long command has.
func noProgressFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("no-progress", false, "no progress on stderr (a bar on a terminal, a line every 10 s otherwise)")
}

// simProgress adapts a meter to spice.Simulator.Progress (simulated time
// in picoseconds).
func (m *meter) simProgress(simulated, tstop float64) {
	m.set(int(simulated*1e12), int(tstop*1e12), true)
}
