package imageload

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sbinet/npyio/npy"
)

var update = flag.Bool("update", false, "regenerate testdata (corpus, goldens.tsv, dataset.json) with /usr/bin/python3 and Pillow")

const python = "/usr/bin/python3"

func TestMain(m *testing.M) {
	flag.Parse()
	if *update {
		cmd := exec.Command(python, filepath.Join("testdata", "gen_goldens.py"))
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "update goldens:", err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

type goldenCase struct {
	line   string // the case columns, as gen_goldens.py --dump takes them
	file   string
	opts   Options
	shape  string
	digest string
}

func readGoldens(t *testing.T) []goldenCase {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "goldens.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cs []goldenCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		col := strings.Split(line, "\t")
		if len(col) != 9 {
			t.Fatalf("goldens.tsv: bad line %q", line)
		}
		var o Options
		if o.ColorMode, err = ParseColorMode(col[1]); err != nil {
			t.Fatal(err)
		}
		if o.Interpolation, err = ParseInterpolation(col[2]); err != nil {
			t.Fatal(err)
		}
		if col[3] != "none" {
			hw := strings.Split(col[3], "x")
			o.Height, _ = strconv.Atoi(hw[0])
			o.Width, _ = strconv.Atoi(hw[1])
		}
		o.KeepAspectRatio, o.Draft, o.EXIFOrientation = col[4] == "1", col[5] == "1", col[6] == "1"
		cs = append(cs, goldenCase{line: strings.Join(col[:7], "\t"), file: col[0], opts: o, shape: col[7], digest: col[8]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cs
}

func digestFloat32(a []float32) string {
	b := make([]byte, 4*len(a))
	for i, v := range a {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:16])
}

// TestGoldens checks every corpus file × colour mode × interpolation ×
// target size × keep_aspect_ratio (plus draft and EXIF cases) against
// Pillow's output, byte for byte. Under -race or -short it checks every
// eighth case (and all no-resize ones), since the detector slows the pixel
// loops ~30×; the full set runs in a plain `go test`.
func TestGoldens(t *testing.T) {
	cs := readGoldens(t)
	if len(cs) < 1000 {
		t.Fatalf("only %d golden cases", len(cs))
	}
	byFile := map[string][]goldenCase{}
	var names []string
	for i, c := range cs {
		if !exactJPEG && strings.HasPrefix(c.file, "jpeg") {
			continue // pure-Go JPEG is approximate; see TestPureGoJPEGClose
		}
		if (raceBuild || testing.Short()) && c.opts.Width != 0 && i%8 != 0 {
			continue
		}
		if _, ok := byFile[c.file]; !ok {
			names = append(names, c.file)
		}
		byFile[c.file] = append(byFile[c.file], c)
	}
	for _, name := range names {
		group := byFile[name]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join("testdata", "corpus", name))
			if err != nil {
				t.Fatal(err)
			}
			failed := 0
			for _, c := range group {
				if msg := checkGolden(t, c, data, failed < 3); msg != "" {
					failed++
					if failed <= 10 {
						t.Error(c.line + ": " + msg)
					}
				}
			}
			if failed > 10 {
				t.Errorf("... %d of %d cases differ", failed, len(group))
			}
		})
	}
}

// checkGolden returns "" when the case matches Pillow, else what differs.
func checkGolden(t *testing.T, c goldenCase, data []byte, explain bool) string {
	t.Helper()
	im, err := Decode(data, c.opts)
	if err != nil {
		return fmt.Sprintf("error %v", err)
	}
	a := im.AppendFloat32(nil)
	shape := fmt.Sprintf("%dx%dx%d", im.Height, im.Width, im.ArrayChannels())
	if shape != c.shape {
		return fmt.Sprintf("shape %s, Pillow %s", shape, c.shape)
	}
	if digestFloat32(a) == c.digest {
		return ""
	}
	if !explain { // regenerating with Pillow costs ~0.1 s a case
		return "hash differs"
	}
	return firstDifference(t, c, im, a)
}

// firstDifference regenerates the case with Pillow (when /usr/bin/python3
// has it) and names the first differing sample.
func firstDifference(t *testing.T, c goldenCase, im *Image, ours []float32) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "case.npy")
	cmd := exec.Command(python, filepath.Join("testdata", "gen_goldens.py"), "--dump", c.line, out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Sprintf("hash differs (regenerate with Pillow for details: %v %s)", err, msg)
	}
	f, err := os.Open(out)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var want []float32
	if err := npy.Read(f, &want); err != nil {
		return err.Error()
	}
	ch := im.ArrayChannels()
	ndiff := 0
	first := -1
	for i := range want {
		if i < len(ours) && want[i] != ours[i] {
			if first < 0 {
				first = i
			}
			ndiff++
		}
	}
	if first < 0 {
		return "hash differs but no sample does (length?)"
	}
	px := first / ch
	return fmt.Sprintf("%d samples differ; first at y=%d x=%d c=%d: ours %v, Pillow %v",
		ndiff, px/im.Width, px%im.Width, first%ch, ours[first], want[first])
}
