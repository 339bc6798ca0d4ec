// Package testkit holds the helpers that tests in several packages share:
// compiling a chip from a description's text, and finding a data set or
// skipping the test that needs it. It imports testing, so only tests import
// it (as net/http/httptest); chip's own in-package tests cannot, since it
// imports chip.
package testkit

import (
	"context"
	"testing"

	"oscsim/chip"
	"oscsim/dataset"
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

// Dataset returns the directory of the data set name ("mnist", …): found
// in the user cache (dataset.Locate), or fetched into it when fetch is set
// (dataset.Fetch). When it cannot be had the test is skipped with the
// reason and the command that fetches it.
func Dataset(t testing.TB, ctx context.Context, name string, fetch bool) string {
	t.Helper()
	find := dataset.Locate
	if fetch {
		find = dataset.Fetch
	}
	dir, err := find(ctx, name, "")
	if err != nil {
		t.Skipf("%s not available (run 'oscsim data fetch %s'): %v", name, name, err)
	}
	return dir
}

// Split loads split ("train" or "test") of the data set in dir; an error
// fails the test.
func Split(t testing.TB, dir, split string) (dataset.Images, dataset.Labels) {
	t.Helper()
	im, lb, err := dataset.LoadSplit(dir, split)
	if err != nil {
		t.Fatal(err)
	}
	return im, lb
}
