package chip

import "math"

// Energy returns the phase model's Lyapunov function at phases phi (rad)
// with the pump at fraction f of full strength:
//
//	E(φ) = −Σ_{i<j} K_ij·cos(φ_i − φ_j) − (f·K_s/2)·Σ_i cos 2φ_i − Σ_i Δω_i·φ_i
//
// (OscNet v1.5 eq. (12)'s energy, docs/model.md §11, plus the detuning
// term). For symmetric K the phase model is the gradient flow
// dφ/dt = −∂E/∂φ, so E never rises along a noise-free run with a constant
// pump. Units: rad/s. Inverter-path mismatch makes K slightly asymmetric;
// the sum then uses the mean of K_ij and K_ji.
func (ch *Chip) Energy(phi []float64, f float64) float64 {
	m := &ch.csr
	var e float64
	for i := 0; i < ch.n; i++ {
		for x := m.rowPtr[i]; x < m.rowPtr[i+1]; x++ {
			j := int(m.col[x])
			// Each unordered pair appears once per direction: ½ of each.
			e -= 0.5 * ch.rate(float64(m.g[x])) * math.Cos(phi[i]-phi[j])
		}
		e -= f * ch.ks * ch.pumpMask[i] / 2 * math.Cos(2*phi[i])
		e -= ch.dOmega[i] * phi[i]
	}
	return e
}
