// Package chiptest parses and compiles chips for the tests of the packages
// above chip (bench, learn/..., repro, chip's external tests). It imports
// testing, so only tests import it (as net/http/httptest); chip's own
// in-package tests cannot, since it imports chip.
package chiptest

import (
	"strings"
	"testing"

	"oscsim/chip"
	"oscsim/configs"
	"oscsim/netlist"
)

// Compile parses src as the chip description called name and compiles
// instance 0 with default options; an error fails the test.
func Compile(t testing.TB, name string, src []byte) *chip.Chip {
	t.Helper()
	nl, err := netlist.Parse(name, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	return Build(t, nl)
}

// Build compiles instance 0 of nl with default options; an error fails the
// test.
func Build(t testing.TB, nl *netlist.Netlist) *chip.Chip {
	t.Helper()
	ch, err := chip.Compile(nl, chip.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// Config parses the embedded description name (package configs) after
// replacing, in its text, each old string of the pairs repl (old, new, …)
// once; a pair whose old string is missing fails the test.
func Config(t testing.TB, name string, repl ...string) *netlist.Netlist {
	t.Helper()
	src, err := configs.Read(name)
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for k := 0; k+1 < len(repl); k += 2 {
		if !strings.Contains(s, repl[k]) {
			t.Fatalf("%s: no %q to replace", name, repl[k])
		}
		s = strings.Replace(s, repl[k], repl[k+1], 1)
	}
	nl, err := netlist.Parse("embedded:"+name, []byte(s), nil)
	if err != nil {
		t.Fatal(err)
	}
	return nl
}
