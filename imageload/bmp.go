package imageload

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// BMP, following Pillow 9.4's BmpImagePlugin for uncompressed files:
// OS/2 (12-byte) and Windows (40/64/108/124-byte) headers, 1/4/8-bit
// palettes (a black/white 2-colour palette gives mode "1", a gray ramp L,
// anything else P), 16-bit 5-5-5 / 5-6-5, 24-bit, 32-bit (RGB, or RGBA
// when a bitfield layout with alpha says so), bottom-up or top-down.
// RLE-compressed files are refused as unsupported.
// (golang.org/x/image/bmp handles only 8/24/32-bit files.)

type bmpMeta struct {
	width, height int
	topDown       bool
	bits          int
	compression   uint32
	colors        int
	masks         [4]uint32
	hasMasks      bool
	headerSize    int
	offset        int
}

func readBMPMeta(data []byte) (bmpMeta, error) {
	var m bmpMeta
	if len(data) < 14 || data[0] != 'B' || data[1] != 'M' {
		return m, errors.New("not a BMP file")
	}
	if len(data) < 18 {
		return m, errTruncated
	}
	m.offset = int(binary.LittleEndian.Uint32(data[10:]))
	m.headerSize = int(binary.LittleEndian.Uint32(data[14:]))
	if m.headerSize < 12 || m.headerSize > 1<<16 {
		return m, fmt.Errorf("unsupported BMP header type (%d)", m.headerSize)
	}
	if len(data) < 14+m.headerSize {
		return m, errTruncated
	}
	h := data[18 : 14+m.headerSize]
	switch m.headerSize {
	case 12:
		m.width = int(binary.LittleEndian.Uint16(h))
		m.height = int(binary.LittleEndian.Uint16(h[2:]))
		m.bits = int(binary.LittleEndian.Uint16(h[6:]))
	case 40, 64, 108, 124:
		m.width = int(int32(binary.LittleEndian.Uint32(h)))
		ht := int32(binary.LittleEndian.Uint32(h[4:]))
		if ht < 0 {
			m.topDown, ht = true, -ht
		}
		m.height = int(ht)
		m.bits = int(binary.LittleEndian.Uint16(h[10:]))
		m.compression = binary.LittleEndian.Uint32(h[12:])
		m.colors = int(binary.LittleEndian.Uint32(h[28:]))
		if m.compression == 3 || m.compression == 6 {
			if len(h) >= 52 {
				for i := range m.masks {
					m.masks[i] = binary.LittleEndian.Uint32(h[36+4*i:])
				}
			} else {
				p := data[14+m.headerSize:]
				if len(p) < 12 {
					return m, errTruncated
				}
				for i := 0; i < 3; i++ {
					m.masks[i] = binary.LittleEndian.Uint32(p[4*i:])
				}
			}
			m.hasMasks = true
		}
	default:
		return m, fmt.Errorf("unsupported BMP header type (%d)", m.headerSize)
	}
	if m.width <= 0 || m.height <= 0 {
		return m, fmt.Errorf("bmp: bad size %dx%d", m.width, m.height)
	}
	if m.colors == 0 && m.bits <= 8 {
		m.colors = 1 << m.bits
	}
	return m, nil
}

