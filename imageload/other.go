package imageload

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"

	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// WebP and TIFF go through golang.org/x/image and are mapped onto Pillow's
// modes. Lossless WebP and uncompressed/deflate/LZW TIFF pixels equal
// Pillow's; lossy WebP does not (x/image converts YCbCr→RGB with the JFIF
// formula and nearest chroma, libwebp with its own fixed-point formula and
// fancy upsampling), so lossy WebP is documented as approximate.

func decodeWebP(data []byte) (*Image, error) {
	src, err := webp.Decode(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, errTruncated
		}
		return nil, fmt.Errorf("webp: %w", err)
	}
	return fromGoImage(src), nil
}

func decodeTIFF(data []byte) (*Image, error) {
	src, err := tiff.Decode(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, errTruncated
		}
		return nil, fmt.Errorf("tiff: %w", err)
	}
	return fromGoImage(src), nil
}

// fromGoImage maps a decoded image.Image to the Pillow mode it most likely
// had: gray → L, 16-bit gray → I;16, paletted → P, CMYK → CMYK,
// anything else → RGBA when some pixel is not opaque, else RGB.
func fromGoImage(src image.Image) *Image {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	switch s := src.(type) {
	case *image.Gray:
		im := newImage(ModeL, w, h)
		for y := 0; y < h; y++ {
			copy(im.Pix[y*w:(y+1)*w], s.Pix[y*s.Stride:])
		}
		return im
	case *image.Gray16:
		im := newImage(ModeI16, w, h)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				im.Int[y*w+x] = int32(s.Gray16At(b.Min.X+x, b.Min.Y+y).Y)
			}
		}
		return im
	case *image.Paletted:
		im := newImage(ModeP, w, h)
		for y := 0; y < h; y++ {
			copy(im.Pix[y*w:(y+1)*w], s.Pix[y*s.Stride:])
		}
		rgb := make([]byte, 0, 3*len(s.Palette))
		for _, c := range s.Palette {
			n := color.NRGBAModel.Convert(c).(color.NRGBA)
			rgb = append(rgb, n.R, n.G, n.B)
		}
		im.Palette = paletteFrom(rgb, 3)
		return im
	case *image.CMYK:
		im := newImage(ModeCMYK, w, h)
		for y := 0; y < h; y++ {
			copy(im.Pix[y*w*4:(y+1)*w*4], s.Pix[y*s.Stride:])
		}
		return im
	}
	rgba := newImage(ModeRGBA, w, h)
	opaque := true
	i := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(src.At(x, y)).(color.NRGBA)
			rgba.Pix[i], rgba.Pix[i+1], rgba.Pix[i+2], rgba.Pix[i+3] = c.R, c.G, c.B, c.A
			if c.A != 255 {
				opaque = false
			}
			i += 4
		}
	}
	if !opaque {
		return rgba
	}
	im := newImage(ModeRGB, w, h)
	for j := 0; j < w*h; j++ {
		copy(im.Pix[3*j:3*j+3], rgba.Pix[4*j:])
	}
	return im
}
