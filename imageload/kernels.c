//go:build cgo && !purego

// Pillow's 8-bit resampling passes (ImagingResampleHorizontal_8bpc and
// ImagingResampleVertical_8bpc) in C: the same integer arithmetic, so the
// same bytes. On x86-64 CPUs with AVX2 (checked at run time) the horizontal
// pass for 3- and 4-byte pixels and the vertical pass for every mode run
// vectorised; elsewhere, and for 1- and 2-byte pixels horizontally, the
// scalar loops run.
//
// Why the vector code is exact: Pillow sums p·k in a C int, p a byte and k a
// 22-bit fixed-point coefficient. Integer sums do not depend on their order,
// so any grouping gives Pillow's int. The horizontal pass splits each k into
// k = kh·2^15 + kl (0 <= kl < 2^15), which both fit signed 16-bit lanes, sums
// p·kl and p·kh separately with pmaddwd (exact: |p·k16| < 2^23) and forms
// lo + (hi << 15) in wrapping 32-bit arithmetic, equal to Pillow's sum
// modulo 2^32 and so equal to it. The vertical pass multiplies in 32 bits.

#include <stdint.h>
#include <string.h>

#include "kernels.h"

#define IL_PREC 22
#define IL_HALF (1 << (IL_PREC - 1))

static inline uint8_t il_clip(int v) {
	v >>= IL_PREC;
	return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

// One output sample row of the horizontal pass, scalar (Pillow's loops).
static void il_h8_row(const uint8_t *src, uint8_t *dst, int xx0, int xx1, int ch, const int32_t *bounds,
                      const int32_t *kk, int ksize) {
	for (int xx = xx0; xx < xx1; xx++) {
		int xmin = bounds[2 * xx], xmax = bounds[2 * xx + 1];
		const int32_t *k = kk + (size_t)xx * ksize;
		const uint8_t *p = src + (size_t)xmin * ch;
		if (ch == 3) {
			int s0 = IL_HALF, s1 = IL_HALF, s2 = IL_HALF;
			for (int x = 0; x < xmax; x++, p += 3) {
				s0 += p[0] * k[x];
				s1 += p[1] * k[x];
				s2 += p[2] * k[x];
			}
			dst[3 * xx] = il_clip(s0);
			dst[3 * xx + 1] = il_clip(s1);
			dst[3 * xx + 2] = il_clip(s2);
		} else if (ch == 1) {
			int s0 = IL_HALF;
			for (int x = 0; x < xmax; x++) s0 += p[x] * k[x];
			dst[xx] = il_clip(s0);
		} else {
			int s[4] = {IL_HALF, IL_HALF, IL_HALF, IL_HALF};
			for (int x = 0; x < xmax; x++, p += ch)
				for (int c = 0; c < ch; c++) s[c] += p[c] * k[x];
			for (int c = 0; c < ch; c++) dst[xx * ch + c] = il_clip(s[c]);
		}
	}
}

// Vertical pass over samples [i0, i1) of the output rows, scalar.
static void il_v8_cols(const uint8_t *in, int stride, uint8_t *out, int out_h, const int32_t *bounds,
                       const int32_t *kk, int ksize, int i0, int i1) {
	enum { B = 64 };
	int acc[B];
	for (int yy = 0; yy < out_h; yy++) {
		int ymin = bounds[2 * yy], ymax = bounds[2 * yy + 1];
		const int32_t *k = kk + (size_t)yy * ksize;
		for (int b0 = i0; b0 < i1; b0 += B) {
			int n = i1 - b0 < B ? i1 - b0 : B;
			for (int i = 0; i < n; i++) acc[i] = IL_HALF;
			for (int y = 0; y < ymax; y++) {
				const uint8_t *row = in + (size_t)(y + ymin) * stride + b0;
				int kv = k[y];
				for (int i = 0; i < n; i++) acc[i] += row[i] * kv;
			}
			uint8_t *dst = out + (size_t)yy * stride + b0;
			for (int i = 0; i < n; i++) dst[i] = il_clip(acc[i]);
		}
	}
}

#if defined(__x86_64__)
#include <immintrin.h>

static int il_avx2(void) {
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2");
}

// Horizontal pass, 3 or 4 bytes per pixel. kv holds, per output pixel, ng
// groups of 4 taps as two 8-lane vectors (kl pairs, then kh pairs): lanes
// 0-3 are (k[t], k[t+1]) for taps t, t+1 and lanes 4-7 for t+2, t+3, as
// 16-bit pairs; taps past xmax are 0. A group loads 16 bytes from its first
// pixel, so a pixel whose loads would pass in_end is done by the scalar loop.
// Rows go in pairs, which share the weights' loads.

// il_put stores the ch bytes of a pixel held in px.
static inline void il_put(uint8_t *d, uint32_t px, int ch) {
	if (ch == 3) {
		uint16_t rg = (uint16_t)px;
		memcpy(d, &rg, 2);
		d[2] = (uint8_t)(px >> 16);
	} else {
		memcpy(d, &px, 4);
	}
}

__attribute__((target("avx2"))) static inline __m256i il_pixel_sums(__m256i lo, __m256i hi) {
	return _mm256_add_epi32(lo, _mm256_slli_epi32(hi, 15));
}

__attribute__((target("avx2"))) static void il_h8_avx2(const uint8_t *in, const uint8_t *in_end, int in_stride,
                                                        int offset, uint8_t *out, int out_w, int rows, int ch,
                                                        const int32_t *bounds, const int32_t *kk, int ksize,
                                                        const int32_t *ng, const int32_t *kv) {
	__m256i shuf;
	if (ch == 3)
		shuf = _mm256_setr_epi8(0, -1, 3, -1, 1, -1, 4, -1, 2, -1, 5, -1, -1, -1, -1, -1, //
		                        6, -1, 9, -1, 7, -1, 10, -1, 8, -1, 11, -1, -1, -1, -1, -1);
	else
		shuf = _mm256_setr_epi8(0, -1, 4, -1, 1, -1, 5, -1, 2, -1, 6, -1, 3, -1, 7, -1, //
		                        8, -1, 12, -1, 9, -1, 13, -1, 10, -1, 14, -1, 11, -1, 15, -1);
	const int step = 4 * ch;
	const __m256i half = _mm256_set1_epi32(IL_HALF);
	int yy = 0;
	for (; yy + 1 < rows; yy += 2) {
		const uint8_t *src = in + (size_t)(yy + offset) * in_stride;
		uint8_t *dst = out + (size_t)yy * out_w * ch;
		const int32_t *kp = kv;
		for (int xx = 0; xx < out_w; xx++) {
			int n = ng[xx];
			const uint8_t *p = src + (size_t)bounds[2 * xx] * ch;
			if (p + in_stride + (size_t)(n - 1) * step + 16 > in_end) {
				il_h8_row(src, dst, xx, xx + 1, ch, bounds, kk, ksize);
				il_h8_row(src + in_stride, dst + (size_t)out_w * ch, xx, xx + 1, ch, bounds, kk, ksize);
				kp += 16 * n;
				continue;
			}
			__m256i loA = _mm256_setzero_si256(), hiA = loA, loB = loA, hiB = loA;
			for (int g = 0; g < n; g++, p += step, kp += 16) {
				__m256i kl = _mm256_loadu_si256((const __m256i *)kp);
				__m256i kh = _mm256_loadu_si256((const __m256i *)(kp + 8));
				__m256i a = _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)p)), shuf);
				__m256i b = _mm256_shuffle_epi8(
				    _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(p + in_stride))), shuf);
				loA = _mm256_add_epi32(loA, _mm256_madd_epi16(a, kl));
				hiA = _mm256_add_epi32(hiA, _mm256_madd_epi16(a, kh));
				loB = _mm256_add_epi32(loB, _mm256_madd_epi16(b, kl));
				hiB = _mm256_add_epi32(hiB, _mm256_madd_epi16(b, kh));
			}
			__m256i sA = il_pixel_sums(loA, hiA), sB = il_pixel_sums(loB, hiB);
			// Lanes 0-3: row A's pixel (both tap halves added), 4-7: row B's.
			__m256i t = _mm256_add_epi32(_mm256_permute2x128_si256(sA, sB, 0x20), _mm256_permute2x128_si256(sA, sB, 0x31));
			t = _mm256_srai_epi32(_mm256_add_epi32(t, half), IL_PREC);
			t = _mm256_packus_epi16(_mm256_packs_epi32(t, t), t);
			il_put(dst + (size_t)xx * ch, (uint32_t)_mm256_cvtsi256_si32(t), ch);
			il_put(dst + (size_t)(out_w + xx) * ch, (uint32_t)_mm_cvtsi128_si32(_mm256_extracti128_si256(t, 1)), ch);
		}
	}
	for (; yy < rows; yy++) {
		const uint8_t *src = in + (size_t)(yy + offset) * in_stride;
		uint8_t *dst = out + (size_t)yy * out_w * ch;
		const int32_t *kp = kv;
		for (int xx = 0; xx < out_w; xx++) {
			int n = ng[xx];
			const uint8_t *p = src + (size_t)bounds[2 * xx] * ch;
			if (p + (size_t)(n - 1) * step + 16 > in_end) {
				il_h8_row(src, dst, xx, xx + 1, ch, bounds, kk, ksize);
				kp += 16 * n;
				continue;
			}
			__m256i lo = _mm256_setzero_si256(), hi = lo;
			for (int g = 0; g < n; g++, p += step, kp += 16) {
				__m256i v = _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)p)), shuf);
				lo = _mm256_add_epi32(lo, _mm256_madd_epi16(v, _mm256_loadu_si256((const __m256i *)kp)));
				hi = _mm256_add_epi32(hi, _mm256_madd_epi16(v, _mm256_loadu_si256((const __m256i *)(kp + 8))));
			}
			__m256i s = il_pixel_sums(lo, hi);
			__m256i t = _mm256_add_epi32(s, _mm256_permute2x128_si256(s, s, 0x01));
			t = _mm256_srai_epi32(_mm256_add_epi32(t, half), IL_PREC);
			t = _mm256_packus_epi16(_mm256_packs_epi32(t, t), t);
			il_put(dst + (size_t)xx * ch, (uint32_t)_mm256_cvtsi256_si32(t), ch);
		}
	}
}

