package fields

import (
	"slices"
	"strings"
	"testing"
)

// at follows a slash-separated path of Subs from m.
func at(m Mask, path string) Mask {
	if path == "" {
		return m
	}
	for _, name := range strings.Split(path, "/") {
		m = m.Sub(name)
	}
	return m
}

func TestMaskLookups(t *testing.T) {
	tests := []struct {
		spec, path string
		all        bool
		has        string // names Has reports, space-separated, among probe
		names      string // Names(), space-separated
	}{
		{"files(id,name),nextPageToken", "", false, "files nextPageToken", "files nextPageToken"},
		{"files(id,name),nextPageToken", "files", false, "id name", "id name"},
		{"files(id,name),nextPageToken", "files/id", true, "files nextPageToken id name parents owners emailAddress", ""},
		{"files(id,name),nextPageToken", "nextPageToken", true, "files nextPageToken id name parents owners emailAddress", ""},
		{"files(id,name),nextPageToken", "kind", false, "", ""},
		{"files(id,name),nextPageToken", "kind/x", false, "", ""},
		{"files", "files", true, "files nextPageToken id name parents owners emailAddress", ""},
		{"files", "files/owners", true, "files nextPageToken id name parents owners emailAddress", ""},
		{"*", "", true, "files nextPageToken id name parents owners emailAddress", ""},
		{"*", "files/owners", true, "files nextPageToken id name parents owners emailAddress", ""},
		{"files(owners/emailAddress,id)", "files", false, "id owners", "id owners"},
		{"files(owners/emailAddress,id)", "files/owners", false, "emailAddress", "emailAddress"},
		{"files/*/emailAddress", "files", false, "files nextPageToken id name parents owners emailAddress", ""},
		{"files/*/emailAddress", "files/owners", false, "emailAddress", "emailAddress"},
		{"files(*/emailAddress,owners(me))", "files/owners", false, "emailAddress", "emailAddress me"},
		{"files(*/emailAddress,owners(me))", "files/id", false, "emailAddress", "emailAddress"},
		{"", "", false, "", ""},
		{"", "files", false, "", ""},
	}
	probe := []string{"files", "nextPageToken", "id", "name", "parents", "owners", "emailAddress"}
	for _, tt := range tests {
		m, err := Parse(tt.spec)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.spec, err)
		}
		sub := at(m, tt.path)
		if sub.All() != tt.all {
			t.Errorf("%q at %q: All() = %v, want %v", tt.spec, tt.path, sub.All(), tt.all)
		}
		var has []string
		for _, name := range probe {
			if sub.Has(name) {
				has = append(has, name)
			}
		}
		if got := strings.Join(has, " "); got != tt.has {
			t.Errorf("%q at %q: Has true for [%s], want [%s]", tt.spec, tt.path, got, tt.has)
		}
		if got := strings.Join(sub.Names(), " "); got != tt.names {
			t.Errorf("%q at %q: Names() = [%s], want [%s]", tt.spec, tt.path, got, tt.names)
		}
	}
}

// TestFindManyKids covers the binary-search branch of lookups.
func TestFindManyKids(t *testing.T) {
	names := strings.Fields("a b c d e f g h i j k l m n o p")
	m, err := Parse(strings.Join(names, ","))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if !m.Has(n) || !m.Sub(n).All() {
			t.Errorf("Has(%q) = false or Sub not whole", n)
		}
	}
	for _, n := range []string{"", "A", "aa", "q", "0"} {
		if m.Has(n) {
			t.Errorf("Has(%q) = true", n)
		}
	}
	if !slices.Equal(m.Names(), names) {
		t.Errorf("Names() = %q", m.Names())
	}
}

func TestLookupsDoNotAllocate(t *testing.T) {
	m, err := Parse(benchSpec)
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		fm := m.Sub("files")
		for _, name := range driveFileFields {
			if fm.Has(name) {
				fm.Sub(name).All()
			}
		}
		for _, sub := range fm.Fields() {
			sub.Wildcard()
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocs per run, want 0", allocs)
	}
}

func TestFieldsAndWildcard(t *testing.T) {
	tests := []struct {
		spec, path string
		fields     string // name:canonical-sub pairs, then "*:" if Wildcard
		wildcard   bool
	}{
		{"files(id,owners(me)),kind", "", "files:id,owners(me) kind:*", false},
		{"files(id,owners(me)),kind", "files", "id:* owners:me", false},
		{"files(*/me,id)", "files", "id:* *:", true},
		{"files", "files", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		m, err := Parse(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		sub := at(m, tt.path)
		var got []string
		for name, fm := range sub.Fields() {
			got = append(got, name+":"+fm.String())
		}
		if sub.Wildcard() {
			got = append(got, "*:")
		}
		if want := tt.fields; strings.Join(got, " ") != want || sub.Wildcard() != tt.wildcard {
			t.Errorf("%q at %q: Fields %q, Wildcard %v; want %q, %v", tt.spec, tt.path, got, sub.Wildcard(), want, tt.wildcard)
		}
	}
	// Early exit from the iteration.
	n := 0
	for range MustParse("a,b,c").Fields() {
		n++
		break
	}
	if n != 1 {
		t.Errorf("break after first field yielded %d", n)
	}
}
