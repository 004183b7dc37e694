//go:build cgo && !purego

// il_huff: a Huffman decoder for baseline JPEG scans that stands in for
// libjpeg-turbo's own (jdhuff.c) and produces the same coefficients, faster.
//
// Why: Huffman decoding is most of what a JPEG decode costs once the IDCT is
// scaled down (draft mode: 70% of libjpeg's time on 1024×768 photos), and
// libjpeg-turbo's decoder, built for suspendable input, looks up 8 bits of
// code, then fetches and extends a coefficient's magnitude bits separately,
// checking each input byte for 0xFF as it goes. il_huff first copies the
// scan's data with the byte stuffing and restart markers taken out, then
// looks up 11 bits whose entry holds, for most coefficients of a photograph,
// the code and its magnitude bits together (run, value and length at once),
// refills a 64-bit bit buffer without a branch and decodes up to three codes
// per refill. A 1/2-scale decode of a 1024×768 photo takes 28% less time
// (2.21 -> 1.59 ms on one core, file read included; bench/jpeg_huff.c). Everything else (IDCT,
// upsampling, colour conversion) stays libjpeg's, so pixels are libjpeg's.
//
// Why it is exact: Huffman decoding is lossless; for a well-formed scan the
// coefficients are fixed by the bitstream, and il_huff stores them the way
// libjpeg does (DC predictions per component summed in wrapping int and
// truncated to JCOEF; a run past coefficient 63 lands on 63, as libjpeg's
// jpeg_natural_order padding makes it). Where libjpeg departs from the
// bitstream, on corrupt data (a marker or end of data before the scan ends,
// an invalid code, FF FF ... 00 sequences), il_huff does not imitate it: it
// stops and the caller decodes again without it (jpeghuff.h).
//
// How it plugs in: cinfo->entropy points at libjpeg's struct
// jpeg_entropy_decoder, whose first two members (start_pass, decode_mcu)
// have had the same layout since IJG libjpeg 6 (jpegint.h, not installed);
// il_huff_install swaps decode_mcu after jpeg_start_decompress, before any
// MCU is read. jpeg_cgo.go checks once per process, on a generated image,
// that the result equals libjpeg's own, and does not use il_huff if not.

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jerror.h>

#include "jpeghuff.h"

// The leading members of libjpeg's struct jpeg_entropy_decoder (jpegint.h).
struct jpeg_entropy_decoder {
	void (*start_pass)(j_decompress_ptr cinfo);
	boolean (*decode_mcu)(j_decompress_ptr cinfo, JBLOCKROW *MCU_data);
	boolean insufficient_data;
};

#define FAST_BITS 11
#define FAST_SIZE (1 << FAST_BITS)

// A lookup entry, indexed by the next FAST_BITS bits of the stream; 0 marks
// a code longer than FAST_BITS (the slow path). For a code of len bits with
// s magnitude bits and a run of zeros before it (AC):
//   FUSED (len + s <= FAST_BITS, s > 0): the entry holds the value too:
//     bits 0-4 len + s, bit 7 set, bits 8-11 run, bits 16-31 the value;
//   otherwise: bits 0-4 len, bits 8-11 run, bits 12-15 s, and the magnitude
//     bits are read from the stream after the code.
// Most coefficients of a photograph take the first kind: one lookup gives
// what libjpeg gets from a lookup, a bit fetch and an extension.
#define FUSED 0x80

typedef struct {
	int32_t fast[FAST_SIZE];
	int32_t maxcode[18];  // largest code of each length, -1 if none
	int32_t valoff[18];   // huffval index of a length's codes, minus the first code
	uint8_t huffval[256];
} il_table;

