package errtext

import "testing"

// Tail keeps the last two non-empty lines, trimmed.
func TestTail(t *testing.T) {
	t.Parallel()
	for out, want := range map[string]string{
		"a\n\n  b \nc\n": "b | c", "a\nb": "a | b", "\n \n": "no output", "": "no output",
	} {
		if got := Tail(out, 2); got != want {
			t.Errorf("Tail(%q, 2) = %q, want %q", out, got, want)
		}
	}
}
