package vocab

import "testing"

type color string

func TestSet(t *testing.T) {
	var c color
	if err := Set(&c, []byte("red"), "color", "red", "green", "blue"); err != nil || c != "red" {
		t.Fatalf("Set red: %v, %q", err, c)
	}
	err := Set(&c, []byte("pink"), "color", "red", "green", "blue")
	if want := `unknown color "pink" (want "red", "green" or "blue")`; err == nil || err.Error() != want || c != "red" {
		t.Errorf("Set pink: %v (c %q), want %s and c unchanged", err, c, want)
	}
	if got := OneOf[color]("x"); got != `"x"` {
		t.Errorf("OneOf one word: %s", got)
	}
}
