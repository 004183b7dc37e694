package imageload

import (
	"bytes"
	"errors"
	"fmt"
	"image/jpeg"

	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// Format is a file format imageload decodes, recognised from the content
// (as Pillow does), not the file name.
type Format string

// The formats imageload decodes.
const (
	FormatJPEG Format = "jpeg"
	FormatPNG  Format = "png"
	FormatGIF  Format = "gif"
	FormatBMP  Format = "bmp"
	FormatWebP Format = "webp"
	FormatTIFF Format = "tiff"
)

// DefaultMaxPixels is Pillow's hard limit, 2 × Image.MAX_IMAGE_PIXELS:
// above it Pillow raises DecompressionBombError.
const DefaultMaxPixels = 178_956_970

// ErrUnsupported is returned (wrapped) for content that is no image format
// imageload knows.
var ErrUnsupported = errors.New("unsupported image format")

// ErrTooLarge is returned (wrapped) when the header announces more pixels
// than the decompression-bomb limit allows.
var ErrTooLarge = errors.New("image too large (decompression bomb guard)")

// ErrTruncated is returned (wrapped) for a file that ends early.
var ErrTruncated = errTruncated

func sniff(data []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return FormatJPEG, nil
	case bytes.HasPrefix(data, pngSig):
		return FormatPNG, nil
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return FormatGIF, nil
	case bytes.HasPrefix(data, []byte("BM")) && len(data) >= 18:
		return FormatBMP, nil
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return FormatWebP, nil
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return FormatTIFF, nil
	}
	if len(data) < 4 {
		return "", errTruncated
	}
	return "", ErrUnsupported
}

// headerSize reads the image size from the header alone.
func headerSize(data []byte, f Format) (w, h int, err error) {
	switch f {
	case FormatPNG:
		m, err := readPNGMeta(data)
		return m.width, m.height, err
	case FormatGIF:
		m, err := readGIFMeta(data)
		return m.width, m.height, err
	case FormatBMP:
		m, err := readBMPMeta(data)
		return m.width, m.height, err
	case FormatJPEG:
		c, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return 0, 0, fmt.Errorf("jpeg header: %w", err)
		}
		return c.Width, c.Height, nil
	case FormatWebP:
		c, err := webp.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return 0, 0, fmt.Errorf("webp header: %w", err)
		}
		return c.Width, c.Height, nil
	case FormatTIFF:
		c, err := tiff.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return 0, 0, fmt.Errorf("tiff header: %w", err)
		}
		return c.Width, c.Height, nil
	}
	return 0, 0, ErrUnsupported
}

// draftScale is Pillow's JpegImageFile.draft: the largest of 8, 4, 2 not
// above min(w // tw, h // th), or 1.
func draftScale(w, h, tw, th int) int {
	if tw <= 0 || th <= 0 {
		return 1
	}
	s := min(w/tw, h/th)
	for _, c := range []int{8, 4, 2} {
		if s >= c {
			return c
		}
	}
	return 1
}

// decodeOptions steer decode.
type decodeOptions struct {
	maxPixels      int64 // <0: no limit; 0: DefaultMaxPixels
	draftW, draftH int   // JPEG DCT-domain downscale target (0: none)
}

// decode checks the header against the bomb guard, then decodes into
// Pillow's mode for the file.
func decode(data []byte, o decodeOptions, ws *workspace) (*Image, Format, error) {
	f, err := sniff(data)
	if err != nil {
		return nil, "", err
	}
	w, h, err := headerSize(data, f)
	if err != nil {
		return nil, f, err
	}
	limit := o.maxPixels
	if limit == 0 {
		limit = DefaultMaxPixels
	}
	if limit > 0 && int64(w)*int64(h) > limit {
		return nil, f, fmt.Errorf("%w: %d×%d = %d pixels exceeds the limit of %d", ErrTooLarge, w, h, int64(w)*int64(h), limit)
	}
	var im *Image
	switch f {
	case FormatJPEG:
		im, err = decodeJPEG(data, draftScale(w, h, o.draftW, o.draftH), ws)
	case FormatPNG:
		im, err = decodePNG(data)
	case FormatGIF:
		im, err = decodeGIF(data)
	case FormatBMP:
		im, err = decodeBMP(data)
	case FormatWebP:
		im, err = decodeWebP(data)
	case FormatTIFF:
		im, err = decodeTIFF(data)
	}
	if err != nil {
		return nil, f, err
	}
	return im, f, nil
}
