package main

import (
	"fmt"
	"os"
	"path/filepath"

	"oscsim/configs"
	"oscsim/netlist"
)

// writeFileAtomic writes data to path through a temporary file in the same
// directory and a rename, so a crash never leaves half a file.
func writeFileAtomic(path string, write func(f *os.File) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = write(f); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// loadChip loads a chip description: a file path, or the name of an
// embedded config ("maxcut-ring8.toml" or "embedded:maxcut-ring8"), or the
// embedded default when path is "".
func loadChip(path string) (*netlist.Netlist, string, error) {
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
		nl, err := netlist.Parse("embedded:"+n, src, nil)
		return nl, "embedded:" + n, err
	}
	nl, err := netlist.Load(path)
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
