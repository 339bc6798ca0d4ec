// Package progress reports the progress of long work on stderr: a bar
// (github.com/schollz/progressbar/v3) when stderr is a terminal, and
// otherwise one plain line every Interval with the count, the rate and
// the estimated time left, so that a cluster job's log shows it too.
//
// A nil *Meter is valid and reports nothing, so library code can take a
// *Meter (or a func from Meter.Step) without checking.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Interval is how often a plain (non-terminal) meter prints a line.
const Interval = 10 * time.Second

// Meter counts done items of a known total.
type Meter struct {
	mu    sync.Mutex
	w     io.Writer
	what  string
	unit  string
	total int64
	done  int64
	start time.Time
	last  time.Time
	bar   *progressbar.ProgressBar
	now   func() time.Time
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// New starts a meter of total items called unit (e.g. "images") for the
// work called what, writing to w. It returns nil (a silent meter) when w
// is nil or total ≤ 0.
func New(w io.Writer, what string, total int64, unit string) *Meter {
	if w == nil || total <= 0 {
		return nil
	}
	m := &Meter{w: w, what: what, unit: unit, total: total, now: time.Now}
	m.start = m.now()
	m.last = m.start
	if IsTerminal(w) {
		m.bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(what), progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true), progressbar.OptionSetElapsedTime(true),
			progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionSetItsString(unit),
			progressbar.OptionShowIts(), progressbar.OptionSetWidth(30), progressbar.OptionClearOnFinish())
	}
	return m
}

// Add records n more items done. Safe for concurrent use.
func (m *Meter) Add(n int64) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.done += n
	if m.bar != nil {
		m.bar.Add64(n)
		return
	}
	t := m.now()
	if t.Sub(m.last) >= Interval && m.done < m.total {
		m.last = t
		fmt.Fprintln(m.w, m.line(t))
	}
}

// line is the plain progress line at time t.
func (m *Meter) line(t time.Time) string {
	el := t.Sub(m.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(m.done) / el
	}
	eta := "?"
	if rate > 0 {
		eta = (time.Duration(float64(m.total-m.done)/rate) * time.Second).Round(time.Second).String()
	}
	return fmt.Sprintf("%s: %d/%d %s (%.0f%%), %.3g %s/s, %s left", m.what, m.done, m.total, m.unit,
		100*float64(m.done)/float64(m.total), rate, m.unit, eta)
}

// Done ends the meter (clears the bar; a plain meter prints nothing more).
func (m *Meter) Done() {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.bar != nil {
		m.bar.Finish()
	}
}
