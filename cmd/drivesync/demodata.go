package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"math/rand/v2"
	"testing/fstest"
	"time"
)

// demoSpec sizes the sample dataset `drivesync mount --demo` serves. The
// same spec always yields the same bytes, so a restarted demo (and a test)
// sees the same files.
type demoSpec struct {
	PerClass    int // images per class folder
	Side        int // width and height in pixels
	Checkpoints int // checkpoints/*.h5 files
	CkptSize    int // bytes per checkpoint
	Seed        uint64
}

var defaultDemo = demoSpec{PerClass: 100, Side: 32, Checkpoints: 3, CkptSize: 64 << 10, Seed: 1}

// demoClasses are the class folders under my_data/images and the format of
// each: a mix of JPEG and PNG as in real scraped datasets.
var demoClasses = []struct {
	name, ext string
	base      color.RGBA
}{
	{"cats", "jpg", color.RGBA{200, 120, 60, 255}},
	{"dogs", "png", color.RGBA{70, 110, 200, 255}},
	{"birds", "jpg", color.RGBA{80, 180, 90, 255}},
}

// demoEpoch is the modification time of the oldest demo file; later files
// are a minute apart so "--newest" and "--sort mtime" have something to sort.
var demoEpoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// demoFS generates the demo dataset in memory:
//
//	my_data/images/<class>/<class>_NNN.<ext>   small generated images
//	my_data/labels.csv                         path,label for every image
//	checkpoints/model_epoch_NN.h5              HDF5-signed binary blobs
//	README.txt
func demoFS(s demoSpec) (fs.FS, error) {
	if s.PerClass <= 0 || s.Side <= 0 || s.Checkpoints < 0 || s.CkptSize < 8 {
		return nil, fmt.Errorf("demo dataset: bad spec %+v", s)
	}
	rng := rand.New(rand.NewPCG(s.Seed, s.Seed^0x9e3779b97f4a7c15))
	m := fstest.MapFS{}
	mt := demoEpoch
	next := func() time.Time { mt = mt.Add(time.Minute); return mt }
	var labels bytes.Buffer
	labels.WriteString("path,label\n")
	for ci, c := range demoClasses {
		for i := range s.PerClass {
			img := demoImage(rng, s.Side, c.base)
			var buf bytes.Buffer
			var err error
			if c.ext == "png" {
				err = png.Encode(&buf, img)
			} else {
				err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
			}
			if err != nil {
				return nil, fmt.Errorf("demo dataset: encode %s %d: %w", c.name, i, err)
			}
			p := fmt.Sprintf("my_data/images/%s/%s_%03d.%s", c.name, c.name[:len(c.name)-1], i, c.ext)
			m[p] = &fstest.MapFile{Data: buf.Bytes(), Mode: 0o644, ModTime: next()}
			fmt.Fprintf(&labels, "%s,%d\n", p[len("my_data/"):], ci)
		}
	}
	m["my_data/labels.csv"] = &fstest.MapFile{Data: labels.Bytes(), Mode: 0o644, ModTime: next()}
	for i := range s.Checkpoints {
		b := make([]byte, s.CkptSize)
		copy(b, "\x89HDF\r\n\x1a\n") // the HDF5 superblock signature
		for j := 8; j < len(b); j++ {
			b[j] = byte(rng.Uint32())
		}
		m[fmt.Sprintf("checkpoints/model_epoch_%02d.h5", i+1)] = &fstest.MapFile{Data: b, Mode: 0o644, ModTime: next()}
	}
	m["README.txt"] = &fstest.MapFile{Data: []byte(demoReadme), Mode: 0o644, ModTime: next()}
	return m, nil
}

const demoReadme = `This is drivesync's demo drive: an in-process Google Drive emulator.
my_data/images/<class>/ holds small generated images, checkpoints/ fake Keras .h5 files.
Edit, add or delete files in the mirror and watch them reach the emulated Drive.
`

// demoImage draws a noisy gradient around base with a class-coloured disc,
// enough structure for a classifier demo and for JPEG to compress.
func demoImage(rng *rand.Rand, side int, base color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	cx, cy, r := rng.IntN(side), rng.IntN(side), side/4+rng.IntN(side/4+1)
	for y := range side {
		for x := range side {
			n := int(rng.Uint32()%32) - 16
			c := color.RGBA{clamp8(int(base.R)*x/side + n), clamp8(int(base.G)*y/side + n), clamp8(int(base.B)/2 + n), 255}
			if dx, dy := x-cx, y-cy; dx*dx+dy*dy <= r*r {
				c = color.RGBA{clamp8(int(base.R) + n), clamp8(int(base.G) + n), clamp8(int(base.B) + n), 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func clamp8(v int) uint8 { return uint8(max(0, min(255, v))) }
