package main

import (
	"flag"
	"io"
	"testing"
)

// --seed 0 is a seed like any other (eval once took 0 for "unset").
func TestSeedFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		set  bool
		v    int64
	}{{nil, false, 0}, {[]string{"--seed", "0"}, true, 0}, {[]string{"--seed=7"}, true, 7}} {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		s := addSeedFlag(fs, "noise")
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		if o := s.options(3); o.SetSeed != c.set || o.Seed != c.v || o.Instance != 3 {
			t.Errorf("%v: options %+v, want seed %d set %v", c.args, o, c.v, c.set)
		}
		if got := s.or(42); c.set && got != c.v || !c.set && got != 42 {
			t.Errorf("%v: or(42) = %d", c.args, got)
		}
	}
}
