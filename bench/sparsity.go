package bench

import (
	"context"
	"fmt"
	"math"
	"sort"

	"oscsim/chip"
	"oscsim/netlist"
)

// This file is the OscNet workload's side of `oscsim report --sparsity`
// (moved here from package chip, issue 14): the per-pixel TopABS rule
// applied to random weights and the tournament's match count price an
// OscNet chip against its sparsity; chip only compiles and runs.

// TournamentMatches is the number of pairwise matches (and so
// reprogrammings and runs) per image of the OscNet v1.5 ten-class
// king-of-the-hill tournament (docs/oscnet.md, "Inference on the simulated
// chip").
const TournamentMatches = 9

// Topology is one coupler fabric of a sparsity sweep: the number of
// connections K kept per oscillator (K ≥ N−1 means fully connected) and the
// resulting undirected edges with their weights. Edges from learn's top-k
// masks and the random ones of RandomTopK are both accepted.
type Topology struct {
	K     int
	Edges []netlist.Edge
}

// SparsityPoint is one row of a sparsity sweep.
type SparsityPoint struct {
	K int `json:"k"`
	// Sites is the number of coupler sites the fabric builds.
	Sites  int          `json:"sites"`
	Ledger *chip.Ledger `json:"ledger"`
	// EnergyPerInference is the energy of one OscNet v1.5 MNIST inference:
	// TournamentMatches × (one reprogramming + one run).
	EnergyPerInference float64 `json:"energy_per_inference_j"`
}

// SparsityOptions control a sweep.
type SparsityOptions struct {
	// Run runs each chip once (its description's model and duration, with
	// more steps per cycle when a dense fabric needs them) so the TG
	// conduction comes from the phases it carries; otherwise the ledger's
	// uniform-phase estimate is used.
	Run bool
	// Seed is the chip instance's seed (mismatch and noise).
	Seed int64
}

// tagTopK keeps RandomTopK's weights apart from the chip's streams.
const tagTopK uint64 = 0x746f706b

// RandomTopK returns, for each k in ks, the per-oscillator top-k topology
// of one random symmetric weight matrix over n oscillators: w_ij = w_ji ~
// N(0, 1), drawn as a pure function of (seed, i, j); each oscillator keeps
// the k partners of largest |w_ij| (the "TopABS" rule of OscNet v1.5,
// docs/model.md §11), and the union of the rows' choices is the fabric
// (the OR-symmetrised mask, docs/model.md §11 [A]). Because every row's
// order is fixed, the topologies are nested: a larger k keeps a superset of
// the edges. k ≥ n−1 gives the complete graph. It stands in for learn's
// trained masks when those are not available; the weights are random.
func RandomTopK(n int, ks []int, seed int64) []Topology {
	// W[i·n+j] = w_ij, symmetric.
	W := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			x := chip.KeyNormal(uint64(seed), tagTopK, uint64(i), uint64(j))
			W[i*n+j], W[j*n+i] = x, x
		}
	}
	// order[i] lists row i's partners by descending |w| (ties by index).
	order := make([][]int32, n)
	for i := 0; i < n; i++ {
		row := make([]int32, 0, n-1)
		for j := 0; j < n; j++ {
			if j != i {
				row = append(row, int32(j))
			}
		}
		wr := W[i*n : (i+1)*n]
		sort.Slice(row, func(a, b int) bool {
			wa, wb := math.Abs(wr[row[a]]), math.Abs(wr[row[b]])
			if wa != wb {
				return wa > wb
			}
			return row[a] < row[b]
		})
		order[i] = row
	}
	out := make([]Topology, len(ks))
	keep := make([]bool, n*n) // keep[i·n+j], i < j
	for x, k := range ks {
		k = max(0, min(k, n-1))
		clear(keep)
		for i := 0; i < n; i++ {
			for _, j := range order[i][:k] {
				keep[min(i, int(j))*n+max(i, int(j))] = true
			}
		}
		var edges []netlist.Edge
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				if keep[i*n+j] {
					edges = append(edges, netlist.Edge{I: i, J: j, W: W[i*n+j]})
				}
			}
		}
		out[x] = Topology{K: ks[x], Edges: edges}
	}
	return out
}

// Sparsity compiles base once per topology, with the topology's edges as
// both the built fabric and the programmed weights (base should use
// topology = "explicit"), and returns each chip's ledger. It is the Go API
// behind `oscsim report --sparsity`, for sweep tooling.
func Sparsity(ctx context.Context, base *netlist.Netlist, tops []Topology, opt SparsityOptions) ([]SparsityPoint, error) {
	if base.Couplings.Topology != netlist.Explicit {
		return nil, fmt.Errorf("chip: sparsity sweep needs a base chip with couplings.topology = \"explicit\" (got %q)", base.Couplings.Topology)
	}
	out := make([]SparsityPoint, 0, len(tops))
	for _, tp := range tops {
		nl := *base
		nl.Couplings.Edges = tp.Edges
		nl.Couplings.WeightsFile = ""
		ch, err := chip.Compile(&nl, chip.Options{Seed: opt.Seed, SetSeed: true})
		if err != nil {
			return nil, fmt.Errorf("chip: k = %d: %w", tp.K, err)
		}
		var res *chip.Result
		if opt.Run {
			// Denser fabrics couple more strongly: take the steps per
			// cycle the chip needs if the description's are too few.
			spc := math.Max(nl.Run.StepsPerCycle, ch.MinStepsPerCycle(nl.Run.Model, 1))
			res, err = ch.Run(ctx, nil, chip.RunOptions{StepsPerCycle: spc})
			if err != nil {
				return nil, fmt.Errorf("chip: k = %d: %w", tp.K, err)
			}
		}
		L := ch.Ledger(res)
		out = append(out, SparsityPoint{K: tp.K, Sites: L.Sites, Ledger: L,
			EnergyPerInference: TournamentMatches * L.EnergyPerRun})
	}
	return out, nil
}
