package drive

import (
	"errors"
	"fmt"

	drive "google.golang.org/api/drive/v3"
)

// Drive's replies are decoded by the official client, which accepts any
// JSON that fits the types: a null item, an item without an ID, a page
// token sent again, a last page of changes without the token to go on
// from. Each would crash a caller, loop forever or lose the changes feed's
// place, so the calls that read items check them here and fail with
// ErrBadReply instead (retryable: a proxy that mangled one reply may not
// mangle the next).

// badReply is the error for a reply that breaks the API's promises.
func badReply(op, target, format string, args ...any) error {
	return &Error{Op: op, Target: target, Err: fmt.Errorf(format, args...), kind: ErrBadReply, retry: true}
}

// checkItem checks one item of a reply: present and with an ID.
func checkItem(a *drive.File) error {
	switch {
	case a == nil:
		return fmt.Errorf("an item is null")
	case a.Id == "":
		return fmt.Errorf("item %q has no ID", a.Name)
	}
	return nil
}

// checkItems checks every item of a page.
func checkItems(files []*drive.File) error {
	for _, a := range files {
		if err := checkItem(a); err != nil {
			return err
		}
	}
	return nil
}

// checkChange checks one entry of a changes page.
func checkChange(ch *drive.Change) error {
	switch {
	case ch == nil:
		return fmt.Errorf("a change is null")
	case ch.FileId == "" && (ch.ChangeType == "" || ch.ChangeType == "file"):
		return fmt.Errorf("a change has no file ID")
	case ch.File != nil && !ch.Removed:
		if err := checkItem(ch.File); err != nil {
			return fmt.Errorf("change of %s: %w", ch.FileId, err)
		}
		if ch.File.Id != ch.FileId {
			return fmt.Errorf("change of %s carries file %s", ch.FileId, ch.File.Id)
		}
	}
	return nil
}

// tokens remembers the page tokens of one paged call, to stop a server
// that sends one again from keeping the client paging forever.
type tokens map[string]bool

// next records tok as followed and reports an error if it was before.
func (t tokens) next(tok string) error {
	if t[tok] {
		return fmt.Errorf("page token %q sent again", tok)
	}
	t[tok] = true
	return nil
}

// nonNil turns a reply of JSON null, which the official client decodes as
// a nil result and no error, into an error.
func nonNil[T any](v *T, err error) (*T, error) {
	if err == nil && v == nil {
		return nil, errNullReply
	}
	return v, err
}

// errNullReply is classified as ErrBadReply (retryable) by classify, so
// the caller's wrap names the call.
var errNullReply = errors.New("the reply is null")
