//go:build !goexperiment.simd || !amd64

package chip

// clearUpper is a no-op without the vector kernels (engine_simd_amd64.go).
func clearUpper() {}
