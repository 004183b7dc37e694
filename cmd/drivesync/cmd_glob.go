package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/drivesync/drivesync/cache"
	"github.com/drivesync/drivesync/glob"
)

type globFlags struct {
	dir    string
	nul    bool
	asJSON bool
	latest bool
	req    globRequest
}

func newGlobCmd(g *globals) *cobra.Command {
	f := &globFlags{}
	cmd := &cobra.Command{
		Use:   "glob PATTERN...",
		Short: "List mirrored files matching glob patterns, downloading them first",
		Long: `Print the absolute local paths of the mirrored files matching the patterns,
one per line, as Python's glob.glob(pattern, recursive=True) would on a
complete mirror: patterns are relative to the mount root, "**" spans folders,
hidden names need a leading ".", and "{a,b}" alternatives are allowed (see the
glob package documentation for every rule). Matches come from the mount's
index, not the disk, and files not downloaded yet are fetched first, in
parallel, unless --no-fetch. Works through the running daemon, or from the
mount's saved state when none runs (then nothing is fetched).`,
		Example: `  drivesync glob 'my_data/images/*/*.jpg'
  drivesync glob --images --shard 0/4 'my_data/**'
  drivesync glob --checkpoints --latest 'checkpoints/*'
  drivesync glob -0 '**/*.png' | xargs -0 identify`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.req.Patterns = args
			return runGlobCmd(cmd.Context(), g, f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.dir, "dir", "", "the mount folder (default: the mount holding the working directory)")
	fl.BoolVarP(&f.nul, "null", "0", false, "end each path with NUL instead of a newline (for xargs -0)")
	fl.BoolVar(&f.asJSON, "json", false, "print a JSON array of matches: path, id, md5, size, modifiedTime, state")
	fl.BoolVar(&f.req.NoFetch, "no-fetch", false, "do not download matched files that are not local yet")
	fl.StringArrayVar(&f.req.Exclude, "exclude", nil, "leave out what this pattern matches (repeatable)")
	fl.BoolVar(&f.req.Images, "images", false, "only image files (jpg, jpeg, png, bmp, gif, webp, tif, tiff)")
	fl.BoolVar(&f.req.Checkpoints, "checkpoints", false, "only checkpoints (h5, keras, ckpt, pt, pth, safetensors, TF checkpoints, SavedModel folders)")
	fl.IntVar(&f.req.Newest, "newest", 0, "only the N most recently modified matches")
	fl.BoolVar(&f.latest, "latest", false, "only the most recently modified match (--newest 1)")
	fl.StringVar(&f.req.Shard, "shard", "", "only worker I's share of N, as I/N (0-based; a round-robin split of the sorted list)")
	fl.StringVar(&f.req.Sort, "sort", "", "order by name (default), mtime or size")
	fl.BoolVar(&f.req.Reverse, "reverse", false, "reverse the order")
	fl.IntVar(&f.req.Limit, "limit", 0, "print at most N matches")
	return cmd
}

func runGlobCmd(ctx context.Context, g *globals, f *globFlags, out, errOut io.Writer) error {
	if f.latest {
		if f.req.Newest != 0 && f.req.Newest != 1 {
			return errors.New("glob: --latest and --newest disagree")
		}
		f.req.Newest = 1
	}
	switch {
	case f.asJSON:
		f.req.Format = "json"
	case f.nul:
		f.req.Format = "nul"
	default:
		f.req.Format = "lines"
	}
	if _, err := f.req.query(); err != nil { // bad patterns fail before any daemon is asked
		return err
	}
	var args []string
	if f.dir != "" {
		args = []string{f.dir}
	}
	md, err := g.mountDirsFor(args)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(out, 64<<10) // one write per 64 KiB, not per path
	c := newAPIClient(md.Sock)
	if f.asJSON {
		resp, err := c.Glob(ctx, f.req)
		if errors.Is(err, errNoDaemon) {
			resp, err = offlineGlob(ctx, md, f.req, errOut)
		}
		if err != nil {
			return err
		}
		if err := writeJSONMatches(w, resp.Matches); err != nil {
			return err
		}
		return w.Flush()
	}
	// The daemon sends the paths ready to print.
	err = c.GlobTo(ctx, f.req, w)
	if errors.Is(err, errNoDaemon) {
		err = offlineGlobNames(ctx, md, f.req, w, errOut)
	}
	if err != nil {
		return err
	}
	return w.Flush()
}

// openOffline opens the saved state of a mount whose daemon is not running,
// read-only: a listing writes nothing.
func openOffline(md mountDirs) (*cache.Store, error) {
	if _, err := readMountInfo(md.Info()); err != nil {
		return nil, fmt.Errorf("glob: %s: %w", md.Root, errNotMount)
	}
	store, err := cache.Open(md.DB(), cache.Options{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("glob: state of %s: %w", md.Root, err)
	}
	return store, nil
}

// offlineGlob answers from the saved state of a mount whose daemon is not
// running; nothing is fetched, and unless req.NoFetch it says so on errOut
// when matched files are not downloaded.
func offlineGlob(ctx context.Context, md mountDirs, req globRequest, errOut io.Writer) (globResponse, error) {
	store, err := openOffline(md)
	if err != nil {
		return globResponse{}, err
	}
	defer store.Close()
	resp, err := runGlob(ctx, md.Root, func() (glob.Index, error) { return offlineIndex(store, md) }, nil, req)
	if err != nil {
		return globResponse{}, err
	}
	if !req.NoFetch {
		n := 0
		for _, m := range resp.Matches {
			if !m.Dir && m.State == stateRemote {
				n++
			}
		}
		noteNotFetched(errOut, md, n)
	}
	return resp, nil
}

// offlineGlobNames writes the paths of the matches from the saved state of
// a mount whose daemon is not running. With req.NoFetch only the names are
// gathered (glob.Query.EachName); otherwise the matches' states too, to say
// how many are not downloaded.
func offlineGlobNames(ctx context.Context, md mountDirs, req globRequest, w *bufio.Writer, errOut io.Writer) error {
	emit := pathWriter(w, md.Root, nameEnd(req.Format))
	if !req.NoFetch {
		resp, err := offlineGlob(ctx, md, req, errOut)
		if err != nil {
			return err
		}
		for _, m := range resp.Matches {
			if err := emit(m.Rel); err != nil {
				return err
			}
		}
		return nil
	}
	store, err := openOffline(md)
	if err != nil {
		return err
	}
	defer store.Close()
	index := func() (glob.Index, error) { return offlineIndex(store, md) }
	_, err = globNames(ctx, index, index, nil, req, emit)
	return err
}

func noteNotFetched(errOut io.Writer, md mountDirs, n int) {
	if n > 0 {
		fmt.Fprintf(errOut, "drivesync: %d matched files are not downloaded and no daemon is running to fetch them (drivesync mount %s)\n", n, md.Root)
	}
}

// writeJSONMatches prints the matches of --json: an indented array.
func writeJSONMatches(w io.Writer, ms []globMatch) error {
	if ms == nil {
		ms = []globMatch{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(ms)
}
