package imageload

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"runtime"
	"sync"
)

// Loader decodes many files in parallel and delivers them in input order.
type Loader struct {
	Options Options
	// Workers is the number of decoding goroutines (0: runtime.NumCPU()).
	Workers int
	// Window bounds how many images may be decoded ahead of the one being
	// delivered (0: 4 × Workers), so memory stays bounded however long the
	// list is.
	Window int
	// Cache, when set, is consulted before decoding and filled after.
	Cache *Cache
	// FS, when set, is where paths are read from; otherwise the OS.
	FS fs.FS

	workspaces sync.Pool // of *workspace, reused across files
	recycled   sync.Pool // of *[]uint8: pixels of images handed back by Recycle
}

// Recycle hands back an image that Load or LoadFile returned and that the
// caller is done with: its pixel buffer may hold a later image's result, so
// neither im nor any slice of its pixels may be used afterwards. Optional;
// it saves allocating (and the kernel zeroing) a buffer for every image.
func (l *Loader) Recycle(im *Image) {
	if im != nil && cap(im.Pix) > 0 {
		p := im.Pix[:0]
		l.recycled.Put(&p)
		im.Pix = nil
	}
}

// Result is one loaded file. Err names the file.
type Result struct {
	Index int
	Path  string
	Image *Image
	// Cached reports that the image came from the cache.
	Cached bool
	Err    error
	// CacheErr is a failure to store the image in the cache: the image is
	// fine, the next run will decode it again.
	CacheErr error
}

// LoadFile runs load_img on one file (through the cache when there is one).
// A failure to fill the cache is not an error; Load reports it in
// Result.CacheErr.
func (l *Loader) LoadFile(path string) (im *Image, cached bool, err error) {
	r := l.loadFile(path)
	return r.Image, r.Cached, r.Err
}

func (l *Loader) loadFile(path string) Result {
	im, cached, err, cacheErr := l.load(path)
	return Result{Path: path, Image: im, Cached: cached, Err: err, CacheErr: cacheErr}
}

func (l *Loader) load(path string) (im *Image, cached bool, err, cacheErr error) {
	ws, _ := l.workspaces.Get().(*workspace)
	if ws == nil {
		ws = &workspace{recycled: &l.recycled}
	}
	defer l.workspaces.Put(ws)
	data, err := readFile(l.FS, path, ws)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", path, err), nil
	}
	if l.Cache != nil {
		if im := l.Cache.Get(data, l.Options); im != nil {
			return im, true, nil, nil
		}
	}
	im, err = decodeWith(data, l.Options, ws)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", path, err), nil
	}
	if l.Cache != nil {
		if err := l.Cache.Put(data, l.Options, im); err != nil {
			cacheErr = fmt.Errorf("%s: %w", path, err)
		}
	}
	return im, false, nil, cacheErr
}

// readFile reads name from fsys, or from the OS when fsys is nil, into the
// workspace's file buffer.
func readFile(fsys fs.FS, name string, ws *workspace) ([]byte, error) {
	var f fs.File
	var err error
	if fsys == nil {
		f, err = os.Open(name)
	} else {
		f, err = fsys.Open(name)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := 0
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() < math.MaxInt32 {
		size = int(st.Size())
	}
	buf := ws.fileBuf(size + 1)[:0] // +1: EOF is seen without growing
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if ws != nil {
		ws.file = buf
	}
	return buf, nil
}

// Load decodes paths with Workers goroutines and calls emit with each
// result in input order (emit runs on the caller's goroutine). A decoding
// error is delivered as a Result with Err; an error returned by emit, or
// ctx ending, stops the pipeline and is returned.
func (l *Loader) Load(ctx context.Context, paths []string, emit func(Result) error) error {
	if err := l.Options.Validate(); err != nil {
		return err
	}
	workers := l.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	window := l.Window
	if window <= 0 {
		window = 4 * workers
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	jobs := make(chan int)
	results := make(chan Result, window)
	slots := make(chan struct{}, window) // one per image decoded but not yet emitted

	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r := l.loadFile(paths[i])
				r.Index = i
				select {
				case results <- r:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range paths {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	pending := map[int]Result{}
	next := 0
	var err error
	for next < len(paths) {
		select {
		case <-ctx.Done():
			err = ctx.Err()
		case r, ok := <-results:
			if !ok {
				err = ctx.Err()
				if err == nil {
					err = fmt.Errorf("imageload: pipeline ended after %d of %d images", next, len(paths))
				}
				break
			}
			pending[r.Index] = r
			for {
				r, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				<-slots
				if e := emit(r); e != nil {
					err = e
					break
				}
			}
		}
		if err != nil {
			break
		}
	}
	cancel()
	for range results { // let the workers finish
	}
	return err
}
