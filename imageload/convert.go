package imageload

import "fmt"

// Conversions between Pillow modes, following Pillow 9.4's Image.convert and
// libImaging/Convert.c: the ITU-R 601-2 luma in 16.16 fixed point for L,
// MULDIV255 for (un)premultiplying, palette lookups, CMYK through RGB, and the
// transparency-key promotion to alpha (convert_transparent).

// muldiv255 is Pillow's MULDIV255: round(a*b/255) with integer arithmetic.
func muldiv255(a, b uint32) uint32 {
	t := a*b + 128
	return ((t >> 8) + t) >> 8
}

// luma is Pillow's L24(rgb) >> 16.
func luma(r, g, b uint8) uint8 {
	return uint8((uint32(r)*19595 + uint32(g)*38470 + uint32(b)*7471 + 0x8000) >> 16)
}

func clip8(v int32) uint8 {
	if v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v)
}

// convert returns im in mode to, as Pillow's Image.convert(to) does.
// Only the targets load_img needs (L, RGB, RGBA) plus the premultiplied
// round trip used by resize (RGBa, and back to RGBA) are supported.
func convert(im *Image, to Mode) (*Image, error) {
	if im.Mode == to {
		return im, nil
	}
	n := im.Width * im.Height
	out := newImage(to, im.Width, im.Height)
	src := im.Pix
	dst := out.Pix
	switch to {
	case ModeL:
		switch im.Mode {
		case Mode1:
			copy(dst, src)
		case ModeP:
			for i := 0; i < n; i++ {
				p := im.Palette[int(src[i])*4:]
				dst[i] = luma(p[0], p[1], p[2])
			}
		case ModeLA:
			for i := 0; i < n; i++ {
				dst[i] = src[2*i]
			}
		case ModeRGB:
			for i := 0; i < n; i++ {
				dst[i] = luma(src[3*i], src[3*i+1], src[3*i+2])
			}
		case ModeRGBA:
			for i := 0; i < n; i++ {
				dst[i] = luma(src[4*i], src[4*i+1], src[4*i+2])
			}
		case ModeCMYK:
			// No direct converter: Pillow goes through the mode base, RGB.
			rgb, _ := convert(im, ModeRGB)
			return convert(rgb, ModeL)
		case ModeI, ModeI16:
			for i := 0; i < n; i++ {
				dst[i] = clip8(im.Int[i])
			}
		default:
			return nil, fmt.Errorf("conversion from %v to %v not supported", im.Mode, to)
		}
		return out, nil
	case ModeRGB, ModeRGBA:
		alpha := to == ModeRGBA
		oc := to.Channels()
		put := func(i int, r, g, b, a uint8) {
			d := dst[i*oc:]
			d[0], d[1], d[2] = r, g, b
			if alpha {
				d[3] = a
			}
		}
		switch im.Mode {
		case Mode1, ModeL:
			for i := 0; i < n; i++ {
				v := src[i]
				put(i, v, v, v, 255)
			}
		case ModeP:
			pal := im.Palette
			if alpha && im.PaletteAlpha != nil {
				pal = append([]uint8(nil), pal...)
				for j, a := range im.PaletteAlpha {
					if j < 256 {
						pal[j*4+3] = a
					}
				}
			}
			for i := 0; i < n; i++ {
				p := pal[int(src[i])*4:]
				put(i, p[0], p[1], p[2], p[3])
			}
		case ModeLA:
			for i := 0; i < n; i++ {
				v := src[2*i]
				put(i, v, v, v, src[2*i+1])
			}
		case ModeRGB:
			for i := 0; i < n; i++ {
				put(i, src[3*i], src[3*i+1], src[3*i+2], 255)
			}
		case ModeRGBA:
			for i := 0; i < n; i++ {
				put(i, src[4*i], src[4*i+1], src[4*i+2], src[4*i+3])
			}
		case ModeRGBa:
			if !alpha {
				return nil, fmt.Errorf("conversion from %v to %v not supported", im.Mode, to)
			}
			for i := 0; i < n; i++ {
				s := src[4*i : 4*i+4]
				a := uint32(s[3])
				if a == 255 || a == 0 {
					put(i, s[0], s[1], s[2], s[3])
					continue
				}
				// CLIP8((255 * in) / alpha), integer division.
				u := func(v uint8) uint8 { return clip8(int32(255 * uint32(v) / a)) }
				put(i, u(s[0]), u(s[1]), u(s[2]), s[3])
			}
		case ModeCMYK:
			for i := 0; i < n; i++ {
				s := src[4*i : 4*i+4]
				nk := int32(255 - int32(s[3]))
				c := func(v uint8) uint8 { return clip8(nk - int32(muldiv255(uint32(v), uint32(nk)))) }
				put(i, c(s[0]), c(s[1]), c(s[2]), 255)
			}
		case ModeI, ModeI16:
			for i := 0; i < n; i++ {
				v := clip8(im.Int[i])
				put(i, v, v, v, 255)
			}
		default:
			return nil, fmt.Errorf("conversion from %v to %v not supported", im.Mode, to)
		}
		if alpha && im.HasKey {
			applyKey(im, out)
		}
		return out, nil
	case ModeRGBa:
		if im.Mode != ModeRGBA {
			return nil, fmt.Errorf("conversion from %v to %v not supported", im.Mode, to)
		}
		for i := 0; i < n*4; i += 4 {
			a := uint32(src[i+3])
			dst[i] = uint8(muldiv255(uint32(src[i]), a))
			dst[i+1] = uint8(muldiv255(uint32(src[i+1]), a))
			dst[i+2] = uint8(muldiv255(uint32(src[i+2]), a))
			dst[i+3] = src[i+3]
		}
		return out, nil
	}
	return nil, fmt.Errorf("conversion from %v to %v not supported", im.Mode, to)
}

// applyKey is Pillow's convert_transparent (rgbT2a): after the plain
// conversion to RGBA, every pixel whose RGB equals the key (each component
// taken modulo 256, as the C code masks it) gets alpha 0. It applies to 1, L,
// I and RGB sources only; Pillow ignores the key for other modes.
func applyKey(src, out *Image) {
	switch src.Mode {
	case Mode1, ModeL, ModeI, ModeI16, ModeRGB:
	default:
		return
	}
	r, g, b := uint8(src.Key[0]&0xff), uint8(src.Key[1]&0xff), uint8(src.Key[2]&0xff)
	if src.Mode != ModeRGB {
		g, b = r, r
	}
	p := out.Pix
	for i := 0; i+3 < len(p); i += 4 {
		if p[i] == r && p[i+1] == g && p[i+2] == b && p[i+3] == 255 {
			p[i+3] = 0
		}
	}
}
