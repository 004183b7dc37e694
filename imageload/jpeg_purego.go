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
	"strings"
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
func decodeJPEG(data []byte, scale int, _ *workspace) (*Image, error) {
	src, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "short Huffman data") {
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
	case *image.YCbCr:
		im = yccToRGB(s)
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

// yccToRGB upsamples chroma as libjpeg's h2v1/h2v2/h1v2 fancy upsamplers do
// (triangle filter, edge samples replicated) and converts with jdcolor.c's
// fixed-point tables.
func yccToRGB(s *image.YCbCr) *Image {
	b := s.Bounds()
	w, h := b.Dx(), b.Dy()
	hs, vs := 1, 1
	switch s.SubsampleRatio {
	case image.YCbCrSubsampleRatio444:
	case image.YCbCrSubsampleRatio422:
		hs = 2
	case image.YCbCrSubsampleRatio420:
		hs, vs = 2, 2
	case image.YCbCrSubsampleRatio440:
		vs = 2
	default:
		im := newImage(ModeRGB, w, h)
		i := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := color.RGBAModel.Convert(s.At(x, y)).(color.RGBA)
				im.Pix[i], im.Pix[i+1], im.Pix[i+2] = c.R, c.G, c.B
				i += 3
			}
		}
		return im
	}
	cw, ch := (w+hs-1)/hs, (h+vs-1)/vs
	up := func(plane []uint8) []uint8 {
		src := func(x, y int) int {
			y = min(max(y, 0), ch-1)
			return int(plane[y*s.CStride+x])
		}
		out := make([]uint8, cw*hs*ch*vs)
		ow := cw * hs
		for oy := 0; oy < ch*vs; oy++ {
			cy := oy / vs
			// Vertical: 3/4 nearest row + 1/4 the next nearest.
			colsum := make([]int, cw)
			for x := 0; x < cw; x++ {
				if vs == 2 {
					other := cy - 1
					if oy%2 == 1 {
						other = cy + 1
					}
					colsum[x] = src(x, cy)*3 + src(x, other)
				} else {
					colsum[x] = src(x, cy)
				}
			}
			row := out[oy*ow : (oy+1)*ow]
			switch {
			case hs == 2 && vs == 2: // h2v2_fancy_upsample
				if cw == 1 {
					row[0] = uint8((colsum[0]*4 + 8) >> 4)
					row[1] = uint8((colsum[0]*4 + 7) >> 4)
					break
				}
				for x := 0; x < cw; x++ {
					last, next := colsum[max(x-1, 0)], colsum[min(x+1, cw-1)]
					if x == 0 {
						row[0] = uint8((colsum[0]*4 + 8) >> 4)
					} else {
						row[2*x] = uint8((colsum[x]*3 + last + 8) >> 4)
					}
					if x == cw-1 {
						row[2*x+1] = uint8((colsum[x]*4 + 7) >> 4)
					} else {
						row[2*x+1] = uint8((colsum[x]*3 + next + 7) >> 4)
					}
				}
			case hs == 2: // h2v1_fancy_upsample
				if cw == 1 {
					row[0], row[1] = uint8(colsum[0]), uint8(colsum[0])
					break
				}
				for x := 0; x < cw; x++ {
					v := colsum[x] * 3
					if x == 0 {
						row[0] = uint8(colsum[0])
					} else {
						row[2*x] = uint8((v + colsum[x-1] + 1) >> 2)
					}
					if x == cw-1 {
						row[2*x+1] = uint8(colsum[x])
					} else {
						row[2*x+1] = uint8((v + colsum[x+1] + 2) >> 2)
					}
				}
			case vs == 2: // h1v2_fancy_upsample
				bias := 1
				if oy%2 == 1 {
					bias = 2
				}
				for x := 0; x < cw; x++ {
					row[x] = uint8((colsum[x] + bias) >> 2)
				}
			default:
				for x := 0; x < cw; x++ {
					row[x] = uint8(colsum[x])
				}
			}
		}
		return out
	}
	cb, cr := up(s.Cb), up(s.Cr)
	ow := cw * hs
	const one = 1 << 15
	fix := func(v float64) int { return int(v*65536 + 0.5) }
	im := newImage(ModeRGB, w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			yy := int(s.Y[y*s.YStride+x])
			b8, r8 := int(cb[y*ow+x])-128, int(cr[y*ow+x])-128
			r := yy + (fix(1.40200)*r8+one)>>16
			g := yy + ((-fix(0.34414)*b8+one)+(-fix(0.71414))*r8)>>16
			bb := yy + (fix(1.77200)*b8+one)>>16
			d := im.Pix[(y*w+x)*3:]
			d[0], d[1], d[2] = clip8(int32(r)), clip8(int32(g)), clip8(int32(bb))
		}
	}
	return im
}
