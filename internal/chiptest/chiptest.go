// Package chiptest parses and compiles chips for the tests of the packages
// above chip (bench, learn/..., repro, chip's external tests). It imports
// testing, so only tests import it (as net/http/httptest); chip's own
// in-package tests cannot, since it imports chip.
package chiptest

import (
	"fmt"
	"strconv"
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

// Layered returns the text of a small layered chip description (topology
// "layered", layers sizes): rings at 1 GHz started at phase zero, 5-bit
// couplers on full scale 1 whose largest code couples at maxK (a fraction
// of ω0), 20 µA 10-bit drivers on every ring, an 8-bit TDC on each output
// ring, the phase model with Heun's integrator. For the layered
// classifier's tests (bench's EP evaluation, oscsim eval ep).
func Layered(maxK float64, sizes ...int) string {
	n, names := 0, make([]string, len(sizes))
	for k, s := range sizes {
		n += s
		names[k] = strconv.Itoa(s)
	}
	last := sizes[len(sizes)-1]
	targets := make([]string, last)
	for k := range targets {
		targets[k] = strconv.Itoa(n - last + k)
	}
	return fmt.Sprintf(`[chip]
name = "layered-%s"
[oscillators]
count = %d
frequency = "1GHz"
init = "zero"
[couplings]
topology = "layered"
layers = [%s]
bits = 5
full_scale = 1
unit_k = "%g"
[injection]
max_current = "20uA"
bits = 10
[[detector]]
kind = "tdc"
bits = 8
targets = [%s]
[run]
model = "phase"
integrator = "heun"
`, strings.Join(names, "-"), n, strings.Join(names, ", "), maxK/31, strings.Join(targets, ", "))
}
