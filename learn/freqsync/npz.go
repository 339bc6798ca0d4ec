package freqsync

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/sbinet/npyio/npz"

	"oscsim/internal/atomicfile"
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

// Save writes the model as .npz: "params" (float64; W as N × (dim+1) for
// the extended network, N natural frequencies for the reference one, in
// units of unit_hz), "lo" and "hi" (the input normalisation) and "meta"
// (JSON bytes with the architecture, pairs, physics and extra settings).
func Save(path string, m *Model, p Physics, extra map[string]any) error {
	if err := m.Validate(); err != nil {
		return err
	}
	js, err := json.Marshal(fileMeta{Format: Format, Version: 1, Arch: m.Arch.String(), N: m.N, Dim: m.Dim,
		Inputs: m.Inputs, Pairs: m.Pairs, Unit: m.Unit, FMin: m.FMin, FMax: m.FMax, Physics: p, Extra: extra})
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w *bufio.Writer) error {
		z := npz.NewWriter(w)
		for _, a := range []struct {
			name string
			v    any
		}{{"params", m.Params}, {"lo", m.Lo}, {"hi", m.Hi}, {"meta", js}} {
			if err := z.Write(a.name, a.v); err != nil {
				return err
			}
		}
		return z.Close()
	})
}

// Load reads weights written by Save and checks their shapes.
func Load(path string) (*Model, Physics, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Physics{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, Physics{}, err
	}
	r, err := npz.NewReader(f, st.Size())
	if err != nil {
		return nil, Physics{}, fmt.Errorf("%s: %w: %v", path, ErrWeights, err)
	}
	var js []byte
	m := &Model{}
	for _, a := range []struct {
		name string
		ptr  any
	}{{"meta", &js}, {"params", &m.Params}, {"lo", &m.Lo}, {"hi", &m.Hi}} {
		if err := r.Read(a.name, a.ptr); err != nil {
			return nil, Physics{}, fmt.Errorf("%s: %w: array %q: %v", path, ErrWeights, a.name, err)
		}
	}
	var meta fileMeta
	if err := json.Unmarshal(js, &meta); err != nil || meta.Format != Format {
		return nil, Physics{}, fmt.Errorf("%s: %w: meta is not a %s document", path, ErrWeights, Format)
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
