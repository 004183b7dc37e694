package imageload

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"go.uber.org/goleak"
)

func corpusFS(t *testing.T, names ...string) (fstest.MapFS, []string) {
	t.Helper()
	fsys := fstest.MapFS{}
	var paths []string
	for _, n := range names {
		fsys["img/"+n] = &fstest.MapFile{Data: corpusFile(t, n)}
		paths = append(paths, "img/"+n)
	}
	return fsys, paths
}

func TestLoaderOrderAndErrors(t *testing.T) {
	defer goleak.VerifyNone(t)
	fsys, paths := corpusFS(t, "png_rgb8.png", "jpeg_base_420.jpg", "gif_p.gif", "bmp_24.bmp", "png_la8.png", "jpeg_cmyk.jpg")
	fsys["img/bad.png"] = &fstest.MapFile{Data: corpusFile(t, "png_rgb8.png")[:100]}
	paths = append(paths[:2], append([]string{"img/bad.png", "img/missing.jpg"}, paths[2:]...)...)
	o := Options{Height: 9, Width: 11, Interpolation: Bicubic}
	l := &Loader{Options: o, Workers: 3, Window: 2, FS: fsys}
	var got []string
	err := l.Load(context.Background(), paths, func(r Result) error {
		if r.Path != paths[r.Index] || r.Index != len(got) {
			t.Errorf("result %d (%s) out of order", r.Index, r.Path)
		}
		if r.Err != nil {
			if !strings.Contains(r.Err.Error(), r.Path) {
				t.Errorf("error %q does not name %s", r.Err, r.Path)
			}
			got = append(got, "err")
			return nil
		}
		want, err := Decode(fsys[r.Path].Data, o)
		if err != nil {
			t.Fatal(err)
		}
		if string(want.Pix) != string(r.Image.Pix) {
			t.Errorf("%s: pipeline pixels differ from Decode", r.Path)
		}
		got = append(got, "ok")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "ok,ok,err,err,ok,ok,ok,ok" {
		t.Errorf("got %v", got)
	}
}

func TestLoaderStopsOnEmitError(t *testing.T) {
	defer goleak.VerifyNone(t)
	names := []string{"png_rgb8.png", "png_g8.png", "png_p8.png", "bmp_8.bmp", "gif_p.gif", "png_rgba8.png"}
	fsys, paths := corpusFS(t, names...)
	for i := 0; i < 5; i++ {
		paths = append(paths, paths...)
	}
	stop := errors.New("stop")
	n := 0
	err := (&Loader{Workers: 2, FS: fsys}).Load(context.Background(), paths, func(Result) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("err %v after %d", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (&Loader{FS: fsys}).Load(ctx, paths, func(Result) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err %v", err)
	}
}

func TestCacheSecondRunDecodesNothing(t *testing.T) {
	dir := t.TempDir()
	c, err := OpenCache(filepath.Join(dir, "cache"))
	if err != nil {
		t.Fatal(err)
	}
	fsys, paths := corpusFS(t, "png_g16.png", "jpeg_prog_422.jpg", "png_rgba16.png")
	for _, o := range []Options{
		{Height: 5, Width: 7, Interpolation: Lanczos, ColorMode: Grayscale},
		{Height: 5, Width: 7, Interpolation: Lanczos, ColorMode: RGBA},
	} {
		l := &Loader{Options: o, FS: fsys, Cache: c, Workers: 2}
		var first []*Image
		for run := 0; run < 2; run++ {
			i := 0
			err := l.Load(context.Background(), paths, func(r Result) error {
				if r.Err != nil {
					return r.Err
				}
				if r.Cached != (run == 1) {
					t.Errorf("run %d %s: cached=%v", run, r.Path, r.Cached)
				}
				if run == 0 {
					first = append(first, r.Image)
				} else if string(first[i].Pix) != string(r.Image.Pix) || len(first[i].Int) != len(r.Image.Int) ||
					first[i].Mode != r.Image.Mode {
					t.Errorf("%s: cached image differs", r.Path)
				}
				i++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	// A corrupt entry is a miss, not an error.
	filepath.WalkDir(filepath.Join(dir, "cache"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.WriteFile(p, []byte("ILC1garbage"), 0o644)
		}
		return nil
	})
	if im := c.Get(fsys[paths[0]].Data, Options{Height: 5, Width: 7, Interpolation: Lanczos, ColorMode: Grayscale}); im != nil {
		t.Error("corrupt entry returned")
	}
}

// TestLoaderRecycle: images handed back with Recycle lend their buffers to
// later results (so the path is exercised), and every result is still the
// image Decode gives, whatever the buffer held before.
func TestLoaderRecycle(t *testing.T) {
	names := []string{"jpeg_base_420.jpg", "png_rgb8.png", "jpeg_gray.jpg", "bmp_24.bmp", "png_la8.png", "jpeg_cmyk.jpg"}
	var all []string
	for i := 0; i < 8; i++ {
		all = append(all, names...)
	}
	fsys, paths := corpusFS(t, names...)
	for i := range all {
		all[i] = paths[i%len(paths)]
	}
	for _, cm := range []ColorMode{RGB, Grayscale, RGBA} {
		o := Options{Height: 13, Width: 17, Interpolation: Bilinear, ColorMode: cm}
		l := &Loader{Options: o, Workers: 1, FS: fsys}
		seen := map[*uint8]bool{}
		reused := 0
		err := l.Load(context.Background(), all, func(r Result) error {
			if r.Err != nil {
				return r.Err
			}
			want, err := Decode(fsys[r.Path].Data, o)
			if err != nil {
				return err
			}
			if string(want.Pix) != string(r.Image.Pix) {
				t.Errorf("%v %s: pixels differ from Decode", cm, r.Path)
			}
			p := &r.Image.Pix[:1][0]
			if seen[p] {
				reused++
			}
			seen[p] = true
			for i := range r.Image.Pix { // what a later result must not show
				r.Image.Pix[i] = 0xA5
			}
			l.Recycle(r.Image)
			if r.Image.Pix != nil {
				t.Error("Recycle left the image its pixels")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// RGBA results come from un-premultiplying the resampled RGBa
		// image, a fresh buffer; the recycled ones go to the RGBa images.
		if reused == 0 && cm != RGBA {
			t.Errorf("%v: no result reused a recycled buffer", cm)
		}
	}
}
