package fakedrive

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// snapshot is the persisted form of a drive (content lives in blobs/).
type snapshot struct {
	RootID  string         `json:"rootId"`
	Files   []*file        `json:"files"`
	Drives  []*sharedDrive `json:"drives"`
	Changes []change       `json:"changes"`
	NextSeq int64          `json:"nextSeq"`
}

// persister writes the drive's metadata to StateDir/drive.json after
// changes, at most every saveEvery, and once more on close. Writes are
// temp file + rename, so a crash leaves the previous snapshot whole.
type persister struct {
	path string
	st   *store
	log  *slog.Logger
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
	once sync.Once
	err  error
}

const saveEvery = 200 * time.Millisecond

func openPersister(dir string, st *store, log *slog.Logger) (*persister, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("fakedrive: state dir: %w", err)
	}
	p := &persister{path: filepath.Join(dir, "drive.json"), st: st, log: log,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if err := p.load(); err != nil {
		return nil, err
	}
	st.dirty = func() {
		select {
		case p.kick <- struct{}{}:
		default:
		}
	}
	go p.loop()
	return p, nil
}

func (p *persister) load() error {
	data, err := os.ReadFile(p.path)
	if errors.Is(err, os.ErrNotExist) {
		return p.save()
	}
	if err != nil {
		return fmt.Errorf("fakedrive: state: %w", err)
	}
	var snap snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return fmt.Errorf("fakedrive: state %s: %w", p.path, err)
	}
	st := p.st
	st.rootID = snap.RootID
	st.files = map[string]*file{}
	st.children = map[string]map[string]struct{}{}
	for _, f := range snap.Files {
		if err := st.blobs.attach(f.Head); err != nil {
			return err
		}
		st.insert(f)
		st.used += size(f)
	}
	if st.files[st.rootID] == nil {
		return fmt.Errorf("fakedrive: state %s: My Drive's root %q is missing", p.path, st.rootID)
	}
	for _, d := range snap.Drives {
		st.drives[d.ID] = d
	}
	st.changes = snap.Changes
	for i, c := range st.changes {
		st.changeIdx[c.FileID] = i
	}
	st.nextSeq = snap.NextSeq
	return nil
}

func (p *persister) loop() {
	defer close(p.done)
	for {
		select {
		case <-p.stop:
			return
		case <-p.kick:
		}
		if err := p.save(); err != nil {
			p.log.Error("fakedrive: save state", "err", err)
		}
		select {
		case <-p.stop:
			return
		case <-time.After(saveEvery):
		}
	}
}

func (p *persister) save() error {
	p.st.mu.RLock()
	snap := snapshot{RootID: p.st.rootID, NextSeq: p.st.nextSeq}
	for _, f := range p.st.files {
		snap.Files = append(snap.Files, f)
	}
	for _, d := range p.st.drives {
		snap.Drives = append(snap.Drives, d)
	}
	for _, c := range p.st.changes {
		if !c.dead {
			snap.Changes = append(snap.Changes, c)
		}
	}
	data, err := json.Marshal(&snap)
	p.st.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("fakedrive: state: %w", err)
	}
	tmp := p.path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("fakedrive: state: %w", err)
	}
	if err := os.Rename(tmp, p.path); err != nil {
		return fmt.Errorf("fakedrive: state: %w", err)
	}
	return nil
}

func (p *persister) close() error {
	p.once.Do(func() {
		close(p.stop)
		<-p.done
		p.err = p.save()
	})
	return p.err
}
