// Package chiptest compiles chips for the tests of the packages above chip
// (bench, learn/..., repro, chip's external tests). It imports testing, so
// only tests import it (as net/http/httptest); chip's own in-package tests
// cannot, since it imports chip.
package chiptest

import (
	"testing"

	"oscsim/chip"
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
	ch, err := chip.Compile(nl, chip.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}
