package imageload

import (
	"fmt"
	"math"
)

// Pillow's libImaging/Resample.c, transcribed: a separable two-pass
// convolution whose support widens by the scale factor on downscale,
// coefficients normalised to sum 1 then, for 8-bit images, converted to
// 22-bit fixed point with round-half-away-from-zero, accumulated from
// 1<<21 (rounding), shifted and clipped to 0..255. 32-bit integer images
// (mode I) use the double coefficients and ROUND_UP.

const precisionBits = 32 - 8 - 2

// box is a source rectangle in Pillow's float box coordinates.
type box struct{ x0, y0, x1, y1 float32 }

// coeffs are one axis' kernels: for output i, the input range
// [bounds[2i], bounds[2i]+bounds[2i+1]) and ksize weights starting at k[i*ksize].
// The rest is derived for the 8-bit kernels on first use (prepare8,
// prepareVec) and kept with the coefficients, which a workspace caches.
type coeffs struct {
	ksize  int
	bounds []int
	k      []float64
	// first and last bound the input rows or columns any output reads.
	first, last int

	fixed    []int32 // k in 22-bit fixed point (normalize_coeffs_8bpc)
	bounds32 []int32 // bounds for C
	groups   []int32 // per output, its taps in groups of 4 (kernels.c)
	vec      []int32 // fixed split into 16-bit pairs for the vector kernel (kernels.c)
}

// precomputeCoeffs is Pillow's precompute_coeffs.
func precomputeCoeffs(inSize int, in0, in1 float32, outSize int, f filter) coeffs {
	scale := float64(in1-in0) / float64(outSize)
	filterscale := scale
	if filterscale < 1.0 {
		filterscale = 1.0
	}
	support := f.support * filterscale
	ksize := int(math.Ceil(support))*2 + 1
	c := coeffs{ksize: ksize, bounds: make([]int, outSize*2), k: make([]float64, outSize*ksize)}
	for xx := 0; xx < outSize; xx++ {
		center := float64(in0) + float64(float64(float64(xx)+0.5)*scale)
		ss := 1.0 / filterscale
		xmin := int(center - support + 0.5)
		if xmin < 0 {
			xmin = 0
		}
		xmax := int(center + support + 0.5)
		if xmax > inSize {
			xmax = inSize
		}
		xmax -= xmin
		k := c.k[xx*ksize : xx*ksize+ksize]
		if xmax < 0 {
			xmax = 0
		}
		for x := 0; x < xmax; x++ {
			k[x] = float64((float64(x+xmin)-center)+0.5) * ss
		}
		f.eval(k[:xmax])
		ww := 0.0
		for x := 0; x < xmax; x++ {
			ww += k[x]
		}
		if ww != 0 {
			for x := 0; x < xmax; x++ {
				k[x] /= ww
			}
		}
		c.bounds[xx*2] = xmin
		c.bounds[xx*2+1] = xmax
	}
	if outSize > 0 {
		c.first = c.bounds[0]
		c.last = c.bounds[outSize*2-2] + c.bounds[outSize*2-1]
	}
	return c
}

// shift makes the bounds relative to input position first, for a pass that
// reads an intermediate image starting there.
func (c *coeffs) shift() {
	for i := 0; i < len(c.bounds); i += 2 {
		c.bounds[i] -= c.first
	}
}

// normalize8 is normalize_coeffs_8bpc.
func (c *coeffs) normalize8() {
	if c.fixed != nil {
		return
	}
	c.fixed = make([]int32, len(c.k))
	for i, v := range c.k {
		if v < 0 {
			c.fixed[i] = int32(-0.5 + v*(1<<precisionBits))
		} else {
			c.fixed[i] = int32(0.5 + v*(1<<precisionBits))
		}
	}
}

// prepare8 derives what the C kernels take: the fixed-point weights and
// 32-bit bounds.
func (c *coeffs) prepare8() {
	c.normalize8()
	if c.bounds32 == nil {
		c.bounds32 = make([]int32, len(c.bounds)+2) // never empty, for &[0]
		for i, v := range c.bounds {
			c.bounds32[i] = int32(v)
		}
	}
}

