package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"oscsim/chip"
	"oscsim/configs"
	"oscsim/netlist"
	"oscsim/ringosc"
)

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

// loadRing reads the characterised ring model a description names in
// oscillators.ring_model (nil when it names none) and checks that it was
// measured on the chip's ring: same stage count, supply and node load.
func loadRing(nl *netlist.Netlist) (*ringosc.Model, error) {
	path := nl.Oscillators.RingModel
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: oscillators.ring_model: %w", nl.File, err)
	}
	defer f.Close()
	m, err := ringosc.Decode(f, path)
	if err != nil {
		return nil, fmt.Errorf("%s: oscillators.ring_model: %w", nl.File, err)
	}
	if ms := m.Measured; ms != nil {
		differs := func(a, b float64) bool { return math.Abs(a-b) > 1e-6*math.Max(math.Abs(a), math.Abs(b)) }
		switch {
		case ms.Stages != nl.Oscillators.Stages:
			err = fmt.Errorf("it was measured on a %d-stage ring, the chip has %d stages", ms.Stages, nl.Oscillators.Stages)
		case differs(ms.VDD, nl.Tech.VDD):
			err = fmt.Errorf("it was measured at VDD %s, the chip runs at %s", netlist.FormatSI(ms.VDD, "V"), netlist.FormatSI(nl.Tech.VDD, "V"))
		case differs(ms.NodeCap, nl.Tech.NodeCap):
			err = fmt.Errorf("it was measured with %s per node, the chip has %s", netlist.FormatSI(ms.NodeCap, "F"), netlist.FormatSI(nl.Tech.NodeCap, "F"))
		}
		if err != nil {
			return nil, fmt.Errorf("%s: oscillators.ring_model %s: %w (run 'oscsim characterize %s' again)", nl.File, path, err, nl.File)
		}
	}
	return &m, nil
}

// compileChip compiles a description with its characterised ring model, if
// it names one.
func compileChip(nl *netlist.Netlist, opt chip.Options) (*chip.Chip, error) {
	if opt.Ring == nil {
		m, err := loadRing(nl)
		if err != nil {
			return nil, err
		}
		opt.Ring = m
	}
	return chip.Compile(nl, opt)
}

// printWarnings writes the description's warnings (legal but unusual
// values, netlist.Netlist.Warnings) to w, one a line.
func printWarnings(w io.Writer, nl *netlist.Netlist) {
	for _, e := range nl.Warnings {
		fmt.Fprintln(w, e)
	}
}
