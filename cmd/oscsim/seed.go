package main

import (
	"flag"
	"strconv"

	"oscsim/chip"
)

// seedFlag is the --seed flag of every command that compiles a chip. Left
// unset, the description's run.seed is used; set, its value replaces it,
// 0 included.
type seedFlag struct {
	v   int64
	set bool
}

func (s *seedFlag) String() string { return strconv.FormatInt(s.v, 10) }

func (s *seedFlag) Set(x string) error {
	v, err := strconv.ParseInt(x, 0, 64)
	if err != nil {
		return err
	}
	s.v, s.set = v, true
	return nil
}

// addSeedFlag defines --seed on fs; what says what it seeds.
func addSeedFlag(fs *flag.FlagSet, what string) *seedFlag {
	s := &seedFlag{}
	fs.Var(s, "seed", "seed for "+what+" (default: the description's run.seed)")
	return s
}

// options returns the compile options of instance with this seed.
func (s *seedFlag) options(instance int) chip.Options {
	return chip.Options{Seed: s.v, SetSeed: s.set, Instance: instance}
}

// compile loads the chip description at path (see loadChip) and compiles
// instance of it with this seed; it returns the description's name too.
func (s *seedFlag) compile(path string, instance int) (*chip.Chip, string, error) {
	nl, src, err := loadChip(path)
	if err != nil {
		return nil, "", err
	}
	ch, err := chip.Compile(nl, s.options(instance))
	return ch, src, err
}

// or returns the seed if set, else def.
func (s *seedFlag) or(def int64) int64 {
	if s.set {
		return s.v
	}
	return def
}
