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
// oddity, a restart marker out of sequence) sets *bailed and makes the read
// stop through the error manager's error_exit: the caller decodes the file
// again without il_huff, and libjpeg's own rules (zero-filling, warnings)
// apply. il_huff keeps its
// state, and the scan's data, in scratch when it is at least
// il_huff_scratch(bytes of the file) long (else in libjpeg's JPOOL_IMAGE
// pool); scratch must stay valid until decompression ends, and may be reused
// for the next file. cinfo->client_data points at the state.
int il_huff_install(j_decompress_ptr cinfo, int *bailed, void *scratch, size_t scratch_len);
size_t il_huff_scratch(size_t data_len);

#endif
