// Package freqsync trains the frequency-synchronisation classifier of
// Vodenicarevic, Locatelli, Grollier and Querlioz (J. Appl. Phys. 124,
// 152117 (2018); arXiv 1808.08412): N phase oscillators coupled all-to-all
// with one uniform strength k, whose natural frequencies carry the input,
// and whose output is whether chosen pairs synchronise (their mean
// frequencies over the last τ differ by at most k/2).
//
// The forward pass is the chip's own engine: a Net compiles a chip
// description of N rings with uniform in-phase couplings and no pump (the
// phase model of such a chip is the paper's Kuramoto model, eq. 6), and a
// batch of training examples runs as a batch of chip.Inputs whose
// FreqOffset sets each ring's natural frequency. The engine reports the
// phases of every step through chip.RunOptions.OnStep; the gradient is
// computed from that trajectory, either by forward sensitivities (eq. 7,
// O(N³) a step) or by the adjoint of the Euler steps (reverse mode, O(N²)
// a step per output oscillator). Whatever the engine models (phase noise,
// ring and coupler mismatch) is then in the trajectory the gradient
// follows, which is what hardware-aware training uses.
//
// The package owns the model (reference and extended architectures), the
// losses of eqs. 3–4, Adam, the tanh clipping of the Jacobian, the online
// pull/push rule of the reference classifier, the perceptron and two-layer
// tanh baselines and the paper's tasks (2-D regions, Iris). It does not own
// the physics (chip), the data files (dataset) or the tables (repro).
//
// Equations, units and every choice the paper leaves open: docs/sync.md.
package freqsync
