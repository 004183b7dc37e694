package imageload

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds cpu-ns/op (process CPU time, GC included), the number that
// means something on a shared machine where wall time does not.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// benchImage is a 1024×768 JPEG from IMAGELOAD_BENCH_DIR (bench/gen_images.py),
// or the largest corpus JPEG when that is not set.
func benchImage(b *testing.B) []byte {
	b.Helper()
	if d := os.Getenv("IMAGELOAD_BENCH_DIR"); d != "" {
		data, err := os.ReadFile(filepath.Join(d, "img00000.jpg"))
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	return corpusFile(b, "jpeg_big_420.jpg")
}

func BenchmarkDecodeJPEG(b *testing.B) {
	data := benchImage(b)
	defer reportCPU(b, cpuTime())
	for b.Loop() {
		if _, err := decodeJPEG(data, 1, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeJPEGReuse decodes into a reused buffer, as the Loader does;
// Draft at 1/2 scale, as for 1024×768 → 224×224.
func BenchmarkDecodeJPEGReuse(b *testing.B) {
	for _, scale := range []int{1, 2} {
		b.Run(fmt.Sprintf("scale=1/%d", scale), func(b *testing.B) {
			data := benchImage(b)
			ws := &workspace{}
			defer reportCPU(b, cpuTime())
			for b.Loop() {
				if _, err := decodeJPEG(data, scale, ws); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkResample224Bilinear is the resize alone with a workspace, from
// the full decode and from the 1/2-scale draft decode.
func BenchmarkResample224Bilinear(b *testing.B) {
	for _, scale := range []int{1, 2} {
		b.Run(fmt.Sprintf("scale=1/%d", scale), func(b *testing.B) {
			im, err := decodeJPEG(benchImage(b), scale, nil)
			if err != nil {
				b.Fatal(err)
			}
			f, _ := filterFor(Bilinear)
			ws := &workspace{}
			defer reportCPU(b, cpuTime())
			for b.Loop() {
				if _, err := resample(im, 224, 224, f, box{0, 0, float32(im.Width), float32(im.Height)}, ws); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkLoadImg224Bilinear(b *testing.B) {
	data := benchImage(b)
	o := Options{Height: 224, Width: 224, Interpolation: Bilinear}
	defer reportCPU(b, cpuTime())
	for b.Loop() {
		im, err := Decode(data, o)
		if err != nil {
			b.Fatal(err)
		}
		_ = im.AppendFloat32(nil)
	}
}

// BenchmarkLoaderFile224Bilinear is the Loader's per-file path: buffers
// reused across images, float32 output.
func BenchmarkLoaderFile224Bilinear(b *testing.B) {
	data := benchImage(b)
	ws := &workspace{}
	o := Options{Height: 224, Width: 224, Interpolation: Bilinear}
	var out []float32
	defer reportCPU(b, cpuTime())
	for b.Loop() {
		im, err := decodeWith(data, o, ws)
		if err != nil {
			b.Fatal(err)
		}
		out = im.AppendFloat32(out[:0])
	}
}

func BenchmarkLoadImg224BilinearDraft(b *testing.B) {
	data := benchImage(b)
	o := Options{Height: 224, Width: 224, Interpolation: Bilinear, Draft: true}
	defer reportCPU(b, cpuTime())
	for b.Loop() {
		if _, err := Decode(data, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResize224Bilinear(b *testing.B) {
	im, err := decodeJPEG(benchImage(b), 1, nil)
	if err != nil {
		b.Fatal(err)
	}
	f, _ := filterFor(Bilinear)
	defer reportCPU(b, cpuTime())
	for b.Loop() {
		if _, err := resample(im, 224, 224, f, box{0, 0, float32(im.Width), float32(im.Height)}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoaderFile224BilinearDraft(b *testing.B) {
	data := benchImage(b)
	ws := &workspace{}
	o := Options{Height: 224, Width: 224, Interpolation: Bilinear, Draft: true}
	var out []float32
	defer reportCPU(b, cpuTime())
	for b.Loop() {
		im, err := decodeWith(data, o, ws)
		if err != nil {
			b.Fatal(err)
		}
		out = im.AppendFloat32(out[:0])
	}
}

// BenchmarkNpyWriteImage is the emitter's share per image: a 224×224 RGB
// image converted to float32 and written (600 KB), with direct I/O and
// through the page cache.
func BenchmarkNpyWriteImage(b *testing.B) {
	im := newImage(ModeRGB, 224, 224)
	for i := range im.Pix {
		im.Pix[i] = uint8(i)
	}
	for _, direct := range []bool{true, false} {
		b.Run(fmt.Sprintf("direct=%t", direct), func(b *testing.B) {
			w, err := createNpy(filepath.Join(b.TempDir(), "x.npy"), Float32, []int{224, 224, 3}, defaultChunk, direct)
			if err != nil {
				b.Fatal(err)
			}
			defer w.Abort()
			defer reportCPU(b, cpuTime())
			for b.Loop() {
				if err := w.WriteImage(im); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadToNpy is drivesync images in process, per image: the Loader
// (1 or 2 workers, no cache) over the bench directory's JPEGs, each written to a
// .npy as float32. Without IMAGELOAD_BENCH_DIR it cycles over the largest
// corpus JPEG.
func BenchmarkLoadToNpy(b *testing.B) {
	for _, c := range []struct {
		draft   bool
		workers int
	}{{false, 1}, {false, 2}, {true, 1}, {true, 2}} {
		draft := c.draft
		b.Run(fmt.Sprintf("draft=%t/workers=%d", c.draft, c.workers), func(b *testing.B) {
			var files []string
			if d := os.Getenv("IMAGELOAD_BENCH_DIR"); d != "" {
				files, _ = filepath.Glob(filepath.Join(d, "*.jpg"))
			}
			if len(files) == 0 {
				files = []string{filepath.Join("testdata", "corpus", "jpeg_big_420.jpg")}
			}
			paths := make([]string, b.N)
			for i := range paths {
				paths[i] = files[i%len(files)]
			}
			l := &Loader{Options: Options{Height: 224, Width: 224, Interpolation: Bilinear, Draft: draft}, Workers: c.workers}
			w, err := CreateNpy(filepath.Join(b.TempDir(), "x.npy"), Float32, []int{224, 224, 3})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Abort()
			b.ResetTimer()
			defer reportCPU(b, cpuTime())
			err = l.Load(context.Background(), paths, func(r Result) error {
				if r.Err != nil {
					return r.Err
				}
				return w.WriteImage(r.Image)
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}
