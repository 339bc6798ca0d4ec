// Package chip compiles a validated chip description into one chip
// instance and runs it.
//
// Compile draws the instance's mismatch (ring frequencies, coupler
// conductances) from (seed, instance), derives every rate of the models from
// device parameters (ringosc, coupling, shil, tech), and programs the
// couplings: weights are quantised onto transmission-gate codes and stored
// as a sparse CSR matrix. Program reprograms the couplings of the same
// instance, keeping its mismatch, as the hardware does between tasks.
//
// Run advances a batch of inputs (initial phases, optional frequency offsets)
// together with a fixed time step, in one of two fidelity levels:
//
//   - "cycle": the full phase θ_i = ω_ref·t + φ_i is resolved within each
//     oscillation cycle; every coupler injects the current
//     G·VDD·(v_j − v_i) (the complement v_j → 1 − v_j on the inverter path),
//     the pump injects I_s·cos(2·ω_ref·t), and each ring turns current into
//     phase through its ISF: dφ_i/dt = Δω_i + Γ(θ_i)·i_c/q_max +
//     Γp(θ_i)·i_p/q_max (Hajimiri & Lee, JSSC 1998).
//   - "phase": the cycle average of the same equations in the reference
//     frame, dφ_i/dt = Δω_i + Σ_j K_ij·sin(φ_j − φ_i) − K_s·sin 2φ_i, the
//     Kuramoto + SHIL model of OscNet v1.5 eq. (12) (docs/model.md §5 and §11),
//     with K_ij = h1·G_ij/C and K_s = g2·I_s/q_max from the same devices.
//
// Both add white phase noise dφ = √(2D)·dW with D = π·linewidth. Detectors
// sample once per reference cycle (or at the end). Randomness is derived
// from (seed, instance, input index), so results do not depend on the batch
// size or the number of goroutines.
//
// The time stepping itself is chip/internal/engine's: Run turns the
// compiled chip and its options into the engine's plain-data plan and
// keeps the loop around the engine's steps — the observers (detectors,
// trace, OnStep, progress), the lock measurement, the coupler power's
// average and the energy ledger.
package chip
