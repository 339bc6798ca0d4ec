// Package hrecm analyses and trains oscillator Ising machines (OIMs) as
// associative memories, after Cheng & Lin, "Training oscillator Ising
// machines to assign the dynamic stability of their equilibrium points"
// (arXiv 2507.14386, "HRECM"), whose stability result is from Cheng,
// Bashar, Shukla & Lin, Chaos 34 (2024). The equations, as rebuilt and
// implemented here, and every choice the paper leaves open are in
// docs/hrecm.md.
//
// # What it models
//
// The OIM phase dynamics dθ_i/dt = −K Σ_j J_ij sin(θ_i − θ_j) − K_s sin 2θ_i
// (eq 1) have every binary state θ ∈ {0, π}^N as an equilibrium. The state
// σ = cos θ is asymptotically stable iff λ(σ) = λ_max(A(σ)) < 2K_s/K, with
// A(σ) the matrix of eq (3) (Net.A; Net.Jacobian is the full Jacobian at
// any θ). The package computes λ for every state pair (Enumerate, exact
// for N ≤ 24 over all cores), counts states under a threshold without
// storing them (CountAtMost, N ≤ 32, using Theorem 1's bounds to skip most
// eigen-solves), samples states by Hamiltonian Gibbs sampling (Gibbs),
// trains J so that exactly a desired pattern set is stable (Train,
// Algorithm 1, with or without the regulariser), and sets J by the
// classical baselines (Hebbian, projection/pseudo-inverse, Storkey).
//
// It does not integrate the dynamics or model hardware: package chip runs
// a trained J on the phase or cycle model of a compiled chip.
//
// # States
//
// σ and −σ have the same H and λ; a state pair is a uint64 index (Index,
// State) with σ_0 = +1 and bit i−1 set iff σ_i = −1, so N ≤ 64.
//
// # Randomness
//
// Every random draw comes from an explicit seed (NewRand); results never
// depend on the number of workers.
package hrecm
