package imageload

import (
	"fmt"
	"strings"
)

// Interpolation is a Keras interpolation name mapped to a Pillow filter.
type Interpolation int

// The six interpolations load_img accepts. Nearest is load_img's default.
const (
	Nearest Interpolation = iota
	Bilinear
	Bicubic
	Lanczos
	Box
	Hamming
)

var interpNames = []string{"nearest", "bilinear", "bicubic", "lanczos", "box", "hamming"}

func (i Interpolation) String() string {
	if int(i) >= 0 && int(i) < len(interpNames) {
		return interpNames[i]
	}
	return fmt.Sprintf("Interpolation(%d)", int(i))
}

// ParseInterpolation accepts the names Keras accepts.
func ParseInterpolation(s string) (Interpolation, error) {
	for i, n := range interpNames {
		if strings.EqualFold(s, n) {
			return Interpolation(i), nil
		}
	}
	return 0, fmt.Errorf("interpolation %q: want one of %s", s, strings.Join(interpNames, ", "))
}

// filter is one of Pillow's resampling kernels. eval overwrites xs with the
// kernel's value at each x; kernels that need sin/cos evaluate them in one
// batch so the cgo build can use the C library's (glibc's) sin and cos, the
// ones Pillow itself calls.
type filter struct {
	support float64
	eval    func(xs []float64)
	interp  Interpolation // which one: the key of cached coefficients
}

// Pillow's constants: 0.54f and 0.46f are C floats promoted to double.
const (
	hammingA = float64(float32(0.54))
	hammingB = float64(float32(0.46))
)

const piC = 3.14159265358979323846 // M_PI

func filterFor(i Interpolation) (filter, error) {
	switch i {
	case Box:
		return filter{interp: i, support: 0.5, eval: func(xs []float64) {
			for j, x := range xs {
				if x > -0.5 && x <= 0.5 {
					xs[j] = 1
				} else {
					xs[j] = 0
				}
			}
		}}, nil
	case Bilinear:
		return filter{interp: i, support: 1, eval: func(xs []float64) {
			for j, x := range xs {
				if x < 0 {
					x = -x
				}
				if x < 1 {
					xs[j] = 1 - x
				} else {
					xs[j] = 0
				}
			}
		}}, nil
	case Bicubic:
		return filter{interp: i, support: 2, eval: func(xs []float64) {
			const a = -0.5
			for j, x := range xs {
				if x < 0 {
					x = -x
				}
				switch {
				case x < 1:
					xs[j] = float64(float64(float64(float64((a+2.0)*x)-(a+3.0))*x)*x) + 1
				case x < 2:
					t := float64(float64(x-5)*x) + 8
					t = float64(t*x) - 4
					xs[j] = float64(t * a)
				default:
					xs[j] = 0
				}
			}
		}}, nil
	case Hamming:
		return filter{interp: i, support: 1, eval: hammingEval}, nil
	case Lanczos:
		return filter{interp: i, support: 3, eval: lanczosEval}, nil
	}
	return filter{}, fmt.Errorf("no resampling filter for %v", i)
}

func hammingEval(xs []float64) {
	// hamming(x) = sin(πx)/(πx) · (0.54 + 0.46·cos(πx)) for 0 < |x| < 1.
	args := make([]float64, 0, len(xs))
	for _, x := range xs {
		if x < 0 {
			x = -x
		}
		if x != 0 && x < 1 {
			args = append(args, float64(x*piC))
		}
	}
	s, c := sinCos(args)
	k := 0
	for j, x := range xs {
		if x < 0 {
			x = -x
		}
		switch {
		case x == 0:
			xs[j] = 1
		case x >= 1:
			xs[j] = 0
		default:
			px := args[k]
			xs[j] = float64(s[k]/px) * float64(hammingA+float64(hammingB*c[k]))
			k++
		}
	}
}

func lanczosEval(xs []float64) {
	// lanczos(x) = sinc(x)·sinc(x/3) on [-3, 3), sinc(x) = sin(πx)/(πx).
	args := make([]float64, 0, 2*len(xs))
	for _, x := range xs {
		if -3 <= x && x < 3 {
			if x != 0 {
				args = append(args, float64(x*piC))
			}
			if x3 := x / 3; x3 != 0 {
				args = append(args, float64(x3*piC))
			}
		}
	}
	s, _ := sinCos(args)
	k := 0
	sinc := func(x float64) float64 {
		if x == 0 {
			return 1
		}
		v := s[k] / args[k]
		k++
		return v
	}
	for j, x := range xs {
		if -3 <= x && x < 3 {
			a := sinc(x)
			xs[j] = a * sinc(x/3)
		} else {
			xs[j] = 0
		}
	}
}
