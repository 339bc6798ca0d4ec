package chip

import (
	"strings"
	"testing"

	"oscsim/netlist"
)

// A fabric chip can be reprogrammed only on the coupler sites it builds:
// King's-graph neighbours here (netlist.HasSite); zero-code pairs need no
// site. The ledger counts the fabric's sites, not the program's.
func TestProgramOnFabricSites(t *testing.T) {
	ch := compileSrc(t, `
[oscillators]
count = 9
layout = "grid"
rows = 3
cols = 3
[couplings]
bits = 2
topology = "kings"
`)
	if _, err := ch.Program([]netlist.Edge{{I: 0, J: 4, W: 1}, {I: 4, J: 8, W: -1}}); err != nil {
		t.Fatalf("diagonal neighbours: %v", err)
	}
	_, err := ch.Program([]netlist.Edge{{I: 0, J: 1, W: 1}, {I: 0, J: 2, W: 1}})
	if err == nil || !strings.Contains(err.Error(), `coupling 1 (osc0–osc2) has no coupler site in the chip's "kings" fabric`) {
		t.Fatalf("non-neighbour pair: got %v", err)
	}
	if _, err := ch.Program([]netlist.Edge{{I: 0, J: 1, W: 1}, {I: 0, J: 2, W: 0}}); err != nil {
		t.Fatalf("a zero weight needs no site: %v", err)
	}
	// 4RC − 3(R+C) + 2 = 36 − 18 + 2 = 20 sites on a 3×3 King's graph.
	if L := ch.Ledger(nil); L.Sites != 20 {
		t.Errorf("ledger counts %d sites, want 20", L.Sites)
	}
}
