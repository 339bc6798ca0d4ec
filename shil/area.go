package shil

import (
	"math"

	"oscsim/tech"
)

// Devices returns the number of unit-inverter-sized devices of a pump that
// drives n rings: one injection device per ring plus a fanout-4 buffer tree
// that distributes the 2·f0 drive, ⌈(n−1)/3⌉ buffers (a full 4-ary tree
// with n leaves has (n−1)/3 internal nodes) [A].
func Devices(n int) int {
	if n <= 0 {
		return 0
	}
	return n + int(math.Ceil(float64(n-1)/3))
}

// Area returns the pump's area (m²): Devices(n) unit inverters.
func Area(n int, c tech.Card) float64 { return float64(Devices(n)) * c.AreaInv }

// DistCap returns the capacitance (F) the pump's distribution switches at
// 2·f0: every device of Devices(n) drives one light node (CUnit: an
// injection gate or a buffer output) [A]. It is Power's cDist.
func DistCap(n int, c tech.Card) float64 { return float64(Devices(n)) * c.CUnit }
