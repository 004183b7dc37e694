// Package imageload loads images the way Keras' load_img + img_to_array do —
// same pixels, byte for byte, as Pillow 9.4 (Debian bookworm's python3-pil) —
// and hands them to training jobs as NumPy .npy files.
//
// Its one job is "image file in, Keras-identical array out". The pipeline is
// the one keras.utils.load_img runs:
//
//	decode (Pillow's mode for the file) → [EXIF orientation, opt-in]
//	→ convert to the colour mode (Pillow's Convert.c rules)
//	→ resize (Pillow's Resample.c: separable, 22-bit fixed point,
//	  RGBA premultiplied; nearest through Pillow's affine scaler;
//	  keep_aspect_ratio's centred crop box as Keras computes it)
//	→ float32 HWC (img_to_array) or uint8.
//
// Decoding, conversion and resampling are hand-written rather than taken
// from image/draw or x/image/draw because those libraries round, clip and
// place samples differently from Pillow; exactness to Pillow is the point.
// JPEG goes through the system libjpeg (libjpeg-turbo) via cgo with Pillow's
// settings (ISLOW DCT, fancy upsampling); with CGO_ENABLED=0 or -tags purego
// the standard library decoder is used and JPEG pixels are approximate.
// One stage of libjpeg is replaced, for speed: baseline scans are Huffman-
// decoded by jpeghuff.c (il_huff), written here because Huffman decoding is
// most of a JPEG decode once draft mode scales the IDCT down, and libjpeg's
// decoder, made for suspendable streams, fetches a code and its value bits
// in separate steps. il_huff gives libjpeg the same coefficients (decoding
// is lossless), so pixels are libjpeg's; it leaves every file it cannot
// decode exactly as libjpeg would (progressive, arithmetic, corrupt data, no
// closing marker) to libjpeg, and it is used only once the loaded libjpeg
// has decoded a test image identically with it (checked once per process).
// The 8-bit resampling passes run in C (kernels.c), vectorised with AVX2 when
// the CPU has it (checked at run time): the same integer sums as Pillow's,
// grouped differently, which for integers gives the same bytes.
// PNG, GIF, BMP, WebP and TIFF are decoded by the Go standard library and
// golang.org/x/image; imageload maps their output onto Pillow's modes
// (palette, LA, 1-bit, 16-bit "I", transparency keys) itself.
//
// The .npy image writer streams the header and then the raw little-endian
// data, because sbinet/npyio (used for labels) can only write a shape from
// nested Go slices or arrays, which it encodes element by element through
// reflection: far too slow and memory-hungry for a (N, H, W, C) batch of
// hundreds of megabytes. Its reader is used in the tests to check our files.
// The writer converts each image to float32 straight into 4 MiB aligned
// chunks and writes them with direct I/O where the file system allows it
// (outfile.go): no page-cache copy. Full chunks queue to one writer
// goroutine while the next is filled, and the writer syncs every 64 MiB, so
// the closing fsync before the rename only waits for the last stretch.
//
// imageload imports no Drive code; it reads paths or any fs.FS.
package imageload
