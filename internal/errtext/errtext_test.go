package errtext

import "testing"

func TestTail(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		out  string
		n    int
		want string
	}{
		{"a\n\n  b \nc\n", 2, "b | c"}, {"a\nb", 5, "a | b"}, {"\n \n", 3, "no output"}, {"", 1, "no output"},
	} {
		if got := Tail(c.out, c.n); got != c.want {
			t.Errorf("Tail(%q, %d) = %q, want %q", c.out, c.n, got, c.want)
		}
	}
}
