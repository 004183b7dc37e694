//go:build !cgo || purego

package imageload

func horizontal8(out, in *Image, offset int, c *coeffs) { horizontal8Go(out, in, offset, c) }

func vertical8(out, in *Image, c *coeffs) { vertical8Go(out, in, c) }
