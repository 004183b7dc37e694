package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sbinet/npyio/npy"

	"github.com/drivesync/drivesync/imageload"
)

// imagesTree lays out class folders with corpus images and returns the root.
func imagesTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for dst, src := range files {
		b, err := os.ReadFile(filepath.Join("..", "..", "imageload", "testdata", "corpus", src))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(root, dst)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func runImagesCmd(t *testing.T, home string, args ...string) (string, error) {
	t.Helper()
	t.Setenv("DRIVESYNC_LOG_LEVEL", "info")
	var stderr bytes.Buffer
	cmd := newRootCmd()
	cmd.SetArgs(append([]string{"--home", home, "images"}, args...))
	cmd.SetOut(&stderr)
	cmd.SetErr(&stderr)
	err := cmd.ExecuteContext(context.Background())
	return stderr.String(), err
}

func readNpyFile(t *testing.T, path string, ptr any) []int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := npy.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Read(ptr); err != nil {
		t.Fatal(err)
	}
	return r.Header.Descr.Shape
}

// expected decodes paths with imageload directly, concatenated.
func expected(t *testing.T, o imageload.Options, paths ...string) []float32 {
	t.Helper()
	var out []float32
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		im, err := imageload.Decode(b, o)
		if err != nil {
			t.Fatal(err)
		}
		out = im.AppendFloat32(out)
	}
	return out
}

var classTree = map[string]string{
	"cats/a.jpg":     "jpeg_base_420.jpg",
	"cats/b.png":     "png_rgba8.png",
	"cats/sub/c.gif": "gif_p_trns.gif",
	"dogs/d.bmp":     "bmp_8.bmp",
	"dogs/e.jpg":     "jpeg_cmyk.jpg",
	"dogs/f.png":     "png_p8_trns.png",
	"dogs/notes.txt": "png_g8.png", // not a listed extension: ignored
}

func TestImagesClassFolders(t *testing.T) {
	root := imagesTree(t, classTree)
	home, out := t.TempDir(), t.TempDir()
	x, y, c := filepath.Join(out, "x.npy"), filepath.Join(out, "y.npy"), filepath.Join(out, "classes.txt")
	args := []string{root, "--size", "20x30", "--interpolation", "hamming", "--keep-aspect-ratio", "--color-mode", "rgba",
		"--out", x, "--labels", y, "--class-names", c}
	log, err := runImagesCmd(t, home, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, log)
	}
	var got []float32
	if shape := readNpyFile(t, x, &got); !reflect.DeepEqual(shape, []int{6, 20, 30, 4}) {
		t.Fatalf("shape %v", shape)
	}
	o := imageload.Options{Height: 20, Width: 30, Interpolation: imageload.Hamming, KeepAspectRatio: true, ColorMode: imageload.RGBA}
	order := []string{"cats/a.jpg", "cats/b.png", "cats/sub/c.gif", "dogs/d.bmp", "dogs/e.jpg", "dogs/f.png"}
	var paths []string
	for _, p := range order {
		paths = append(paths, filepath.Join(root, p))
	}
	if want := expected(t, o, paths...); !reflect.DeepEqual(got, want) {
		t.Error("pixels differ from imageload.Decode in listing order")
	}
	var labels []int32
	readNpyFile(t, y, &labels)
	if !reflect.DeepEqual(labels, []int32{0, 0, 0, 1, 1, 1}) {
		t.Errorf("labels %v", labels)
	}
	if b, _ := os.ReadFile(c); string(b) != "cats\ndogs\n" {
		t.Errorf("class names %q", b)
	}
	if !strings.Contains(log, "cached=0") {
		t.Errorf("first run log: %s", log)
	}
	// Second run: everything from the cache, same bytes.
	before, _ := os.ReadFile(x)
	log, err = runImagesCmd(t, home, args...)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(x)
	if !strings.Contains(log, "cached=6") || !bytes.Equal(before, after) {
		t.Errorf("second run: identical %v, log %s", bytes.Equal(before, after), log)
	}
}

