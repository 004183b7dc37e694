// Package fields parses the fields parameter of Google APIs (partial
// response) into a Mask the fake Drive server consults while it renders a
// response, and validates it against the server's schema.
//
// Its one job is that selector language. Google's client libraries only
// build the string; nothing in our dependencies parses it, so it is written
// here by hand.
//
// # Syntax
//
//	fields = item { "," item }
//	item   = path [ "(" fields ")" ]
//	path   = name { "/" name }
//	name   = letters, digits, "_" and "-" | "*"
//
// As in Google's "partial response" documentation: a,b selects several
// fields; a/b selects b inside a; a(b,c) selects b and c inside a (for an
// array of objects, inside every element); * selects every field at its
// level, and may be followed by a path or sub-selection (a/*/c picks c in
// every field of a). Examples: files(id,name,parents),nextPageToken and
// changes(fileId,file(id,name)),newStartPageToken.
//
// Leniencies, chosen because real clients send them: blanks around names and
// punctuation are ignored (the Drive quickstarts send "nextPageToken,
// files(id, name)"), and "." is accepted as a synonym of "/" (FieldMask
// style, a.b). Anything else malformed is a *SyntaxError with the byte
// offset of the problem.
//
// # Semantics
//
// Selections are unions: files(id),files(name) is files(id,name); a field
// selected whole absorbs any sub-selection of it (files,files(id) is files);
// a/* is a whole. The Mask is normalized when parsed, so Has and Sub are a
// flag test and a lookup in a short sorted list, with no allocation.
//
// An empty spec means "not given": Parse returns the zero Mask, whose Given
// is false, and the server applies its defaults. Validate checks every named
// field against the server's schema and answers Drive's
// "Invalid field selection <name>".
package fields
