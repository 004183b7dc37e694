/* jpeg_huff: libjpeg alone against libjpeg with imageload's Huffman decoder
 * (imageload/jpeghuff.c), on one core, each file read just before it is
 * decoded (as imageload's workers do); docs/benchmarks.md, imageload.
 *
 *   gcc -O3 -Iimageload -o /tmp/jpeg_huff imageload/bench/jpeg_huff.c imageload/jpeghuff.c -ljpeg
 *   taskset -c 1 /tmp/jpeg_huff N DENOM MODE FILE...
 *
 * DENOM: 1, 2, 4 or 8 (scale 1/DENOM, as Pillow's draft()). MODE: 0 libjpeg
 * alone, 1 with il_huff, 2 both, comparing the pixels (exit status 1 if any
 * file differs). Decodes the first N FILEs to RGB (or grayscale) and prints
 * milliseconds per image.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jpeglib.h>

#include "jpeghuff.h"

static double now(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
} errmgr;

static void error_exit(j_common_ptr c) { longjmp(((errmgr *)c->err)->jb, 1); }
static void quiet(j_common_ptr c, int level) { (void)c, (void)level; }

static unsigned char scratch[8 << 20];

/* decode returns 0 on success, 1 on an error, 3 if il_huff stopped. */
static int decode(const unsigned char *buf, unsigned long len, int denom, int huff, unsigned char *out,
                  size_t cap, size_t *n) {
	struct jpeg_decompress_struct c;
	errmgr e;
	volatile int bailed = 0;
	c.err = jpeg_std_error(&e.pub);
	e.pub.error_exit = error_exit;
	e.pub.emit_message = quiet;
	jpeg_create_decompress(&c);
	if (setjmp(e.jb)) {
		jpeg_destroy_decompress(&c);
		return bailed ? 3 : 1;
	}
	jpeg_mem_src(&c, buf, len);
	jpeg_read_header(&c, TRUE);
	c.out_color_space = c.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
	c.scale_num = 1;
	c.scale_denom = denom;
	jpeg_start_decompress(&c);
	if (huff) il_huff_install(&c, (int *)&bailed, scratch, sizeof scratch);
	size_t stride = (size_t)c.output_width * c.output_components;
	if (stride * c.output_height > cap) {
		jpeg_destroy_decompress(&c);
		return 1;
	}
	while (c.output_scanline < c.output_height) {
		JSAMPROW row = out + (size_t)c.output_scanline * stride;
		jpeg_read_scanlines(&c, &row, 1);
	}
	*n = stride * c.output_height;
	jpeg_finish_decompress(&c);
	jpeg_destroy_decompress(&c);
	return 0;
}

int main(int argc, char **argv) {
	if (argc < 5) {
		fprintf(stderr, "usage: %s N DENOM MODE FILE...\n", argv[0]);
		return 2;
	}
	int n = atoi(argv[1]), denom = atoi(argv[2]), mode = atoi(argv[3]);
	if (n > argc - 4) n = argc - 4;
	size_t cap = 64 << 20;
	unsigned char *file = malloc(cap), *a = malloc(cap), *b = malloc(cap);
	int differ = 0, bailed = 0;
	double t0 = now();
	for (int i = 0; i < n; i++) {
		FILE *f = fopen(argv[4 + i], "rb");
		if (!f) {
			perror(argv[4 + i]);
			return 1;
		}
		unsigned long len = fread(file, 1, cap, f);
		fclose(f);
		size_t na = 0, nb = 0;
		int ra = decode(file, len, denom, mode == 1, a, cap, &na);
		if (mode == 2) {
			int rb = decode(file, len, denom, 1, b, cap, &nb);
			if (rb == 3) {
				bailed++;
			} else if (ra != rb || (ra == 0 && (na != nb || memcmp(a, b, na) != 0))) {
				printf("%s: differs from libjpeg's\n", argv[4 + i]);
				differ++;
			}
		} else if (ra == 3) {
			bailed++;
		}
	}
	double t = now() - t0;
	printf("1/%d mode %d: %.3f ms per image over %d (il_huff stopped on %d, %d differ)\n", denom, mode,
	       t * 1000 / n, n, bailed, differ);
	return differ != 0;
}
