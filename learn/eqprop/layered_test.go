package eqprop

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"oscsim/internal/npy"
)

func TestLayeredSaveLoad(t *testing.T) {
	L, err := NewLayered(4, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	for l, p := range L.Params() {
		for k := range p {
			p[k] = float64(l) + 0.1*float64(k)
		}
	}
	L.Settings = LayeredSettings{Data: "toy", Epochs: 3, Epoch: 2, Batch: 8, Beta: 0.1, LR: []float64{0.1, 0.05}, Seed: 7, Bits: 5}
	L.Opt = make([]float64, L.NParams())
	L.Opt[3] = -2
	path := filepath.Join(t.TempDir(), "w.npz")
	if err := L.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadLayered(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.Check(); err != nil {
		t.Fatal(err)
	}
	for l, p := range got.Params() {
		for k, v := range p {
			if v != L.Params()[l][k] {
				t.Fatalf("param %d[%d] = %v, want %v", l, k, v, L.Params()[l][k])
			}
		}
	}
	if got.Settings.Epoch != 2 || got.Settings.Bits != 5 || got.Settings.LR[1] != 0.05 || got.Opt[3] != -2 {
		t.Errorf("settings/opt not kept: %+v %v", got.Settings, got.Opt)
	}
	// Settings the file lacks load as what the trainer did before them.
	if s := got.Settings; s.Cost != CostCos || s.Start != StartZero || s.Schedule != ScheduleConstant || got.SHIL != nil {
		t.Errorf("old defaults: cost %q, start %q, schedule %q, SHIL %v", s.Cost, s.Start, s.Schedule, got.SHIL)
	}
	var c OutputCost
	if err := c.UnmarshalText([]byte("softmax")); err == nil || !strings.Contains(err.Error(), "xent") {
		t.Errorf("cost \"softmax\": %v, want an error listing the costs", err)
	}
	net := got.Net()
	if net.N != 9 || len(net.W) != 4*3+3*2 || net.W[12] != 1 {
		t.Errorf("Net: %d units, %d edges, W[12] = %v", net.N, len(net.W), net.W[12])
	}
}

func TestLayeredBadFiles(t *testing.T) {
	dir := t.TempDir()
	L, _ := NewLayered(4, 3, 2)
	good := filepath.Join(dir, "good.npz")
	if err := L.Save(good); err != nil {
		t.Fatal(err)
	}
	write := func(name string, arrays []npy.Out) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := npy.WriteArchive(f, arrays); err != nil {
			t.Fatal(err)
		}
		f.Close()
		return p
	}
	meta := []byte(`{"format":"oscsim.eqprop.layered","version":1,"sizes":[4,3,2],"settings":{}}`)
	m := npy.Out{Name: "meta", Shape: []int{len(meta)}, Data: meta}
	w0 := npy.Out{Name: "w0", Shape: []int{4, 3}, Data: make([]float64, 12)}
	w1 := npy.Out{Name: "w1", Shape: []int{3, 2}, Data: make([]float64, 6)}
	b1 := npy.Out{Name: "b1", Shape: []int{3}, Data: make([]float64, 3)}
	b2 := npy.Out{Name: "b2", Shape: []int{2}, Data: make([]float64, 2)}
	nan := make([]float64, 6)
	nan[4] = 0 / func() float64 { return 0 }()
	cases := []struct {
		name string
		path string
		want string
	}{
		{"missing", write("missing.npz", []npy.Out{m, w0, b1, b2}), `no array "w1"`},
		{"shape", write("shape.npz", []npy.Out{m, w0, {Name: "w1", Shape: []int{2, 3}, Data: make([]float64, 6)}, b1, b2}), `array "w1" has shape (2, 3), want (3, 2)`},
		{"nan", write("nan.npz", []npy.Out{m, w0, {Name: "w1", Shape: []int{3, 2}, Data: nan}, b1, b2}), `w1`},
		{"format", write("format.npz", []npy.Out{{Name: "meta", Shape: []int{2}, Data: []byte("{}")}, w0, w1, b1, b2}), `format ""`},
		{"truncated", func() string {
			data, _ := os.ReadFile(good)
			p := filepath.Join(dir, "cut.npz")
			os.WriteFile(p, data[:len(data)/2], 0o644)
			return p
		}(), "cut.npz"},
	}
	for _, c := range cases {
		_, err := LoadLayered(c.path)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), filepath.Base(c.path)) {
			t.Errorf("%s: error %q lacks %q or the file name", c.name, err, c.want)
		}
		if !errors.Is(err, ErrLayered) {
			t.Errorf("%s: error %q does not wrap ErrLayered", c.name, err)
		}
	}
}
