package drive

import (
	"context"
	"strings"
	"sync"

	drive "google.golang.org/api/drive/v3"
)

// Listing a tree asks for the children of up to batchParents folders per
// query ('a' in parents or 'b' in parents ...), a page of up to pageSize
// items at a time, and runs up to Options.ListConcurrency queries at once.
const (
	batchParents = 50
	pageSize     = 1000
)

const listFields = "nextPageToken,incompleteSearch,files(" + fileFields + ")"

// ListTree implements Remote.
//
// Folders found are queued and sent in batches of 50; a partial batch goes
// out only when no query is in flight that could still add folders to it,
// which keeps the number of calls near folders/50 + items/1000. A batch of
// several folders that comes back empty is asked again one folder per
// query: Drive has been seen to answer multi-parent queries with nothing
// although the folders are not empty.
func (c *Client) ListTree(ctx context.Context, rootID string, opt ListOptions) (*Tree, error) {
	root, err := c.Get(ctx, rootID)
	if err != nil {
		return nil, err
	}
	if root.IsShortcut() && root.ShortcutTargetMime == FolderMime {
		if root, err = c.resolveShortcut(ctx, root); err != nil {
			return nil, err
		}
	}
	if !root.IsFolder() {
		return nil, errorf("list", rootID, nil, "", "%q is not a folder (%s)", root.Name, root.MimeType)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	l := &lister{c: c, sc: scope{root.DriveID}, follow: opt.FollowShortcuts,
		results: make(chan page), queued: map[string]bool{root.ID: true}, seen: map[string]bool{}}
	l.pending = []string{root.ID}
	tree := &Tree{Root: root, FollowedShortcuts: opt.FollowShortcuts}
	for {
		l.dispatch(ctx)
		if l.inflight == 0 {
			break
		}
		p := <-l.results
		if p.err != nil {
			cancel()
			l.wg.Wait()
			return nil, wrap("list", root.Name, p.err, false)
		}
		tree.Incomplete = tree.Incomplete || p.incomplete
		p.b.items += len(p.files)
		for _, f := range p.files {
			l.add(tree, f)
		}
		if p.last {
			l.inflight--
			if p.b.items == 0 && len(p.b.ids) > 1 {
				l.singles = append(l.singles, p.b.ids...)
			}
		}
	}
	tree.index()
	return tree, nil
}

// lister is the state of one ListTree; only ListTree's goroutine touches
// it, workers talk through results.
type lister struct {
	c       *Client
	sc      scope
	follow  bool
	results chan page

	pending  []string        // folders to list, batched
	singles  []string        // folders to list one per query
	queued   map[string]bool // folders ever queued
	seen     map[string]bool // items added to the tree
	inflight int             // batches not yet finished
	wg       sync.WaitGroup
}

// batch is one query's folders.
type batch struct {
	ids   []string
	items int // items received so far (main goroutine only)
}

// page is one page of a batch's answer.
type page struct {
	b          *batch
	files      []*drive.File
	incomplete bool
	last       bool
	err        error
}

func (l *lister) dispatch(ctx context.Context) {
	for l.inflight < l.c.opt.ListConcurrency {
		switch {
		case len(l.singles) > 0:
			l.start(ctx, l.singles[:1])
			l.singles = l.singles[1:]
		case len(l.pending) >= batchParents || (len(l.pending) > 0 && l.inflight == 0):
			n := min(batchParents, len(l.pending))
			l.start(ctx, l.pending[:n])
			l.pending = l.pending[n:]
		default:
			return
		}
	}
}

func (l *lister) start(ctx context.Context, ids []string) {
	b := &batch{ids: append([]string(nil), ids...)}
	l.inflight++
	l.wg.Go(func() { l.run(ctx, b) })
}

// run pages through one batch's query, sending each page to results.
func (l *lister) run(ctx context.Context, b *batch) {
	var q strings.Builder
	if len(b.ids) > 1 {
		q.WriteByte('(')
	}
	for i, id := range b.ids {
		if i > 0 {
			q.WriteString(" or ")
		}
		q.WriteString(quote(id))
		q.WriteString(" in parents")
	}
	if len(b.ids) > 1 {
		q.WriteByte(')')
	}
	q.WriteString(" and trashed = false")
	tok, seen := "", tokens{}
	for {
		var res *drive.FileList
		err := l.c.pacer.do(ctx, false, func(ctx context.Context) (err error) {
			call := l.c.svc.Files.List().Q(q.String()).PageSize(pageSize).Fields(listFields).Context(ctx)
			if tok != "" {
				call = call.PageToken(tok)
			}
			res, err = nonNil(l.sc.apply(call).Do())
			return err
		})
		p := page{b: b, err: err}
		if err == nil {
			p.files, p.incomplete = res.Files, res.IncompleteSearch
			tok = res.NextPageToken
			p.last = tok == ""
			if err := checkItems(res.Files); err != nil {
				p.err = badReply("list", b.ids[0], "%w", err)
			} else if !p.last {
				if err := seen.next(tok); err != nil {
					p.err = badReply("list", b.ids[0], "%w", err)
				}
			}
		}
		select {
		case l.results <- p:
		case <-ctx.Done():
			return
		}
		if p.err != nil || p.last {
			return
		}
	}
}

// add records an item and queues what it leads to.
func (l *lister) add(t *Tree, a *drive.File) {
	if l.seen[a.Id] {
		return // several parents in different batches
	}
	l.seen[a.Id] = true
	f := fromAPI(a)
	t.Files = append(t.Files, f)
	target := ""
	switch {
	case f.IsFolder():
		target = f.ID
	case l.follow && f.IsShortcut() && f.ShortcutTargetMime == FolderMime:
		target = f.ShortcutTarget
	}
	if target != "" && !l.queued[target] {
		l.queued[target] = true
		l.pending = append(l.pending, target)
	}
}
