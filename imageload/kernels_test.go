package imageload

import (
	"math/rand/v2"
	"testing"
)

// TestKernelsAgree: the build's resampling kernels (C under cgo) and the Go
// ones give identical bytes, so both builds are held to the goldens.
func TestKernelsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, mode := range []Mode{ModeL, ModeLA, ModeRGB, ModeRGBa} {
		for _, interp := range []Interpolation{Bilinear, Bicubic, Lanczos, Box, Hamming} {
			im := newImage(mode, 37+r.IntN(20), 23+r.IntN(20))
			for i := range im.Pix {
				im.Pix[i] = uint8(r.IntN(256))
			}
			f, _ := filterFor(interp)
			w, h := 5+r.IntN(60), 5+r.IntN(60)
			hc := precomputeCoeffs(im.Width, 0.5, float32(im.Width), w, f)
			hc.normalize8()
			vc := precomputeCoeffs(im.Height, 0, float32(im.Height)-1.25, h, f)
			vc.normalize8()

			a, b := newImage(mode, w, im.Height), newImage(mode, w, im.Height)
			horizontal8(a, im, 0, &hc)
			horizontal8Go(b, im, 0, &hc)
			if string(a.Pix) != string(b.Pix) {
				t.Errorf("%v %v: horizontal kernels differ", mode, interp)
			}
			va, vb := newImage(mode, w, h), newImage(mode, w, h)
			vertical8(va, a, &vc)
			vertical8Go(vb, a, &vc)
			if string(va.Pix) != string(vb.Pix) {
				t.Errorf("%v %v: vertical kernels differ", mode, interp)
			}
		}
	}
}
