package imageload

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sbinet/npyio/npy"
)

func readNpy(t *testing.T, path string, ptr any) npy.Header {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := npy.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Read(ptr); err != nil {
		t.Fatal(err)
	}
	return r.Header
}

func TestNpyWriterRoundTrip(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		dtype DType
		n     int
	}{
		{"float32", Float32, 3},
		{"uint8", Uint8, 12},
		{"empty", Float32, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name+".npy")
			w, err := CreateNpy(p, tt.dtype, []int{2, 3, 1})
			if err != nil {
				t.Fatal(err)
			}
			var wantF []float32
			var wantU []uint8
			for i := 0; i < tt.n; i++ {
				item := []float32{0, 1, 2, 3, 4, float32(i)}
				u := []uint8{0, 1, 2, 3, 4, uint8(i)}
				if tt.dtype == Uint8 {
					err = w.WriteUint8(u)
				} else {
					err = w.WriteFloat32(item)
				}
				if err != nil {
					t.Fatal(err)
				}
				wantF, wantU = append(wantF, item...), append(wantU, u...)
			}
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Fatalf("target exists before Commit: %v", err)
			}
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			raw, _ := os.ReadFile(p)
			if hl := 10 + int(raw[8]) + int(raw[9])<<8; hl%64 != 0 {
				t.Errorf("header length %d not 64-aligned", hl)
			}
			if tt.dtype == Uint8 {
				var got []uint8
				h := readNpy(t, p, &got)
				if !reflect.DeepEqual(h.Descr.Shape, []int{tt.n, 2, 3, 1}) || !reflect.DeepEqual(got, wantU) {
					t.Errorf("shape %v data %v", h.Descr.Shape, got)
				}
			} else {
				var got []float32
				h := readNpy(t, p, &got)
				if !reflect.DeepEqual(h.Descr.Shape, []int{tt.n, 2, 3, 1}) || (tt.n > 0 && !reflect.DeepEqual(got, wantF)) {
					t.Errorf("shape %v data %v", h.Descr.Shape, got)
				}
			}
			ents, _ := os.ReadDir(dir)
			for _, e := range ents {
				if strings.Contains(e.Name(), ".tmp-") {
					t.Errorf("temporary file left: %s", e.Name())
				}
			}
		})
	}
}

func TestNpyWriterRejectsAndAborts(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.npy")
	w, err := CreateNpy(p, Float32, []int{2})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFloat32([]float32{1, 2, 3}); err == nil {
		t.Error("wrong item length accepted")
	}
	if err := w.WriteUint8([]uint8{1, 2}); err == nil {
		t.Error("wrong dtype accepted")
	}
	w.Abort()
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Errorf("abort left %v", ents)
	}
	if _, err := CreateNpy(filepath.Join(dir, "missing", "x.npy"), Float32, []int{1}); err == nil {
		t.Error("missing directory accepted")
	}
}

func TestWriteLabelsNpy(t *testing.T) {
	dir := t.TempDir()
	labels := []int{0, 2, 1}
	p := filepath.Join(dir, "int.npy")
	if err := WriteLabelsNpy(p, labels, "int", 3); err != nil {
		t.Fatal(err)
	}
	var ints []int32
	if h := readNpy(t, p, &ints); !reflect.DeepEqual(ints, []int32{0, 2, 1}) || !reflect.DeepEqual(h.Descr.Shape, []int{3}) {
		t.Errorf("int: %v %v", ints, h.Descr.Shape)
	}
	p = filepath.Join(dir, "cat.npy")
	if err := WriteLabelsNpy(p, labels, "categorical", 3); err != nil {
		t.Fatal(err)
	}
	var cat []float32
	if h := readNpy(t, p, &cat); !reflect.DeepEqual(cat, []float32{1, 0, 0, 0, 0, 1, 0, 1, 0}) || !reflect.DeepEqual(h.Descr.Shape, []int{3, 3}) {
		t.Errorf("categorical: %v %v", cat, h.Descr.Shape)
	}
	p = filepath.Join(dir, "bin.npy")
	if err := WriteLabelsNpy(p, []int{1, 0}, "binary", 2); err != nil {
		t.Fatal(err)
	}
	var bin []float32
	if h := readNpy(t, p, &bin); !reflect.DeepEqual(bin, []float32{1, 0}) || !reflect.DeepEqual(h.Descr.Shape, []int{2, 1}) {
		t.Errorf("binary: %v %v", bin, h.Descr.Shape)
	}
	if err := WriteLabelsNpy(p, labels, "sparse", 3); err == nil {
		t.Error("unknown label mode accepted")
	}
}

