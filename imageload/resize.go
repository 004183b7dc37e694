package imageload

import "fmt"

// resize is Pillow 9.4's Image.resize(size, resample, box) for the modes
// load_img hands it: the premultiplied round trip for RGBA (and LA) with any
// filter but nearest, the integer-box crop shortcut, nearest through the
// affine scaler, everything else through resample.
func resize(im *Image, w, h int, interp Interpolation, b box, ws *workspace) (*Image, error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("resize: target size %dx%d must be positive", w, h)
	}
	if im.Width == w && im.Height == h && b == (box{0, 0, float32(w), float32(h)}) {
		return im.clone(), nil
	}
	if im.Mode == ModeP || im.Mode == Mode1 {
		interp = Nearest
	}
	if im.Mode == ModeRGBA && interp != Nearest {
		pm, err := convert(im, ModeRGBa)
		if err != nil {
			return nil, err
		}
		r, err := resize(pm, w, h, interp, b, ws)
		if err != nil {
			return nil, err
		}
		return convert(r, ModeRGBA)
	}
	if im.Mode == ModeLA && interp != Nearest {
		pm := laPremultiply(im)
		r, err := resize(pm, w, h, interp, b, ws)
		if err != nil {
			return nil, err
		}
		return laUnpremultiply(r), nil
	}
	// _imaging.c _resize: an integer box of exactly the target size is a crop.
	if b.x0 == float32(int(b.x0)) && b.x1-b.x0 == float32(w) &&
		b.y0 == float32(int(b.y0)) && b.y1-b.y0 == float32(h) {
		return im.crop(int(b.x0), int(b.y0), w, h), nil
	}
	if interp == Nearest {
		return scaleNearest(im, w, h, b), nil
	}
	f, err := filterFor(interp)
	if err != nil {
		return nil, err
	}
	return resample(im, w, h, f, b, ws)
}

// scaleNearest is ImagingScaleAffine with the matrix _resize builds:
// positions accumulate in double precision from the box origin plus half a
// step, and COORD truncates (negative → -1, outside → left untouched, 0).
// Pillow sends I;16 through ImagingGenericTransform instead, which computes
// each position directly rather than by accumulation.
func scaleNearest(im *Image, w, h int, b box) *Image {
	a0 := float64(b.x1-b.x0) / float64(w)
	a4 := float64(b.y1-b.y0) / float64(h)
	a2, a5 := float64(b.x0), float64(b.y0)
	out := newImage(im.Mode, w, h)
	out.Palette, out.PaletteAlpha, out.Key, out.HasKey = im.Palette, im.PaletteAlpha, im.Key, im.HasKey

	coord := func(v float64) int {
		if v < 0 {
			return -1
		}
		return int(v)
	}
	xin := make([]int, w)
	if im.Mode == ModeI16 {
		for x := 0; x < w; x++ {
			xin[x] = coord(float64(a0*(float64(x)+0.5)) + a2)
		}
	} else {
		xo := a2 + a0*0.5
		for x := 0; x < w; x++ {
			xin[x] = coord(xo)
			xo += a0
		}
	}
	yo := a5 + a4*0.5
	ch := im.Mode.Channels()
	for y := 0; y < h; y++ {
		var yi int
		if im.Mode == ModeI16 {
			yi = coord(float64(a4*(float64(y)+0.5)) + a5)
		} else {
			yi = coord(yo)
			yo += a4
		}
		if yi < 0 || yi >= im.Height {
			continue
		}
		for x := 0; x < w; x++ {
			xi := xin[x]
			if xi < 0 || xi >= im.Width {
				continue
			}
			if im.Mode.wide() {
				out.Int[y*w+x] = im.Int[yi*im.Width+xi]
			} else {
				copy(out.Pix[(y*w+x)*ch:(y*w+x+1)*ch], im.Pix[(yi*im.Width+xi)*ch:])
			}
		}
	}
	return out
}

// laPremultiply and laUnpremultiply are Convert.c's lA2la and la2lA.
func laPremultiply(im *Image) *Image {
	out := newImage(ModeLA, im.Width, im.Height)
	for i := 0; i < len(im.Pix); i += 2 {
		a := uint32(im.Pix[i+1])
		out.Pix[i] = uint8(muldiv255(uint32(im.Pix[i]), a))
		out.Pix[i+1] = im.Pix[i+1]
	}
	return out
}

func laUnpremultiply(im *Image) *Image {
	out := newImage(ModeLA, im.Width, im.Height)
	for i := 0; i < len(im.Pix); i += 2 {
		a := uint32(im.Pix[i+1])
		v := im.Pix[i]
		if a != 255 && a != 0 {
			v = clip8(int32(255 * uint32(v) / a))
		}
		out.Pix[i], out.Pix[i+1] = v, im.Pix[i+1]
	}
	return out
}
