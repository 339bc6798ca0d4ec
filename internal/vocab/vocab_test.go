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

type level int

func TestIndexName(t *testing.T) {
	var l level
	if err := Index(&l, []byte("high"), "level", "low", "high"); err != nil || l != 1 {
		t.Fatalf("Index high: %v, %d", err, l)
	}
	err := Index(&l, []byte("mid"), "level", "low", "high")
	if want := `unknown level "mid" (want "low" or "high")`; err == nil || err.Error() != want || l != 1 {
		t.Errorf("Index mid: %v (l %d), want %s and l unchanged", err, l, want)
	}
	if got := Name(level(0), "level", "low", "high"); got != "low" {
		t.Errorf("Name 0: %s", got)
	}
	if got := Name(level(2), "level", "low", "high"); got != "level(2)" {
		t.Errorf("Name 2: %s", got)
	}
}