// Vertical pass: 32 samples at a time in four 8-lane int32
// accumulators kept in registers across the taps; the tail is scalar.
__attribute__((target("avx2"))) static void il_v8_avx2(const uint8_t *in, int stride, uint8_t *out, int out_h,
                                                        const int32_t *bounds, const int32_t *kk, int ksize) {
	const int n32 = stride / 32 * 32;
	const __m256i half = _mm256_set1_epi32(IL_HALF);
	const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
	for (int yy = 0; yy < out_h; yy++) {
		int ymin = bounds[2 * yy], ymax = bounds[2 * yy + 1];
		const int32_t *k = kk + (size_t)yy * ksize;
		const uint8_t *base = in + (size_t)ymin * stride;
		uint8_t *dst = out + (size_t)yy * stride;
		for (int i = 0; i < n32; i += 32) {
			__m256i a0 = half, a1 = half, a2 = half, a3 = half;
			const uint8_t *row = base + i;
			for (int y = 0; y < ymax; y++, row += stride) {
				__m256i kb = _mm256_set1_epi32(k[y]);
				a0 = _mm256_add_epi32(a0, _mm256_mullo_epi32(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)row)), kb));
				a1 = _mm256_add_epi32(a1, _mm256_mullo_epi32(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(row + 8))), kb));
				a2 = _mm256_add_epi32(a2, _mm256_mullo_epi32(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(row + 16))), kb));
				a3 = _mm256_add_epi32(a3, _mm256_mullo_epi32(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(row + 24))), kb));
			}
			a0 = _mm256_srai_epi32(a0, IL_PREC);
			a1 = _mm256_srai_epi32(a1, IL_PREC);
			a2 = _mm256_srai_epi32(a2, IL_PREC);
			a3 = _mm256_srai_epi32(a3, IL_PREC);
			// packs/packus work within 128-bit lanes: samples come out as
			// 32-bit groups 0,2,4,6,1,3,5,7 and vpermd puts them back.
			__m256i w = _mm256_packus_epi16(_mm256_packs_epi32(a0, a1), _mm256_packs_epi32(a2, a3));
			w = _mm256_permutevar8x32_epi32(w, order);
			_mm256_storeu_si256((__m256i *)(dst + i), w);
		}
		if (n32 < stride) il_v8_cols(in, stride, out + (size_t)yy * stride, 1, bounds + 2 * yy, k, ksize, n32, stride);
	}
}
#endif

