//go:build cgo && !purego

package imageload

/*
#cgo LDFLAGS: -ljpeg
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>
#include "jpeghuff.h"

typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	char msg[JMSG_LENGTH_MAX];
	int truncated;
} il_err;

typedef struct {
	struct jpeg_decompress_struct cinfo;
	il_err err;
	int started;
	int huff;        // il_huff decodes the scan (jpeghuff.c)
	int huff_bailed; // il_huff stopped: decode again without it
} il_jpeg;

static void il_error_exit(j_common_ptr c) {
	il_err *e = (il_err *)c->err;
	(*c->err->format_message)(c, e->msg);
	longjmp(e->jb, 1);
}

// Warnings (corrupt-data notes) are ignored as Pillow ignores them, except
// running out of data, which Pillow reports as a truncated file.
static void il_emit_message(j_common_ptr c, int level) {
	il_err *e = (il_err *)c->err;
	if (level < 0 && c->err->msg_code == JWRN_JPEG_EOF) {
		e->truncated = 1;
	}
}

static il_jpeg *il_new(void) {
	il_jpeg *j = calloc(1, sizeof(il_jpeg));
	if (!j) return NULL;
	j->cinfo.err = jpeg_std_error(&j->err.pub);
	j->err.pub.error_exit = il_error_exit;
	j->err.pub.emit_message = il_emit_message;
	if (setjmp(j->err.jb)) {
		free(j);
		return NULL;
	}
	jpeg_create_decompress(&j->cinfo);
	return j;
}

// il_open reads the header, applies Pillow's decoder settings (output colour
// space from the component count, ISLOW DCT and fancy upsampling are
// libjpeg's defaults, which Pillow keeps) and starts decompression, with
// il_huff as the Huffman decoder when huff is set and the scan allows it.
// Returns 0 on success.
static int il_open(il_jpeg *j, const unsigned char *data, unsigned long len, int scale_denom, int header_only,
                   int huff, void *scratch, size_t scratch_len, int *w, int *h, int *comps, int *outw, int *outh) {
	if (setjmp(j->err.jb)) return 1;
	jpeg_mem_src(&j->cinfo, data, len);
	jpeg_read_header(&j->cinfo, TRUE);
	*w = j->cinfo.image_width;
	*h = j->cinfo.image_height;
	*comps = j->cinfo.num_components;
	if (header_only) return 0;
	switch (j->cinfo.num_components) {
	case 1: j->cinfo.out_color_space = JCS_GRAYSCALE; break;
	case 3: j->cinfo.out_color_space = JCS_RGB; break;
	case 4: j->cinfo.out_color_space = JCS_CMYK; break;
	default:
		snprintf(j->err.msg, sizeof j->err.msg, "unsupported number of components %d", j->cinfo.num_components);
		return 1;
	}
	if (scale_denom > 1) {
		j->cinfo.scale_num = 1;
		j->cinfo.scale_denom = scale_denom;
	}
	jpeg_start_decompress(&j->cinfo);
	j->started = 1;
	if (huff) j->huff = il_huff_install(&j->cinfo, &j->huff_bailed, scratch, scratch_len);
	*outw = j->cinfo.output_width;
	*outh = j->cinfo.output_height;
	return j->err.truncated ? 2 : 0;
}

// il_read returns 0 on success, 1 on an error, 2 for a truncated file and
// 3 when il_huff stopped (the caller decodes again without it).
static int il_read(il_jpeg *j, unsigned char *out, int stride) {
	if (setjmp(j->err.jb)) return j->huff_bailed ? 3 : 1;
	while (j->cinfo.output_scanline < j->cinfo.output_height) {
		JSAMPROW row = out + (size_t)j->cinfo.output_scanline * stride;
		jpeg_read_scanlines(&j->cinfo, &row, 1);
		if (j->err.truncated) return 2;
	}
	return 0;
}

static void il_free(il_jpeg *j) {
	if (!j) return;
	jpeg_destroy_decompress(&j->cinfo);
	free(j);
}

static const char *il_msg(il_jpeg *j) { return j->err.msg; }
*/
import "C"

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"runtime"
	"sync"
	"unsafe"
)

// exactJPEG reports whether JPEG decoding goes through libjpeg (pixel-exact
// with Pillow) in this build.
const exactJPEG = true

var errTruncated = errors.New("image file is truncated")

