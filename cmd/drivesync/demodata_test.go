package main

import (
	"bytes"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"io/fs"
	"path"
	"strings"
	"testing"
)

func TestDemoFS(t *testing.T) {
	fsys, err := demoFS(defaultDemo)
	if err != nil {
		t.Fatal(err)
	}
	again, err := demoFS(defaultDemo)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	var ckpts int
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		other, err := fs.ReadFile(again, p)
		if err != nil || !bytes.Equal(data, other) {
			t.Errorf("%s: not deterministic (%v)", p, err)
		}
		switch {
		case strings.HasPrefix(p, "my_data/images/"):
			cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
			if err != nil {
				t.Errorf("%s: %v", p, err)
				return nil
			}
			want := map[string]string{".jpg": "jpeg", ".png": "png"}[path.Ext(p)]
			if format != want || cfg.Width != defaultDemo.Side || cfg.Height != defaultDemo.Side {
				t.Errorf("%s: %s %dx%d, want %s %dx%d", p, format, cfg.Width, cfg.Height, want, defaultDemo.Side, defaultDemo.Side)
			}
			if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
				t.Errorf("%s: decode: %v", p, err)
			}
			counts[path.Base(path.Dir(p))]++
		case strings.HasPrefix(p, "checkpoints/"):
			if path.Ext(p) != ".h5" || !bytes.HasPrefix(data, []byte("\x89HDF\r\n\x1a\n")) || len(data) != defaultDemo.CkptSize {
				t.Errorf("%s: not an HDF5-signed %d-byte .h5 file", p, defaultDemo.CkptSize)
			}
			ckpts++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range demoClasses {
		if counts[c.name] != defaultDemo.PerClass {
			t.Errorf("class %s: %d images, want %d", c.name, counts[c.name], defaultDemo.PerClass)
		}
	}
	if ckpts != defaultDemo.Checkpoints {
		t.Errorf("%d checkpoints, want %d", ckpts, defaultDemo.Checkpoints)
	}
	if _, err := fs.Stat(fsys, "my_data/labels.csv"); err != nil {
		t.Error(err)
	}
}

func TestDemoFSBadSpec(t *testing.T) {
	for _, s := range []demoSpec{{}, {PerClass: 1, Side: 0, CkptSize: 8}, {PerClass: 1, Side: 4, CkptSize: 2}} {
		if _, err := demoFS(s); err == nil {
			t.Errorf("demoFS(%+v): no error", s)
		}
	}
}
