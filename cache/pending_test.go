package cache

import (
	"errors"
	"testing"
	"time"
)

func TestUploadQueue(t *testing.T) {
	s := open(t, Options{})
	t0, t1 := time.Unix(1000, 0).UTC(), time.Unix(2000, 0).UTC()
	for _, q := range []struct{ path, reason string }{{"b.txt", "new"}, {"a/x", "modified"}} {
		if err := s.Enqueue(q.path, q.reason, t0); err != nil {
			t.Fatal(err)
		}
	}
	// A failed attempt is recorded; queueing again keeps FirstSeen and Attempts.
	err := s.Update(func(tx *Tx) error {
		p, err := tx.PendingAt("b.txt")
		if err != nil {
			return err
		}
		p.Attempts++
		p.LastError = "quota"
		if err := tx.PutPending(p); err != nil {
			return err
		}
		return tx.Enqueue("b.txt", "modified", t1)
	})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := s.Pending()
	if err != nil {
		t.Fatal(err)
	}
	want := []Pending{
		{Path: "a/x", Reason: "modified", FirstSeen: t0},
		{Path: "b.txt", Reason: "modified", FirstSeen: t0, Attempts: 1, LastError: "quota"},
	}
	if len(ps) != len(want) {
		t.Fatalf("Pending = %+v, want %+v", ps, want)
	}
	for i := range want {
		if ps[i] != want[i] {
			t.Errorf("Pending[%d] = %+v, want %+v", i, ps[i], want[i])
		}
	}
	if err := s.Dequeue("b.txt"); err != nil {
		t.Fatal(err)
	}
	if err := s.Dequeue("b.txt"); err != nil {
		t.Errorf("second Dequeue: %v", err)
	}
	err = s.View(func(tx *Tx) error { _, err := tx.PendingAt("b.txt"); return err })
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("PendingAt after Dequeue: %v, want ErrNotFound", err)
	}
	for _, bad := range []Pending{{Path: ""}, {Path: "."}, {Path: "../x"}, {Path: "x", Attempts: -1}} {
		if err := s.Update(func(tx *Tx) error { return tx.PutPending(bad) }); err == nil {
			t.Errorf("PutPending(%+v) accepted", bad)
		}
	}
}

func FuzzPendingDecode(f *testing.F) {
	f.Add([]byte(`{"path":"a/b","reason":"new","firstSeen":"2024-01-01T00:00:00Z","attempts":2}`))
	f.Add([]byte(`{"path":"../x","attempts":-1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := decodePending(data)
		if err == nil && (!ValidPath(p.Path) || p.Attempts < 0) {
			t.Fatalf("decodePending accepted %+v", p)
		}
	})
}
