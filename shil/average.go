package shil

// Mean returns the pump amplitude averaged over a run [0, T], as a fraction
// of full strength: (1/T)·∫₀ᵀ Factor(t) dt, in closed form for each
// schedule (Factor is 0 before Start and piecewise linear after it).
func (s Schedule) Mean(T float64) float64 {
	if !(T > 0) || s.Start >= T {
		return 0
	}
	on := T - s.Start // time the pump is on
	var area float64
	switch s.Kind {
	case Ramp:
		end := s.End
		if end <= s.Start {
			area = on
			break
		}
		r := end - s.Start // rise time
		if on <= r {
			area = on * on / (2 * r)
		} else {
			area = r/2 + (on - r)
		}
	case RampHold:
		r := s.Ramp
		if r <= 0 {
			area = on
		} else if on <= r {
			area = on * on / (2 * r)
		} else {
			area = r/2 + (on - r)
		}
	default:
		area = on
	}
	return area / T
}

// OnFraction returns the fraction of [0, T] during which the pump runs
// (t ≥ Start): its 2·f0 distribution switches only then.
func (s Schedule) OnFraction(T float64) float64 {
	if !(T > 0) || s.Start >= T {
		return 0
	}
	return (T - s.Start) / T
}
