package imageload

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/sbinet/npyio/npy"
)

// NpyWriter streams an array of shape (N, item...) into a .npy file (format
// version 1.0, little endian, C order) without holding it in memory. N is
// counted as items are written and patched into the header at Commit. The
// data goes to a temporary file next to the target in large sequential
// writes (outFile: direct I/O where possible), renamed into place by Commit:
// the target is never left half-written.
type NpyWriter struct {
	path, tmp string
	f         *os.File
	out       *outFile
	descr     string
	item      []int
	itemLen   int
	n         int
	hdrLen    int
	err       error
}

// DType is the element type of an image array.
type DType string

// The image array element types.
const (
	Float32 DType = "float32"
	Uint8   DType = "uint8"
)

// ParseDType accepts float32 and uint8.
func ParseDType(s string) (DType, error) {
	switch DType(s) {
	case Float32, Uint8:
		return DType(s), nil
	}
	return "", fmt.Errorf("dtype %q: want float32 or uint8", s)
}

func (d DType) descr() string {
	if d == Uint8 {
		return "|u1"
	}
	return "<f4"
}

// maxHeaderN is the widest N the reserved header leaves room for.
const maxHeaderN = math.MaxInt64

// CreateNpy starts writing path; item is the shape of one item (H, W, C).
func CreateNpy(path string, dtype DType, item []int) (*NpyWriter, error) {
	return createNpy(path, dtype, item, defaultChunk, true)
}

// createNpy is CreateNpy with the write size and the direct I/O choice
// exposed for tests.
func createNpy(path string, dtype DType, item []int, chunk int, direct bool) (*NpyWriter, error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("npy %s: %w", path, err)
	}
	w := &NpyWriter{path: path, tmp: f.Name(), f: f, out: newOutFile(f, chunk, direct, defaultSyncEvery),
		descr: dtype.descr(), item: append([]int(nil), item...), itemLen: 1}
	for _, d := range item {
		w.itemLen *= d
	}
	// Reserve a header wide enough for any N; Commit rewrites it padded to
	// the same length.
	h := npyHeader(w.descr, append([]int{maxHeaderN}, item...), 0)
	w.hdrLen = len(h)
	if err := w.out.write(h); err != nil {
		w.Abort()
		return nil, fmt.Errorf("npy %s: %w", path, err)
	}
	return w, nil
}

// Reserve allocates room on disk for n items before they are written
// (fallocate where the file system has it), so the writes go straight to
// disk instead of growing the file block by block: with direct I/O, a write
// that extends a file falls back to the page cache on ext4, and the data
// then all waits for the final sync. The file's length is still set by
// Commit from the items written. It is an optimisation only: an error is
// returned for information and may be ignored.
func (w *NpyWriter) Reserve(n int) error {
	if w.err != nil || n <= 0 {
		return w.err
	}
	elem := 4
	if w.descr == Uint8.descr() {
		elem = 1
	}
	return preallocate(w.f, int64(w.hdrLen)+int64(n)*int64(w.itemLen)*int64(elem))
}

// npyHeader renders a version 1.0 header; pad > 0 forces that total length.
func npyHeader(descr string, shape []int, total int) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	sh := "(" + strings.Join(dims, ", ")
	if len(shape) == 1 {
		sh += ","
	}
	sh += ")"
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, sh)
	n := 10 + len(dict) + 1
	if total == 0 {
		total = (n + 63) / 64 * 64
	}
	dict += strings.Repeat(" ", total-n) + "\n"
	h := make([]byte, 10, total)
	copy(h, "\x93NUMPY\x01\x00")
	binary.LittleEndian.PutUint16(h[8:], uint16(len(dict)))
	return append(h, dict...)
}

func (w *NpyWriter) check(n int, descr string) error {
	if w.err != nil {
		return w.err
	}
	if w.descr != descr || n != w.itemLen {
		return fmt.Errorf("npy %s: item of %d %s, want %d %s", w.path, n, dtypeName(descr), w.itemLen, dtypeName(w.descr))
	}
	return nil
}

func dtypeName(descr string) string {
	if descr == "|u1" {
		return "uint8"
	}
	return "float32"
}

// WriteFloat32 appends one item.
func (w *NpyWriter) WriteFloat32(a []float32) error {
	if err := w.check(len(a), "<f4"); err != nil {
		return err
	}
	return w.fill(len(a), 4, func(dst []byte, from int) {
		for i, v := range a[from : from+len(dst)/4] {
			binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(v))
		}
	})
}

// WriteUint8 appends one item.
func (w *NpyWriter) WriteUint8(a []uint8) error {
	if err := w.check(len(a), "|u1"); err != nil {
		return err
	}
	return w.done(w.out.write(a))
}

