package bench

import (
	"errors"
	"strings"
	"testing"

	"oscsim/internal/chiptest"
	"oscsim/netlist"
)

// TestOscNetParamsTyped: the oscnet workloads decode their parameters like
// the others (params.Decode): a bad word or a wrong type is a
// *netlist.Error keyed by the parameter, before any file is read.
func TestOscNetParamsTyped(t *testing.T) {
	t.Parallel()
	nl := chiptest.Config(t, "oscnet-mnist.toml")
	for _, tc := range []struct {
		key  string
		val  any
		want string
	}{
		{"sym", "both", `unknown symmetrisation "both"`},
		{"full_scale", "rows", `unknown full-scale scope "rows"`},
		{"readout", "volts", `unknown`},
		{"images", "many", `images`},
		{"jitter", true, `jitter`},
	} {
		_, err := New(Spec{Kind: "oscnet-perclass", Params: map[string]any{"weights": "w.npz", tc.key: tc.val}}, nl)
		var es netlist.Errors
		if !errors.As(err, &es) || len(es) != 1 || es[0].Key != tc.key || !strings.Contains(es[0].Error(), tc.want) {
			t.Errorf("%s = %v: got %v, want one error keyed %q containing %q", tc.key, tc.val, err, tc.key, tc.want)
		}
	}
}
