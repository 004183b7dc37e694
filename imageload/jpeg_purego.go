//go:build !cgo || purego

package imageload

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
)

// exactJPEG reports whether JPEG decoding goes through libjpeg (pixel-exact
// with Pillow) in this build. The pure-Go build uses image/jpeg, whose IDCT
// and chroma upsampling differ from libjpeg's ISLOW + fancy upsampling: its
// JPEG pixels are approximate (typically within a few levels).
const exactJPEG = false

var errTruncated = errors.New("image file is truncated")

// decodeJPEG decodes with the standard library. scale > 1 (draft mode) is
// emulated by a box reduction, since image/jpeg cannot scale in the DCT
// domain; libjpeg's scaled IDCT gives different numbers.
func decodeJPEG(data []byte, scale int) (*Image, error) {
	src, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, errTruncated
		}
		return nil, fmt.Errorf("jpeg: %w", err)
	}
	b := src.Bounds()
	var im *Image
	switch s := src.(type) {
	case *image.Gray:
		im = newImage(ModeL, b.Dx(), b.Dy())
		for y := 0; y < b.Dy(); y++ {
			copy(im.Pix[y*b.Dx():], s.Pix[y*s.Stride:y*s.Stride+b.Dx()])
		}
	case *image.CMYK:
		im = newImage(ModeCMYK, b.Dx(), b.Dy())
		for y := 0; y < b.Dy(); y++ {
			copy(im.Pix[y*b.Dx()*4:], s.Pix[y*s.Stride:y*s.Stride+b.Dx()*4])
		}
	default:
		im = newImage(ModeRGB, b.Dx(), b.Dy())
		i := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := color.RGBAModel.Convert(src.At(x, y)).(color.RGBA)
				im.Pix[i], im.Pix[i+1], im.Pix[i+2] = c.R, c.G, c.B
				i += 3
			}
		}
	}
	if scale > 1 {
		im = boxReduce(im, scale)
	}
	return im, nil
}

// boxReduce averages scale×scale blocks (partial blocks at the edges are
// averaged over what exists), giving the ceil(w/scale)×ceil(h/scale) size
// libjpeg's scaled decode gives.
func boxReduce(im *Image, scale int) *Image {
	ow, oh := (im.Width+scale-1)/scale, (im.Height+scale-1)/scale
	ch := im.Mode.Channels()
	out := newImage(im.Mode, ow, oh)
	for oy := 0; oy < oh; oy++ {
		for ox := 0; ox < ow; ox++ {
			for c := 0; c < ch; c++ {
				sum, n := 0, 0
				for y := oy * scale; y < min((oy+1)*scale, im.Height); y++ {
					for x := ox * scale; x < min((ox+1)*scale, im.Width); x++ {
						sum += int(im.Pix[(y*im.Width+x)*ch+c])
						n++
					}
				}
				out.Pix[(oy*ow+ox)*ch+c] = uint8((sum + n/2) / n)
			}
		}
	}
	return out
}