typedef struct {
	il_table *dcb[D_MAX_BLOCKS_IN_MCU], *acb[D_MAX_BLOCKS_IN_MCU];
	int ci[D_MAX_BLOCKS_IN_MCU];
	int last_dc[MAX_COMPS_IN_SCAN];
	uint64_t bits;      // left-aligned bit buffer
	int nbits;          // valid bits in bits
	const uint8_t *q;   // next byte of data to load
	const uint8_t *q0;  // the scan's data, byte stuffing removed, then PAD zero bytes
	size_t qlen;        // bytes of data at q0
	size_t seg_end;     // where the current restart segment's data ends (qlen without restarts)
	// Restart markers (DRI): where each RSTn was in the data at q0 (the
	// markers are taken out), and its n.
	unsigned restarts_to_go, next_rst, nrst;
	uint32_t *rst_at;
	uint8_t *rst_num;
	int *bailed;
	il_table dc[NUM_HUFF_TBLS], ac[NUM_HUFF_TBLS]; // last: not cleared, build fills the ones used
} il_huff;

// PAD zero bytes follow the scan's data: refill reads 8 bytes at a time, and
// an MCU that runs past the data (a corrupt file) reads at most
// D_MAX_BLOCKS_IN_MCU × 64 codes × 31 bits before the check at its end.
#define PAD (D_MAX_BLOCKS_IN_MCU * 64 * 4 + 16)

// libjpeg's zigzag-to-natural order with its 16 entries of padding: a
// corrupt run past 63 stores at 63, as libjpeg's does.
static const int il_natural[64 + 16] = {
	0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
	63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
};

// value reads the s magnitude bits (0 <= s <= 15) that follow a code of len
// bits at the top of bits and applies T.81's EXTEND: a leading 0 bit means a
// negative value, v - 2^s + 1. Branch-free, s = 0 gives 0.
static inline int value(uint64_t bits, int len, int s) {
	uint64_t t = bits << len;
	int v = (int)((t >> 1) >> (63 - s)) & -(s != 0);
	int neg = ~(int)((int64_t)t >> 63); // all ones when the leading bit is 0
	return v + (neg & (1 - (1 << s)));
}

// build fills t from libjpeg's table; returns 0 if it is not a valid one
// (libjpeg refuses those before il_huff is installed, so this is defence).
static int build(il_table *t, const JHUFF_TBL *h, int dc) {
	int count = 0;
	for (int l = 1; l <= 16; l++) count += h->bits[l];
	if (count > 256) return 0;
	memcpy(t->huffval, h->huffval, sizeof t->huffval);
	memset(t->fast, 0, sizeof t->fast);
	int code = 0, p = 0;
	for (int l = 1; l <= 16; l++) {
		int n = h->bits[l];
		t->valoff[l] = p - code;
		t->maxcode[l] = n ? code + n - 1 : -1;
		for (int i = 0; i < n; i++, p++, code++) {
			int rs = h->huffval[p];
			if (dc && rs > 15) return 0;
			if (l > FAST_BITS) continue;
			int run = dc ? 0 : rs >> 4, sz = dc ? rs : rs & 15;
			int first = code << (FAST_BITS - l), span = 1 << (FAST_BITS - l);
			for (int j = 0; j < span; j++) {
				int idx = first + j;
				if (sz != 0 && l + sz <= FAST_BITS) {
					int v = (idx >> (FAST_BITS - l - sz)) & ((1 << sz) - 1);
					if (v < (1 << (sz - 1))) v += 1 - (1 << sz);
					t->fast[idx] = (int32_t)((uint32_t)v << 16) | run << 8 | FUSED | (l + sz);
				} else {
					t->fast[idx] = sz << 12 | run << 8 | l;
				}
			}
		}
		if (code >= (1 << l)) return 0;
		code <<= 1;
	}
	t->maxcode[17] = 0x7fffffff;
	t->valoff[17] = 0;
	return 1;
}

// br is the bit reader's state, kept in locals while an MCU is decoded.
typedef struct {
	uint64_t bits;
	int nbits;
	const uint8_t *q;
} br;

