//go:build cgo && !purego

package imageload

/*
#cgo CFLAGS: -O3
#include "kernels.h"
*/
import "C"

import "unsafe"

// simdKernels reports whether the C kernels run vectorised on this CPU.
func simdKernels() bool { return C.il_simd() != 0 }

// horizontal8 and vertical8 run the C kernels (kernels.c) in the cgo build;
// horizontal8Go and vertical8Go (resample.go) are the same arithmetic in Go.
func horizontal8(out, in *Image, offset int, c *coeffs) { horizontal8C(out, in, offset, c, true) }

func vertical8(out, in *Image, c *coeffs) { vertical8C(out, in, c, true) }

func horizontal8C(out, in *Image, offset int, c *coeffs, simd bool) {
	if out.Height == 0 || out.Width == 0 {
		return
	}
	ch := in.Mode.Channels()
	c.prepare8()
	var ng, kv *C.int32_t
	if simd && (ch == 3 || ch == 4) {
		c.prepareVec()
		ng = (*C.int32_t)(unsafe.Pointer(&c.groups[0]))
		kv = (*C.int32_t)(unsafe.Pointer(&c.vec[0]))
	}
	// The vector loads may read past len(in.Pix), up to its capacity.
	C.il_h8((*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(in.Pix))), C.size_t(cap(in.Pix)), C.int(in.Width*ch), C.int(offset),
		(*C.uint8_t)(unsafe.Pointer(&out.Pix[0])), C.int(out.Width), C.int(out.Height), C.int(ch),
		(*C.int32_t)(unsafe.Pointer(&c.bounds32[0])), (*C.int32_t)(unsafe.Pointer(&c.fixed[0])), C.int(c.ksize),
		ng, kv)
}

func vertical8C(out, in *Image, c *coeffs, simd bool) {
	if out.Height == 0 || out.Width == 0 {
		return
	}
	c.prepare8()
	s := C.int(0)
	if simd {
		s = 1
	}
	C.il_v8((*C.uint8_t)(unsafe.Pointer(&in.Pix[0])), C.int(in.Width*in.Mode.Channels()),
		(*C.uint8_t)(unsafe.Pointer(&out.Pix[0])), C.int(out.Height),
		(*C.int32_t)(unsafe.Pointer(&c.bounds32[0])), (*C.int32_t)(unsafe.Pointer(&c.fixed[0])), C.int(c.ksize), s)
}

// bytesToFloat32LE writes each byte of src as a little-endian float32 into
// dst (4·len(src) bytes): img_to_array's conversion, in C.
func bytesToFloat32LE(dst []byte, src []uint8) {
	if len(src) == 0 {
		return
	}
	_ = dst[4*len(src)-1]
	C.il_u8_to_f32le((*C.uint8_t)(unsafe.Pointer(&src[0])), (*C.uint8_t)(unsafe.Pointer(&dst[0])), C.size_t(len(src)))
}
