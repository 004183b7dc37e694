#ifndef IL_JPEGHUFF_H
#define IL_JPEGHUFF_H

#include <stddef.h>
#include <stdio.h>
#include <jpeglib.h>

// il_huff_install replaces libjpeg's Huffman decoder for the scan that
// jpeg_start_decompress has just set up with il_huff's (jpeghuff.c), when
// the image is one it handles: one baseline (sequential Huffman, 8-bit)
// scan of every component, read from memory, nothing decoded yet. Returns 1
// if installed, 0 if libjpeg's own decoder stays.
//
// Once installed, a stream il_huff cannot decode exactly as libjpeg would
// (a marker or the end of data inside the scan, an invalid code, a fill-byte
// oddity) makes the next read stop with an error and il_huff_bailed(cinfo)
// set *bailed: the caller decodes the file again without il_huff, and
// libjpeg's own rules (zero-filling, warnings) apply. il_huff keeps its state
// in cinfo->client_data and libjpeg's JPOOL_IMAGE pool.
int il_huff_install(j_decompress_ptr cinfo, int *bailed);

#endif
