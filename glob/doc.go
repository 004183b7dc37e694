// Package glob answers glob patterns from drivesync's index of mirrored entries instead of
// walking the disk, with the results Python's glob.glob(pattern, recursive=True) gives on a
// complete local mirror (root_dir is the mount root, include_hidden is False; CPython 3.11 on
// Linux).
//
// It imports nothing from the Drive side: it works on any Index (one method, Walk over a
// literal directory prefix) of Entry values, both defined here. The `drivesync glob` command is
// meant to be thin: its flags fill a Query (ParseOrder and ParseShard read --sort and --shard,
// Validate checks everything before the daemon is asked), Query.Run returns []Match, and
// Match.Name is the line to print.
//
// # Patterns
//
// A pattern is a relative, slash-separated path. Each component is matched on its own:
//
//   - "*" matches any run of characters (also none), "?" exactly one, "[abc]" or "[a-z]" one of
//     a set, "[!...]" one not in it. Characters are Unicode code points compared exactly: case
//     matters, and an NFC name does not match its NFD spelling. Backslash is an ordinary
//     character; a special character is quoted by putting it in a class: "[*]", "[?]", "[[]"
//     (what Python's glob.escape writes), and "[{]" for this package's braces.
//   - Classes follow fnmatch: a "]" first in the set is a member ("[]a]"), "^" does not negate,
//     a "-" first or last is literal, a reversed range ("z-a") is dropped together with its
//     ends, and "[!z-a]" matches any character.
//   - A component that is exactly "**" matches zero or more folders (and, as the last
//     component, files too). Inside a component ("a**b") it is just "*".
//   - Hidden names (starting with ".") are matched only by a pattern component that starts with
//     ".": ".*", ".git", ".[a-z]*" do, while "*", "?", "[.]git" and "**" never do, and "**"
//     does not descend into hidden folders. A literal hidden folder is fine: ".cache/**".
//   - A trailing "/" matches folders only, and those results end in "/".
//   - A final "**" also yields the folder it starts from, with a "/": "a/**" gives "a/", "a/b",
//     "a/b/c.jpg". "**" alone gives every non-hidden entry, never the root itself.
//   - Names are those on disk after drivesync's name mapping ("photo (1).jpg", "a／b" with the
//     fullwidth slash): a pattern sees what ls shows.
//   - Brace alternatives are this package's extension: "*.{jpg,png}" is the union of "*.jpg" and
//     "*.png". Groups nest and may contain "/" ("{train,val}/**/*.jpg"); "[...]" is read first,
//     so "{", "," and "}" inside a class are ordinary; a group without a "," at its own level
//     ("{x}", "{}") is literal text, as are a stray "}" and a "," outside groups; every "{" must
//     be closed. One pattern may expand to at most 1024 patterns.
//
// A malformed pattern is a *PatternError (wrapping ErrBadPattern) saying what and where:
//
//	glob: pattern "a/[b": unterminated character class at offset 2; write "[[]" for a literal "["
//
// # Results
//
// A Match is an index entry plus Slash, which says Python spells the result with a trailing
// "/". Results are distinct by Name and sorted by it, byte-wise, which for UTF-8 is code point
// order: the list equals sorted(set(glob.glob(...))). Query.Sort chooses another order.
//
// # Differences from Python's glob.glob(pattern, recursive=True)
//
// For every pattern Compile accepts, the results are CPython 3.11's, as a set, except:
//
//  1. Order: sorted by name (or Query.Sort); CPython's is directory order.
//  2. Duplicates: CPython 3.11 returns some results more than once when a pattern has two or
//     more "**" components ("**/**" lists "a/b/c" once per folder above it, and the folder "a"
//     as both "a" and "a/"). Here every name appears once; "a" and "a/" are different names and
//     both are kept.
//  3. "X/**" when X is a file or does not exist: CPython returns "X/" (glob._glob2 yields the
//     empty name without looking); here nothing.
//  4. Braces, as above. CPython reads "{a,b}" literally.
//  5. Rejected patterns, which CPython accepts: an unterminated "[" (literal in Python; write
//     "[[]"), an unterminated "{", the empty pattern (CPython returns []), absolute patterns
//     (CPython searches the real file system root), empty components "a//b", "." and ".."
//     components (CPython lets the OS resolve them and echoes them in its results), invalid
//     UTF-8, more than 63 components.
//  6. The index is the truth: an entry it lists is returned even if its file is not on disk
//     yet, and a file on disk that it does not list is not.
//  7. Only the Linux behaviour exists (case-sensitive names); there are no symlinks, and no
//     dir_fd or include_hidden options.
//
// A name that is not valid UTF-8 (not possible on Drive) is read as CPython reads it on Linux:
// each undecodable byte is one character (surrogateescape).
//
// # The Index contract
//
// Walk(dir, fn) visits the entries at or below dir, the leading wildcard-free folders of a
// pattern, so "my_data/images/*.jpg" only reads my_data/images; brace alternatives with
// different prefixes get one Walk each. A store may visit more than asked, in any order
// (path order spares a sort), and may hand out an *Entry, and strings, that are only valid
// during the call, such as views of a bbolt page: glob copies what it keeps and allocates
// nothing for the rest. MemIndex is an in-memory Index for tests and small tools.
//
// A caller that needs only the result names (a listing to print or send as text) uses
// Query.EachName, which keeps only the names, and none at all when the index says it walks in
// byte-wise path order (PathOrdered) and the query permits: then each name is handed out as the
// walk finds it.
//
// # Queries
//
// Query adds the selectors of `drivesync glob`: Kinds (--images, --checkpoints, a union when
// both), Exclude (--exclude; an entry goes if an exclude pattern returns it in either spelling,
// so "tmp/**" drops tmp/ and all below it), Newest (--newest N; --latest is Newest 1, "the
// checkpoint to resume from"), Shard (--shard I/N with I counted from 0: a round-robin split of
// the name-sorted list, so workers that see the same index state get disjoint parts that cover
// everything, their sizes within one of each other), Sort and
// Reverse (--sort name|mtime|size), Limit (--limit). They apply in that order: match and
// filter, newest, shard, sort, limit. A SavedModel folder counts as modified when its
// saved_model.pb was, because Drive does not bump a folder's modifiedTime.
//
// # Why the matcher is hand-written
//
// The issue proposed building on github.com/bmatcuk/doublestar/v4. Its semantics differ from
// Python's exactly where this package must follow Python: its "*" and "**" match hidden names
// and enter hidden folders, "\" escapes, "[^a]" negates, "[" without "]" and "[]a]" are errors,
// "{x}" is an alternative, "a/**" matches "a" whether or not it is a folder, and a match does
// not say whether Python would spell it "a" or "a/". Translating patterns into doublestar's
// syntax and post-filtering its answers would be more code than matching directly, and it
// re-parses the pattern text for every path. So patterns are compiled once (braces.go,
// pattern.go) into per-component fnmatch matchers (fnmatch.go, class.go) and a small automaton
// for "**" kept in one uint64 (match.go), which allocate nothing. The differential tests check
// them against CPython itself (python_test.go, fnmatch_test.go; recorded answers in testdata
// stand in when python3 is missing), and the fuzz tests against a literal Go port of glob.py
// and fnmatch.translate (reference_test.go). doublestar appears only in a benchmark.
package glob
