package bench

import (
	"context"
	"fmt"
	"sort"
	"strings"

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

// New builds the workload a spec describes for chips compiled from nl.
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
		return nil, fmt.Errorf("bench: unknown workload %q (want one of %s)", spec.Kind, strings.Join(Kinds(), ", "))
	}
	if err != nil {
		return nil, err
	}
	if err := p.unused(); err != nil {
		return nil, err
	}
	return w, nil
}

// params reads typed values from a Spec's Params and remembers which keys
// were read, so that unknown keys are reported.
type params struct {
	m    map[string]any
	kind string
	used map[string]bool
}

func (p *params) get(k string) (any, bool) {
	if p.used == nil {
		p.used = map[string]bool{}
	}
	p.used[k] = true
	v, ok := p.m[k]
	return v, ok
}

func (p *params) Int(k string, def int) (int, error) {
	v, ok := p.get(k)
	if !ok {
		return def, nil
	}
	switch x := v.(type) {
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case float64:
		if x == float64(int(x)) {
			return int(x), nil
		}
	}
	return 0, fmt.Errorf("bench: %s.%s: want an integer, got %v", p.kind, k, v)
}

func (p *params) Float(k string, def float64) (float64, error) {
	v, ok := p.get(k)
	if !ok {
		return def, nil
	}
	switch x := v.(type) {
	case float64:
		return x, nil
	case int64:
		return float64(x), nil
	case int:
		return float64(x), nil
	}
	return 0, fmt.Errorf("bench: %s.%s: want a number, got %v", p.kind, k, v)
}

func (p *params) String(k, def string) (string, error) {
	v, ok := p.get(k)
	if !ok {
		return def, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("bench: %s.%s: want a string, got %v", p.kind, k, v)
	}
	return s, nil
}

func (p *params) unused() error {
	var bad []string
	for k := range p.m {
		if !p.used[k] {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("bench: workload %q has unknown parameter(s) %s", p.kind, strings.Join(bad, ", "))
	}
	return nil
}
