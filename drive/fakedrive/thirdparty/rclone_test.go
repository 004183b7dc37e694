package thirdparty

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// seedFiles is the tree `fake-drive --seed` serves: nested folders, unicode
// names, an empty file and random content of several sizes.
func seedFiles() (map[string][]byte, []string) {
	return map[string][]byte{
			"readme.txt":                              []byte("drivesync third-party client test\n"),
			"empty.bin":                               {},
			"données/résumé.pdf":                      randomBytes(1, 20<<10),
			"données/日本語 ファイル.txt":                    randomBytes(2, 3000),
			"données/deep/er/nested/🎉 party.bin":      randomBytes(3, 300<<10),
			"photos 2024/img_001.jpg":                 randomBytes(4, 1<<20+123),
			"photos 2024/img_002.jpg":                 randomBytes(5, 64<<10),
			"photos 2024/Ünïcödé & spaces (copy).dat": randomBytes(6, 777),
		}, []string{
			"empty folder",
		}
}

// TestRclone drives the real `drivesync fake-drive` with rclone, a Drive
// client we cannot change: its API and OAuth hosts are Google's, reached
// through a TLS-terminating loopback proxy.
func TestRclone(t *testing.T) {
	rcloneBin, err := exec.LookPath("rclone")
	if err != nil {
		t.Skip("rclone is not installed (Debian package rclone; .ci/run installs it when apt works): skipping the third-party client test")
	}
	if testing.Short() {
		t.Skip("-short: skipping the third-party client test (builds drivesync, runs rclone)")
	}
	bin := buildDrivesync(t)
	seed := t.TempDir()
	files, dirs := seedFiles()
	mtime := time.Date(2023, 5, 6, 7, 8, 9, 123456789, time.UTC)
	writeTree(t, seed, files, dirs, mtime)
	want := walkLocal(t, seed)

	emu := startEmulator(t, bin, seed)
	proxy := newMITMProxy(t, emu.base)
	// An expired access token: rclone's first call refreshes it at
	// https://oauth2.googleapis.com/token, through the proxy.
	tok := *emu.token
	tok.Expiry = time.Now().Add(-time.Hour)
	rc := newRclone(t, rcloneBin, emu, proxy, rcloneToken(&tok))

	var listed map[string]lsEntry
	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow()
		}
	}

	step("list recursively with md5", func(t *testing.T) {
		listed = rc.lsjson("-R", "--hash", remote)
		compareListing(t, listed, want)
		// --fast-list asks for many folders at once: q is an "or" of
		// "'ID' in parents" terms, answered in pages.
		compareListing(t, rc.lsjson("-R", "--hash", "--fast-list", remote), want)
	})

	step("refreshed the expired token", func(t *testing.T) {
		conf, err := os.ReadFile(rc.conf)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(conf, []byte(tok.AccessToken)) {
			t.Fatalf("rclone still holds the expired access token; config:\n%s", conf)
		}
	})

	out := t.TempDir()
	step("download everything", func(t *testing.T) {
		rc.must("copy", remote, out)
		got := walkLocal(t, out)
		for p, w := range want {
			if w.isDir {
				continue
			}
			if g, ok := got[p]; !ok || g.isDir || g.md5 != w.md5 || g.size != w.size {
				t.Errorf("%q: downloaded %+v, want size %d md5 %s", p, g, w.size, w.md5)
			}
		}
		for p, g := range got {
			if w, ok := want[p]; !g.isDir && (!ok || w.isDir) {
				t.Errorf("%q: downloaded but never seeded", p)
			}
		}
	})

	up := t.TempDir()
	small, big := "small ünï.bin", "big 40MiB.bin"
	writeTree(t, up, map[string][]byte{small: randomBytes(7, 300<<10), big: randomBytes(8, 40<<20)}, nil, mtime)
	var ids map[string]string
	step("upload small (multipart) and large (resumable)", func(t *testing.T) {
		// The large one first: a multipart upload after resumable chunks
		// on the same path must still be a multipart upload.
		for _, u := range []struct {
			name           string
			minChunks, max int64
		}{{big, 5, 6}, {small, 0, 0}} {
			before := emu.stats(t)
			rc.must("copyto", filepath.Join(up, u.name), remote+"uploads/"+u.name)
			after := emu.stats(t)
			if n := after["files.create.upload"] - before["files.create.upload"]; n != 1 {
				t.Errorf("%q: %d upload requests (POST /upload/drive/v3/files without upload_id), want 1", u.name, n)
			}
			if n := after["upload.chunk"] - before["upload.chunk"]; n < u.minChunks || n > u.max {
				t.Errorf("%q: %d resumable chunks, want %d to %d (8 MiB chunks)", u.name, n, u.minChunks, u.max)
			}
		}
		ids = checkUploaded(t, rc, emu, remote+"uploads", walkLocal(t, up))
	})

	step("overwrite keeps the file IDs", func(t *testing.T) {
		later := mtime.Add(48 * time.Hour)
		writeTree(t, up, map[string][]byte{small: randomBytes(9, 200<<10), big: randomBytes(10, 17<<20+5)}, nil, later)
		before := emu.stats(t)
		rc.must("copy", up, remote+"uploads")
		after := emu.stats(t)
		if n := after["files.update.upload"] - before["files.update.upload"]; n != 2 {
			t.Errorf("%d update uploads (PATCH /upload/drive/v3/files/ID), want 2", n)
		}
		if n := after["files.create.upload"] - before["files.create.upload"]; n != 0 {
			t.Errorf("%d new files uploaded, want 0: rclone should update in place", n)
		}
		now := checkUploaded(t, rc, emu, remote+"uploads", walkLocal(t, up))
		for name, id := range ids {
			if now[name] != id {
				t.Errorf("%q: ID %s after overwrite, want %s kept", name, now[name], id)
			}
		}
	})

	trashed := []string{"readme.txt", "photos 2024/img_001.jpg", "photos 2024/img_002.jpg", "photos 2024/Ünïcödé & spaces (copy).dat"}
	step("delete moves to the trash", func(t *testing.T) {
		rc.must("deletefile", remote+"readme.txt")
		rc.must("delete", remote+"photos 2024")
		for _, p := range trashed {
			f := emu.file(t, listed[p].ID) // still there: trashed, not deleted
			if !f.Trashed || !f.ExplicitlyTrashed {
				t.Errorf("%q: trashed=%v explicitlyTrashed=%v after rclone delete, want both true", p, f.Trashed, f.ExplicitlyTrashed)
			}
		}
		now := rc.lsjson("-R", remote)
		for _, p := range trashed {
			if _, ok := now[p]; ok {
				t.Errorf("%q: still listed after rclone delete", p)
			}
		}
		if _, ok := now["données/résumé.pdf"]; !ok {
			t.Error("données/résumé.pdf vanished: delete reached too far")
		}
	})

	step("check local against remote", func(t *testing.T) {
		for name := range walkLocal(t, up) {
			copyFile(t, filepath.Join(up, name), filepath.Join(out, "uploads", name))
		}
		for _, p := range trashed {
			if err := os.Remove(filepath.Join(out, filepath.FromSlash(p))); err != nil {
				t.Fatal(err)
			}
		}
		rc.must("check", out, remote)

		// Control: a same-size change is only found through the md5s, so
		// check must now fail, naming the file.
		bad := filepath.Join(out, "données", "résumé.pdf")
		data, err := os.ReadFile(bad)
		if err != nil {
			t.Fatal(err)
		}
		data[len(data)/2] ^= 0xff
		if err := os.WriteFile(bad, data, 0o644); err != nil {
			t.Fatal(err)
		}
		mark := len(rc.log.String())
		if _, err := rc.run("check", out, remote); err == nil {
			t.Fatal("rclone check passed with a corrupted local file: md5s are not being compared")
		}
		if log := rc.log.String()[mark:]; !strings.Contains(log, "ERROR : données/résumé.pdf: md5 differ") ||
			!strings.Contains(log, "1 differences found") {
			t.Error("rclone check failed, but not on résumé.pdf's md5 alone")
		}
	})
}

