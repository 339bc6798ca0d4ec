package bench

import (
	"fmt"

	"oscsim/netlist"
)

func newOscNetWorkload(spec Spec, p *params, nl *netlist.Netlist) (Workload, error) {
	return nil, fmt.Errorf("bench: workload %q is not built yet", spec.Kind)
}
