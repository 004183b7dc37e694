package imageload

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Cache stores load_img results on disk keyed by (MD5 of the file's bytes,
// the options that change pixels), so a second epoch or run decodes
// nothing. Entries are written to a temporary file and renamed; a corrupt or
// foreign entry reads as a miss. Safe for concurrent use by several
// goroutines and processes.
type Cache struct {
	dir string
}

// OpenCache uses (and creates) dir.
func OpenCache(dir string) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("image cache %s: %w", dir, err)
	}
	return &Cache{dir: dir}, nil
}

const cacheMagic = "ILC1"

func (c *Cache) path(data []byte, o Options) string {
	sum := md5.Sum(data)
	k := sha256.Sum256(append(sum[:], o.key()...))
	h := hex.EncodeToString(k[:20])
	return filepath.Join(c.dir, h[:2], h[2:])
}

// Get returns the cached image for data under o, or nil.
func (c *Cache) Get(data []byte, o Options) *Image {
	b, err := os.ReadFile(c.path(data, o))
	if err != nil {
		return nil
	}
	im, err := unmarshalImage(b)
	if err != nil {
		return nil
	}
	return im
}

// Put stores im for data under o.
func (c *Cache) Put(data []byte, o Options, im *Image) error {
	p := c.path(data, o)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("image cache: %w", err)
	}
	b := marshalImage(im)
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("image cache: %w", err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("image cache: %w", err)
	}
	return nil
}

// marshalImage: magic, mode, width, height (uint32 LE each), then the
// samples (bytes, or int32 LE for wide modes).
func marshalImage(im *Image) []byte {
	b := make([]byte, 16, 16+len(im.Pix)+4*len(im.Int))
	copy(b, cacheMagic)
	binary.LittleEndian.PutUint32(b[4:], uint32(im.Mode))
	binary.LittleEndian.PutUint32(b[8:], uint32(im.Width))
	binary.LittleEndian.PutUint32(b[12:], uint32(im.Height))
	if im.Mode.wide() {
		for _, v := range im.Int {
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		}
		return b
	}
	return append(b, im.Pix...)
}

var errBadCacheEntry = errors.New("bad cache entry")

func unmarshalImage(b []byte) (*Image, error) {
	if len(b) < 16 || string(b[:4]) != cacheMagic {
		return nil, errBadCacheEntry
	}
	m := Mode(binary.LittleEndian.Uint32(b[4:]))
	w := int(binary.LittleEndian.Uint32(b[8:]))
	h := int(binary.LittleEndian.Uint32(b[12:]))
	switch m {
	case ModeL, ModeI, ModeI16, ModeRGB, ModeRGBA:
	default:
		return nil, errBadCacheEntry
	}
	if w <= 0 || h <= 0 || w > 1<<20 || h > 1<<20 {
		return nil, errBadCacheEntry
	}
	body := b[16:]
	if m.wide() {
		if len(body) != 4*w*h {
			return nil, errBadCacheEntry
		}
		im := newImage(m, w, h)
		for i := range im.Int {
			im.Int[i] = int32(binary.LittleEndian.Uint32(body[4*i:]))
		}
		return im, nil
	}
	if len(body) != w*h*m.Channels() {
		return nil, errBadCacheEntry
	}
	return &Image{Mode: m, Width: w, Height: h, Pix: append([]uint8(nil), body...)}, nil
}