// prepareVec lays out the weights for the vector horizontal kernel
// (kernels.c): per output, its taps in groups of 4, each group two 8-lane
// int32 vectors, kl pairs then kh pairs, where k = kh<<15 + kl, 0 <= kl < 2^15;
// lanes 0-3 hold (k[t], k[t+1]) as two int16 and lanes 4-7 (k[t+2], k[t+3]);
// taps at or past xmax weigh 0.
func (c *coeffs) prepareVec() {
	if c.vec != nil {
		return
	}
	c.prepare8()
	n := len(c.bounds) / 2
	c.groups = make([]int32, n+1)
	total := 0
	for i := 0; i < n; i++ {
		g := (c.bounds[2*i+1] + 3) / 4
		c.groups[i] = int32(g)
		total += g
	}
	c.vec = make([]int32, 16*total+1)
	v := c.vec
	for i := 0; i < n; i++ {
		xmax := c.bounds[2*i+1]
		k := c.fixed[i*c.ksize : i*c.ksize+xmax]
		tap := func(t int) int32 {
			if t < xmax {
				return k[t]
			}
			return 0
		}
		pair := func(a, b int32) int32 { return int32(uint32(uint16(a)) | uint32(uint16(b))<<16) }
		for g := 0; g < int(c.groups[i]); g++ {
			t := 4 * g
			for half := 0; half < 2; half++ {
				k0, k1 := tap(t+2*half), tap(t+2*half+1)
				lo := pair(k0&0x7fff, k1&0x7fff)
				hi := pair(k0>>15, k1>>15)
				for l := 0; l < 4; l++ {
					v[4*half+l] = lo
					v[8+4*half+l] = hi
				}
			}
			v = v[16:]
		}
	}
}

