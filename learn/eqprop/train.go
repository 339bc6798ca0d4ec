package eqprop

import (
	"context"
	"encoding"
	"fmt"
	"math"

	"oscsim/internal/progress"
	"oscsim/internal/vocab"
)

// Method is a way to set an associative memory's couplings.
type Method int

// Methods: the keys of repro's ep-memory experiment.
const (
	MethodEP      Method = iota // equilibrium propagation in software through the engine
	MethodHebbian               // Hebbian outer products
	MethodPinv                  // pseudo-inverse (projection rule)
	MethodBPTT                  // backpropagation through the engine's steps
	MethodChipEP                // EP with the chip in the loop
)

var methodNames = [...]string{"ep", "hebbian", "pinv", "bptt", "chip-ep"}

// Methods lists every method in key order.
func Methods() []Method {
	return []Method{MethodEP, MethodHebbian, MethodPinv, MethodBPTT, MethodChipEP}
}

// String returns the method's key.
func (m Method) String() string { return vocab.Name(m, "Method", methodNames[:]...) }

// UnmarshalText parses a method key.
func (m *Method) UnmarshalText(b []byte) error {
	return vocab.Index(m, b, "method", methodNames[:]...)
}

var _ encoding.TextUnmarshaler = (*Method)(nil)

// TrainConfig sets a gradient trainer (EP or BPTT).
type TrainConfig struct {
	Epochs int
	// Eta is the learning rate (weight units per unit gradient).
	Eta float64
	// Momentum of the update (0: plain gradient descent).
	Momentum float64
	// Beta is EP's nudge strength (units of κ); Symmetric uses ±β.
	Beta      float64
	Symmetric bool
	// Batch is the minibatch size (0: the whole epoch in one batch).
	Batch int
}

// Train runs cfg.Epochs epochs of minibatch gradient descent on m's
// network: data(epoch) returns the epoch's samples, grad estimates each
// minibatch's gradient; after each update the weights are clipped to
// ±WMax and programmed onto the chip (whose couplers round them to their
// codes: the network keeps the unrounded weights, as a chip-in-the-loop
// controller keeps its shadow copy). It returns each epoch's mean cost at
// the free equilibria. meter may be nil.
func Train(ctx context.Context, m *Machine, cfg TrainConfig, data func(epoch int) []Sample, grad GradFunc, meter *progress.Meter) ([]float64, error) {
	var hist []float64
	vel := make([]float64, len(m.Net.W))
	for ep := 0; ep < cfg.Epochs; ep++ {
		set := data(ep)
		bs := cfg.Batch
		if bs <= 0 || bs > len(set) {
			bs = len(set)
		}
		var cost float64
		batches := 0
		for lo := 0; lo < len(set); lo += bs {
			batch := set[lo:min(lo+bs, len(set))]
			g, err := grad(ctx, m, batch)
			if err != nil {
				return hist, err
			}
			if bad := firstNonFinite(g.G); bad >= 0 {
				return hist, fmt.Errorf("eqprop: epoch %d: gradient of edge %d is not finite", ep, bad)
			}
			for e := range vel {
				vel[e] = cfg.Momentum*vel[e] - cfg.Eta*g.G[e]
				m.Net.W[e] += vel[e]
			}
			if err := m.Program(); err != nil {
				return hist, err
			}
			cost += g.Cost
			batches++
		}
		hist = append(hist, cost/float64(batches))
		meter.Add(1)
	}
	return hist, nil
}

func firstNonFinite(x []float64) int {
	for k, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return k
		}
	}
	return -1
}
