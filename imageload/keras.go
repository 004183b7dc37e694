package imageload

import (
	"fmt"
	"strings"
)

// ColorMode is load_img's color_mode.
type ColorMode int

// The three colour modes load_img accepts.
const (
	RGB ColorMode = iota
	Grayscale
	RGBA
)

func (c ColorMode) String() string {
	switch c {
	case RGB:
		return "rgb"
	case Grayscale:
		return "grayscale"
	case RGBA:
		return "rgba"
	}
	return fmt.Sprintf("ColorMode(%d)", int(c))
}

// ParseColorMode accepts rgb, grayscale and rgba.
func ParseColorMode(s string) (ColorMode, error) {
	switch strings.ToLower(s) {
	case "rgb":
		return RGB, nil
	case "grayscale":
		return Grayscale, nil
	case "rgba":
		return RGBA, nil
	}
	return 0, fmt.Errorf("color mode %q: want rgb, grayscale or rgba", s)
}

// Options are load_img's arguments plus imageload's opt-in extras.
// The zero value is load_img(path): rgb, original size, nearest.
type Options struct {
	// Height and Width are target_size; both zero keeps the original size.
	Height, Width   int
	ColorMode       ColorMode
	Interpolation   Interpolation
	KeepAspectRatio bool

	// Draft decodes JPEGs scaled down by 1/2, 1/4 or 1/8 in the DCT domain
	// when the source is at least twice the target (Pillow's draft()), before
	// the usual conversion and resize. Faster; not what load_img computes.
	Draft bool
	// EXIFOrientation applies the EXIF orientation tag (JPEG, PNG) before
	// anything else, as ImageOps.exif_transpose. Keras does not.
	EXIFOrientation bool
	// MaxPixels is the decompression-bomb limit checked from the header:
	// 0 means DefaultMaxPixels (Pillow's), negative means no limit.
	MaxPixels int64
}

// Validate checks the options.
func (o Options) Validate() error {
	if o.Height < 0 || o.Width < 0 || (o.Height == 0) != (o.Width == 0) {
		return fmt.Errorf("target size %dx%d: want two positive numbers, or none", o.Height, o.Width)
	}
	if o.ColorMode < RGB || o.ColorMode > RGBA {
		return fmt.Errorf("color mode %d: unknown", int(o.ColorMode))
	}
	if o.Interpolation < Nearest || o.Interpolation > Hamming {
		return fmt.Errorf("interpolation %d: unknown", int(o.Interpolation))
	}
	return nil
}

// key is a canonical string of every option that changes the pixels, used
// by the content cache.
func (o Options) key() string {
	return fmt.Sprintf("v1 %dx%d %v %v kar=%t draft=%t exif=%t jpeg-exact=%t",
		o.Height, o.Width, o.ColorMode, o.Interpolation, o.KeepAspectRatio, o.Draft, o.EXIFOrientation, exactJPEG)
}

// Decode runs keras.utils.load_img on the bytes of one image file and
// returns the image in its final mode (L, I or I;16 for grayscale, RGB,
// RGBA) and size.
func Decode(data []byte, o Options) (*Image, error) {
	return decodeWith(data, o, nil)
}

// decodeWith is Decode reusing ws's buffers; the result never aliases them.
func decodeWith(data []byte, o Options, ws *workspace) (*Image, error) {
	im, err := loadImg(data, o, ws)
	if err != nil {
		return nil, err
	}
	if ws.owns(im) {
		im = im.clone()
	}
	return im, nil
}

func loadImg(data []byte, o Options, ws *workspace) (*Image, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	do := decodeOptions{maxPixels: o.MaxPixels}
	orientation := 1
	if o.EXIFOrientation {
		if f, err := sniff(data); err == nil {
			orientation = exifOrientation(data, f)
		}
	}
	if o.Draft {
		do.draftW, do.draftH = o.Width, o.Height
		if orientation >= 5 {
			do.draftW, do.draftH = o.Height, o.Width
		}
	}
	im, _, err := decode(data, do, ws)
	if err != nil {
		return nil, err
	}
	im = orient(im, orientation)

	switch o.ColorMode {
	case Grayscale:
		if im.Mode != ModeL && im.Mode != ModeI && im.Mode != ModeI16 {
			im, err = convert(im, ModeL)
		}
	case RGBA:
		im, err = convert(im, ModeRGBA)
	default:
		im, err = convert(im, ModeRGB)
	}
	if err != nil {
		return nil, err
	}
	if o.Width == 0 || (im.Width == o.Width && im.Height == o.Height) {
		return im, nil
	}
	b := box{0, 0, float32(im.Width), float32(im.Height)}
	if o.KeepAspectRatio {
		b = cropBox(im.Width, im.Height, o.Width, o.Height)
	}
	return resize(im, o.Width, o.Height, o.Interpolation, b, ws)
}

// cropBox is load_img's keep_aspect_ratio box: the largest centred crop with
// the target's aspect ratio, in integer arithmetic.
func cropBox(width, height, tw, th int) box {
	cropH := min(height, width*th/tw)
	cropW := min(width, height*tw/th)
	hs := (height - cropH) / 2
	ws := (width - cropW) / 2
	return box{float32(ws), float32(hs), float32(ws + cropW), float32(hs + cropH)}
}

// Channels is the C of img_to_array's (H, W, C) for an image load_img made.
func (im *Image) ArrayChannels() int {
	switch im.Mode {
	case ModeRGB:
		return 3
	case ModeRGBA, ModeRGBa, ModeCMYK:
		return 4
	case ModeLA:
		return 2
	}
	return 1
}

// AppendFloat32 appends img_to_array(im) — float32, (H, W, C) row major.
func (im *Image) AppendFloat32(dst []float32) []float32 {
	if im.Mode.wide() {
		for _, v := range im.Int {
			dst = append(dst, float32(v))
		}
		return dst
	}
	n := len(dst)
	dst = append(dst, make([]float32, len(im.Pix))...)
	d := dst[n:]
	for i, v := range im.Pix {
		d[i] = float32(v)
	}
	return dst
}

// AppendUint8 appends the pixels as uint8 (H, W, C). Wide (16-bit) images
// do not fit and are refused.
func (im *Image) AppendUint8(dst []uint8) ([]uint8, error) {
	if im.Mode.wide() {
		return dst, fmt.Errorf("mode %v holds 16-bit samples: uint8 output would clip them; use float32", im.Mode)
	}
	return append(dst, im.Pix...), nil
}
