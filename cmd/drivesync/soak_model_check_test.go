package main

import (
	"strings"
	"testing"
)

// TestSoakModelCheck: the soak's verdict catches every kind of loss and
// corruption it exists to catch (a checker that always passes would make
// the soak prove nothing).
func TestSoakModelCheck(t *testing.T) {
	tree := func(kv ...string) soakTree {
		t.Helper()
		st := newSoakTree()
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "/" {
				st.dirs[kv[i]] = true
			} else {
				st.files[kv[i]] = kv[i+1]
			}
		}
		return st
	}
	model := func(conflicts []soakConflict, kv ...string) *soakModel {
		m := newSoakModel()
		m.want = tree(kv...)
		m.conflicts = conflicts
		for _, sum := range []string{"a", "b", "c", "l", "w"} {
			m.written[sum] = true
		}
		return m
	}
	base := []string{"d", "/", "d/x", "a", "y", "b"}
	conflict := []soakConflict{{path: "d/x.h5", winner: "w", loser: "l"}}
	copyName := "d/x.conflict-20261127-101010-host.h5"
	tests := []struct {
		name          string
		m             *soakModel
		local, remote soakTree
		want          string // substring of the verdict; "" = pass
	}{
		{"equal", model(nil, base...), tree(base...), tree(base...), ""},
		{"missing on both sides", model(nil, base...), tree("d", "/", "d/x", "a"), tree("d", "/", "d/x", "a"), "y: in the model"},
		{"missing on Drive", model(nil, base...), tree(base...), tree("d", "/", "d/x", "a"), "missing in Drive"},
		{"stale content", model(nil, base...), tree("d", "/", "d/x", "c", "y", "b"), tree("d", "/", "d/x", "c", "y", "b"), "md5 a in the model, c in the mirror"},
		{"extra file", model(nil, base...), tree(append(base, "z", "c")...), tree(append(base, "z", "c")...), "z: in the mirror"},
		{"corrupt", model(nil, base...), tree("d", "/", "d/x", "zz", "y", "b"), tree("d", "/", "d/x", "zz", "y", "b"), "never wrote"},
		{"folder missing", model(nil, base...), tree("d/x", "a", "y", "b"), tree("d/x", "a", "y", "b"), "d/: folder in the model"},
		{"conflict resolved", model(conflict, "d", "/"), tree("d", "/", "d/x.h5", "w", copyName, "l"), tree("d", "/", "d/x.h5", "w", copyName, "l"), ""},
		{"conflict on a dot file", model([]soakConflict{{path: "d/.x", winner: "w", loser: "l"}}, "d", "/"), tree("d", "/", "d/.x", "w", "d/.x.conflict-20261127-101010-host", "l"), tree("d", "/", "d/.x", "w", "d/.x.conflict-20261127-101010-host", "l"), ""},
		{"conflict copy lost", model(conflict, "d", "/"), tree("d", "/", "d/x.h5", "w"), tree("d", "/", "d/x.h5", "w"), "no conflict copy"},
		{"conflict copy elsewhere", model(conflict, "d", "/", "e", "/"), tree("d", "/", "e", "/", "d/x.h5", "w", "e/x.conflict-20261127-101010-host.h5", "l"), tree("d", "/", "e", "/", "d/x.h5", "w", "e/x.conflict-20261127-101010-host.h5", "l"), "no conflict copy"},
		{"conflict winner wrong", model(conflict, "d", "/"), tree("d", "/", "d/x.h5", "l", copyName, "l"), tree("d", "/", "d/x.h5", "l", copyName, "l"), "md5 w in the model, l in the mirror"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.m.check(tc.local, tc.remote)
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Fatalf("check = %q, want %q", got, tc.want)
			}
			if tc.want == "" && (len(tc.m.conflicts) != 0 || tc.m.want.diff(tc.local, "model", "mirror") != "") {
				t.Errorf("after a pass the model should hold the mirror (conflict copies included): %+v", tc.m.want)
			}
		})
	}
}
