//go:build !amd64

package engine

// Without amd64 assembly the engine runs the plain-Go kernels.

func cpuKernels() kernelLevel                      { return levelGo }
func vectorKernels32(kernelLevel) kernels[float32] { return goKernels32() }
func vectorKernels64(kernelLevel) kernels[float64] { return goKernels64() }
func clearUpper(kernelLevel)                       {}
