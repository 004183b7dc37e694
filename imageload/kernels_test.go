package imageload

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// kernelCase is one horizontal+vertical resampling problem for the kernels.
type kernelCase struct {
	mode          Mode
	interp        Interpolation
	inW, inH      int
	outW, outH    int
	bx0, bx1      float32 // horizontal box
	by0, by1      float32 // vertical box
	slack, offset int     // spare capacity after the input's pixels; first input row
	name          string
}

func kernelCases(r *rand.Rand) []kernelCase {
	var cs []kernelCase
	add := func(c kernelCase) {
		c.name = fmt.Sprintf("%v/%v/%dx%d->%dx%d/box(%g,%g,%g,%g)/slack=%d", c.mode, c.interp, c.inW, c.inH,
			c.outW, c.outH, c.bx0, c.by0, c.bx1, c.by1, c.slack)
		cs = append(cs, c)
	}
	for _, mode := range []Mode{ModeL, ModeLA, ModeRGB, ModeRGBa} {
		for _, interp := range []Interpolation{Bilinear, Bicubic, Lanczos, Box, Hamming} {
			// Small random problems, as before: down, up and mixed.
			w, h := 37+r.IntN(20), 23+r.IntN(20)
			add(kernelCase{mode: mode, interp: interp, inW: w, inH: h, outW: 5 + r.IntN(60), outH: 5 + r.IntN(60),
				bx0: 0.5, bx1: float32(w), by0: 0, by1: float32(h) - 1.25})
			// Strong downscale: dozens of taps, many 4-tap groups.
			add(kernelCase{mode: mode, interp: interp, inW: 301, inH: 97, outW: 7, outH: 13,
				bx0: 0, bx1: 301, by0: 0, by1: 97, slack: 64})
			// Same size, integer box: single weights of exactly 1.0 (2^22).
			add(kernelCase{mode: mode, interp: interp, inW: 33, inH: 9, outW: 33, outH: 9,
				bx0: 0, bx1: 33, by0: 0, by1: 9})
			// Upscale of a tiny image, no spare capacity: the last pixels
			// must take the scalar path.
			add(kernelCase{mode: mode, interp: interp, inW: 3, inH: 2, outW: 50, outH: 7,
				bx0: 0, bx1: 3, by0: 0, by1: 2})
			// The benchmark's shape, on a band of rows starting at offset.
			add(kernelCase{mode: mode, interp: interp, inW: 512, inH: 40, outW: 224, outH: 20,
				bx0: 0, bx1: 512, by0: 0, by1: 30, slack: 64, offset: 10})
		}
	}
	return cs
}

// TestKernelsAgree: the build's resampling kernels — vectorised C where the
// CPU has it, scalar C, and the Go twins — give identical bytes, so each is
// held to the goldens that any of them passes.
func TestKernelsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	t.Logf("vector kernels on this CPU: %t", simdKernels())
	for _, c := range kernelCases(r) {
		ch := c.mode.Channels()
		pix := make([]uint8, c.inW*c.inH*ch, c.inW*c.inH*ch+c.slack)
		for i := range pix {
			pix[i] = uint8(r.IntN(256))
		}
		im := &Image{Mode: c.mode, Width: c.inW, Height: c.inH, Pix: pix}
		f, _ := filterFor(c.interp)
		hc := precomputeCoeffs(c.inW, c.bx0, c.bx1, c.outW, f)
		vc := precomputeCoeffs(c.inH-c.offset, c.by0, c.by1, c.outH, f)
		rows := c.inH - c.offset

		var hs [][]uint8
		for _, run := range []func(out *Image){
			func(out *Image) { horizontal8Go(out, im, c.offset, &hc) },
			func(out *Image) { horizontal8C(out, im, c.offset, &hc, false) },
			func(out *Image) { horizontal8C(out, im, c.offset, &hc, true) },
		} {
			out := newImage(c.mode, c.outW, rows)
			run(out)
			hs = append(hs, out.Pix)
		}
		for i := 1; i < len(hs); i++ {
			if string(hs[i]) != string(hs[0]) {
				t.Errorf("%s: horizontal kernel %d differs from Go", c.name, i)
			}
		}
		mid := &Image{Mode: c.mode, Width: c.outW, Height: rows, Pix: hs[0]}
		var vs [][]uint8
		for _, run := range []func(out *Image){
			func(out *Image) { vertical8Go(out, mid, &vc) },
			func(out *Image) { vertical8C(out, mid, &vc, false) },
			func(out *Image) { vertical8C(out, mid, &vc, true) },
		} {
			out := newImage(c.mode, c.outW, c.outH)
			run(out)
			vs = append(vs, out.Pix)
		}
		for i := 1; i < len(vs); i++ {
			if string(vs[i]) != string(vs[0]) {
				t.Errorf("%s: vertical kernel %d differs from Go", c.name, i)
			}
		}
	}
}

// TestBytesToFloat32LE: every length and alignment of the output (the C
// conversion streams to 32-byte-aligned outputs of 64 samples or more) gives
// img_to_array's values, and writes nothing outside dst.
func TestBytesToFloat32LE(t *testing.T) {
	src := make([]uint8, 1100)
	for i := range src {
		src[i] = uint8(i*7 + i/256)
	}
	buf := alignedBuf(4*len(src) + 64)
	for _, n := range []int{1, 7, 8, 63, 64, 65, 100, 1024, 1100} {
		for off := 0; off < 64; off += 4 {
			for i := range buf {
				buf[i] = 0xEE
			}
			dst := buf[off : off+4*n]
			bytesToFloat32LE(dst, src[:n])
			for i := 0; i < n; i++ {
				if got := math.Float32frombits(binary.LittleEndian.Uint32(dst[4*i:])); got != float32(src[i]) {
					t.Fatalf("n %d offset %d: sample %d = %v, want %v", n, off, i, got, src[i])
				}
			}
			for i, b := range buf {
				if (i < off || i >= off+4*n) && b != 0xEE {
					t.Fatalf("n %d offset %d: byte %d outside dst written", n, off, i)
				}
			}
		}
	}
}
