package imageload

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
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
// 600 MB, docs/benchmarks.md); the price is that the next reader reads from
// the disk, not from memory. Without direct I/O the same chunks are written
// through the page cache.
//
// Full chunks are queued to one writer goroutine, up to queueDepth of them,
// while the caller fills the next buffer: a direct write blocks for the disk
// (0.67 s of 600 MB at 1 GB/s here), which would otherwise stall the
// conversion and, through the pipeline's window, the decoders. The writer
// also syncs the file every syncEvery bytes, so that the sync Commit needs
// before its rename only waits for the last stretch: a 600 MB output synced
// once at the end waited 0.2–0.4 s for the disk here with the cores idle,
// work that the periodic syncs do while the decoders run.
type outFile struct {
	f      *os.File
	direct bool   // written by the writer goroutine until wait returns
	buf    []byte // staging buffer, blockSize-aligned; buf[:n] is pending
	n      int
	off    int64  // file offset of buf[0]
	head   []byte // the file's first block as flushed, for the header patch
	chunk  int

	syncEvery int64
	syncs     int // periodic syncs done (the writer's; read after wait)

	bufs   int                   // staging buffers allocated so far
	free   chan []byte           // buffers written out, to fill again; kept across waits
	queue  chan span             // full buffers for the writer; nil before the first flush
	done   chan error            // the writer's first error (or nil) once queue is closed
	failed atomic.Pointer[error] // the writer's first error, as soon as it has one
}

// span is a buffer's worth of bytes and where they go in the file.
type span struct {
	b   []byte
	off int64
}

const (
	// blockSize is the alignment direct I/O needs (of memory, offsets and
	// lengths): 4096 covers 512-byte and 4K-sector devices.
	blockSize = 4096
	// defaultChunk is the size of one write.
	defaultChunk = 4 << 20
	// queueDepth is how many full chunks may wait for the writer: with
	// 4 MiB chunks, 16 MiB, about 50 ms of 2-core decoding at 224×224
	// float32, longer than a periodic sync takes.
	queueDepth = 4
	// defaultSyncEvery is how much the writer writes between syncs.
	defaultSyncEvery = 64 << 20
)

// alignedBuf returns n zero bytes starting at a blockSize boundary.
func alignedBuf(n int) []byte {
	b := make([]byte, n+blockSize)
	o := int(-uintptr(unsafe.Pointer(&b[0])) & (blockSize - 1))
	return b[o : o+n : o+n]
}

// newOutFile writes f in chunks of chunk bytes (a multiple of blockSize),
// with direct I/O when direct is set and f's file system allows it, syncing
// every syncEvery bytes (0: only when the caller syncs).
func newOutFile(f *os.File, chunk int, direct bool, syncEvery int64) *outFile {
	o := &outFile{f: f, buf: alignedBuf(chunk), chunk: chunk, bufs: 1, syncEvery: syncEvery}
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

// flush queues the full staging buffer for the writer and takes an empty
// one: a new one while fewer than queueDepth+1 exist, else the next the
// writer frees. The writer's first error is returned by the flush after it.
func (o *outFile) flush() error {
	if err := o.failed.Load(); err != nil {
		return *err
	}
	if o.queue == nil { // the first flush, or the first after a wait
		if o.free == nil {
			o.free = make(chan []byte, queueDepth+1) // room for every buffer
		}
		o.queue = make(chan span, queueDepth)
		o.done = make(chan error, 1)
		go o.writer()
	}
	if o.off == 0 {
		o.head = alignedBuf(blockSize)
		copy(o.head, o.buf)
	}
	o.queue <- span{o.buf[:o.n], o.off}
	o.off += int64(o.n)
	o.n = 0
	if o.bufs <= queueDepth {
		select {
		case o.buf = <-o.free:
		default:
			o.buf = alignedBuf(o.chunk)
			o.bufs++
		}
		return nil
	}
	o.buf = <-o.free
	return nil
}

// writer writes the queued spans in order and syncs every syncEvery bytes.
// After an error it writes nothing more but keeps freeing buffers, so flush
// never blocks on it.
func (o *outFile) writer() {
	var err error
	var unsynced int64
	for s := range o.queue {
		if err == nil {
			err = o.writeAt(s.b, s.off)
			unsynced += int64(len(s.b))
			if err == nil && o.syncEvery > 0 && unsynced >= o.syncEvery {
				err = o.f.Sync()
				unsynced = 0
				o.syncs++
			}
			if err != nil {
				e := err
				o.failed.Store(&e)
			}
		}
		o.free <- s.b[:cap(s.b)]
	}
	o.done <- err
}

// wait returns once everything queued is written, with the writer's first
// error. The outFile can still be written to after.
func (o *outFile) wait() error {
	if o.queue == nil {
		return nil
	}
	close(o.queue)
	err := <-o.done
	o.queue = nil
	o.failed.Store(nil)
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
