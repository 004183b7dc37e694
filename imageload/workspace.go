package imageload

import "sync"

// workspace holds what one load_img call needs besides its result — the
// file's bytes, the decoded image, the horizontal pass's intermediate, the
// resampling coefficients — so a Loader's workers reuse them instead of
// allocating ~3 MB per image and recomputing the same coefficients for
// every file of one size: with Go's collector those allocations cost more
// CPU than the JPEG decode itself. A nil *workspace allocates fresh buffers.
type workspace struct {
	file, dec, tmp []uint8
	huff           []uint8 // the JPEG Huffman decoder's state and the scan's data (jpeghuff.h)
	coeff          map[coeffKey]*coeffs
	// recycled holds pixel buffers of results the caller handed back
	// (Loader.Recycle), for results whose every byte a kernel writes.
	recycled *sync.Pool
}

// coeffKey is everything precomputeCoeffs depends on, plus whether the
// bounds were shifted for an intermediate image.
type coeffKey struct {
	inSize   int
	in0, in1 float32
	outSize  int
	interp   Interpolation
	shifted  bool
}

// maxCachedCoeffs bounds the cache; a run of mixed sizes just recomputes.
const maxCachedCoeffs = 32

// coeffs returns the coefficients for k (filter f), computed once per
// workspace. Callers must not modify them.
func (ws *workspace) coeffs(k coeffKey, f filter) *coeffs {
	if ws != nil {
		if c, ok := ws.coeff[k]; ok {
			return c
		}
	}
	c := precomputeCoeffs(k.inSize, k.in0, k.in1, k.outSize, f)
	if k.shifted {
		c.shift()
	}
	if ws != nil {
		if ws.coeff == nil || len(ws.coeff) >= maxCachedCoeffs {
			ws.coeff = map[coeffKey]*coeffs{}
		}
		ws.coeff[k] = &c
	}
	return &c
}

// slack is how far the vector kernels may read past an image's last pixel
// (kernels.c); buffers from the workspace carry it so those reads stay in
// the allocation and the last pixels need no scalar fallback.
const slack = 64

func grow(slot *[]uint8, n int) []uint8 {
	if cap(*slot) < n+slack {
		*slot = make([]uint8, n+slack)
	}
	return (*slot)[:n]
}

// fileBuf returns a buffer of n bytes to read a file into.
func (ws *workspace) fileBuf(n int) []uint8 {
	if ws == nil {
		return make([]uint8, n)
	}
	return grow(&ws.file, n)
}

// decodeBuf returns an uninitialised buffer for a decoder to fill entirely.
func (ws *workspace) decodeBuf(n int) []uint8 {
	if ws == nil {
		return make([]uint8, n)
	}
	return grow(&ws.dec, n)
}

// huffBuf returns n bytes of scratch space for the JPEG Huffman decoder.
func (ws *workspace) huffBuf(n int) []uint8 {
	if ws == nil {
		return make([]uint8, n)
	}
	return grow(&ws.huff, n)
}

// tmpImage returns an image whose pixels are scratch space.
func (ws *workspace) tmpImage(m Mode, w, h int) *Image {
	if ws == nil || m.wide() {
		return newImage(m, w, h)
	}
	return &Image{Mode: m, Width: w, Height: h, Pix: grow(&ws.tmp, w*h*m.Channels())}
}

// resultImage returns an image to be returned to the caller whose every
// byte the caller of resultImage writes: a recycled buffer when there is one
// big enough.
func (ws *workspace) resultImage(m Mode, w, h int) *Image {
	n := w * h * m.Channels()
	if ws == nil || ws.recycled == nil || m.wide() {
		return newImage(m, w, h)
	}
	if p, ok := ws.recycled.Get().(*[]uint8); ok {
		if cap(*p) >= n {
			return &Image{Mode: m, Width: w, Height: h, Pix: (*p)[:n]}
		}
		ws.recycled.Put(p)
	}
	return newImage(m, w, h)
}

// owns reports whether im's pixels live in the workspace.
func (ws *workspace) owns(im *Image) bool {
	if ws == nil || len(im.Pix) == 0 {
		return false
	}
	p := &im.Pix[:1][0]
	return (cap(ws.dec) > 0 && p == &ws.dec[:1][0]) || (cap(ws.tmp) > 0 && p == &ws.tmp[:1][0])
}
