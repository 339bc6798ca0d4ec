package freqsync

import (
	"errors"
	"fmt"

	"oscsim/internal/npy"
)

// Format names this package's .npz layout (the "meta" array).
const Format = "oscsim.freqsync"

// ErrWeights is wrapped by every error about a malformed weights file.
var ErrWeights = errors.New("invalid freqsync weights file")

// fileMeta is the JSON stored as the "meta" byte array: every setting
// needed to run the weights again.
type fileMeta struct {
	Format  string  `json:"format"`
	Version int     `json:"version"`
	Arch    string  `json:"arch"`
	N       int     `json:"n"`
	Dim     int     `json:"dim"`
	Inputs  []int   `json:"inputs"`
	Pairs   []Pair  `json:"pairs"`
	Unit    float64 `json:"unit_hz"`
	FMin    float64 `json:"fmin_hz"`
	FMax    float64 `json:"fmax_hz"`
	Physics Physics `json:"physics"`
	// Extra records the training settings (task, seeds, iterations, …).
	Extra map[string]any `json:"training,omitempty"`
}

// Save writes the model as .npz, atomically (npy.SaveArchive): "meta"
// (JSON bytes with the architecture, pairs, physics and extra settings),
// "params" (float64; W as N × (dim+1) for the extended network, N natural
// frequencies for the reference one, in units of unit_hz), "lo" and "hi"
// (the input normalisation).
func Save(path string, m *Model, p Physics, extra map[string]any) error {
	if err := m.Validate(); err != nil {
		return err
	}
	md := fileMeta{Format: Format, Version: 1, Arch: m.Arch.String(), N: m.N, Dim: m.Dim,
		Inputs: m.Inputs, Pairs: m.Pairs, Unit: m.Unit, FMin: m.FMin, FMax: m.FMax, Physics: p, Extra: extra}
	vec := func(name string, v []float64) npy.Out { return npy.Out{Name: name, Shape: []int{len(v)}, Data: v} }
	return npy.SaveArchive(path, md, []npy.Out{vec("params", m.Params), vec("lo", m.Lo), vec("hi", m.Hi)})
}

// Load reads weights written by Save (also those of earlier versions, which
// stored "meta" last) and checks their shapes.
func Load(path string) (*Model, Physics, error) {
	f, err := npy.Open(path)
	if errors.Is(err, npy.ErrFormat) {
		return nil, Physics{}, fmt.Errorf("%w: %w", ErrWeights, err)
	} else if err != nil {
		return nil, Physics{}, err
	}
	var meta fileMeta
	if err := f.Meta(&meta); err != nil {
		return nil, Physics{}, fmt.Errorf("%w: %w", ErrWeights, err)
	}
	if meta.Format != Format {
		return nil, Physics{}, fmt.Errorf("%s: %w: meta is not a %s document", path, ErrWeights, Format)
	}
	m := &Model{}
	for _, a := range []struct {
		name string
		dst  *[]float64
	}{{"params", &m.Params}, {"lo", &m.Lo}, {"hi", &m.Hi}} {
		arr, err := f.Array(a.name)
		if err != nil {
			return nil, Physics{}, fmt.Errorf("%w: %w", ErrWeights, err)
		}
		*a.dst = arr.Data
	}
	if err := m.Arch.UnmarshalText([]byte(meta.Arch)); err != nil {
		return nil, Physics{}, fmt.Errorf("%s: %w: %v", path, ErrWeights, err)
	}
	m.N, m.Dim, m.Inputs, m.Pairs, m.Unit, m.FMin, m.FMax = meta.N, meta.Dim, meta.Inputs, meta.Pairs, meta.Unit, meta.FMin, meta.FMax
	if err := m.Validate(); err != nil {
		return nil, Physics{}, fmt.Errorf("%s: %w: %v", path, ErrWeights, err)
	}
	return m, meta.Physics, nil
}
