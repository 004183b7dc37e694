package imageload

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"io"
)

// GIF: the first frame, as Pillow 9.4 loads it: a P image the size of the
// logical screen, filled with the transparent index (or 0), the frame pasted
// at its offset, the frame's palette (local, else global) with the entries'
// true colours — image/gif blanks the transparent entry, so imageload reads
// the colour tables and the graphic control extension itself.

type gifMeta struct {
	width, height int
	palette       []byte
	transparent   int // -1 when none
}

func readGIFMeta(data []byte) (gifMeta, error) {
	m := gifMeta{transparent: -1}
	if len(data) < 13 || (!bytes.HasPrefix(data, []byte("GIF87a")) && !bytes.HasPrefix(data, []byte("GIF89a"))) {
		return m, errors.New("not a GIF file")
	}
	m.width = int(data[6]) | int(data[7])<<8
	m.height = int(data[8]) | int(data[9])<<8
	flags := data[10]
	p := data[13:]
	var global []byte
	if flags&0x80 != 0 {
		n := 3 << ((flags & 7) + 1)
		if len(p) < n {
			return m, errTruncated
		}
		global, p = p[:n], p[n:]
	}
	for {
		if len(p) == 0 {
			return m, errTruncated
		}
		switch p[0] {
		case 0x21: // extension
			if len(p) < 2 {
				return m, errTruncated
			}
			label := p[1]
			p = p[2:]
			first := true
			for {
				if len(p) == 0 {
					return m, errTruncated
				}
				n := int(p[0])
				if n == 0 {
					p = p[1:]
					break
				}
				if len(p) < 1+n {
					return m, errTruncated
				}
				if label == 0xF9 && first && n >= 4 {
					if p[1]&1 != 0 {
						m.transparent = int(p[4])
					} else {
						m.transparent = -1
					}
				}
				first = false
				p = p[1+n:]
			}
		case 0x2C: // image descriptor
			if len(p) < 10 {
				return m, errTruncated
			}
			lf := p[9]
			m.palette = global
			if lf&0x80 != 0 {
				n := 3 << ((lf & 7) + 1)
				if len(p) < 10+n {
					return m, errTruncated
				}
				m.palette = p[10 : 10+n]
			}
			return m, nil
		case 0x3B:
			return m, errors.New("gif: no image")
		default:
			return m, fmt.Errorf("gif: unexpected block 0x%02x", p[0])
		}
	}
}

func decodeGIF(data []byte) (*Image, error) {
	m, err := readGIFMeta(data)
	if err != nil {
		return nil, err
	}
	src, err := gif.Decode(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, errTruncated
		}
		return nil, fmt.Errorf("gif: %w", err)
	}
	pm, ok := src.(*image.Paletted)
	if !ok {
		return nil, fmt.Errorf("gif: first frame decoded as %T", src)
	}
	im := newImage(ModeP, m.width, m.height)
	if m.transparent >= 0 {
		for i := range im.Pix {
			im.Pix[i] = uint8(m.transparent)
		}
		alpha := make([]uint8, 256)
		for i := range alpha {
			alpha[i] = 255
		}
		alpha[m.transparent] = 0
		im.PaletteAlpha = alpha
	}
	b := pm.Bounds().Intersect(image.Rect(0, 0, m.width, m.height))
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			im.Pix[y*m.width+x] = pm.ColorIndexAt(x, y)
		}
	}
	if m.palette == nil {
		im.Palette = paletteFrom(nil, 3)
	} else {
		im.Palette = paletteFrom(m.palette, 3)
	}
	return im, nil
}
