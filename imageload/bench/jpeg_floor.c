/* jpeg_floor: how long libjpeg alone takes per image at each decoder setting,
 * on one core, files read into memory first (the floor under imageload's
 * JPEG path; docs/benchmarks.md, imageload).
 *
 *   gcc -O2 -o /tmp/jpeg_floor imageload/bench/jpeg_floor.c -ljpeg
 *   taskset -c 1 /tmp/jpeg_floor N DENOM FANCY IFAST FILE...
 *
 * DENOM: 1, 2, 4 or 8 (scale 1/DENOM in the DCT domain, as Pillow's draft());
 * FANCY: 1 for fancy upsampling (Pillow's setting), 0 for plain;
 * IFAST: 0 for the ISLOW IDCT (Pillow's), 1 for the fast integer IDCT.
 * Decodes the first N FILEs to RGB and prints milliseconds per image.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <jpeglib.h>

static double now(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
	if (argc < 6) {
		fprintf(stderr, "usage: %s N DENOM FANCY IFAST FILE...\n", argv[0]);
		return 2;
	}
	int n = atoi(argv[1]), denom = atoi(argv[2]), fancy = atoi(argv[3]), ifast = atoi(argv[4]);
	if (n > argc - 5) n = argc - 5;
	unsigned char **bufs = malloc(n * sizeof *bufs);
	unsigned long *lens = malloc(n * sizeof *lens);
	size_t maxpix = 0;
	for (int i = 0; i < n; i++) {
		FILE *f = fopen(argv[5 + i], "rb");
		if (!f) {
			perror(argv[5 + i]);
			return 1;
		}
		fseek(f, 0, SEEK_END);
		lens[i] = ftell(f);
		fseek(f, 0, SEEK_SET);
		bufs[i] = malloc(lens[i]);
		if (fread(bufs[i], 1, lens[i], f) != lens[i]) {
			fprintf(stderr, "%s: short read\n", argv[5 + i]);
			return 1;
		}
		fclose(f);
	}
	struct jpeg_decompress_struct c;
	struct jpeg_error_mgr e;
	c.err = jpeg_std_error(&e);
	jpeg_create_decompress(&c);
	unsigned char *out = NULL;
	double t0 = now();
	for (int i = 0; i < n; i++) {
		jpeg_mem_src(&c, bufs[i], lens[i]);
		jpeg_read_header(&c, TRUE);
		c.out_color_space = JCS_RGB;
		c.scale_num = 1;
		c.scale_denom = denom;
		c.do_fancy_upsampling = fancy;
		c.dct_method = ifast ? JDCT_IFAST : JDCT_ISLOW;
		jpeg_start_decompress(&c);
		size_t stride = (size_t)c.output_width * c.output_components;
		if (stride * c.output_height > maxpix) {
			maxpix = stride * c.output_height;
			out = realloc(out, maxpix);
		}
		while (c.output_scanline < c.output_height) {
			JSAMPROW row = out + (size_t)c.output_scanline * stride;
			jpeg_read_scanlines(&c, &row, 1);
		}
		jpeg_finish_decompress(&c);
	}
	double t = now() - t0;
	printf("1/%d fancy=%d ifast=%d: %.3f ms per image over %d\n", denom, fancy, ifast, t * 1000 / n, n);
	return 0;
}
