package main

import (
	"os"
	"path/filepath"

	"oscsim/configs"
	"oscsim/netlist"
)

// loadChip loads a chip description: a file path, or the name of an
// embedded config ("maxcut-ring8.toml" or "embedded:maxcut-ring8"), or the
// embedded default when path is "".
func loadChip(path string) (*netlist.Netlist, string, error) {
	return loadChipWith(path, netlist.ParseOptions{})
}

// loadChipWith is loadChip with parse options (opt.Read is set here).
func loadChipWith(path string, opt netlist.ParseOptions) (*netlist.Netlist, string, error) {
	name := path
	if name == "" {
		name = configs.DefaultName
	}
	if _, err := os.Stat(path); path == "" || (err != nil && isEmbeddedName(path)) {
		n := embeddedName(name)
		src, err := configs.Read(n)
		if err != nil {
			return nil, "", err
		}
		nl, err := netlist.ParseWith("embedded:"+n, src, opt)
		return nl, "embedded:" + n, err
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	nl, err := netlist.ParseWith(path, src, opt)
	return nl, path, err
}

func embeddedName(s string) string {
	s = filepath.Base(s)
	if len(s) > 9 && s[:9] == "embedded:" {
		s = s[9:]
	}
	if filepath.Ext(s) == "" {
		s += ".toml"
	}
	return s
}

func isEmbeddedName(s string) bool {
	_, err := configs.Read(embeddedName(s))
	return err == nil
}