func clipFixed(ss int32) uint8 {
	v := ss >> precisionBits
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// roundUp is Pillow's ROUND_UP macro followed by the C int conversion.
func roundUp(f float64) int32 {
	if f >= 0 {
		return int32(f + 0.5)
	}
	return int32(f - 0.5)
}

// resample is ImagingResampleInner for the modes load_img can reach:
// L, RGB, RGBa (premultiplied RGBA), LA and I / I;16.
func resample(im *Image, w, h int, f filter, b box, ws *workspace) (*Image, error) {
	switch im.Mode {
	case ModeL, ModeLA, ModeRGB, ModeRGBa, ModeI, ModeI16:
	default:
		return nil, fmt.Errorf("resample: image has wrong mode %v", im.Mode)
	}
	needH := w != im.Width || b.x0 != 0 || b.x1 != float32(w)
	needV := h != im.Height || b.y0 != 0 || b.y1 != float32(h)

	// The vertical coefficients index the horizontal pass's output, which
	// holds only the input rows the vertical pass reads.
	vert := ws.coeffs(coeffKey{im.Height, b.y0, b.y1, h, f.interp, needH}, f)
	cur := im
	if needH {
		horiz := ws.coeffs(coeffKey{im.Width, b.x0, b.x1, w, f.interp, false}, f)
		tmp := ws.tmpImage(im.Mode, w, vert.last-vert.first)
		if im.Mode.wide() {
			horizontal32(tmp, im, vert.first, horiz)
		} else {
			horizontal8(tmp, im, vert.first, horiz)
		}
		cur = tmp
	}
	if needV {
		out := ws.resultImage(im.Mode, cur.Width, h) // the kernels write every sample
		if im.Mode.wide() {
			vertical32(out, cur, vert)
		} else {
			vertical8(out, cur, vert)
		}
		cur = out
	}
	if cur == im {
		cur = im.clone()
	}
	if im.Mode == ModeI16 {
		for i, v := range cur.Int {
			cur.Int[i] = min(max(v, 0), 65535)
		}
	}
	return cur, nil
}

// horizontal8Go is ImagingResampleHorizontal_8bpc in Go (the purego build's
// kernel; the cgo build runs the same arithmetic in C, kernels_cgo.go).
func horizontal8Go(out, in *Image, offset int, c *coeffs) {
	c.normalize8()
	ch := in.Mode.Channels()
	inStride := in.Width * ch
	outStride := out.Width * ch
	const half = int32(1) << (precisionBits - 1)
	for yy := 0; yy < out.Height; yy++ {
		src := in.Pix[(yy+offset)*inStride : (yy+offset+1)*inStride]
		dst := out.Pix[yy*outStride : (yy+1)*outStride]
		for xx := 0; xx < out.Width; xx++ {
			xmin, xmax := c.bounds[xx*2], c.bounds[xx*2+1]
			k := c.fixed[xx*c.ksize : xx*c.ksize+xmax]
			switch ch {
			case 1:
				s := src[xmin : xmin+xmax]
				ss := half
				for x, kv := range k {
					ss += int32(s[x]) * kv
				}
				dst[xx] = clipFixed(ss)
			case 3:
				s := src[xmin*3 : (xmin+xmax)*3]
				s0, s1, s2 := half, half, half
				for x, kv := range k {
					p := s[x*3 : x*3+3]
					s0 += int32(p[0]) * kv
					s1 += int32(p[1]) * kv
					s2 += int32(p[2]) * kv
				}
				d := dst[xx*3 : xx*3+3]
				d[0], d[1], d[2] = clipFixed(s0), clipFixed(s1), clipFixed(s2)
			default:
				s := src[xmin*ch : (xmin+xmax)*ch]
				var acc [4]int32
				for j := 0; j < ch; j++ {
					acc[j] = half
				}
				for x, kv := range k {
					for j := 0; j < ch; j++ {
						acc[j] += int32(s[x*ch+j]) * kv
					}
				}
				for j := 0; j < ch; j++ {
					dst[xx*ch+j] = clipFixed(acc[j])
				}
			}
		}
	}
}

// vertical8Go is ImagingResampleVertical_8bpc in Go.
func vertical8Go(out, in *Image, c *coeffs) {
	c.normalize8()
	ch := in.Mode.Channels()
	stride := in.Width * ch
	const half = int32(1) << (precisionBits - 1)
	acc := make([]int32, stride)
	for yy := 0; yy < out.Height; yy++ {
		ymin, ymax := c.bounds[yy*2], c.bounds[yy*2+1]
		k := c.fixed[yy*c.ksize : yy*c.ksize+ymax]
		for i := range acc {
			acc[i] = half
		}
		// Integer sums are order-independent, so accumulate row by row
		// (sequential memory) instead of column by column as the C does.
		for y, kv := range k {
			row := in.Pix[(y+ymin)*stride : (y+ymin+1)*stride]
			a := acc[:len(row)]
			for i, p := range row {
				a[i] += int32(p) * kv
			}
		}
		dst := out.Pix[yy*stride : (yy+1)*stride]
		for i, v := range acc {
			dst[i] = clipFixed(v)
		}
	}
}

func horizontal32(out, in *Image, offset int, c *coeffs) {
	for yy := 0; yy < out.Height; yy++ {
		src := in.Int[(yy+offset)*in.Width : (yy+offset+1)*in.Width]
		for xx := 0; xx < out.Width; xx++ {
			xmin, xmax := c.bounds[xx*2], c.bounds[xx*2+1]
			k := c.k[xx*c.ksize : xx*c.ksize+xmax]
			ss := 0.0
			for x, kv := range k {
				ss += float64(float64(src[x+xmin]) * kv)
			}
			out.Int[yy*out.Width+xx] = roundUp(ss)
		}
	}
}

func vertical32(out, in *Image, c *coeffs) {
	w := in.Width
	for yy := 0; yy < out.Height; yy++ {
		ymin, ymax := c.bounds[yy*2], c.bounds[yy*2+1]
		k := c.k[yy*c.ksize : yy*c.ksize+ymax]
		for xx := 0; xx < w; xx++ {
			ss := 0.0
			for y, kv := range k {
				ss += float64(float64(in.Int[(y+ymin)*w+xx]) * kv)
			}
			out.Int[yy*w+xx] = roundUp(ss)
		}
	}
}
