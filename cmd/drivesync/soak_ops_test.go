package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The soak driver's edits: each one is made on one side (the mirror
// folder, as a person or a training script would, or Drive, through the
// official client as another machine would) and applied to the model.

type soakSide int

const (
	sideLocal soakSide = iota
	sideRemote
)

func (sd soakSide) String() string { return [...]string{"local", "Drive"}[sd] }

// randomOp makes one random edit on side below the top-level folders it
// owns this round.
func (s *soak) randomOp(side soakSide, tops []string) {
	var files, dirs, subs []string
	for _, t := range tops {
		f, d := s.model.want.under(t)
		files = append(files, f...)
		dirs = append(dirs, d...)
		for _, x := range d {
			if x != t {
				subs = append(subs, x)
			}
		}
	}
	pick := func(l []string) string { return l[s.rng.IntN(len(l))] }
	kinds := []string{"create", "create", "create", "edit", "edit", "edit", "rename", "move", "delete", "mkdir", "rmdir", "rename folder"}
	kind := pick(kinds)
	switch {
	case len(files) == 0 && kind != "mkdir":
		kind = "create"
	case len(subs) == 0 && (kind == "rmdir" || kind == "rename folder"):
		kind = "mkdir"
	}
	s.ops[kind]++
	switch kind {
	case "create":
		p := joinRel(pick(dirs), s.newName())
		c := s.content(true)
		s.write(side, p, c, true)
		s.model.want.files[p] = md5Hex(c)
	case "edit":
		p := pick(files)
		c := s.content(true)
		s.write(side, p, c, false)
		s.model.want.files[p] = md5Hex(c)
	case "rename":
		p := pick(files)
		s.move(side, p, joinRel(parentOf(p), s.newName()))
	case "move":
		p := pick(files)
		to := pick(dirs)
		if to == parentOf(p) {
			to = pick(dirs)
		}
		s.move(side, p, joinRel(to, filepath.Base(p)))
	case "delete":
		p := pick(files)
		s.remove(side, p)
	case "mkdir":
		parent := pick(dirs)
		if strings.Count(parent, "/") >= 2 {
			parent = tops[0]
		}
		d := joinRel(parent, s.newDirName())
		if side == sideLocal {
			s.localMkdir(d)
		} else {
			s.remoteMkdir(d)
		}
		s.model.want.dirs[d] = true
	case "rmdir":
		d := pick(subs)
		if f, _ := s.model.want.under(d); len(f) > 6 { // keep clear of the mass-delete guard
			s.ops[kind]--
			return
		}
		s.remove(side, d)
	case "rename folder":
		d := pick(subs)
		s.move(side, d, joinRel(parentOf(d), s.newDirName()))
	}
}

// move renames (or moves) a file or folder on side, and in the model. A
// name already taken gets a fresh one.
func (s *soak) move(side soakSide, from, to string) {
	if _, ok := s.model.want.files[to]; ok || s.model.want.dirs[to] {
		to = joinRel(parentOf(to), s.newName())
	}
	if side == sideLocal {
		s.localMove(from, to)
	} else {
		s.remoteMove(from, to)
	}
	s.model.want.move(from, to)
}

func (s *soak) remove(side soakSide, p string) {
	if side == sideLocal {
		s.localRemove(p)
	} else {
		s.remoteTrash(p)
	}
	s.model.want.remove(p)
}

func (s *soak) write(side soakSide, p string, c []byte, create bool) {
	if side == sideLocal {
		s.localWrite(p, c)
	} else {
		s.remoteWrite(p, c, create)
	}
}

// content is a new file's bytes, unique to this write (so an md5 names
// one write): mostly small, some of a few hundred KiB and, when big may
// and no large file was written this round, one of 9–14 MiB, above the
// client's resumable-upload threshold.
func (s *soak) content(big bool) []byte {
	s.seq++
	n := s.rng.IntN(4 << 10)
	switch r := s.rng.IntN(100); {
	case big && s.big == 0 && r < 8:
		n = 9<<20 + s.rng.IntN(5<<20)
		s.big++
		s.ops["large file"]++
	case r < 30:
		n = 4<<10 + s.rng.IntN(400<<10)
	}
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := s.rng.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b = append(fmt.Appendf(nil, "soak %d write %d\n", s.seed, s.seq), b...)
	s.model.written[md5Hex(b)] = true
	return b
}

// newName is a file name not used before: plain, hidden, or with spaces
// and non-ASCII letters, with one of a few extensions.
func (s *soak) newName() string {
	s.seq++
	ext := []string{".bin", ".txt", ".h5", ".jpg", ""}[s.rng.IntN(5)]
	switch s.rng.IntN(8) {
	case 0:
		return fmt.Sprintf(".hidden %d%s", s.seq, ext)
	case 1:
		return fmt.Sprintf("Prüfung 数据 %d%s", s.seq, ext)
	}
	return fmt.Sprintf("f%05d%s", s.seq, ext)
}

