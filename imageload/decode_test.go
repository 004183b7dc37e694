package imageload

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sbinet/npyio/npy"
)

func corpusFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "corpus", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBadInput: truncated, corrupt and unsupported files are errors, never
// panics, for every corpus format.
func TestBadInput(t *testing.T) {
	ents, err := os.ReadDir(filepath.Join("testdata", "corpus"))
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Height: 8, Width: 8, Interpolation: Bilinear}
	for _, e := range ents {
		data := corpusFile(t, e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			for _, cut := range []int{0, 3, 10, 30, len(data) / 3, len(data) / 2, len(data) - 30} {
				if cut < 0 || cut >= len(data) {
					continue
				}
				if _, err := Decode(data[:cut], o); err == nil {
					t.Errorf("truncated at %d of %d: no error", cut, len(data))
				}
			}
			// Flip bytes through the file: any outcome but a panic is fine.
			for i := 8; i < len(data); i += len(data)/16 + 1 {
				c := bytes.Clone(data)
				c[i] ^= 0xA5
				Decode(c, o) //nolint:errcheck
			}
		})
	}
	// A BMP whose info header claims 0 bytes (found by FuzzHeaders).
	tiny := append([]byte("BM"), make([]byte, 20)...)
	if _, err := Decode(tiny, o); err == nil {
		t.Error("BMP with a 0-byte header decoded")
	}
	if _, err := Decode([]byte("this is not an image at all"), o); !errors.Is(err, ErrUnsupported) {
		t.Errorf("text: err %v, want ErrUnsupported", err)
	}
}

func TestTruncatedIsErrTruncated(t *testing.T) {
	for _, name := range []string{"jpeg_base_420.jpg", "jpeg_prog_444.jpg", "png_rgb8.png", "bmp_24.bmp"} {
		data := corpusFile(t, name)
		_, err := Decode(data[:len(data)*2/3], Options{})
		if !errors.Is(err, ErrTruncated) {
			t.Errorf("%s cut to 2/3: err %v, want ErrTruncated", name, err)
		}
	}
}

// pngWithSize returns a PNG header claiming w×h followed by a tiny IDAT.
func pngWithSize(w, h uint32) []byte {
	var b bytes.Buffer
	b.Write(pngSig)
	chunk := func(typ string, body []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(body)))
		b.WriteString(typ)
		b.Write(body)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), body...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

func TestDecompressionBombGuard(t *testing.T) {
	tests := []struct {
		name      string
		w, h      uint32
		max       int64
		wantLarge bool
	}{
		{"pillow limit exceeded", 20000, 9000, 0, true},
		{"just at the limit", 178956970, 1, 0, false},
		{"custom limit", 100, 100, 9999, true},
		{"limit disabled", 20000, 9000, -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(pngWithSize(tt.w, tt.h), Options{MaxPixels: tt.max})
			if got := errors.Is(err, ErrTooLarge); got != tt.wantLarge {
				t.Errorf("err %v; ErrTooLarge %v, want %v", err, got, tt.wantLarge)
			}
			if err == nil {
				t.Error("an image with no pixel data decoded")
			}
		})
	}
}

func TestOptionsValidate(t *testing.T) {
	bad := []Options{{Height: 5}, {Width: -1, Height: 3}, {ColorMode: 7}, {Interpolation: 9}}
	for _, o := range bad {
		if o.Validate() == nil {
			t.Errorf("%+v: valid", o)
		}
	}
	if _, err := ParseInterpolation("cubic"); err == nil {
		t.Error("cubic accepted")
	}
	if _, err := ParseColorMode("cmyk"); err == nil {
		t.Error("cmyk accepted")
	}
	if i, err := ParseInterpolation("Lanczos"); err != nil || i != Lanczos {
		t.Errorf("Lanczos: %v %v", i, err)
	}
}