int il_simd(void) {
#if defined(__x86_64__)
	return il_avx2();
#else
	return 0;
#endif
}

void il_h8(const uint8_t *in, size_t in_cap, int in_stride, int offset, uint8_t *out, int out_w, int rows,
           int ch, const int32_t *bounds, const int32_t *kk, int ksize, const int32_t *ng, const int32_t *kv) {
#if defined(__x86_64__)
	if (kv && (ch == 3 || ch == 4) && il_avx2()) {
		il_h8_avx2(in, in + in_cap, in_stride, offset, out, out_w, rows, ch, bounds, kk, ksize, ng, kv);
		return;
	}
#endif
	(void)in_cap;
	(void)ng;
	(void)kv;
	for (int yy = 0; yy < rows; yy++)
		il_h8_row(in + (size_t)(yy + offset) * in_stride, out + (size_t)yy * out_w * ch, 0, out_w, ch, bounds, kk,
		          ksize);
}

void il_v8(const uint8_t *in, int stride, uint8_t *out, int out_h, const int32_t *bounds, const int32_t *kk,
           int ksize, int simd) {
#if defined(__x86_64__)
	if (simd && il_avx2()) {
		il_v8_avx2(in, stride, out, out_h, bounds, kk, ksize);
		return;
	}
#endif
	(void)simd;
	il_v8_cols(in, stride, out, out_h, bounds, kk, ksize, 0, stride);
}

// img_to_array's conversion: bytes to little-endian float32, vectorised by
// the compiler.
void il_u8_to_f32le(const uint8_t *in, uint8_t *out, size_t n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	float *f = (float *)(void *)out;
	for (size_t i = 0; i < n; i++) f[i] = (float)in[i];
#else
	for (size_t i = 0; i < n; i++) {
		float v = (float)in[i];
		uint32_t b;
		memcpy(&b, &v, 4);
		out[4 * i] = (uint8_t)b;
		out[4 * i + 1] = (uint8_t)(b >> 8);
		out[4 * i + 2] = (uint8_t)(b >> 16);
		out[4 * i + 3] = (uint8_t)(b >> 24);
	}
#endif
}
