package query

import (
	"strconv"
	"time"
)

// field is a query term (the left-hand side of a comparison).
type field uint8

const (
	fName field = iota
	fFullText
	fMimeType
	fModifiedTime
	fViewedByMeTime
	fCreatedTime
	fTrashed
	fStarred
	fSharedWithMe
	fHidden
	fParents
	fOwners
	fWriters
	fReaders
	fProperties
	fAppProperties
	fVisibility
	fShortcutTarget
	fMemberCount
	fOrganizerCount
)

// kind is the type of value a term compares against.
type kind uint8

const (
	kString     kind = iota // 'text'
	kBool                   // true | false
	kTime                   // 'RFC 3339'
	kInt                    // 42
	kCollection             // 'x' in term
	kMap                    // term has { key='k' and value='v' }
)

type termInfo struct {
	name string
	kind kind
	ops  []op // valid comparison operators (kString/kBool/kTime/kInt)
}

var (
	opsEquality = []op{opEq, opNe}
	opsString   = []op{opContains, opEq, opNe}
	opsOrdered  = []op{opLt, opLe, opEq, opNe, opGt, opGe}
)

var terms = [...]termInfo{
	fName:           {"name", kString, opsString},
	fFullText:       {"fullText", kString, []op{opContains}},
	fMimeType:       {"mimeType", kString, opsString},
	fModifiedTime:   {"modifiedTime", kTime, opsOrdered},
	fViewedByMeTime: {"viewedByMeTime", kTime, opsOrdered},
	fCreatedTime:    {"createdTime", kTime, opsOrdered},
	fTrashed:        {"trashed", kBool, opsEquality},
	fStarred:        {"starred", kBool, opsEquality},
	fSharedWithMe:   {"sharedWithMe", kBool, opsEquality},
	fHidden:         {"hidden", kBool, opsEquality},
	fParents:        {"parents", kCollection, nil},
	fOwners:         {"owners", kCollection, nil},
	fWriters:        {"writers", kCollection, nil},
	fReaders:        {"readers", kCollection, nil},
	fProperties:     {"properties", kMap, nil},
	fAppProperties:  {"appProperties", kMap, nil},
	fVisibility:     {"visibility", kString, opsEquality},
	fShortcutTarget: {"shortcutDetails.targetId", kString, opsEquality},
	fMemberCount:    {"memberCount", kInt, opsOrdered},
	fOrganizerCount: {"organizerCount", kInt, opsOrdered},
}

func (f field) String() string { return terms[f].name }

// Dialect selects which list's terms a query may use.
type dialect uint8

const (
	filesDialect dialect = iota
	drivesDialect
)

var dialectTerms = [...][]field{
	filesDialect: {fName, fFullText, fMimeType, fModifiedTime, fViewedByMeTime, fCreatedTime,
		fTrashed, fStarred, fSharedWithMe, fParents, fOwners, fWriters, fReaders,
		fProperties, fAppProperties, fVisibility, fShortcutTarget},
	drivesDialect: {fName, fHidden, fCreatedTime, fMemberCount, fOrganizerCount},
}

var dialectName = [...]string{filesDialect: "files.list", drivesDialect: "drives.list"}

// lookupTerm finds a term by its exact (case-sensitive) name.
func lookupTerm(name string) (field, bool) {
	for f := range terms {
		if terms[f].name == name {
			return field(f), true
		}
	}
	return 0, false
}

func (d dialect) allows(f field) bool {
	for _, g := range dialectTerms[d] {
		if g == f {
			return true
		}
	}
	return false
}

// visibilities are the values of the visibility term.
var visibilities = []string{"anyoneCanFind", "anyoneWithLink", "domainCanFind", "domainWithLink", "limited"}

// nameTerm: name = | != | contains 'v'.
type nameTerm struct {
	op op
	v  string
}

func (t *nameTerm) Eval(s *Subject, _ *Env) bool {
	switch t.op {
	case opEq:
		return equalFold(s.Name, t.v)
	case opNe:
		return !equalFold(s.Name, t.v)
	default:
		return wordPrefixFold(s.Name, t.v)
	}
}

func (t *nameTerm) String() string { return "name " + t.op.String() + " " + quote(t.v) }

// mimeTerm: mimeType = | != | contains 'v'.
type mimeTerm struct {
	op op
	v  string
}

func (t *mimeTerm) Eval(s *Subject, _ *Env) bool {
	switch t.op {
	case opEq:
		return equalFold(s.MimeType, t.v)
	case opNe:
		return !equalFold(s.MimeType, t.v)
	default:
		return containsFold(s.MimeType, t.v)
	}
}

func (t *mimeTerm) String() string { return "mimeType " + t.op.String() + " " + quote(t.v) }

