// Package query parses and evaluates the Google Drive v3 search language: the
// q parameter of files.list (Parse) and of drives.list (ParseDrives).
//
// Its one job is to decide, for the fake Drive server, which files a query
// selects, with the grammar and the errors of real Drive, so that any client
// (ours, rclone, PyDrive, the Python client) sees the same answers as it would
// from Google. No library implements this language, hence the hand-written
// lexer and recursive-descent parser.
//
// # Grammar
//
//	query   = [ or ]                      (empty or blank q selects everything)
//	or      = and { "or" and }
//	and     = unary { "and" unary }
//	unary   = "not" unary | "(" or ")" | term
//	term    = string "in" collection      ('abc' in parents)
//	        | field "has" "{" "key" "=" string "and" "value" "=" string "}"
//	        | field op value
//
// Keywords (and, or, not, in, has, contains, true, false, key, value) are
// case-insensitive; query terms (mimeType, shortcutDetails.targetId, ...) are
// case-sensitive, as in Drive. Strings are single-quoted; the only escapes are
// \' and \\ (anything else after a backslash is an error). Whitespace is free
// between tokens, so trashed=false and trashed = false are the same.
// "not" binds tighter than "and", which binds tighter than "or".
//
// # Terms (files.list)
//
// As listed in Drive's "Search query terms and operators" reference:
//
//	name                      contains = !=         string
//	fullText                  contains              string
//	mimeType                  contains = !=         string
//	modifiedTime, viewedByMeTime, createdTime
//	                          < <= = != > >=        RFC 3339 string
//	trashed, starred, sharedWithMe
//	                          = !=                  true | false
//	parents, owners, writers, readers
//	                          in                    string ('x' in parents)
//	properties, appProperties has                   { key='k' and value='v' }
//	visibility                = !=                  'anyoneCanFind' | 'anyoneWithLink' |
//	                                                'domainCanFind' | 'domainWithLink' | 'limited'
//	shortcutDetails.targetId  = !=                  string
//
// drives.list (ParseDrives) has its own terms: name (contains = !=), hidden
// (= !=), createdTime, memberCount and organizerCount (< <= = != > >=; the two
// counts take bare integers). A term of the other list is a SyntaxError, as it
// is a 400 in Drive; in particular hidden is not a files.list term.
//
// # Matching rules and where they approximate Drive
//
//   - name = and != compare case-insensitively (Unicode simple folding). Drive
//     documents nothing here, but it behaves so: rclone re-checks the case of
//     every hit because "the = operator is case insensitive"
//     (rclone backend/drive/drive.go). Clients that need exact matches must
//     filter, as they must against Google.
//   - name contains is a prefix match, as the reference's footnote says: with
//     a name "HelloWorld", 'Hello' matches and 'World' does not. We match the
//     value case-insensitively against the name at every word start: the start
//     of the name, or a position where a letter/digit follows a non-letter/digit
//     or where a non-letter/digit character stands ("my report.pdf" matches
//     'rep', 'report.p', '.pdf' and 'my r', but not 'port'). CamelCase is one
//     word. Drive's real tokenizer (CJK, stemming) is not reproduced.
//   - fullText contains matches whole tokens only ("HelloWorld" is found by
//     'HelloWorld', not by 'Hello'), case-insensitively. Tokens are maximal runs
//     of letters and digits, so the search is alphanumeric ("Hello_world" holds
//     the tokens hello and world). A value wrapped in double quotes
//     ('"Hello there"') is a phrase: its tokens must appear consecutively in one
//     field. Otherwise every token of the value must appear somewhere. The text
//     searched is Name, Description and IndexableText; file content is not
//     indexed. A value with no tokens matches nothing.
//   - mimeType = and != compare case-insensitively (MIME types are); mimeType
//     contains is a case-insensitive substring test ('image/' finds image/png).
//   - 'x' in parents compares IDs exactly; 'root' also matches Env.RootID.
//   - 'x' in owners / writers / readers compares e-mail addresses
//     case-insensitively; 'me' stands for Env.Me. Roles nest as in Drive's
//     permission model: writers matches Owners and Writers, readers matches
//     Owners, Writers and Readers.
//   - Dates: RFC 3339 with or without fractional seconds and with or without a
//     zone (no zone means UTC); a bare date 2012-06-04 means its UTC midnight.
//     An unset (zero) time satisfies no comparison, not even !=.
//   - properties has { key='k' and value='v' } needs both parts, in either
//     order, and compares both exactly.
//
// Eval does not allocate: everything a term needs is prepared by Parse.
// CandidateParents lets the server use its children index for the common
// "'folder' in parents and ..." listing instead of scanning every file.
package query
