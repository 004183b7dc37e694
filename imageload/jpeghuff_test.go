//go:build cgo && !purego

package imageload

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHuffCheck: the libjpeg on this machine takes il_huff, so the tests
// below (and TestGoldens, through decodeJPEG) exercise it.
func TestHuffCheck(t *testing.T) {
	if err := checkHuff(); err != nil {
		t.Fatal(err)
	}
	if !huffCheck() {
		t.Fatal("huffCheck false")
	}
}

// huffJPEGs returns the corpus's JPEGs and ones the standard library's
// encoder writes: qualities from 1 to 100 (long and short codes, large and
// zero coefficients), odd sizes (partial MCUs), grayscale and colour.
func huffJPEGs(t testing.TB) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	// testdata/restart: corpus files with restart markers every MCU row,
	// every MCU and every 3 MCUs (jpegtran -restart 1, 1B, 3B).
	paths, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.jpg"))
	rst, err2 := filepath.Glob(filepath.Join("testdata", "restart", "*.jpg"))
	if err != nil || err2 != nil || len(paths) == 0 || len(rst) == 0 {
		t.Fatalf("corpus: %v, %v (%d, %d files)", err, err2, len(paths), len(rst))
	}
	paths = append(paths, rst...)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = b
	}
	x := uint32(1)
	rnd := func() uint8 {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		return uint8(x)
	}
	for _, size := range [][2]int{{1, 1}, {7, 3}, {16, 16}, {17, 9}, {100, 75}, {333, 129}} {
		for _, q := range []int{1, 30, 75, 95, 100} {
			w, h := size[0], size[1]
			rgb, gray := image.NewRGBA(image.Rect(0, 0, w, h)), image.NewGray(image.Rect(0, 0, w, h))
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					n := rnd() % 64
					rgb.Set(x, y, color.RGBA{uint8(x*255/w) + n, uint8(y*255/h) - n, rnd(), 255})
					gray.SetGray(x, y, color.Gray{uint8((x+y)*4) ^ n})
				}
			}
			for name, im := range map[string]image.Image{"rgb": rgb, "gray": gray} {
				var buf bytes.Buffer
				if err := jpeg.Encode(&buf, im, &jpeg.Options{Quality: q}); err != nil {
					t.Fatal(err)
				}
				files[fmt.Sprintf("go_%s_%dx%d_q%d.jpg", name, w, h, q)] = buf.Bytes()
			}
		}
	}
	return files
}

// TestHuffSameAsLibjpeg: with il_huff, every JPEG decodes to libjpeg's own
// pixels at every scale, and il_huff takes every baseline file.
func TestHuffSameAsLibjpeg(t *testing.T) {
	for name, data := range huffJPEGs(t) {
		for _, scale := range []int{1, 2, 4, 8} {
			want, _, werr := decodeJPEGWith(data, scale, nil, false)
			got, installed, gerr := decodeJPEGWith(data, scale, nil, true)
			if werr != nil || gerr != nil {
				t.Fatalf("%s 1/%d: errors %v, %v", name, scale, werr, gerr)
			}
			if baseline := !strings.Contains(name, "prog"); installed != baseline {
				t.Errorf("%s: il_huff installed %v, want %v", name, installed, baseline)
			}
			if got.Width != want.Width || got.Height != want.Height || !bytes.Equal(got.Pix, want.Pix) {
				t.Errorf("%s 1/%d: pixels differ from libjpeg's", name, scale)
			}
		}
	}
}

