//go:build cgo && !purego

package imageload

/*
#cgo LDFLAGS: -lm
#include <math.h>
static void sincos_batch(const double *x, double *s, double *c, int n) {
	for (int i = 0; i < n; i++) {
		s[i] = sin(x[i]);
		c[i] = cos(x[i]);
	}
}
*/
import "C"

import "unsafe"

// sinCos evaluates sin and cos with the C library, so the resampling
// kernels match Pillow's (which calls libm) to the last bit.
func sinCos(xs []float64) (s, c []float64) {
	s = make([]float64, len(xs))
	c = make([]float64, len(xs))
	if len(xs) == 0 {
		return s, c
	}
	C.sincos_batch((*C.double)(unsafe.Pointer(&xs[0])), (*C.double)(unsafe.Pointer(&s[0])),
		(*C.double)(unsafe.Pointer(&c[0])), C.int(len(xs)))
	return s, c
}
