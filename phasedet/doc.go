// Package phasedet models the phase detectors that read a ring's phase φ
// relative to the reference clock (f_ref = f0):
//
//   - sampler: a flip-flop clocked by the reference samples the ring's output;
//     it reads the sign of cos φ, the ring's binary spin (+1 ↔ 0, −1 ↔ π);
//   - xor: an XOR of the ring and the reference, low-pass filtered; its duty
//     cycle is |φ|/π with φ wrapped to (−π, π], a pseudo-analog magnitude;
//   - tdc: an N-bit time-to-digital converter timing the ring's rising edge
//     after the reference's, i.e. (−φ mod 2π) in 2^N steps;
//   - counter: counts the ring's rising edges over a window, giving its mean
//     frequency (the read-out of Vodenicarevic et al. 2017).
//
// Aperture jitter (σ in seconds) turns into a phase error σ·2π·f_ref added
// before the decision, which models the detector's errors near the
// decision boundary. Area and energy per sample are from the tech card.
package phasedet