// WriteImage appends im as one item of the file's dtype: img_to_array's
// float32 values, converted straight into the output buffer, or the uint8
// samples (refused for the 16-bit modes, which do not fit).
func (w *NpyWriter) WriteImage(im *Image) error {
	if w.descr == "|u1" {
		if im.Mode.wide() {
			return fmt.Errorf("npy %s: mode %v holds 16-bit samples: uint8 output would clip them; use float32", w.path, im.Mode)
		}
		return w.WriteUint8(im.Pix)
	}
	if im.Mode.wide() {
		if err := w.check(len(im.Int), "<f4"); err != nil {
			return err
		}
		return w.fill(len(im.Int), 4, func(dst []byte, from int) {
			for i, v := range im.Int[from : from+len(dst)/4] {
				binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(float32(v)))
			}
		})
	}
	if err := w.check(len(im.Pix), "<f4"); err != nil {
		return err
	}
	return w.fill(len(im.Pix), 4, func(dst []byte, from int) {
		bytesToFloat32LE(dst, im.Pix[from:from+len(dst)/4])
	})
}

// fill appends n elements of size bytes each, put rendering elements
// [from, from+len(dst)/size) into dst, which is part of the output buffer.
func (w *NpyWriter) fill(n, size int, put func(dst []byte, from int)) error {
	var tmp []byte
	for from := 0; from < n; {
		s, err := w.out.space()
		if err != nil {
			return w.done(err)
		}
		k := min(len(s)/size, n-from)
		if k == 0 { // an element straddles the buffer's end
			tmp = append(tmp[:0], make([]byte, size)...)
			put(tmp, from)
			if err := w.out.write(tmp); err != nil {
				return w.done(err)
			}
			from++
			continue
		}
		put(s[:k*size], from)
		w.out.advance(k * size)
		from += k
	}
	return w.done(nil)
}

// done counts an item written, or records the error that stops the writer.
func (w *NpyWriter) done(err error) error {
	if err != nil {
		w.err = fmt.Errorf("npy %s: %w", w.path, err)
		return w.err
	}
	w.n++
	return nil
}

// Len is the number of items written so far.
func (w *NpyWriter) Len() int { return w.n }

// Commit finalises the header, syncs and renames the file into place.
func (w *NpyWriter) Commit() error {
	if w.err != nil {
		w.Abort()
		return w.err
	}
	err := w.out.finish(npyHeader(w.descr, append([]int{w.n}, w.item...), w.hdrLen))
	if err == nil {
		err = w.f.Chmod(outputMode)
	}
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	if err == nil {
		err = os.Rename(w.tmp, w.path)
	}
	if err != nil {
		os.Remove(w.tmp)
		w.err = fmt.Errorf("npy %s: %w", w.path, err)
		return w.err
	}
	w.err = errors.New("npy: already committed")
	return nil
}

// Abort discards the temporary file.
func (w *NpyWriter) Abort() {
	if w.f != nil {
		w.out.wait() // its error does not matter: the file goes
		w.f.Close()
		os.Remove(w.tmp)
		w.f = nil
	}
	if w.err == nil {
		w.err = errors.New("npy: aborted")
	}
}

// outputMode is the mode of finished output files: what os.Create gives
// under the usual umask, not CreateTemp's private 0600, so a training job
// run as another user of the group can read them.
const outputMode = 0o644

// WriteFileAtomic writes data produced by fill to path via a temporary file
// and a rename.
func WriteFileAtomic(path string, fill func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	bw := bufio.NewWriter(f)
	err = fill(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Chmod(outputMode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// WriteLabelsNpy writes labels as Keras' label_mode encodes them, with
// sbinet/npyio: "int" → int32 (N,), "categorical" → float32 one-hot
// (N, classes), "binary" → float32 (N, 1).
func WriteLabelsNpy(path string, labels []int, labelMode string, numClasses int) error {
	var val any
	switch labelMode {
	case "int":
		v := make([]int32, len(labels))
		for i, l := range labels {
			v[i] = int32(l)
		}
		val = v
	case "categorical", "binary":
		width := numClasses
		if labelMode == "binary" {
			width = 1
		}
		if width <= 0 {
			return fmt.Errorf("labels %s: %s labels need at least one class", path, labelMode)
		}
		// npyio derives the shape from nested arrays: a slice of [width]float32.
		rows := reflect.MakeSlice(reflect.SliceOf(reflect.ArrayOf(width, reflect.TypeOf(float32(0)))), len(labels), len(labels))
		for i, l := range labels {
			if labelMode == "binary" {
				rows.Index(i).Index(0).SetFloat(float64(l))
			} else {
				rows.Index(i).Index(l).SetFloat(1)
			}
		}
		val = rows.Interface()
	default:
		return fmt.Errorf("label mode %q: want int, categorical or binary", labelMode)
	}
	return WriteFileAtomic(path, func(w io.Writer) error { return npy.Write(w, val) })
}
