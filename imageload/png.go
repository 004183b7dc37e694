package imageload

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
)

// PNG: image/png decodes the pixels (every colour type and bit depth,
// interlaced or not); imageload reads IHDR, PLTE and tRNS itself to give the
// result Pillow 9.4's mode and transparency:
//
//	gray 1 → "1", gray 2/4/8 → L (scaled as Pillow's L;2 / L;4), gray 16 → I,
//	RGB 8/16 → RGB (16-bit: high byte), palette → P, gray+alpha 8 → LA,
//	gray+alpha 16 → RGBA (Pillow's LA;16B rawmode), RGBA 8/16 → RGBA.
//
// A tRNS key on gray or RGB images stays a key (info["transparency"]), applied
// only when converting to RGBA, compared against 8-bit samples as Pillow does.

type pngMeta struct {
	width, height    int
	depth, colorType int
	plte, trns       []byte
	hasPLTE, hasTRNS bool
}

var pngSig = []byte("\x89PNG\r\n\x1a\n")

func readPNGMeta(data []byte) (pngMeta, error) {
	var m pngMeta
	if !bytes.HasPrefix(data, pngSig) {
		return m, errors.New("not a PNG file")
	}
	p := data[8:]
	for len(p) >= 8 {
		n := int(binary.BigEndian.Uint32(p))
		typ := string(p[4:8])
		if n < 0 || 8+n > len(p) {
			return m, errTruncated
		}
		body := p[8 : 8+n]
		switch typ {
		case "IHDR":
			if n < 13 {
				return m, errors.New("png: short IHDR")
			}
			m.width = int(binary.BigEndian.Uint32(body))
			m.height = int(binary.BigEndian.Uint32(body[4:]))
			m.depth, m.colorType = int(body[8]), int(body[9])
		case "PLTE":
			m.plte, m.hasPLTE = body, true
		case "tRNS":
			m.trns, m.hasTRNS = body, true
		case "IDAT", "IEND":
			return m, nil
		}
		if len(p) < 12+n {
			return m, errTruncated
		}
		p = p[12+n:]
	}
	if m.width == 0 {
		return m, errTruncated
	}
	return m, nil
}

// paletteFrom fills a 256-entry RGBA palette: Pillow starts from a gray ramp
// and overwrites the entries the file gives.
func paletteFrom(rgb []byte, stride int) []uint8 {
	pal := make([]uint8, 256*4)
	for i := 0; i < 256; i++ {
		pal[i*4], pal[i*4+1], pal[i*4+2], pal[i*4+3] = uint8(i), uint8(i), uint8(i), 255
	}
	for i := 0; i < 256 && i*stride+3 <= len(rgb); i++ {
		pal[i*4], pal[i*4+1], pal[i*4+2] = rgb[i*stride], rgb[i*stride+1], rgb[i*stride+2]
	}
	return pal
}