// decodeJPEG decodes with the system libjpeg, as Pillow does, optionally
// scaled by 1/scale in the DCT domain (Pillow's draft()). Baseline scans are
// Huffman-decoded by il_huff (jpeghuff.c) where the process's libjpeg passed
// huffCheck; a file il_huff stops on is decoded again by libjpeg alone.
func decodeJPEG(data []byte, scale int, ws *workspace) (*Image, error) {
	if huffCheck() {
		im, _, err := decodeJPEGWith(data, scale, ws, true)
		if !errors.Is(err, errHuffBailed) {
			return im, err
		}
	}
	im, _, err := decodeJPEGWith(data, scale, ws, false)
	return im, err
}

// errHuffBailed: il_huff met data it leaves to libjpeg (jpeghuff.h).
var errHuffBailed = errors.New("libjpeg: il_huff stopped")

// huffCheck reports whether this process's libjpeg takes il_huff in place of
// its own Huffman decoder with the same result: jpeghuff.c relies on the
// layout of a libjpeg-internal struct and on when libjpeg calls it, so the
// library loaded at run time (which may not be the one built against) must
// show it decodes a baseline JPEG to the same pixels, at full and 1/2 scale.
// Checked once per process: the answer is a property of the loaded library.
var huffCheck = sync.OnceValue(func() bool { return checkHuff() == nil })

// checkHuff encodes a noisy image with the standard library's encoder
// (baseline, 4:2:0, no restart markers: il_huff's case) and decodes it with
// and without il_huff.
func checkHuff() error {
	src := image.NewRGBA(image.Rect(0, 0, 61, 45))
	x := uint32(2463534242)
	for i := range src.Pix {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		src.Pix[i] = uint8(i/3) + uint8(x%61)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 95}); err != nil {
		return err
	}
	for _, scale := range []int{1, 2} {
		want, _, err := decodeJPEGWith(buf.Bytes(), scale, nil, false)
		if err != nil {
			return err
		}
		got, installed, err := decodeJPEGWith(buf.Bytes(), scale, nil, true)
		switch {
		case err != nil:
			return err
		case !installed:
			return errors.New("il_huff: not installed on a baseline JPEG")
		case !bytes.Equal(got.Pix, want.Pix):
			return fmt.Errorf("il_huff: pixels differ from libjpeg's at scale 1/%d", scale)
		}
	}
	return nil
}

// decodeJPEGWith decodes with il_huff when huff is set and the file allows
// it (installed says whether it did); errHuffBailed if il_huff stopped.
func decodeJPEGWith(data []byte, scale int, ws *workspace, huff bool) (im *Image, installed bool, err error) {
	if len(data) == 0 {
		return nil, false, errTruncated
	}
	j := C.il_new()
	if j == nil {
		return nil, false, errors.New("libjpeg: cannot allocate decoder")
	}
	defer C.il_free(j)
	var pin runtime.Pinner
	defer pin.Unpin()
	pin.Pin(&data[0])

	var w, h, comps, ow, oh C.int
	hf := C.int(0)
	var scratch unsafe.Pointer
	var scratchLen C.size_t
	if huff {
		hf = 1
		b := ws.huffBuf(int(C.il_huff_scratch(C.size_t(len(data)))))
		pin.Pin(&b[0])
		scratch, scratchLen = unsafe.Pointer(&b[0]), C.size_t(len(b))
	}
	rc := C.il_open(j, (*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)), C.int(scale), 0, hf,
		scratch, scratchLen, &w, &h, &comps, &ow, &oh)
	installed = j.huff != 0
	if err := jpegErr(j, rc); err != nil {
		return nil, installed, err
	}
	var mode Mode
	switch comps {
	case 1:
		mode = ModeL
	case 3:
		mode = ModeRGB
	case 4:
		mode = ModeCMYK
	}
	im = &Image{Mode: mode, Width: int(ow), Height: int(oh), Pix: ws.decodeBuf(int(ow) * int(oh) * mode.Channels())}
	if len(im.Pix) == 0 {
		return nil, installed, fmt.Errorf("jpeg: empty image %dx%d", ow, oh)
	}
	pin.Pin(&im.Pix[0])
	rc = C.il_read(j, (*C.uchar)(unsafe.Pointer(&im.Pix[0])), C.int(int(ow)*mode.Channels()))
	if err := jpegErr(j, rc); err != nil {
		return nil, installed, err
	}
	if mode == ModeCMYK {
		// Pillow's rawmode "CMYK;I": Adobe CMYK is stored inverted.
		for i, v := range im.Pix {
			im.Pix[i] = 255 - v
		}
	}
	return im, installed, nil
}

func jpegErr(j *C.il_jpeg, rc C.int) error {
	switch rc {
	case 0:
		return nil
	case 2:
		return errTruncated
	case 3:
		return errHuffBailed
	}
	return fmt.Errorf("libjpeg: %s", C.GoString(C.il_msg(j)))
}
