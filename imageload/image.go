package imageload

import "fmt"

// Mode is a Pillow image mode. imageload keeps the mode Pillow would give a
// decoded file because every later step (conversion, resampling, transparency)
// depends on it.
type Mode int

// The Pillow modes imageload produces or handles.
const (
	Mode1    Mode = iota + 1 // bilevel, stored one byte per pixel as 0 or 255
	ModeL                    // 8-bit grayscale
	ModeP                    // 8-bit palette indices
	ModeLA                   // grayscale + alpha
	ModeRGB                  // 8-bit RGB
	ModeRGBA                 // 8-bit RGBA, straight alpha
	ModeRGBa                 // 8-bit RGBA, premultiplied alpha (resize only)
	ModeCMYK                 // 8-bit CMYK (Adobe, already un-inverted)
	ModeI                    // 32-bit signed integer grayscale (16-bit PNG)
	ModeI16                  // 16-bit unsigned grayscale (16-bit TIFF)
)

var modeNames = map[Mode]string{
	Mode1: "1", ModeL: "L", ModeP: "P", ModeLA: "LA", ModeRGB: "RGB", ModeRGBA: "RGBA",
	ModeRGBa: "RGBa", ModeCMYK: "CMYK", ModeI: "I", ModeI16: "I;16",
}

func (m Mode) String() string {
	if s, ok := modeNames[m]; ok {
		return s
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Channels is the number of bytes per pixel in Image.Pix for 8-bit modes
// (1 for I and I;16, whose samples live in Image.Int).
func (m Mode) Channels() int {
	switch m {
	case ModeLA:
		return 2
	case ModeRGB:
		return 3
	case ModeRGBA, ModeRGBa, ModeCMYK:
		return 4
	default:
		return 1
	}
}

// wide reports whether samples live in Image.Int rather than Image.Pix.
func (m Mode) wide() bool { return m == ModeI || m == ModeI16 }

// Image is a decoded image in a Pillow mode. Pix holds 8-bit samples, row
// major, Channels() per pixel, no padding; Int holds one sample per pixel for
// the wide modes I and I;16.
type Image struct {
	Mode          Mode
	Width, Height int
	Pix           []uint8
	Int           []int32

	// Palette is the P mode palette: 256 RGBA entries (alpha 255 unless the
	// file carried palette transparency, which Pillow applies only when
	// converting to an alpha mode).
	Palette []uint8
	// PaletteAlpha is the tRNS / GIF transparency of a P image, one alpha per
	// palette entry (nil when the file has none).
	PaletteAlpha []uint8
	// Key is the single transparent colour of L, 1, I or RGB images
	// (Pillow's info["transparency"]); HasKey says whether there is one.
	Key    [3]int
	HasKey bool
}

// newImage allocates a zeroed image of mode m.
func newImage(m Mode, w, h int) *Image {
	im := &Image{Mode: m, Width: w, Height: h}
	if m.wide() {
		im.Int = make([]int32, w*h)
	} else {
		im.Pix = make([]uint8, w*h*m.Channels())
	}
	return im
}

// clone returns a deep copy.
func (im *Image) clone() *Image {
	c := *im
	c.Pix = append([]uint8(nil), im.Pix...)
	c.Int = append([]int32(nil), im.Int...)
	c.Palette = append([]uint8(nil), im.Palette...)
	c.PaletteAlpha = append([]uint8(nil), im.PaletteAlpha...)
	if im.Pix == nil {
		c.Pix = nil
	}
	if im.Int == nil {
		c.Int = nil
	}
	return &c
}

// crop returns the w×h region at (x0, y0) (Pillow's ImagingCrop for boxes
// that lie inside the image).
func (im *Image) crop(x0, y0, w, h int) *Image {
	out := newImage(im.Mode, w, h)
	out.Palette, out.PaletteAlpha, out.Key, out.HasKey = im.Palette, im.PaletteAlpha, im.Key, im.HasKey
	if im.Mode.wide() {
		for y := 0; y < h; y++ {
			copy(out.Int[y*w:(y+1)*w], im.Int[(y+y0)*im.Width+x0:])
		}
		return out
	}
	c := im.Mode.Channels()
	for y := 0; y < h; y++ {
		copy(out.Pix[y*w*c:(y+1)*w*c], im.Pix[((y+y0)*im.Width+x0)*c:])
	}
	return out
}
