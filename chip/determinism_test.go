package chip_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"oscsim/chip"
	"oscsim/internal/chiptest"
)

func resultBytes(t testing.TB, r *chip.Result) []byte {
	t.Helper()
	c := *r
	c.Wall = 0
	b, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Test 7: the same seed gives byte-identical results, whatever the number
// of goroutines, and input b of a batch equals the same input run alone
// with InputBase = b.
func TestDeterminism(t *testing.T) {
	nl := chiptest.Config(t, "maxcut-ring8.toml")
	for _, model := range models {
		var ref []byte
		for _, w := range []int{1, 2, 4} {
			ch, err := chip.Compile(nl, chip.Options{Seed: 42, SetSeed: true, Instance: 3})
			if err != nil {
				t.Fatal(err)
			}
			in := make([]chip.Input, 6)
			res, err := ch.Run(context.Background(), in, chip.RunOptions{Model: model, Workers: w, TraceEvery: 7})
			if err != nil {
				t.Fatal(err)
			}
			b := resultBytes(t, res)
			if ref == nil {
				ref = b
				// Batch vs alone.
				alone, err := ch.Run(context.Background(), []chip.Input{{}}, chip.RunOptions{Model: model, InputBase: 4})
				if err != nil {
					t.Fatal(err)
				}
				for i := range alone.Final[0] {
					if alone.Final[0][i] != res.Final[4][i] {
						t.Fatalf("%s: input 4 alone differs from input 4 in the batch at ring %d", model, i)
					}
				}
			} else if !bytes.Equal(ref, b) {
				t.Errorf("%s: %d workers give different bytes than 1 worker", model, w)
			}
		}
	}
}

// Test 8: the 8-node antiferromagnetic ring (configs/maxcut-ring8.toml)
// reaches the ground state (all 8 edges cut) in at least 95 of 100 seeds,
// each seed a new chip instance (mismatch) and noise realisation.
func TestMaxCutRing8(t *testing.T) {
	nl := chiptest.Config(t, "maxcut-ring8.toml")
	ok := 0
	for seed := int64(1); seed <= 100; seed++ {
		ch, err := chip.Compile(nl, chip.Options{Seed: seed, SetSeed: true})
		if err != nil {
			t.Fatal(err)
		}
		res, err := ch.Run(context.Background(), nil, chip.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s := res.Spins(0)
		cut := 0
		for _, e := range ch.Edges() {
			if s[e.I] != s[e.J] {
				cut++
			}
		}
		if cut == 8 {
			ok++
		}
	}
	t.Logf("ground state in %d of 100 seeds", ok)
	if ok < 95 {
		t.Errorf("ground state in %d of 100 seeds, want ≥ 95", ok)
	}
}

// A NaN arising during a run stops it with the step and oscillator named.
func TestNaNReported(t *testing.T) {
	ch := compileTOML(t, "[oscillators]\ncount = 3\nfrequency = \"1GHz\"\n")
	inf := 1e308
	_, err := ch.Run(context.Background(), []chip.Input{{FreqOffset: []float64{0, inf, 0}}}, chip.RunOptions{NoNoise: true})
	if err == nil {
		t.Fatal("want an error for a state that overflows")
	}
	want := "chip: state is not finite at step 1"
	if got := err.Error(); len(got) < len(want) || got[:len(want)] != want {
		t.Errorf("error %q, want it to start with %q", got, want)
	}
}
