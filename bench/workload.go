package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"oscsim/chip"
	"oscsim/netlist"
)

// Metrics are one evaluation's results by name. Names carry their unit as
// a suffix where they have one ("time_to_solution_s", "energy_j");
// dimensionless ones have none ("accuracy", "success_rate").
type Metrics map[string]float64

// Names returns the metric names in sorted order.
func (m Metrics) Names() []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Workload evaluates a chip. A Workload is built once per chip description
// (New) and then run on any number of chip instances and noise seeds.
type Workload interface {
	// Name identifies the workload in results, e.g. "maxcut".
	Name() string
	// Run evaluates the workload on chip instance ch with noise
	// realisation seed (chip.RunOptions.NoiseSeed). It must give the same
	// metrics for the same (chip seed, instance, seed), whatever the
	// number of goroutines. Run is called from several goroutines at
	// once, each with its own chip (a sweep runs a point's instances and
	// seeds concurrently), so a workload must not change its own state in
	// Run: prepare everything in New.
	Run(ctx context.Context, ch *chip.Chip, seed int64) (Metrics, error)
}

// LedgerWorkload is implemented by workloads that account their own runs'
// area, power and energy: RunLedger is Run plus the ledger of one
// inference (chip.LedgerMean over its runs), which a sweep then reports
// instead of the chip's estimate from the description.
type LedgerWorkload interface {
	Workload
	RunLedger(ctx context.Context, ch *chip.Chip, seed int64) (Metrics, *chip.Ledger, error)
}

// FileUser is implemented by workloads that read files other than data
// sets (e.g. a weights file): Files returns their paths, so a sweep can
// fingerprint their content.
type FileUser interface {
	Files() []string
}

// Spec describes a workload: its kind and kind-specific parameters, as a
// sweep file or the CLI gives them. Paths in Params are resolved against
// Dir.
type Spec struct {
	Kind   string
	Params map[string]any
	Dir    string
}

// Kinds lists the workload kinds New accepts.
func Kinds() []string { return []string{"maxcut", "oscnet-perclass", "oscnet-pairwise", "hrecm"} }

// New builds the workload a spec describes for chips compiled from nl. A
// problem with a parameter is a *netlist.Error whose Key is the
// parameter's name ("runs"), collected in a netlist.Errors that wraps
// netlist.ErrInvalid, so that a sweep or the command line can point at the
// line and column it was written at.
func New(spec Spec, nl *netlist.Netlist) (Workload, error) {
	p := &params{m: spec.Params, kind: spec.Kind, used: map[string]bool{}}
	var w Workload
	var err error
	switch spec.Kind {
	case "maxcut":
		w, err = newMaxCut(p, nl)
	case "oscnet-perclass", "oscnet-pairwise":
		w, err = newOscNetWorkload(spec, p, nl)
	case "hrecm":
		w, err = newHRECM(spec, p, nl)
	default:
		return nil, netlist.Errors{{Key: "kind", Msg: fmt.Sprintf("unknown workload %q (want one of %s)", spec.Kind, strings.Join(Kinds(), ", "))}}
	}
	var pe *netlist.Error
	if errors.As(err, &pe) {
		return nil, netlist.Errors{pe}
	}
	if err != nil {
		return nil, err
	}
	if errs := p.unused(); len(errs) > 0 {
		return nil, errs
	}
	return w, nil
}

// params reads a Spec's Params, typed, and remembers which keys were read,
// so that unknown keys are reported. Decode fills a struct of toml-tagged
// fields as netlist decodes a chip (unit types and vocabularies through
// their UnmarshalText). Every problem is a *netlist.Error keyed by the
// parameter's name.
type params struct {
	m    map[string]any
	kind string
	used map[string]bool
}

// Decode decodes the parameters dst's toml tags name into dst (a pointer
// to a struct); absent ones keep dst's values, the defaults.
func (p *params) Decode(dst any) error {
	t := reflect.TypeOf(dst).Elem()
	sub := map[string]any{}
	for i := 0; i < t.NumField(); i++ {
		k, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ",")
		if k == "" || k == "-" {
			continue
		}
		p.used[k] = true
		if v, ok := p.m[k]; ok {
			sub[k] = v
		}
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(sub); err != nil {
		return &netlist.Error{Msg: fmt.Sprintf("workload %q: %v", p.kind, err)}
	}
	if _, err := toml.Decode(buf.String(), dst); err != nil {
		key, msg, _, _ := netlist.DecodeProblem(err)
		return &netlist.Error{Key: key, Msg: msg}
	}
	return nil
}

func (p *params) bad(k, format string, args ...any) *netlist.Error {
	return &netlist.Error{Key: k, Msg: fmt.Sprintf(format, args...)}
}

// unused reports every parameter the workload did not read, with the
// closest one it knows.
func (p *params) unused() netlist.Errors {
	var known, bad []string
	for k := range p.used {
		known = append(known, k)
	}
	for k := range p.m {
		if !p.used[k] {
			bad = append(bad, k)
		}
	}
	sort.Strings(known)
	sort.Strings(bad)
	var errs netlist.Errors
	for _, k := range bad {
		e := p.bad(k, "unknown parameter of workload %q%s", p.kind, netlist.Suggest(k, known))
		e.Err = netlist.ErrUnknownKey
		errs = append(errs, e)
	}
	return errs
}
