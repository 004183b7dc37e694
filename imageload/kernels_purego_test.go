//go:build !cgo || purego

package imageload

// horizontal8C and vertical8C stand for the C kernels in the tests.
func horizontal8C(out, in *Image, offset int, c *coeffs, simd bool) {
	horizontal8Go(out, in, offset, c)
}

func vertical8C(out, in *Image, c *coeffs, simd bool) { vertical8Go(out, in, c) }
