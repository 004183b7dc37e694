package imageload

import (
	"bytes"
	"encoding/binary"
)

// EXIF orientation, opt-in (Keras ignores it): read tag 0x0112 from a JPEG
// APP1 "Exif" segment or a PNG eXIf chunk and apply the transposition
// Pillow's ImageOps.exif_transpose applies.

// exifOrientation returns the orientation (1–8), or 1 when there is none.
func exifOrientation(data []byte, f Format) int {
	var tiffData []byte
	switch f {
	case FormatJPEG:
		p := data[2:]
		for len(p) >= 4 && p[0] == 0xFF {
			marker := p[1]
			if marker == 0xDA || marker == 0xD9 {
				break
			}
			n := int(binary.BigEndian.Uint16(p[2:]))
			if n < 2 || 2+n > len(p) {
				break
			}
			seg := p[4 : 2+n]
			if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
				tiffData = seg[6:]
				break
			}
			p = p[2+n:]
		}
	case FormatPNG:
		p := data[8:]
		for len(p) >= 12 {
			n := int(binary.BigEndian.Uint32(p))
			if n < 0 || 12+n > len(p) {
				break
			}
			if string(p[4:8]) == "eXIf" {
				tiffData = p[8 : 8+n]
				break
			}
			if string(p[4:8]) == "IDAT" {
				break
			}
			p = p[12+n:]
		}
	}
	return tiffOrientation(tiffData)
}

func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int(bo.Uint32(t[4:]))
	if off < 0 || off+2 > len(t) {
		return 1
	}
	n := int(bo.Uint16(t[off:]))
	for i := 0; i < n; i++ {
		e := off + 2 + 12*i
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			v := int(bo.Uint16(t[e+8:]))
			if v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}

// orient applies the EXIF orientation as exif_transpose does.
func orient(im *Image, o int) *Image {
	if o <= 1 || o > 8 {
		return im
	}
	w, h := im.Width, im.Height
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	out := newImage(im.Mode, ow, oh)
	out.Palette, out.PaletteAlpha, out.Key, out.HasKey = im.Palette, im.PaletteAlpha, im.Key, im.HasKey
	ch := im.Mode.Channels()
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			var sx, sy int
			switch o {
			case 2: // FLIP_LEFT_RIGHT
				sx, sy = w-1-x, y
			case 3: // ROTATE_180
				sx, sy = w-1-x, h-1-y
			case 4: // FLIP_TOP_BOTTOM
				sx, sy = x, h-1-y
			case 5: // TRANSPOSE
				sx, sy = y, x
			case 6: // ROTATE_270 (90° clockwise)
				sx, sy = y, h-1-x
			case 7: // TRANSVERSE
				sx, sy = w-1-y, h-1-x
			case 8: // ROTATE_90 (90° counter-clockwise)
				sx, sy = w-1-y, x
			}
			if im.Mode.wide() {
				out.Int[y*ow+x] = im.Int[sy*w+sx]
			} else {
				copy(out.Pix[(y*ow+x)*ch:(y*ow+x+1)*ch], im.Pix[(sy*w+sx)*ch:])
			}
		}
	}
	return out
}