// TestFullArrays compares whole decoded JPEGs with Pillow's: exact with
// libjpeg, within a documented tolerance for the pure-Go fallback.
func TestFullArrays(t *testing.T) {
	ents, err := os.ReadDir(filepath.Join("testdata", "full"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		name := strings.TrimSuffix(e.Name(), ".npy")
		f, err := os.Open(filepath.Join("testdata", "full", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var want []uint8
		err = npy.Read(f, &want)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		im, err := Decode(corpusFile(t, name), Options{})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := im.AppendUint8(nil)
		if len(got) != len(want) {
			t.Fatalf("%s: %d samples, want %d", name, len(got), len(want))
		}
		maxd, sum := 0, 0
		for i := range got {
			d := int(got[i]) - int(want[i])
			if d < 0 {
				d = -d
			}
			maxd = max(maxd, d)
			sum += d
		}
		mean := float64(sum) / float64(len(got))
		t.Logf("%s: max |Δ| %d, mean |Δ| %.3f (exact JPEG: %v)", name, maxd, mean, exactJPEG)
		if exactJPEG && maxd != 0 {
			t.Errorf("%s: differs from Pillow by up to %d", name, maxd)
		}
		if !exactJPEG && (maxd > 4 || mean > 0.5) {
			t.Errorf("%s: pure-Go decode too far from Pillow: max %d, mean %.2f", name, maxd, mean)
		}
	}
}

func TestDraftScale(t *testing.T) {
	tests := []struct{ w, h, tw, th, want int }{
		{1024, 768, 224, 224, 2},
		{1024, 768, 100, 90, 8},
		{1024, 768, 300, 200, 2},
		{400, 300, 224, 224, 1},
		{4000, 3000, 224, 224, 8},
		{800, 800, 200, 200, 4},
		{100, 100, 0, 0, 1},
	}
	for _, tt := range tests {
		if got := draftScale(tt.w, tt.h, tt.tw, tt.th); got != tt.want {
			t.Errorf("draftScale(%d, %d, %d, %d) = %d, want %d", tt.w, tt.h, tt.tw, tt.th, got, tt.want)
		}
	}
}

func TestCropBox(t *testing.T) {
	tests := []struct {
		w, h, tw, th int
		want         box
	}{
		{340, 500, 200, 200, box{0, 80, 340, 420}},
		{500, 340, 200, 200, box{80, 0, 420, 340}},
		{41, 31, 19, 13, box{0, 1, 41, 29}},
		{40, 30, 64, 24, box{0, 7, 40, 22}},
	}
	for _, tt := range tests {
		if got := cropBox(tt.w, tt.h, tt.tw, tt.th); got != tt.want {
			t.Errorf("cropBox(%d, %d, %d, %d) = %v, want %v", tt.w, tt.h, tt.tw, tt.th, got, tt.want)
		}
	}
}

// FuzzDecode: no input panics, and whatever decodes has a consistent shape.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"png_p4_trns1.png", "png_i_g4.png", "png_g16.png", "gif_p_trns.gif", "bmp_4.bmp",
		"bmp_16.bmp", "jpeg_base_420.jpg", "jpeg_exif6.jpg", "png_exif5.png"} {
		f.Add(corpusFile(f, name), uint8(2), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, interp uint8, kar bool) {
		o := Options{Height: 7, Width: 5, Interpolation: Interpolation(interp % 6), KeepAspectRatio: kar,
			EXIFOrientation: true, MaxPixels: 1 << 20}
		for _, cm := range []ColorMode{RGB, Grayscale, RGBA} {
			o.ColorMode = cm
			im, err := Decode(data, o)
			if err != nil {
				continue
			}
			if im.Width != 5 || im.Height != 7 {
				t.Fatalf("size %dx%d", im.Width, im.Height)
			}
			if n := len(im.AppendFloat32(nil)); n != 35*im.ArrayChannels() {
				t.Fatalf("%d samples", n)
			}
		}
	})
}

// FuzzHeaders: the hand-written header readers never panic.
func FuzzHeaders(f *testing.F) {
	for _, name := range []string{"png_rgb8.png", "gif_p.gif", "bmp_8.bmp", "jpeg_exif3.jpg", "png_exif5.png"} {
		f.Add(corpusFile(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		readPNGMeta(data)
		readGIFMeta(data)
		readBMPMeta(data)
		tiffOrientation(data)
		if len(data) >= 8 {
			exifOrientation(data, FormatJPEG)
			exifOrientation(data, FormatPNG)
		}
	})
}

// FuzzParseNames: the option-name parsers accept exactly their names
// (case-insensitively) and round-trip through String.
func FuzzParseNames(f *testing.F) {
	for _, s := range []string{"nearest", "Bilinear", "LANCZOS", "rgb", "grayscale", "rgba", "float32", "uint8", "", "cubic"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if i, err := ParseInterpolation(s); err == nil && !strings.EqualFold(i.String(), s) {
			t.Errorf("%q parsed as %v", s, i)
		}
		if c, err := ParseColorMode(s); err == nil && !strings.EqualFold(c.String(), s) {
			t.Errorf("%q parsed as %v", s, c)
		}
		if d, err := ParseDType(s); err == nil && string(d) != s {
			t.Errorf("%q parsed as %v", s, d)
		}
	})
}
