// Package testkit holds the helpers that tests in several packages share:
// finding a data set or skipping the test that needs it, and seeding a
// fuzz target with files. It imports testing, so only tests import it (as
// net/http/httptest), and nothing of oscsim but dataset, so that the
// tests of every package can. (Compiling a chip from text is
// internal/chiptest.)
package testkit

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"oscsim/dataset"
)

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

// Seed adds every file matching the glob patterns to f's seed corpus.
func Seed(f *testing.F, patterns ...string) {
	f.Helper()
	for _, pat := range patterns {
		files, err := filepath.Glob(pat)
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
}