func decodeBMP(data []byte) (*Image, error) {
	m, err := readBMPMeta(data)
	if err != nil {
		return nil, err
	}
	if m.compression != 0 && !m.hasMasks {
		return nil, fmt.Errorf("unsupported BMP compression (%d)", m.compression)
	}
	w, h := m.width, m.height
	stride := ((w*m.bits + 31) >> 3) &^ 3
	if m.offset < 0 || m.offset > len(data) {
		return nil, errTruncated
	}
	pix := data[m.offset:]
	if len(pix) < stride*h {
		return nil, errTruncated
	}
	row := func(y int) []byte {
		if !m.topDown {
			y = h - 1 - y
		}
		return pix[y*stride : (y+1)*stride]
	}
	var im *Image
	switch m.bits {
	case 1, 4, 8:
		padding := 4
		if m.headerSize == 12 {
			padding = 3
		}
		if m.colors <= 0 || m.colors > 65536 {
			return nil, fmt.Errorf("unsupported BMP palette size (%d)", m.colors)
		}
		pstart := 14 + m.headerSize
		if m.hasMasks && m.headerSize < 52 {
			pstart += 12
		}
		if pstart+padding*m.colors > len(data) {
			return nil, errTruncated
		}
		praw := data[pstart : pstart+padding*m.colors]
		// Pillow's palette is BGR(X); swap to RGB.
		rgb := make([]byte, 0, 3*m.colors)
		for i := 0; i < m.colors; i++ {
			e := praw[i*padding:]
			rgb = append(rgb, e[2], e[1], e[0])
		}
		gray := true
		for i := 0; i < m.colors; i++ {
			v := byte(i)
			if m.colors == 2 && i == 1 {
				v = 255
			}
			if rgb[3*i] != v || rgb[3*i+1] != v || rgb[3*i+2] != v {
				gray = false
				break
			}
		}
		mode := ModeP
		if gray {
			mode = ModeL
			if m.colors == 2 {
				mode = Mode1
			}
		}
		im = newImage(mode, w, h)
		for y := 0; y < h; y++ {
			r := row(y)
			for x := 0; x < w; x++ {
				var idx byte
				switch m.bits {
				case 1:
					idx = (r[x>>3] >> (7 - uint(x&7))) & 1
				case 4:
					idx = (r[x>>1] >> (4 * (1 - uint(x&1)))) & 15
				default:
					idx = r[x]
				}
				if mode == Mode1 {
					idx *= 255
				}
				im.Pix[y*w+x] = idx
			}
		}
		if mode == ModeP {
			im.Palette = paletteFrom(rgb, 3)
		}
	case 16:
		mask565 := m.hasMasks && m.masks[0] == 0xF800 && m.masks[1] == 0x7E0 && m.masks[2] == 0x1F
		if m.hasMasks && !mask565 && !(m.masks[0] == 0x7C00 && m.masks[1] == 0x3E0 && m.masks[2] == 0x1F) {
			return nil, errors.New("unsupported BMP bitfields layout")
		}
		im = newImage(ModeRGB, w, h)
		for y := 0; y < h; y++ {
			r := row(y)
			for x := 0; x < w; x++ {
				v := int(binary.LittleEndian.Uint16(r[2*x:]))
				d := im.Pix[(y*w+x)*3:]
				if mask565 { // Pillow's BGR;16 unpacker
					d[0] = uint8(((v >> 11) & 31) * 255 / 31)
					d[1] = uint8(((v >> 5) & 63) * 255 / 63)
					d[2] = uint8((v & 31) * 255 / 31)
				} else { // BGR;15
					d[0] = uint8(((v >> 10) & 31) * 255 / 31)
					d[1] = uint8(((v >> 5) & 31) * 255 / 31)
					d[2] = uint8((v & 31) * 255 / 31)
				}
			}
		}
	case 24:
		if m.hasMasks && !(m.masks[0] == 0xFF0000 && m.masks[1] == 0xFF00 && m.masks[2] == 0xFF) {
			return nil, errors.New("unsupported BMP bitfields layout")
		}
		im = newImage(ModeRGB, w, h)
		for y := 0; y < h; y++ {
			r := row(y)
			for x := 0; x < w; x++ {
				d := im.Pix[(y*w+x)*3:]
				d[0], d[1], d[2] = r[3*x+2], r[3*x+1], r[3*x]
			}
		}
	case 32:
		// Byte positions of R, G, B, A within the little-endian pixel.
		order := [4]int{2, 1, 0, -1} // BGRX
		if m.hasMasks {
			switch m.masks {
			case [4]uint32{0xFF0000, 0xFF00, 0xFF, 0}:
			case [4]uint32{0xFF000000, 0xFF0000, 0xFF00, 0}:
				order = [4]int{3, 2, 1, -1} // XBGR
			case [4]uint32{0xFF000000, 0xFF0000, 0xFF00, 0xFF}:
				order = [4]int{3, 2, 1, 0} // ABGR
			case [4]uint32{0xFF, 0xFF00, 0xFF0000, 0xFF000000}:
				order = [4]int{0, 1, 2, 3} // RGBA
			case [4]uint32{0xFF0000, 0xFF00, 0xFF, 0xFF000000}, [4]uint32{}:
				order = [4]int{2, 1, 0, 3} // BGRA
			default:
				return nil, errors.New("unsupported BMP bitfields layout")
			}
		}
		mode := ModeRGB
		if order[3] >= 0 {
			mode = ModeRGBA
		}
		im = newImage(mode, w, h)
		c := mode.Channels()
		for y := 0; y < h; y++ {
			r := row(y)
			for x := 0; x < w; x++ {
				s := r[4*x : 4*x+4]
				d := im.Pix[(y*w+x)*c:]
				for j := 0; j < c; j++ {
					d[j] = s[order[j]]
				}
			}
		}
	default:
		return nil, fmt.Errorf("unsupported BMP pixel depth (%d)", m.bits)
	}
	return im, nil
}
