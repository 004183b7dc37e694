//go:build cgo && !purego

// The C resampling kernels (kernels.c), called from kernels_cgo.go.

#include <stddef.h>
#include <stdint.h>

// il_simd reports whether this CPU runs the vectorised kernels.
int il_simd(void);

// il_h8 is the horizontal pass over rows [offset, offset+rows) of in, which
// may be read up to in_cap bytes; kv (the vector coefficients, see kernels.c)
// NULL forces the scalar loop.
void il_h8(const uint8_t *in, size_t in_cap, int in_stride, int offset, uint8_t *out, int out_w, int rows,
           int ch, const int32_t *bounds, const int32_t *kk, int ksize, const int32_t *ng, const int32_t *kv);

// il_v8 is the vertical pass; simd 0 forces the scalar loop.
void il_v8(const uint8_t *in, int stride, uint8_t *out, int out_h, const int32_t *bounds, const int32_t *kk,
           int ksize, int simd);

// il_u8_to_f32le writes n bytes of in as n little-endian float32 to out.
void il_u8_to_f32le(const uint8_t *in, uint8_t *out, size_t n);
