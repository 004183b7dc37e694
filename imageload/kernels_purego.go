//go:build !cgo || purego

package imageload

func simdKernels() bool { return false }

func horizontal8(out, in *Image, offset int, c *coeffs) { horizontal8Go(out, in, offset, c) }

func vertical8(out, in *Image, c *coeffs) { vertical8Go(out, in, c) }

// horizontal8C and vertical8C stand for the C kernels in the tests.
func horizontal8C(out, in *Image, offset int, c *coeffs, simd bool) {
	horizontal8Go(out, in, offset, c)
}

func vertical8C(out, in *Image, c *coeffs, simd bool) { vertical8Go(out, in, c) }
