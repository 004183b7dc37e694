package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/spf13/cobra"

	"github.com/drivesync/drivesync/imageload"
)

type imagesFlags struct {
	size            string
	colorMode       string
	interpolation   string
	keepAspectRatio bool
	dtype           string
	out             string
	labels          string
	labelMode       string
	classNames      string
	validationSplit float64
	subset          string
	seed            int64
	shuffle         bool
	draft           bool
	exif            bool
	maxPixels       int64
	skipBad         bool
	noCache         bool
	cacheDir        string
	workers         int
}

func newImagesCmd(g *globals) *cobra.Command {
	f := &imagesFlags{}
	cmd := &cobra.Command{
		Use:   "images DIR|FILE|GLOB... --out x.npy",
		Short: "Load images as Keras' load_img + img_to_array would, into a .npy batch",
		Long: `Load images exactly as keras.utils.load_img(path, color_mode, target_size,
interpolation, keep_aspect_ratio) followed by img_to_array computes them (same
numbers as Pillow 9.4), decoding on all cores, and write them as one
(N, H, W, C) array that numpy.load reads.

One directory argument is listed as image_dataset_from_directory lists it: with
class subfolders, labels are inferred from the sorted subfolder names (write them
with --labels and --class-names); --seed shuffles as Keras does with that seed,
and --validation-split with --subset picks Keras' training or validation files.
Files, directories and globs (** allowed) given together are loaded in sorted
path order, without labels.

Decoded results are cached by (content MD5, options) under the state directory,
so a second run decodes nothing. The output files are written whole or not at all.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runImages(cmd, g, f, args) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.size, "size", "", "target size HxW, e.g. 224x224 (default: the images' own size, which must then be the same for all)")
	fl.StringVar(&f.colorMode, "color-mode", "rgb", "rgb, grayscale or rgba")
	fl.StringVar(&f.interpolation, "interpolation", "nearest", "nearest, bilinear, bicubic, lanczos, box or hamming (load_img's default is nearest)")
	fl.BoolVar(&f.keepAspectRatio, "keep-aspect-ratio", false, "crop the centre to the target aspect ratio before resizing, as load_img does")
	fl.StringVar(&f.dtype, "dtype", "float32", "float32 (img_to_array) or uint8 (4× smaller)")
	fl.StringVar(&f.out, "out", "", "output .npy file for the images (required)")
	fl.StringVar(&f.labels, "labels", "", "output .npy file for the labels inferred from class subfolders")
	fl.StringVar(&f.labelMode, "label-mode", "int", "labels as int (int32), categorical (one-hot float32) or binary (float32, two classes)")
	fl.StringVar(&f.classNames, "class-names", "", "output text file with the class names, one per line, in label order")
	fl.Float64Var(&f.validationSplit, "validation-split", 0, "fraction of the files reserved for validation, as image_dataset_from_directory")
	fl.StringVar(&f.subset, "subset", "", "training or validation (with --validation-split)")
	fl.Int64Var(&f.seed, "seed", -1, "shuffle the listing as Keras does with this seed (0..4294967295)")
	fl.BoolVar(&f.shuffle, "shuffle", false, "shuffle the listing (with a random seed unless --seed is given; --seed alone implies it)")
	fl.BoolVar(&f.draft, "draft", false, "decode JPEGs at 1/2, 1/4 or 1/8 scale in the DCT domain when at least twice the target (faster, not Keras' numbers)")
	fl.BoolVar(&f.exif, "exif-orientation", false, "apply the EXIF orientation tag first (Keras does not)")
	fl.Int64Var(&f.maxPixels, "max-pixels", imageload.DefaultMaxPixels, "refuse images whose header announces more pixels (Pillow's decompression-bomb limit); -1: no limit")
	fl.BoolVar(&f.skipBad, "skip-bad", false, "warn about and skip truncated, corrupt or unsupported files instead of failing")
	fl.BoolVar(&f.noCache, "no-cache", false, "do not read or fill the decoded-image cache")
	fl.StringVar(&f.cacheDir, "cache-dir", "", "decoded-image cache directory (default: STATE/imagecache)")
	fl.IntVar(&f.workers, "workers", 0, "decoding goroutines (default: all cores)")
	return cmd
}

// imagesPlan is what the flags and arguments resolve to.
type imagesPlan struct {
	opts      imageload.Options
	dtype     imageload.DType
	ds        imageload.Dataset
	labelled  bool
	labelMode string
}

func parseSize(s string) (h, w int, err error) {
	if s == "" {
		return 0, 0, nil
	}
	hs, ws, ok := strings.Cut(strings.ToLower(s), "x")
	if ok {
		h, err = strconv.Atoi(hs)
		if err == nil {
			w, err = strconv.Atoi(ws)
		}
	}
	if !ok || err != nil || h <= 0 || w <= 0 {
		return 0, 0, fmt.Errorf("--size %q: want HxW, e.g. 224x224", s)
	}
	return h, w, nil
}

func planImages(cmd *cobra.Command, f *imagesFlags, args []string) (*imagesPlan, error) {
	p := &imagesPlan{labelMode: f.labelMode}
	var err error
	if f.out == "" {
		return nil, errors.New("--out is required")
	}
	if p.opts.Height, p.opts.Width, err = parseSize(f.size); err != nil {
		return nil, err
	}
	if p.opts.ColorMode, err = imageload.ParseColorMode(f.colorMode); err != nil {
		return nil, fmt.Errorf("--color-mode: %w", err)
	}
	if p.opts.Interpolation, err = imageload.ParseInterpolation(f.interpolation); err != nil {
		return nil, fmt.Errorf("--interpolation: %w", err)
	}
	if p.dtype, err = imageload.ParseDType(f.dtype); err != nil {
		return nil, fmt.Errorf("--dtype: %w", err)
	}
	switch f.labelMode {
	case "int", "categorical", "binary":
	default:
		return nil, fmt.Errorf("--label-mode %q: want int, categorical or binary", f.labelMode)
	}
	p.opts.KeepAspectRatio, p.opts.Draft, p.opts.EXIFOrientation = f.keepAspectRatio, f.draft, f.exif
	p.opts.MaxPixels = f.maxPixels
	if f.maxPixels == 0 {
		p.opts.MaxPixels = -1
	}
	if f.seed > 0xFFFFFFFF || f.seed < -1 {
		return nil, fmt.Errorf("--seed %d: must be between 0 and 4294967295", f.seed)
	}
	shuffle := f.shuffle || (f.seed >= 0 && !cmd.Flags().Changed("shuffle"))
	if f.validationSplit != 0 || f.subset != "" {
		if !(f.validationSplit > 0 && f.validationSplit < 1) || (f.subset != "training" && f.subset != "validation") {
			return nil, errors.New("--validation-split (between 0 and 1) and --subset (training or validation) go together")
		}
		if shuffle && f.seed < 0 {
			return nil, errors.New("--validation-split with shuffling needs --seed, so training and validation do not overlap")
		}
	}

	if st, err := os.Stat(args[0]); len(args) == 1 && err == nil && st.IsDir() {
		inferred, err := hasClassDirs(args[0])
		if err != nil {
			return nil, err
		}
		p.ds, err = imageload.IndexDirectory(nil, args[0], imageload.IndexOptions{Inferred: inferred})
		if err != nil {
			return nil, err
		}
		p.labelled = inferred
	} else {
		if p.ds.Paths, err = expandArgs(args); err != nil {
			return nil, err
		}
	}
	if !p.labelled && (f.labels != "" || f.classNames != "") {
		return nil, errors.New("--labels and --class-names need a single directory argument with class subfolders")
	}
	if p.labelled && f.labelMode == "binary" && len(p.ds.ClassNames) != 2 {
		return nil, fmt.Errorf("--label-mode binary needs exactly 2 classes, found %d: %v", len(p.ds.ClassNames), p.ds.ClassNames)
	}
	if shuffle {
		seed := uint32(f.seed)
		if f.seed < 0 {
			seed = uint32(rand.N(1_000_000)) // Keras: np.random.randint(1e6)
		}
		p.ds.Shuffle(seed)
	}
	if p.ds, err = p.ds.Split(f.validationSplit, f.subset); err != nil {
		return nil, err
	}
	if len(p.ds.Paths) == 0 {
		return nil, fmt.Errorf("no images found in %s", strings.Join(args, " "))
	}
	return p, nil
}

// hasClassDirs reports whether dir has a non-hidden subdirectory.
func hasClassDirs(dir string) (bool, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if st, err := os.Stat(filepath.Join(dir, e.Name())); err == nil && st.IsDir() {
			return true, nil
		}
	}
	return false, nil
}

// expandArgs resolves files, directories (walked, Keras' extensions) and
// globs into one sorted, de-duplicated list.
func expandArgs(args []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, a := range args {
		st, err := os.Stat(a)
		switch {
		case err == nil && st.IsDir():
			ds, err := imageload.IndexDirectory(nil, a, imageload.IndexOptions{})
			if err != nil {
				return nil, err
			}
			for _, p := range ds.Paths {
				add(p)
			}
		case err == nil:
			add(a)
		default:
			matches, gerr := doublestar.FilepathGlob(a, doublestar.WithFilesOnly())
			if gerr != nil {
				return nil, fmt.Errorf("%s: %w", a, gerr)
			}
			if len(matches) == 0 {
				return nil, fmt.Errorf("%s: %w", a, err)
			}
			for _, m := range matches {
				add(m)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

func runImages(cmd *cobra.Command, g *globals, f *imagesFlags, args []string) error {
	log, err := newLogger(g, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	p, err := planImages(cmd, f, args)
	if err != nil {
		return err
	}
	l := &imageload.Loader{Options: p.opts, Workers: f.workers}
	if !f.noCache {
		dir := f.cacheDir
		if dir == "" {
			d, err := g.dirs()
			if err != nil {
				return err
			}
			dir = filepath.Join(d.State, "imagecache")
		}
		if l.Cache, err = imageload.OpenCache(dir); err != nil {
			return err
		}
	}
	st, err := writeImages(cmd.Context(), log, l, p, f.out, f.skipBad)
	if err != nil {
		return err
	}
	if f.labels != "" {
		if err := imageload.WriteLabelsNpy(f.labels, st.labels, p.labelMode, len(p.ds.ClassNames)); err != nil {
			return err
		}
	}
	if f.classNames != "" {
		err := imageload.WriteFileAtomic(f.classNames, func(w io.Writer) error {
			for _, c := range p.ds.ClassNames {
				if _, err := fmt.Fprintln(w, c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	log.Info("images written", "out", f.out, "count", st.n, "shape", st.shape, "dtype", p.dtype,
		"skipped", st.skipped, "cached", st.cached, "classes", len(p.ds.ClassNames))
	return nil
}

type imagesStats struct {
	n, skipped, cached int
	shape              string
	labels             []int
}

// writeImages streams the loader's results into the .npy file, in order.
func writeImages(ctx context.Context, log *slog.Logger, l *imageload.Loader, p *imagesPlan, out string, skipBad bool) (imagesStats, error) {
	var st imagesStats
	var w *imageload.NpyWriter
	var item []int
	cacheWarned := false
	err := l.Load(ctx, p.ds.Paths, func(r imageload.Result) error {
		if r.CacheErr != nil && !cacheWarned {
			log.Warn("cannot fill the image cache; continuing without it", "err", r.CacheErr)
			cacheWarned = true
		}
		if r.Err != nil {
			if !skipBad {
				return r.Err
			}
			log.Warn("skipping bad image", "err", r.Err)
			st.skipped++
			return nil
		}
		im := r.Image
		shape := []int{im.Height, im.Width, im.ArrayChannels()}
		if w == nil {
			var err error
			if w, err = imageload.CreateNpy(out, p.dtype, shape); err != nil {
				return err
			}
			w.Reserve(len(p.ds.Paths)) // best effort: fewer blocks to allocate as it grows
			item = shape
			st.shape = fmt.Sprintf("(%d, %d, %d)", shape[0], shape[1], shape[2])
		} else if shape[0] != item[0] || shape[1] != item[1] || shape[2] != item[2] {
			return fmt.Errorf("%s: size %dx%d differs from the first image's %dx%d; give --size", r.Path, shape[1], shape[0], item[1], item[0])
		}
		// Converted to the dtype straight into the file's write buffer.
		if err := w.WriteImage(im); err != nil {
			return fmt.Errorf("%s: %w", r.Path, err)
		}
		l.Recycle(im) // written out: its buffer can take a later image
		if r.Cached {
			st.cached++
		}
		if p.labelled {
			st.labels = append(st.labels, p.ds.Labels[r.Index])
		}
		st.n++
		return nil
	})
	if err == nil && w == nil {
		err = fmt.Errorf("no image could be loaded (%d skipped)", st.skipped)
	}
	if err != nil {
		if w != nil {
			w.Abort()
		}
		return st, err
	}
	return st, w.Commit()
}
