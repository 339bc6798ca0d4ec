// Package configs holds the example chip descriptions, embedded so that
// oscsim runs with no files: see each file's comment header for what it
// shows and what result to expect.
package configs

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.toml
var files embed.FS

// DefaultName is the chip `oscsim run` runs when given no file.
const DefaultName = "maxcut-ring8.toml"

// Read returns the embedded config with the given file name.
func Read(name string) ([]byte, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("configs: no embedded config %q (have %s)", name, strings.Join(Names(), ", "))
	}
	return b, nil
}

// Names lists the embedded configs.
func Names() []string {
	ents, _ := fs.ReadDir(files, ".")
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}