func TestImagesValidationSplit(t *testing.T) {
	root := imagesTree(t, classTree)
	home, out := t.TempDir(), t.TempDir()
	got := map[string][]int32{}
	for _, subset := range []string{"training", "validation"} {
		x, y := filepath.Join(out, subset+".npy"), filepath.Join(out, subset+"-y.npy")
		log, err := runImagesCmd(t, home, root, "--size", "8x8", "--dtype", "uint8", "--out", x, "--labels", y,
			"--validation-split", "0.34", "--subset", subset, "--seed", "7", "--no-cache")
		if err != nil {
			t.Fatalf("%v\n%s", err, log)
		}
		var labels []int32
		readNpyFile(t, y, &labels)
		got[subset] = labels
		var px []uint8
		if shape := readNpyFile(t, x, &px); shape[0] != len(labels) {
			t.Errorf("%s: %d images, %d labels", subset, shape[0], len(labels))
		}
	}
	// int(0.34 × 6) = 2 validation files, the rest training.
	if len(got["training"]) != 4 || len(got["validation"]) != 2 {
		t.Errorf("split %v", got)
	}
	if _, err := runImagesCmd(t, home, root, "--out", filepath.Join(out, "z.npy"), "--validation-split", "0.2",
		"--subset", "training", "--shuffle"); err == nil || !strings.Contains(err.Error(), "--seed") {
		t.Errorf("shuffled split without seed: %v", err)
	}
}

func TestImagesBadFiles(t *testing.T) {
	root := imagesTree(t, map[string]string{"a.png": "png_rgb8.png", "b.jpg": "jpeg_base_444.jpg", "c.png": "png_la8.png"})
	bad := filepath.Join(root, "b.jpg")
	b, _ := os.ReadFile(bad)
	os.WriteFile(bad, b[:len(b)/2], 0o644)
	home, out := t.TempDir(), t.TempDir()
	x := filepath.Join(out, "x.npy")

	_, err := runImagesCmd(t, home, filepath.Join(root, "*.png"), bad, "--size", "9x9", "--out", x)
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("err %v, want one naming %s", err, bad)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("failed run left %v", ents)
	}

	log, err := runImagesCmd(t, home, filepath.Join(root, "*.png"), bad, "--size", "9x9", "--out", x, "--skip-bad")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log, "skipped=1") || !strings.Contains(log, bad) {
		t.Errorf("log: %s", log)
	}
	var got []float32
	if shape := readNpyFile(t, x, &got); shape[0] != 2 {
		t.Errorf("shape %v", shape)
	}
	o := imageload.Options{Height: 9, Width: 9}
	if want := expected(t, o, filepath.Join(root, "a.png"), filepath.Join(root, "c.png")); !reflect.DeepEqual(got, want) {
		t.Error("pixels differ (sorted path order expected)")
	}
}

func TestImagesArgErrors(t *testing.T) {
	root := imagesTree(t, map[string]string{"a.png": "png_rgb8.png", "b.jpg": "jpeg_base_444.jpg"})
	home, out := t.TempDir(), t.TempDir()
	x := filepath.Join(out, "x.npy")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no out", []string{root}, "--out"},
		{"bad size", []string{root, "--out", x, "--size", "224"}, "--size"},
		{"bad mode", []string{root, "--out", x, "--color-mode", "cmyk"}, "color"},
		{"bad interpolation", []string{root, "--out", x, "--interpolation", "cubic"}, "interpolation"},
		{"bad dtype", []string{root, "--out", x, "--dtype", "float16"}, "dtype"},
		{"labels without classes", []string{root, "--out", x, "--labels", filepath.Join(out, "y.npy")}, "class subfolders"},
		{"mixed sizes", []string{root, "--out", x, "--no-cache"}, "differs"},
		{"nothing matches", []string{filepath.Join(root, "*.tiff"), "--out", x}, "tiff"},
		{"bomb guard", []string{root, "--out", x, "--size", "4x4", "--max-pixels", "100", "--no-cache"}, "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runImagesCmd(t, home, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want it to mention %q", err, tt.want)
			}
			if _, err := os.Stat(x); !os.IsNotExist(err) {
				t.Errorf("output written despite the error")
				os.Remove(x)
			}
		})
	}
}

// FuzzParseSize: --size accepts HxW with positive numbers and nothing else.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"224x224", "1X2", "0x5", "x", "", "-3x4", "12x", "99999999999999999999x1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, w, err := parseSize(s)
		if err != nil {
			return
		}
		if s == "" {
			if h != 0 || w != 0 {
				t.Errorf("empty size gave %dx%d", h, w)
			}
			return
		}
		if h <= 0 || w <= 0 {
			t.Errorf("%q gave %dx%d", s, h, w)
		}
		if h2, w2, err := parseSize(fmt.Sprintf("%dx%d", h, w)); err != nil || h2 != h || w2 != w {
			t.Errorf("%q gave %dx%d, which does not round-trip: %dx%d %v", s, h, w, h2, w2, err)
		}
	})
}
