// Package errtext shortens a subprocess's output for an error message.
// The commands oscsim runs (ngspice, npm) print pages; an error quotes the
// end, where the reason is.
package errtext

import "strings"

// Tail returns the last n non-empty lines of out, trimmed and joined by
// " | ", or "no output".
func Tail(out string, n int) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 0 {
		return "no output"
	}
	return strings.Join(lines, " | ")
}