func decodePNG(data []byte) (*Image, error) {
	m, err := readPNGMeta(data)
	if err != nil {
		return nil, err
	}
	src, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, errTruncated
		}
		return nil, fmt.Errorf("png: %w", err)
	}
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	n := w * h
	// samples returns the four 16-bit straight-alpha channels of pixel i.
	samples := func(i int) (r, g, b, a uint16) {
		switch s := src.(type) {
		case *image.Gray:
			v := uint16(s.Pix[i]) * 0x101
			return v, v, v, 0xffff
		case *image.Gray16:
			v := binary.BigEndian.Uint16(s.Pix[2*i:])
			return v, v, v, 0xffff
		case *image.RGBA:
			p := s.Pix[4*i:]
			return uint16(p[0]) * 0x101, uint16(p[1]) * 0x101, uint16(p[2]) * 0x101, uint16(p[3]) * 0x101
		case *image.NRGBA:
			p := s.Pix[4*i:]
			return uint16(p[0]) * 0x101, uint16(p[1]) * 0x101, uint16(p[2]) * 0x101, uint16(p[3]) * 0x101
		case *image.RGBA64:
			p := s.Pix[8*i:]
			return binary.BigEndian.Uint16(p), binary.BigEndian.Uint16(p[2:]), binary.BigEndian.Uint16(p[4:]), binary.BigEndian.Uint16(p[6:])
		case *image.NRGBA64:
			p := s.Pix[8*i:]
			return binary.BigEndian.Uint16(p), binary.BigEndian.Uint16(p[2:]), binary.BigEndian.Uint16(p[4:]), binary.BigEndian.Uint16(p[6:])
		}
		return 0, 0, 0, 0
	}
	// Every decoded type image/png returns is stored without padding, so
	// pixel i sits at a fixed offset.
	var im *Image
	switch m.colorType {
	case 0: // grayscale
		switch m.depth {
		case 16:
			im = newImage(ModeI, w, h)
			for i := 0; i < n; i++ {
				v, _, _, _ := samples(i)
				im.Int[i] = int32(v)
			}
		default:
			mode := ModeL
			if m.depth == 1 {
				mode = Mode1
			}
			im = newImage(mode, w, h)
			for i := 0; i < n; i++ {
				v, _, _, _ := samples(i)
				im.Pix[i] = uint8(v >> 8)
			}
		}
		if m.hasTRNS && len(m.trns) >= 2 {
			k := int(binary.BigEndian.Uint16(m.trns))
			im.Key, im.HasKey = [3]int{k, k, k}, true
		}
	case 2: // truecolour
		im = newImage(ModeRGB, w, h)
		for i := 0; i < n; i++ {
			r, g, b, _ := samples(i)
			im.Pix[3*i], im.Pix[3*i+1], im.Pix[3*i+2] = uint8(r>>8), uint8(g>>8), uint8(b>>8)
		}
		if m.hasTRNS && len(m.trns) >= 6 {
			im.Key = [3]int{int(binary.BigEndian.Uint16(m.trns)), int(binary.BigEndian.Uint16(m.trns[2:])), int(binary.BigEndian.Uint16(m.trns[4:]))}
			im.HasKey = true
		}
	case 3: // palette
		s, ok := src.(*image.Paletted)
		if !ok {
			return nil, fmt.Errorf("png: palette image decoded as %T", src)
		}
		im = newImage(ModeP, w, h)
		for y := 0; y < h; y++ {
			copy(im.Pix[y*w:(y+1)*w], s.Pix[y*s.Stride:])
		}
		im.Palette = paletteFrom(m.plte, 3)
		if m.hasTRNS {
			im.PaletteAlpha = append([]uint8(nil), m.trns...)
		}
	case 4: // gray + alpha
		if m.depth == 16 {
			im = newImage(ModeRGBA, w, h)
			for i := 0; i < n; i++ {
				v, _, _, a := samples(i)
				d := im.Pix[4*i : 4*i+4]
				d[0], d[1], d[2], d[3] = uint8(v>>8), uint8(v>>8), uint8(v>>8), uint8(a>>8)
			}
		} else {
			im = newImage(ModeLA, w, h)
			for i := 0; i < n; i++ {
				v, _, _, a := samples(i)
				im.Pix[2*i], im.Pix[2*i+1] = uint8(v>>8), uint8(a>>8)
			}
		}
	case 6: // RGBA
		im = newImage(ModeRGBA, w, h)
		if s, ok := src.(*image.NRGBA); ok {
			copy(im.Pix, s.Pix)
			break
		}
		for i := 0; i < n; i++ {
			r, g, b, a := samples(i)
			d := im.Pix[4*i : 4*i+4]
			d[0], d[1], d[2], d[3] = uint8(r>>8), uint8(g>>8), uint8(b>>8), uint8(a>>8)
		}
	default:
		return nil, fmt.Errorf("png: unsupported colour type %d", m.colorType)
	}
	return im, nil
}
