package ringosc

import (
	"bytes"
	"embed"
	"fmt"
	"math"
	"path"
	"sort"
	"strings"
)

// The characterised rings shipped in the binary: the repository's generic
// 45 nm BSIM4 cards (the cards the SPICE decks use by default), measured
// by `oscsim characterize` (docs/ringmodel.md, "Built-in characterised
// rings", says which rings and how).
//
//go:embed builtin/*.ring.toml
var builtinFiles embed.FS

// BuiltinName is the oscillators.ring_model value that selects the
// built-in characterisation of the chip's ring.
const BuiltinName = "builtin"

// Builtins returns the built-in characterised rings, by file name.
func Builtins() (map[string]Model, error) {
	ents, err := builtinFiles.ReadDir("builtin")
	if err != nil {
		return nil, err
	}
	out := map[string]Model{}
	for _, e := range ents {
		src, err := builtinFiles.ReadFile(path.Join("builtin", e.Name()))
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(e.Name(), ".ring.toml")
		m, err := Decode(bytes.NewReader(src), BuiltinName+":"+name)
		if err != nil {
			return nil, err
		}
		m.Name = BuiltinName + ":" + name
		out[name] = m
	}
	return out, nil
}

// Builtin returns the built-in characterisation of an N-stage ring of
// inverters of channel length l and NMOS width wn (PMOS 2·wn) at supply
// vdd with explicit node load nodeCap, or an error that lists the rings
// there are.
func Builtin(stages int, vdd, nodeCap, l, wn float64) (Model, error) {
	all, err := Builtins()
	if err != nil {
		return Model{}, err
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(math.Abs(a), math.Abs(b)) }
	var have []string
	for name, m := range all {
		ms := m.Measured
		if ms.Stages == stages && near(ms.VDD, vdd) && near(ms.NodeCap, nodeCap) && near(ms.L, l) && near(ms.WN, wn) && near(ms.WP, 2*wn) {
			return m, nil
		}
		have = append(have, fmt.Sprintf("%s (%d stages, %.4g fF, %.4g V, L %.4g nm, WN %.4g nm)", name, ms.Stages, ms.NodeCap*1e15, ms.VDD, ms.L*1e9, ms.WN*1e9))
	}
	sort.Strings(have)
	return Model{}, fmt.Errorf("no built-in characterisation of a %d-stage ring with %.4g fF per node at %.4g V (L %.4g nm, WN %.4g nm); there are %s; run oscsim characterize for this ring",
		stages, nodeCap*1e15, vdd, l*1e9, wn*1e9, strings.Join(have, ", "))
}
