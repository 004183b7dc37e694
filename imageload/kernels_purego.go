//go:build !cgo || purego

package imageload

import (
	"encoding/binary"
	"math"
)

func simdKernels() bool { return false }

func horizontal8(out, in *Image, offset int, c *coeffs) { horizontal8Go(out, in, offset, c) }

func vertical8(out, in *Image, c *coeffs) { vertical8Go(out, in, c) }

// bytesToFloat32LE writes each byte of src as a little-endian float32 into
// dst (4·len(src) bytes): img_to_array's conversion.
func bytesToFloat32LE(dst []byte, src []uint8) {
	_ = dst[:4*len(src)]
	for i, v := range src {
		binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(float32(v)))
	}
}
