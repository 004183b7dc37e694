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
	resp, err := newAPIClient(md.Sock).Glob(ctx, f.req)
	if errors.Is(err, errNoDaemon) {
		resp, err = offlineGlob(ctx, md, f.req)
		if err == nil && !f.req.NoFetch {
			n := 0
			for _, m := range resp.Matches {
				if m.State == stateRemote {
					n++
				}
			}
			if n > 0 {
				fmt.Fprintf(errOut, "drivesync: %d matched files are not downloaded and no daemon is running to fetch them (drivesync mount %s)\n", n, md.Root)
			}
		}
	}
	if err != nil {
		return err
	}
	return printMatches(out, resp.Matches, f.nul, f.asJSON)
}

// offlineGlob answers from the saved state of a mount whose daemon is not running.
func offlineGlob(ctx context.Context, md mountDirs, req globRequest) (globResponse, error) {
	if _, err := readMountInfo(md.Info()); err != nil {
		return globResponse{}, fmt.Errorf("glob: %s: %w", md.Root, errNotMount)
	}
	store, err := cache.Open(md.DB(), cache.Options{})
	if err != nil {
		return globResponse{}, fmt.Errorf("glob: state of %s: %w", md.Root, err)
	}
	defer store.Close()
	return runGlob(ctx, md.Root, storeIndex{store}, nil, req)
}

func printMatches(out io.Writer, ms []globMatch, nul, asJSON bool) error {
	w := bufio.NewWriterSize(out, 64<<10) // one write per 64 KiB, not per path
	if err := writeMatches(w, ms, nul, asJSON); err != nil {
		return err
	}
	return w.Flush()
}

func writeMatches(w io.Writer, ms []globMatch, nul, asJSON bool) error {
	if asJSON {
		if ms == nil {
			ms = []globMatch{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(ms)
	}
	end := "\n"
	if nul {
		end = "\x00"
	}
	for _, m := range ms {
		if _, err := io.WriteString(w, m.Path+end); err != nil {
			return err
		}
	}
	return nil
}