// TestHuffLeavesCorruptDataToLibjpeg: where the scan's data ends early, holds
// a marker or an invalid code, il_huff stops (errHuffBailed), and a file that
// ends without a marker is not taken at all; decodeJPEG's result is
// libjpeg's own, error or zero-filled pixels alike.
func TestHuffLeavesCorruptDataToLibjpeg(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "corpus", "jpeg_base_420.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	sos := bytes.Index(good, []byte{0xFF, 0xDA})
	if sos < 0 {
		t.Fatal("no SOS")
	}
	data := sos + 2 + int(good[sos+2])<<8 | int(good[sos+3])
	mid := (data + len(good)) / 2
	with := func(at int, b ...byte) []byte {
		out := append([]byte(nil), good[:at]...)
		out = append(out, b...)
		return append(out, good[at+len(b):]...)
	}
	cases := []struct {
		name    string
		data    []byte
		install bool // else left to libjpeg from the start
	}{
		{"truncated", good[:mid], false},
		{"no EOI", good[:len(good)-2], false},
		{"truncated after FF", append(append([]byte(nil), good[:mid]...), 0xFF), false},
		{"truncated, EOI kept", append(append([]byte(nil), good[:mid]...), 0xFF, 0xD9), true},
		{"marker inside the scan", with(mid, 0xFF, 0xD3), true},
		{"invalid code (sixteen 1 bits)", with(mid, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00), true},
		{"FF FF 00 inside the scan", with(mid, 0xFF, 0xFF, 0x00), true},
		{"restart marker out of sequence", rstWith(t, func(d []byte, at []int) { d[at[2]+1] = 0xD5 }), true},
		{"restart segment cut short", rstWith(t, func(d []byte, at []int) { copy(d[at[3]-6:], d[at[3]:]) }), true},
		{"restart marker missing", rstWith(t, func(d []byte, at []int) { d[at[1]], d[at[1]+1] = 0x12, 0x34 }), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, installed, err := decodeJPEGWith(c.data, 1, nil, true)
			if installed != c.install || (c.install && !errors.Is(err, errHuffBailed)) {
				t.Fatalf("il_huff: installed %v, err %v; want installed %v and stopped", installed, err, c.install)
			}
			want, _, werr := decodeJPEGWith(c.data, 1, nil, false)
			got, gerr := decodeJPEG(c.data, 1, nil)
			if fmt.Sprint(werr) != fmt.Sprint(gerr) {
				t.Fatalf("error %v, libjpeg's %v", gerr, werr)
			}
			if werr == nil && !bytes.Equal(got.Pix, want.Pix) {
				t.Fatal("pixels differ from libjpeg's")
			}
		})
	}
}

// rstWith returns a file with restart markers every 3 MCUs, changed by
// edit (given the offsets of its RSTn markers).
func rstWith(t *testing.T, edit func(d []byte, at []int)) []byte {
	t.Helper()
	d, err := os.ReadFile(filepath.Join("testdata", "restart", "jpeg_big_420_rst3B.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	var at []int
	for i := 0; i+1 < len(d); i++ {
		if d[i] == 0xFF && d[i+1] >= 0xD0 && d[i+1] <= 0xD7 {
			at = append(at, i)
		}
	}
	if len(at) < 4 {
		t.Fatalf("%d restart markers", len(at))
	}
	edit(d, at)
	return d
}

// FuzzHuffJPEG: on any bytes, decodeJPEG (il_huff, or libjpeg after it
// stops) gives what libjpeg alone gives: the same error or the same pixels.
func FuzzHuffJPEG(f *testing.F) {
	for _, name := range []string{"jpeg_base_420.jpg", "jpeg_base_422.jpg", "jpeg_gray.jpg", "jpeg_cmyk.jpg"} {
		f.Add(corpusFile(f, name), uint8(1))
	}
	for _, name := range []string{"jpeg_base_444_rst1B.jpg", "jpeg_big_gray_rst3B.jpg"} {
		d, err := os.ReadFile(filepath.Join("testdata", "restart", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(d, uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, scale uint8) {
		s := 1 << (scale % 4)
		if w, h, err := headerSize(data, FormatJPEG); err != nil || w*h > 1<<20 {
			return
		}
		want, _, werr := decodeJPEGWith(data, s, nil, false)
		got, gerr := decodeJPEG(data, s, nil)
		if fmt.Sprint(werr) != fmt.Sprint(gerr) {
			t.Fatalf("error %v, libjpeg's %v", gerr, werr)
		}
		if werr == nil && (got.Width != want.Width || got.Height != want.Height || !bytes.Equal(got.Pix, want.Pix)) {
			t.Fatal("pixels differ from libjpeg's")
		}
	})
}