// refill tops bits up to 56-63 valid bits without a branch (F. Giesen's
// "bit reader, variant 4"): the bytes past the valid bits that it also ORs in
// are the ones the next refill ORs in at the same place.
static inline void refill(br *r) {
	uint64_t w;
	memcpy(&w, r->q, 8);
	r->bits |= __builtin_bswap64(w) >> r->nbits;
	r->q += (63 - r->nbits) >> 3;
	r->nbits |= 56;
}

// slow decodes a code longer than FAST_BITS; returns the symbol, or -1.
static int slow(uint64_t bits, const il_table *t, int *len) {
	for (int l = FAST_BITS + 1; l <= 16; l++) {
		int32_t code = (int32_t)(bits >> (64 - l));
		if (code <= t->maxcode[l]) {
			*len = l;
			return t->huffval[(code + t->valoff[l]) & 0xff];
		}
	}
	return -1;
}

static void bail(j_decompress_ptr cinfo, il_huff *h) {
	*h->bailed = 1;
	cinfo->err->msg_code = JERR_BAD_HUFF_TABLE;
	(*cinfo->err->error_exit)((j_common_ptr)cinfo);
}

// restart moves to the data after the next restart marker, as libjpeg's
// process_restart does (the rest of the segment's bits are dropped; DC
// predictions start again from 0), when that marker is the expected RSTn;
// otherwise il_huff stops: libjpeg's resynchronisation is its own. (That the
// segment's MCUs did not read past the marker, decode_mcu checks after each
// MCU against seg_end.)
static void restart(j_decompress_ptr cinfo, il_huff *h) {
	unsigned i = h->next_rst;
	if (i >= h->nrst || h->rst_num[i] != (i & 7)) bail(cinfo, h);
	h->q = h->q0 + h->rst_at[i];
	h->bits = 0;
	h->nbits = 0;
	memset(h->last_dc, 0, sizeof h->last_dc);
	h->restarts_to_go = cinfo->restart_interval;
	h->next_rst = i + 1;
	h->seg_end = i + 1 < h->nrst ? h->rst_at[i + 1] : h->qlen;
}

#define SKIP(n) (r.bits <<= (n), r.nbits -= (n))

// LOOKUP sets e to the lookup entry for the code at the top of r.bits, found
// by the slow path when it is longer than FAST_BITS; 0 for an invalid code.
#define LOOKUP(e, t)                                                  \
	do {                                                          \
		e = (t)->fast[r.bits >> (64 - FAST_BITS)];            \
		if (__builtin_expect(e == 0, 0)) {                    \
			int len_, rs_ = slow(r.bits, (t), &len_);     \
			if (rs_ < 0) {                                \
				bail(cinfo, h);                       \
				return FALSE;                         \
			}                                             \
			e = (rs_ & 15) << 12 | (rs_ >> 4) << 8 | len_; \
		}                                                     \
	} while (0)