// fullTextTerm: fullText contains 'v'; toks are v's tokens, phrase says v
// was wrapped in double quotes.
type fullTextTerm struct {
	v      string
	toks   []string
	phrase bool
}

func (t *fullTextTerm) Eval(s *Subject, _ *Env) bool {
	if len(t.toks) == 0 {
		return false
	}
	if t.phrase {
		return hasPhrase(s.Name, t.toks) || hasPhrase(s.Description, t.toks) ||
			hasPhrase(s.IndexableText, t.toks)
	}
	for _, tok := range t.toks {
		if !hasToken(s.Name, tok) && !hasToken(s.Description, tok) && !hasToken(s.IndexableText, tok) {
			return false
		}
	}
	return true
}

func (t *fullTextTerm) String() string { return "fullText contains " + quote(t.v) }

// exactTerm: shortcutDetails.targetId | visibility = | != 'v', exact.
type exactTerm struct {
	f  field
	op op
	v  string
}

func (t *exactTerm) Eval(s *Subject, _ *Env) bool {
	got := s.ShortcutTargetID
	if t.f == fVisibility {
		got = s.Visibility
	}
	return (got == t.v) == (t.op == opEq)
}

func (t *exactTerm) String() string { return t.f.String() + " " + t.op.String() + " " + quote(t.v) }

// boolTerm: trashed | starred | sharedWithMe | hidden = | != true|false.
type boolTerm struct {
	f  field
	op op
	v  bool
}

func (t *boolTerm) Eval(s *Subject, _ *Env) bool {
	var got bool
	switch t.f {
	case fTrashed:
		got = s.Trashed
	case fStarred:
		got = s.Starred
	case fSharedWithMe:
		got = s.SharedWithMe
	case fHidden:
		got = s.Hidden
	}
	return (got == t.v) == (t.op == opEq)
}

func (t *boolTerm) String() string {
	return t.f.String() + " " + t.op.String() + " " + strconv.FormatBool(t.v)
}

// timeTerm: modifiedTime | viewedByMeTime | createdTime op 'date'. v is UTC.
type timeTerm struct {
	f  field
	op op
	v  time.Time
}

func (t *timeTerm) Eval(s *Subject, _ *Env) bool {
	var got time.Time
	switch t.f {
	case fModifiedTime:
		got = s.ModifiedTime
	case fViewedByMeTime:
		got = s.ViewedByMeTime
	case fCreatedTime:
		got = s.CreatedTime
	}
	if got.IsZero() {
		return false
	}
	return t.op.cmp(got.Compare(t.v))
}

func (t *timeTerm) String() string {
	return t.f.String() + " " + t.op.String() + " " + quote(t.v.Format(time.RFC3339Nano))
}

// intTerm: memberCount | organizerCount op n.
type intTerm struct {
	f  field
	op op
	v  int64
}

func (t *intTerm) Eval(s *Subject, _ *Env) bool {
	got := s.MemberCount
	if t.f == fOrganizerCount {
		got = s.OrganizerCount
	}
	c := 0
	if got < t.v {
		c = -1
	} else if got > t.v {
		c = 1
	}
	return t.op.cmp(c)
}

func (t *intTerm) String() string {
	return t.f.String() + " " + t.op.String() + " " + strconv.FormatInt(t.v, 10)
}

// inTerm: 'v' in parents | owners | writers | readers.
type inTerm struct {
	f field
	v string
}

func (t *inTerm) Eval(s *Subject, env *Env) bool {
	if t.f == fParents {
		for _, p := range s.Parents {
			if p == t.v || (t.v == "root" && env != nil && env.RootID != "" && p == env.RootID) {
				return true
			}
		}
		return false
	}
	who := t.v
	if who == "me" {
		if env == nil || env.Me == "" {
			return false
		}
		who = env.Me
	}
	// Roles nest: an owner can write, a writer can read.
	if anyFold(s.Owners, who) {
		return true
	}
	if t.f == fOwners {
		return false
	}
	if anyFold(s.Writers, who) {
		return true
	}
	return t.f == fReaders && anyFold(s.Readers, who)
}

func (t *inTerm) String() string { return quote(t.v) + " in " + t.f.String() }

func anyFold(list []string, v string) bool {
	for _, x := range list {
		if equalFold(x, v) {
			return true
		}
	}
	return false
}

// hasTerm: properties | appProperties has { key='k' and value='v' }.
type hasTerm struct {
	f          field
	key, value string
}

func (t *hasTerm) Eval(s *Subject, _ *Env) bool {
	m := s.Properties
	if t.f == fAppProperties {
		m = s.AppProperties
	}
	v, ok := m[t.key]
	return ok && v == t.value
}

func (t *hasTerm) String() string {
	return t.f.String() + " has { key=" + quote(t.key) + " and value=" + quote(t.value) + " }"
}