// compareListing checks an `rclone lsjson -R --hash` listing against the
// seeded tree: the same paths, kinds, sizes, md5s and modification times
// (Drive keeps milliseconds).
func compareListing(t *testing.T, listed map[string]lsEntry, want map[string]localEntry) {
	t.Helper()
	for p, w := range want {
		got, ok := listed[p]
		switch {
		case !ok:
			t.Errorf("%q: seeded but not listed", p)
		case got.IsDir != w.isDir:
			t.Errorf("%q: IsDir %v, want %v", p, got.IsDir, w.isDir)
		case w.isDir:
		case got.Size != w.size || got.Hashes["md5"] != w.md5:
			t.Errorf("%q: size %d md5 %q, want %d %q", p, got.Size, got.Hashes["md5"], w.size, w.md5)
		case !got.ModTime.Equal(w.mtime.Truncate(time.Millisecond)):
			t.Errorf("%q: modified %s, want %s", p, got.ModTime, w.mtime.Truncate(time.Millisecond))
		}
	}
	for p := range listed {
		if _, ok := want[p]; !ok {
			t.Errorf("%q: listed but never seeded", p)
		}
	}
}

// checkUploaded checks that folder on the remote holds exactly the files
// in want, as rclone lists them (size, md5, modification time), as the
// emulator reports them (md5Checksum, size) and as `rclone md5sum` sums
// them. It returns the files' IDs by name.
func checkUploaded(t *testing.T, rc *rclone, emu *emulator, folder string, want map[string]localEntry) map[string]string {
	t.Helper()
	ls := rc.lsjson("--hash", folder)
	compareListing(t, ls, want)
	ids := map[string]string{}
	for name, w := range want {
		e, ok := ls[name]
		if !ok {
			continue
		}
		ids[name] = e.ID
		f := emu.file(t, e.ID)
		if f.MD5 != w.md5 || f.Size != strconv.FormatInt(w.size, 10) || f.Name != name {
			t.Errorf("%q: the emulator holds name %q size %s md5 %s, want size %d md5 %s", name, f.Name, f.Size, f.MD5, w.size, w.md5)
		}
	}
	sums := parseSums(t, rc.must("md5sum", folder))
	for name, w := range want {
		if sums[name] != w.md5 {
			t.Errorf("rclone md5sum %q = %q, want %s", name, sums[name], w.md5)
		}
	}
	if len(sums) != len(want) {
		t.Errorf("rclone md5sum listed %d files, want %d", len(sums), len(want))
	}
	return ids
}

// parseSums reads `rclone md5sum` output: "<md5>  <path>" lines.
func parseSums(t *testing.T, out []byte) map[string]string {
	t.Helper()
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("rclone md5sum line %q: want '<md5>  <path>'", sc.Text())
		}
		m[name] = sum
	}
	return m
}
