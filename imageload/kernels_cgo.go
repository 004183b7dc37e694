//go:build cgo && !purego

package imageload

/*
#cgo CFLAGS: -O2
#include <stdint.h>
#include <stddef.h>

#define IL_PREC 22

static inline uint8_t il_clip(int v) {
	v >>= IL_PREC;
	return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

// Horizontal pass of ImagingResampleHorizontal_8bpc over rows of ch-byte
// pixels (no padding): the same int arithmetic as Pillow, so the same bytes.
static void il_h8(const uint8_t *in, int in_stride, int offset, uint8_t *out, int out_w, int rows, int ch,
                  const int32_t *bounds, const int32_t *kk, int ksize) {
	const int half = 1 << (IL_PREC - 1);
	for (int yy = 0; yy < rows; yy++) {
		const uint8_t *src = in + (size_t)(yy + offset) * in_stride;
		uint8_t *dst = out + (size_t)yy * out_w * ch;
		for (int xx = 0; xx < out_w; xx++) {
			int xmin = bounds[2 * xx], xmax = bounds[2 * xx + 1];
			const int32_t *k = kk + (size_t)xx * ksize;
			const uint8_t *p = src + (size_t)xmin * ch;
			if (ch == 3) {
				int s0 = half, s1 = half, s2 = half;
				for (int x = 0; x < xmax; x++, p += 3) {
					s0 += p[0] * k[x];
					s1 += p[1] * k[x];
					s2 += p[2] * k[x];
				}
				dst[3 * xx] = il_clip(s0);
				dst[3 * xx + 1] = il_clip(s1);
				dst[3 * xx + 2] = il_clip(s2);
			} else if (ch == 1) {
				int s0 = half;
				for (int x = 0; x < xmax; x++) s0 += p[x] * k[x];
				dst[xx] = il_clip(s0);
			} else {
				int s[4] = {half, half, half, half};
				for (int x = 0; x < xmax; x++, p += ch)
					for (int c = 0; c < ch; c++) s[c] += p[c] * k[x];
				for (int c = 0; c < ch; c++) dst[xx * ch + c] = il_clip(s[c]);
			}
		}
	}
}

// Vertical pass of ImagingResampleVertical_8bpc; acc holds one row of sums.
static void il_v8(const uint8_t *in, int stride, uint8_t *out, int out_h, const int32_t *bounds,
                  const int32_t *kk, int ksize, int *acc) {
	const int half = 1 << (IL_PREC - 1);
	for (int yy = 0; yy < out_h; yy++) {
		int ymin = bounds[2 * yy], ymax = bounds[2 * yy + 1];
		const int32_t *k = kk + (size_t)yy * ksize;
		for (int i = 0; i < stride; i++) acc[i] = half;
		for (int y = 0; y < ymax; y++) {
			const uint8_t *row = in + (size_t)(y + ymin) * stride;
			int kv = k[y];
			for (int i = 0; i < stride; i++) acc[i] += row[i] * kv;
		}
		uint8_t *dst = out + (size_t)yy * stride;
		for (int i = 0; i < stride; i++) dst[i] = il_clip(acc[i]);
	}
}
*/
import "C"

import "unsafe"

func int32s(a []int) []int32 {
	out := make([]int32, len(a))
	for i, v := range a {
		out[i] = int32(v)
	}
	return out
}

// horizontal8 and vertical8 run the C kernels in the cgo build;
// horizontal8Go and vertical8Go (kernels.go) are the same arithmetic in Go.
func horizontal8(out, in *Image, offset int, c *coeffs) {
	if out.Height == 0 || out.Width == 0 {
		return
	}
	ch := in.Mode.Channels()
	b := int32s(c.bounds)
	C.il_h8((*C.uint8_t)(unsafe.Pointer(&in.Pix[0])), C.int(in.Width*ch), C.int(offset),
		(*C.uint8_t)(unsafe.Pointer(&out.Pix[0])), C.int(out.Width), C.int(out.Height), C.int(ch),
		(*C.int32_t)(unsafe.Pointer(&b[0])), (*C.int32_t)(unsafe.Pointer(&c.fixed[0])), C.int(c.ksize))
}

func vertical8(out, in *Image, c *coeffs) {
	if out.Height == 0 || out.Width == 0 {
		return
	}
	stride := in.Width * in.Mode.Channels()
	b := int32s(c.bounds)
	acc := make([]C.int, stride)
	C.il_v8((*C.uint8_t)(unsafe.Pointer(&in.Pix[0])), C.int(stride), (*C.uint8_t)(unsafe.Pointer(&out.Pix[0])),
		C.int(out.Height), (*C.int32_t)(unsafe.Pointer(&b[0])), (*C.int32_t)(unsafe.Pointer(&c.fixed[0])),
		C.int(c.ksize), &acc[0])
}