// TestNumpyLoads: numpy.load reads what we write (skipped without numpy).
func TestNumpyLoads(t *testing.T) {
	if err := exec.Command(python, "-c", "import numpy").Run(); err != nil {
		t.Skip("no numpy at", python)
	}
	p := filepath.Join(t.TempDir(), "x.npy")
	w, err := CreateNpy(p, Float32, []int{2, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 11; i++ {
		a := make([]float32, 12)
		a[5] = float32(i) + 0.5
		w.WriteFloat32(a)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "-c", "import numpy,sys; a=numpy.load(sys.argv[1]); print(a.shape, a.dtype, a[10,0,1,2])", p).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "(11, 2, 2, 3) float32 10.5" {
		t.Errorf("numpy.load: %s %v", out, err)
	}
}

func TestOutputFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.npy")
	if err := WriteFileAtomic(path, func(w io.Writer) error { _, err := w.Write([]byte("x")); return err }); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != outputMode {
		t.Fatalf("mode %v, want %v", st.Mode().Perm(), os.FileMode(outputMode))
	}
}

// TestNpyWriterChunks: items spanning many writes, through direct I/O and
// through the page cache, read back as written; WriteImage is img_to_array.
func TestNpyWriterChunks(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var ims []*Image
	for i := 0; i < 7; i++ {
		im := newImage(ModeRGB, 37, 29)
		for j := range im.Pix {
			im.Pix[j] = uint8(r.IntN(256))
		}
		ims = append(ims, im)
	}
	wide := newImage(ModeI, 37*3, 29)
	for j := range wide.Int {
		wide.Int[j] = int32(r.IntN(70000))
	}
	for _, direct := range []bool{false, true} {
		for _, dtype := range []DType{Float32, Uint8} {
			t.Run(fmt.Sprintf("direct=%t/%s", direct, dtype), func(t *testing.T) {
				p := filepath.Join(t.TempDir(), "x.npy")
				w, err := createNpy(p, dtype, []int{29, 37, 3}, 2*blockSize, direct)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("direct I/O in use: %t", w.out.direct)
				w.out.syncEvery = 3 * blockSize // several periodic syncs
				var wantF []float32
				var wantU []uint8
				for _, im := range ims {
					if err := w.WriteImage(im); err != nil {
						t.Fatal(err)
					}
					wantF = im.AppendFloat32(wantF)
					wantU, _ = im.AppendUint8(wantU)
				}
				if dtype == Float32 {
					if err := w.WriteImage(wide); err != nil {
						t.Fatal(err)
					}
					wantF = wide.AppendFloat32(wantF)
				} else if err := w.WriteImage(wide); err == nil {
					t.Fatal("16-bit image accepted for uint8 output")
				}
				out := w.out
				if err := w.Commit(); err != nil {
					t.Fatal(err)
				}
				if out.bufs > queueDepth+1 || out.syncs == 0 {
					t.Errorf("%d staging buffers (at most %d), %d periodic syncs (want some)", out.bufs, queueDepth+1, out.syncs)
				}
				n, size := len(wantU), 1
				if dtype == Float32 {
					n, size = len(wantF), 4
				}
				st, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if want := int64(w.hdrLen + n*size); st.Size() != want {
					t.Errorf("file size %d, want %d", st.Size(), want)
				}
				items := n / (29 * 37 * 3)
				if dtype == Uint8 {
					var got []uint8
					h := readNpy(t, p, &got)
					if !reflect.DeepEqual(h.Descr.Shape, []int{items, 29, 37, 3}) || !reflect.DeepEqual(got, wantU) {
						t.Errorf("shape %v, data differs: %t", h.Descr.Shape, !reflect.DeepEqual(got, wantU))
					}
				} else {
					var got []float32
					h := readNpy(t, p, &got)
					if !reflect.DeepEqual(h.Descr.Shape, []int{items, 29, 37, 3}) || !reflect.DeepEqual(got, wantF) {
						t.Errorf("shape %v, data differs: %t", h.Descr.Shape, !reflect.DeepEqual(got, wantF))
					}
				}
			})
		}
	}
}

// TestOutFileWriteError: a write that fails in the background writer is
// returned by a later flush or by finish, whatever the timing, and neither
// blocks; Abort after it removes the temporary file.
func TestOutFileWriteError(t *testing.T) {
	for _, direct := range []bool{false, true} {
		t.Run(fmt.Sprintf("direct=%t", direct), func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "x.npy")
			w, err := createNpy(p, Uint8, []int{64, 64, 1}, blockSize, direct)
			if err != nil {
				t.Fatal(err)
			}
			// From here on every write fails: the descriptor is read-only.
			ro, err := os.Open(w.tmp)
			if err != nil {
				t.Fatal(err)
			}
			defer ro.Close()
			w.out.f = ro
			im := newImage(ModeL, 64, 64)
			var werr error
			for i := 0; i < 4*queueDepth && werr == nil; i++ {
				werr = w.WriteImage(im)
			}
			if werr == nil {
				werr = w.Commit()
			} else {
				w.Abort()
			}
			if werr == nil || !strings.Contains(werr.Error(), "x.npy") {
				t.Fatalf("error %v, want a write error naming the file", werr)
			}
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Errorf("target exists after a failed write: %v", err)
			}
			if _, err := os.Stat(w.tmp); !os.IsNotExist(err) {
				t.Errorf("temporary file left: %v", err)
			}
		})
	}
}

// TestOutFileWriteAfterWait: wait drains the writer and the outFile goes
// on with the same buffers (none is lost with a drained writer's channels,
// which would leave a later flush waiting for a buffer that never comes),
// the bytes landing in order.
func TestOutFileWriteAfterWait(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	o := newOutFile(f, blockSize, false, 2*blockSize)
	var want []byte
	put := func(k int) {
		t.Helper()
		for i := 0; i < k; i++ {
			p := bytes.Repeat([]byte{byte(len(want) / blockSize)}, blockSize)
			want = append(want, p...)
			if err := o.write(p); err != nil {
				t.Fatal(err)
			}
		}
	}
	drain := func() {
		t.Helper()
		if err := o.wait(); err != nil {
			t.Fatal(err)
		}
		if len(o.free) != o.bufs-1 {
			t.Fatalf("after wait: %d buffers free of %d (one being filled)", len(o.free), o.bufs)
		}
	}
	put(3 * queueDepth)
	drain()
	put(3 * queueDepth)
	drain()
	if err := o.finish(want[:blockSize]); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("file of %d bytes differs from the %d written", len(got), len(want))
	}
	if o.bufs > queueDepth+1 {
		t.Errorf("%d staging buffers, at most %d", o.bufs, queueDepth+1)
	}
}
