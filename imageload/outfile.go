package imageload

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// outFile writes one large file front to back in big aligned chunks from a
// staging buffer that callers fill in place (so img_to_array's float32
// conversion writes straight into it). Where the file system takes it, the
// file is opened for direct I/O (O_DIRECT): the chunks go from the buffer to
// the disk without being copied into the page cache. For an output of
// hundreds of megabytes that is synced before it is renamed into place
// anyway, this saves the copy (measured at 0.1–1.1 s of system time per
// 600 MB, docs/benchmarks.md) and leaves almost nothing for the final fsync;
// the price is that the next reader reads from the disk, not from memory.
// Without direct I/O the same chunks are written through the page cache.
//
// A full chunk is written by a goroutine of its own while the caller fills
// a second buffer (one write in flight at most): a direct write blocks for
// the disk (0.67 s of 600 MB at 1 GB/s here), which would otherwise stall
// the conversion and, through the pipeline's window, the decoders.
type outFile struct {
	f        *os.File
	direct   bool
	buf      []byte // staging buffer, blockSize-aligned; buf[:n] is pending
	spare    []byte // the other buffer, written out or free
	n        int
	off      int64      // file offset of buf[0]
	head     []byte     // the file's first block as flushed, for the header patch
	inflight chan error // the write in flight, if any, reports here
}

const (
	// blockSize is the alignment direct I/O needs (of memory, offsets and
	// lengths): 4096 covers 512-byte and 4K-sector devices.
	blockSize = 4096
	// defaultChunk is the size of one write.
	defaultChunk = 4 << 20
)

// alignedBuf returns n zero bytes starting at a blockSize boundary.
func alignedBuf(n int) []byte {
	b := make([]byte, n+blockSize)
	o := int(-uintptr(unsafe.Pointer(&b[0])) & (blockSize - 1))
	return b[o : o+n : o+n]
}

// newOutFile writes f in chunks of chunk bytes (a multiple of blockSize),
// with direct I/O when direct is set and f's file system allows it.
func newOutFile(f *os.File, chunk int, direct bool) *outFile {
	o := &outFile{f: f, buf: alignedBuf(chunk)}
	o.direct = direct && setDirectIO(f, true) == nil
	return o
}

// space returns the free part of the staging buffer (never empty), writing
// the buffer out first when it is full. Fill a prefix and call advance.
func (o *outFile) space() ([]byte, error) {
	if o.n == len(o.buf) {
		if err := o.flush(); err != nil {
			return nil, err
		}
	}
	return o.buf[o.n:], nil
}

func (o *outFile) advance(k int) { o.n += k }

// write appends p.
func (o *outFile) write(p []byte) error {
	for len(p) > 0 {
		s, err := o.space()
		if err != nil {
			return err
		}
		k := copy(s, p)
		o.n += k
		p = p[k:]
	}
	return nil
}

// flush starts writing the full staging buffer and swaps in the other.
func (o *outFile) flush() error {
	if o.off == 0 {
		o.head = alignedBuf(blockSize)
		copy(o.head, o.buf)
	}
	if err := o.wait(); err != nil {
		return err
	}
	b, off, done := o.buf[:o.n], o.off, make(chan error, 1)
	go func() { done <- o.writeAt(b, off) }()
	o.inflight = done
	if o.spare == nil {
		o.spare = alignedBuf(len(o.buf))
	}
	o.buf, o.spare = o.spare, o.buf
	o.off += int64(o.n)
	o.n = 0
	return nil
}

// wait returns once no write is in flight, with that write's error.
func (o *outFile) wait() error {
	if o.inflight == nil {
		return nil
	}
	err := <-o.inflight
	o.inflight = nil
	return err
}

func (o *outFile) writeAt(b []byte, off int64) error {
	_, err := o.f.WriteAt(b, off)
	if err != nil && o.direct && errors.Is(err, syscall.EINVAL) {
		// Some file systems accept O_DIRECT at open but refuse the I/O:
		// go on through the page cache.
		if setDirectIO(o.f, false) == nil {
			o.direct = false
			_, err = o.f.WriteAt(b, off)
		}
	}
	return err
}

// finish writes what is pending, overwrites the start of the file with
// header (which must fit in one block) and cuts the file to its length.
func (o *outFile) finish(header []byte) error {
	if len(header) > blockSize {
		return fmt.Errorf("header of %d bytes exceeds %d", len(header), blockSize)
	}
	if err := o.wait(); err != nil {
		return err
	}
	size := o.off + int64(o.n)
	if o.off == 0 {
		copy(o.buf, header)
	}
	if o.n > 0 {
		m := o.n
		if o.direct { // whole blocks; the padding is cut off below
			m = (o.n + blockSize - 1) / blockSize * blockSize
			clear(o.buf[o.n:m])
		}
		if err := o.writeAt(o.buf[:m], o.off); err != nil {
			return err
		}
	}
	if o.off > 0 {
		copy(o.head, header)
		if err := o.writeAt(o.head, 0); err != nil {
			return err
		}
	}
	return o.f.Truncate(size)
}