static boolean decode_mcu(j_decompress_ptr cinfo, JBLOCKROW *MCU_data) {
	il_huff *h = (il_huff *)cinfo->client_data;
	if (cinfo->restart_interval) {
		if (h->restarts_to_go == 0) restart(cinfo, h);
		h->restarts_to_go--;
	}
	br r = {h->bits, h->nbits, h->q};
	int nblocks = cinfo->blocks_in_MCU;
	for (int blkn = 0; blkn < nblocks; blkn++) {
		JCOEF *blk = MCU_data[blkn][0];
		const il_table *t = h->dcb[blkn];
		refill(&r);
		int32_t e;
		LOOKUP(e, t);
		int diff;
		if (e & FUSED) {
			diff = e >> 16;
			SKIP(e & 31);
		} else { // a zero difference, or one with too many bits to fuse
			int len = e & 31, s = (e >> 12) & 15;
			diff = value(r.bits, len, s);
			SKIP(len + s);
		}
		int c = h->ci[blkn];
		h->last_dc[c] = (int)((unsigned)h->last_dc[c] + (unsigned)diff);
		blk[0] = (JCOEF)h->last_dc[c];

		t = h->acb[blkn];
		for (int k = 1; k < 64; k++) {
			// Three codes per refill: a refill leaves at least 56 bits
			// and a fused code takes at most FAST_BITS, so after two of
			// them 34 remain, enough for any code and its value (31).
			refill(&r);
			LOOKUP(e, t);
			for (int more = 2; e & FUSED; more--) {
				k += (e >> 8) & 15;
				blk[il_natural[k]] = (JCOEF)(e >> 16);
				SKIP(e & 31);
				if (++k >= 64) goto block_done;
				if (more == 0) {
					refill(&r);
					more = 3;
				}
				LOOKUP(e, t);
			}
			int len = e & 31, s = (e >> 12) & 15, run = (e >> 8) & 15;
			if (s == 0) { // EOB, or ZRL: sixteen zeros
				SKIP(len);
				if (run != 15) break;
				k += 15;
				continue;
			}
			k += run;
			blk[il_natural[k]] = (JCOEF)value(r.bits, len, s);
			SKIP(len + s);
		}
	block_done:;
	}
	if ((size_t)(r.q - h->q0) * 8 - (size_t)r.nbits > h->seg_end * 8) {
		bail(cinfo, h); // the data (or the restart segment) ended inside this MCU
		return FALSE;
	}
	h->bits = r.bits;
	h->nbits = r.nbits;
	h->q = r.q;
	return TRUE;
}

// destuff copies the scan's entropy-coded data, from libjpeg's read position
// up to the first 0xFF not followed by 0x00 or, in a scan with restarts, by
// RST0-7 (so: a marker, fill bytes before one, or libjpeg's tolerated FF FF
// ... 00, which il_huff leaves to libjpeg), with each stuffed FF 00 made FF
// and each RSTn taken out and noted. It moves libjpeg's read position there:
// the marker reader resumes where the scan ends. Returns 0 if no marker ends
// the data.
static int destuff(j_decompress_ptr cinfo, il_huff *h, uint8_t *buf, size_t buf_len) {
	const JOCTET *start = cinfo->src->next_input_byte, *end = start + cinfo->src->bytes_in_buffer, *s;
	size_t n = (size_t)(end - start);
	if (n > (size_t)1 << 31) return 0;
	int rst = cinfo->restart_interval != 0;
	// First pass: the end of the data, and how many restart markers.
	unsigned nrst = 0;
	for (s = start;;) {
		const JOCTET *ff = memchr(s, 0xFF, (size_t)(end - s));
		if (!ff || ff + 1 >= end) return 0; // data that ends without a marker: libjpeg's (below)
		if (ff[1] == 0 || (rst && ff[1] >= 0xD0 && ff[1] <= 0xD7)) {
			nrst += ff[1] != 0;
			s = ff + 2;
			continue;
		}
		s = ff;
		break;
	}
	// Data that ends without a marker is left to libjpeg: its bit reader
	// reads ahead, and whether that reaches the end of the data (which
	// libjpeg reports, and Pillow calls a truncated file) depends on how
	// far ahead it happened to read.
	const JOCTET *stop = s;
	uint8_t *d = buf_len >= n + PAD ? buf : (uint8_t *)(*cinfo->mem->alloc_large)((j_common_ptr)cinfo, JPOOL_IMAGE, n + PAD);
	if (nrst) {
		h->rst_at = (uint32_t *)(*cinfo->mem->alloc_large)((j_common_ptr)cinfo, JPOOL_IMAGE, nrst * sizeof(uint32_t));
		h->rst_num = (uint8_t *)(*cinfo->mem->alloc_large)((j_common_ptr)cinfo, JPOOL_IMAGE, nrst);
	}
	h->q0 = h->q = d;
	for (s = start; s < stop;) {
		const JOCTET *ff = memchr(s, 0xFF, (size_t)(stop - s));
		if (!ff) ff = stop;
		memcpy(d, s, (size_t)(ff - s));
		d += ff - s;
		if (ff == stop) break;
		if (ff[1] == 0) {
			*d++ = 0xFF;
		} else {
			h->rst_at[h->nrst] = (uint32_t)(d - h->q0);
			h->rst_num[h->nrst++] = ff[1] - 0xD0;
		}
		s = ff + 2;
	}
	h->qlen = (size_t)(d - h->q0);
	h->seg_end = h->nrst ? h->rst_at[0] : h->qlen;
	memset(d, 0, PAD);
	h->restarts_to_go = cinfo->restart_interval;
	cinfo->src->next_input_byte = stop;
	cinfo->src->bytes_in_buffer = (size_t)(end - stop);
	return 1;
}

