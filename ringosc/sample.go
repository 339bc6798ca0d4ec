package ringosc

// Sample returns v(θ), Γ(θ), Γp(θ) and the inverter path's output InvV(θ)
// of a tabulated model with one table index: the same values, bit for bit,
// as V, Gamma, GammaPump and InvV, for the engine's inner loop. The model
// must be tabulated.
func (m *Model) Sample(theta float64) (v, g, gp, inv float64) {
	k, k1, f := tableIndex(len(m.Wave), theta)
	v = m.Wave[k]*(1-f) + m.Wave[k1]*f
	g = m.ISF[k]*(1-f) + m.ISF[k1]*f
	gp = m.Pump[k]*(1-f) + m.Pump[k1]*f
	if m.Inv == nil {
		inv = 1 - v
	} else {
		inv = m.Inv[k]*(1-f) + m.Inv[k1]*f
	}
	return v, g, gp, inv
}
