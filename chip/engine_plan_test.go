package chip

import (
	"context"
	"math"
	"slices"
	"testing"
)

// TestPlanInjectsDelivered: the engine's plan carries the injection the
// drivers deliver (drivers.go), not the one asked for: a run asking for
// 5 µA at 30° ends bit for bit where a run asking for the delivered
// current does, and away from a run on a chip without drivers.
func TestPlanInjectsDelivered(t *testing.T) {
	const base = `[oscillators]
count = 3
frequency = "1GHz"
init = "zero"
[run]
cycles = 20
`
	const drivers = `[injection]
max_current = "7uA"
bits = 3
targets = [0, 1]
`
	compile := func(src string) *Chip { return compileText(t, "plan.toml", src) }
	final := func(ch *Chip, in *Injection) []float64 {
		res, err := ch.Run(context.Background(), []Input{{Inject: in}}, RunOptions{NoNoise: true})
		if err != nil {
			t.Fatal(err)
		}
		return res.Unwrapped[0]
	}
	ch := compile(base + drivers)
	asked := &Injection{Amp: []float64{5e-6, 0, 0}, Phase: []float64{math.Pi / 6, 0, 0}}
	delivered, err := ch.quantInjection(0, asked)
	if err != nil {
		t.Fatal(err)
	}
	got, want := final(ch, asked), final(ch, delivered)
	if !slices.Equal(got, want) {
		t.Errorf("asked-for injection ends at %v, the delivered one at %v", got, want)
	}
	if plain := final(compile(base), asked); slices.Equal(got, plain) {
		t.Errorf("the drivers' rounding changed nothing: %v", got)
	}
}
