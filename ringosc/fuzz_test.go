package ringosc

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"oscsim/internal/testkit"
)

// FuzzDecode reads arbitrary bytes as a ring-model file: no panic, every
// error wraps ErrFormat, and what is accepted validates and encodes.
func FuzzDecode(f *testing.F) {
	testkit.Seed(f, "../spice/testdata/*.ring.toml")
	f.Add([]byte("format = \"oscsim-ring-model/1\"\n[tables]\npoints = 0\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(bytes.NewReader(b), "fuzz.ring.toml")
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error does not wrap ErrFormat: %v", err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("Decode accepted a model that does not validate: %v", err)
		}
	})
}

// A key spelled in another case is unknown: the decoder would otherwise
// read "F0_HZ" as f0_hz.
func TestDecodeKeysCaseSensitive(t *testing.T) {
	b, err := os.ReadFile("../spice/testdata/generic45.ring.toml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(bytes.NewReader(b), "good"); err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(b, []byte("f0_hz"), []byte("F0_HZ"), 1)
	if _, err := Decode(bytes.NewReader(bad), "bad"); err == nil || !errors.Is(err, ErrFormat) || !bytes.Contains([]byte(err.Error()), []byte("F0_HZ")) {
		t.Errorf("got %v, want an unknown-key error naming F0_HZ", err)
	}
}
