// Package eqprop trains oscillator networks by equilibrium propagation
// (Scellier & Bengio 2017) on their phase-deviation model, as Gemo, Bonnin
// & Corinto (Neuromorph. Comput. Eng. 6 (2026) 024016) and Zoppo et al.
// (ISCAS 2022) propose; docs/ep.md states the equations and every choice
// the papers leave open.
//
// # What it models
//
// A network of N weakly coupled ring oscillators with symmetric couplings
// W_e on a set of edges (all-to-all for an associative memory, between
// consecutive layers for a layered classifier: Net). Its phase-deviation
// dynamics in the reference frame are the gradient flow of
//
//	E(φ; W) = −κ·Σ_e W_e·cos(φ_i − φ_j)   (e = (i, j), κ = rate per unit weight)
//
// and both phases of equilibrium propagation run through the chip's
// engine (chip.Run, phase model): a batch of training samples is a batch
// of chip inputs. The nudge is a physical signal, a current injected at
// f0 into the output rings whose phase carries the target (chip.Injection):
// its locking rate β·κ adds β·κ·Σ_out (1 − cos(φ_i − ψ_i)) to the energy.
// EP's update is ΔW_e ∝ (1/β)[cos(φ_i^β − φ_j^β) − cos(φ_i^0 − φ_j^0)],
// here with the symmetric ±β estimator (an injection at ψ + π is −β).
//
// The reference it is measured against is backpropagation through the
// same engine's Euler steps (BPTT: the engine's trace forward, the adjoint
// backward). Hebbian and pseudo-inverse (projection-rule) couplings are the
// baselines of the associative-memory task (Memory).
//
// The layered classifier (LayeredWeights, LayeredTrainer, TrainLayered;
// docs/ep.md §6) trains 784-H-10 networks on MNIST-sized images: the
// input rings are held at the pixels' phases, which makes each hidden
// ring's inputs and bias one injection at f0, so the engine steps only
// the hidden and output rings while a minibatch is a batch of chip
// inputs. Its weights file (.npz, LoadLayered) is what bench.EPEval and
// `oscsim eval ep` program onto the compiled layered chip.
//
// A Machine is one compiled chip running one Net: in software (Software:
// 16-bit couplers, no noise, no mismatch, phases read exactly) or a
// described chip in the loop (InTheLoop: its couplers' codes, mismatch,
// noise, and phases read through a TDC detector's bits).
//
// # What it does not model
//
// The Van der Pol oscillators and memristive couplings of the papers: the
// rings are the chip's (package chip), and their coupling function is the
// chip's ring model (odd for the analytic ring; the characterised ring
// adds an even part, one of the failure modes repro's ep-memory measures).
package eqprop
