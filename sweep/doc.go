// Package sweep runs design-space sweeps: a base chip description, a
// workload (bench.Workload), and axes over any chip or workload parameter
// by its TOML path, evaluated on several chip instances (mismatch draws)
// and noise realisations per point.
//
// A sweep file is TOML:
//
//	[sweep]
//	chip = "../maxcut-ring8.toml"   # or "embedded:maxcut-ring8"
//	instances = 3                   # chip instances per point
//	seeds = 4                       # noise realisations per instance
//	accuracy = "success_rate"       # the metric summarised as accuracy
//
//	[workload]
//	kind = "maxcut"
//	runs = 20
//
//	[set]                           # fixed overrides at every point
//	"couplings.sigma" = "5%"
//
//	[[axis]]
//	path = "oscillators.linewidth"
//	values = ["0Hz", "1MHz", "5MHz"]
//
// Parse applies every point to the base chip (decode to a generic map, set
// the dotted path, encode, netlist.Parse) and builds its workload
// (bench.New), so a bad path or value is reported with the sweep file's
// line before anything runs. Run writes a results directory whose files
// stream point by point and survive being killed at any moment; Merge
// joins shards; Plot draws the results.
//
// Randomness: run (point p, instance i, noise realisation k) compiles chip
// instance i with the point's chip seed and runs the workload with
// NoiseSeed(k). The chip seed is the sweep seed at every point by default
// (common random numbers: instance i has the same mismatch draw at every
// point, so curves over an axis compare like with like); with
// streams = "independent" it is hashed from the sweep seed and the
// point's values. Either way a run's numbers depend only on (sweep seed,
// point values, instance, k): not on the point's index, the number of
// jobs, interruptions or shards.
//
// The package does no physics: chips come from package chip, metrics from
// package bench, area and power from chip.Ledger.
package sweep