size_t il_huff_scratch(size_t data_len) { return sizeof(il_huff) + 64 + data_len + PAD; }

int il_huff_install(j_decompress_ptr cinfo, int *bailed, void *scratch, size_t scratch_len) {
	*bailed = 0;
	if (cinfo->progressive_mode || cinfo->arith_code || cinfo->data_precision != 8 ||
	    jpeg_has_multiple_scans(cinfo) || cinfo->comps_in_scan != cinfo->num_components ||
	    cinfo->Ss != 0 || cinfo->Se != DCTSIZE2 - 1 || cinfo->Ah != 0 || cinfo->Al != 0 ||
	    cinfo->unread_marker != 0 || cinfo->input_iMCU_row != 0 ||
	    cinfo->entropy == NULL || cinfo->src == NULL || cinfo->blocks_in_MCU > D_MAX_BLOCKS_IN_MCU ||
	    cinfo->comps_in_scan > MAX_COMPS_IN_SCAN) {
		return 0;
	}
	il_huff *h;
	uint8_t *buf = NULL;
	size_t buf_len = 0;
	uintptr_t a = ((uintptr_t)scratch + 63) & ~(uintptr_t)63;
	if (scratch && scratch_len >= sizeof(il_huff) + 64 && (a - (uintptr_t)scratch) + sizeof(il_huff) <= scratch_len) {
		h = (il_huff *)a;
		buf = (uint8_t *)(h + 1);
		buf_len = scratch_len - ((uintptr_t)buf - (uintptr_t)scratch);
	} else {
		h = (il_huff *)(*cinfo->mem->alloc_large)((j_common_ptr)cinfo, JPOOL_IMAGE, sizeof(il_huff));
	}
	memset(h, 0, offsetof(il_huff, dc));
	int built_dc = 0, built_ac = 0;
	for (int ci = 0; ci < cinfo->comps_in_scan; ci++) {
		jpeg_component_info *comp = cinfo->cur_comp_info[ci];
		int d = comp->dc_tbl_no, a = comp->ac_tbl_no;
		if (d < 0 || d >= NUM_HUFF_TBLS || a < 0 || a >= NUM_HUFF_TBLS ||
		    !cinfo->dc_huff_tbl_ptrs[d] || !cinfo->ac_huff_tbl_ptrs[a]) {
			return 0;
		}
		if (!(built_dc & (1 << d)) && !build(&h->dc[d], cinfo->dc_huff_tbl_ptrs[d], 1)) return 0;
		if (!(built_ac & (1 << a)) && !build(&h->ac[a], cinfo->ac_huff_tbl_ptrs[a], 0)) return 0;
		built_dc |= 1 << d;
		built_ac |= 1 << a;
	}
	for (int b = 0; b < cinfo->blocks_in_MCU; b++) {
		int ci = cinfo->MCU_membership[b];
		if (ci < 0 || ci >= cinfo->comps_in_scan) return 0;
		jpeg_component_info *comp = cinfo->cur_comp_info[ci];
		h->ci[b] = ci;
		h->dcb[b] = &h->dc[comp->dc_tbl_no];
		h->acb[b] = &h->ac[comp->ac_tbl_no];
	}
	if (!destuff(cinfo, h, buf, buf_len)) return 0;
	h->bailed = bailed;
	cinfo->client_data = h;
	cinfo->entropy->decode_mcu = decode_mcu;
	return 1;
}
