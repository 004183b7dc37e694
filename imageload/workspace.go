package imageload

// workspace holds the large buffers one load_img call needs (the decoded
// image, the horizontal pass's intermediate), so a Loader's workers reuse
// them instead of allocating ~2–3 MB per image: with Go's collector those
// allocations cost more CPU than the JPEG decode itself.
// A nil *workspace allocates fresh buffers.
type workspace struct {
	dec, tmp []uint8
}

func grow(slot *[]uint8, n int) []uint8 {
	if cap(*slot) < n {
		*slot = make([]uint8, n)
	}
	return (*slot)[:n]
}

// decodeBuf returns an uninitialised buffer for a decoder to fill entirely.
func (ws *workspace) decodeBuf(n int) []uint8 {
	if ws == nil {
		return make([]uint8, n)
	}
	return grow(&ws.dec, n)
}

// tmpImage returns an image whose pixels are scratch space.
func (ws *workspace) tmpImage(m Mode, w, h int) *Image {
	if ws == nil || m.wide() {
		return newImage(m, w, h)
	}
	return &Image{Mode: m, Width: w, Height: h, Pix: grow(&ws.tmp, w*h*m.Channels())}
}

// owns reports whether im's pixels live in the workspace.
func (ws *workspace) owns(im *Image) bool {
	if ws == nil || len(im.Pix) == 0 {
		return false
	}
	p := &im.Pix[:1][0]
	return (cap(ws.dec) > 0 && p == &ws.dec[:1][0]) || (cap(ws.tmp) > 0 && p == &ws.tmp[:1][0])
}