func (s *soak) newDirName() string {
	s.seq++
	return fmt.Sprintf("d%05d", s.seq)
}

// filesUnder lists the model's files at or below dir.
func (s *soak) filesUnder(dir string) []string {
	if dir == "" {
		return slices.Sorted(func(yield func(string) bool) {
			for p := range s.model.want.files {
				if !yield(p) {
					return
				}
			}
		})
	}
	f, _ := s.model.want.under(dir)
	return f
}

// Local edits.

func (s *soak) local(p string) string { return filepath.Join(s.dir, filepath.FromSlash(p)) }

// localWrite writes c at p in one of the ways programs do: in place
// (truncate and write, in chunks with pauses for a large file, like a
// checkpoint being saved) or to a temp file renamed over p.
func (s *soak) localWrite(p string, c []byte) {
	dst := s.local(p)
	s.note("local write %s (%d bytes, md5 %s)", p, len(c), md5Hex(c))
	if len(c) > 1<<20 || s.rng.IntN(2) == 0 {
		f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			s.fatalf("local write %s: %v", p, err)
		}
		for rest := c; len(rest) > 0; {
			n := min(len(rest), 4<<20)
			if _, err := f.Write(rest[:n]); err != nil {
				s.fatalf("local write %s: %v", p, err)
			}
			rest = rest[n:]
			if len(rest) > 0 {
				time.Sleep(50 * time.Millisecond)
			}
		}
		if err := f.Close(); err != nil {
			s.fatalf("local write %s: %v", p, err)
		}
		return
	}
	tmp := filepath.Join(filepath.Dir(dst), fmt.Sprintf(".~%d.tmp", s.seq))
	if err := os.WriteFile(tmp, c, 0o644); err != nil {
		s.fatalf("local write %s: %v", p, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		s.fatalf("local write %s: %v", p, err)
	}
}

func (s *soak) localMove(from, to string) {
	s.note("local move %s -> %s", from, to)
	if err := os.Rename(s.local(from), s.local(to)); err != nil {
		s.fatalf("local move: %v", err)
	}
}

func (s *soak) localRemove(p string) {
	s.note("local delete %s", p)
	if err := os.RemoveAll(s.local(p)); err != nil {
		s.fatalf("local delete: %v", err)
	}
}

func (s *soak) localMkdir(d string) {
	s.note("local mkdir %s", d)
	if err := os.Mkdir(s.local(d), 0o755); err != nil {
		s.fatalf("local mkdir: %v", err)
	}
}

// Drive edits, through the official client (it retries the injected
// faults like any client; the driver gives up only if it cannot).

func (s *soak) resolve(p string) string {
	if p == "" {
		return s.rootID
	}
	f, err := s.c.ResolvePath(s.ctx, s.rootID, p)
	if err != nil {
		s.fatalf("Drive: resolve %s: %v", p, err)
	}
	return f.ID
}

func (s *soak) remoteWrite(p string, c []byte, create bool) {
	s.note("Drive write %s (%d bytes, md5 %s, new %v)", p, len(c), md5Hex(c), create)
	src := filepath.Join(s.scratch, "upload")
	if err := os.WriteFile(src, c, 0o644); err != nil {
		s.t.Fatal(err)
	}
	var err error
	if create {
		_, err = s.c.Create(s.ctx, s.resolve(parentOf(p)), filepath.Base(p), src)
	} else {
		_, err = s.c.Update(s.ctx, s.resolve(p), src)
	}
	if err != nil {
		s.fatalf("Drive write %s: %v", p, err)
	}
}

func (s *soak) remoteMove(from, to string) {
	s.note("Drive move %s -> %s", from, to)
	id := s.resolve(from)
	fromDir, toDir := parentOf(from), parentOf(to)
	var err error
	if fromDir == toDir {
		_, err = s.c.Move(s.ctx, id, "", "", filepath.Base(to))
	} else {
		_, err = s.c.Move(s.ctx, id, s.resolve(fromDir), s.resolve(toDir), filepath.Base(to))
	}
	if err != nil {
		s.fatalf("Drive move %s -> %s: %v", from, to, err)
	}
}

func (s *soak) remoteTrash(p string) {
	s.note("Drive trash %s", p)
	if _, err := s.c.Trash(s.ctx, s.resolve(p)); err != nil {
		s.fatalf("Drive trash %s: %v", p, err)
	}
}

func (s *soak) remoteMkdir(d string) {
	s.note("Drive mkdir %s", d)
	if _, err := s.c.Mkdir(s.ctx, s.resolve(parentOf(d)), filepath.Base(d)); err != nil {
		s.fatalf("Drive mkdir %s: %v", d, err)
	}
}
