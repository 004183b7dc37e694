//go:build !cgo || purego

package imageload

import "math"

// sinCos uses Go's math package. Its sin and cos may differ from libm's in
// the last bit, which can move a lanczos or hamming coefficient across a
// rounding boundary: the pure-Go build is documented as approximate.
func sinCos(xs []float64) (s, c []float64) {
	s = make([]float64, len(xs))
	c = make([]float64, len(xs))
	for i, x := range xs {
		s[i], c[i] = math.Sin(x), math.Cos(x)
	}
	return s, c
}
