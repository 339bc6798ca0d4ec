// Package bench runs workloads on compiled chips: a chip instance, weights
// and data in; accuracy (or success rate), time to solution and energy out.
// It holds the workloads (max-cut, OscNet per-class relaxation and pairwise
// tournament, …) behind one interface, Workload, so that sweeps and the CLI
// treat every workload alike.
//
// It does no physics: every state update goes through package chip.
package bench
