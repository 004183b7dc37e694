// Package mount keeps a local folder and a Drive folder in sync.
//
// Its first file, names.go, is the name mapping: Drive allows names a local
// filesystem does not ("a/b", "..", NUL, 300-byte names, many siblings with
// one name, names differing only in case). LocalName and DriveName map a
// single name reversibly (an escape scheme modelled on rclone's
// lib/encoder, hand-written because importing rclone for one function would
// pull in its whole config stack); Dedupe gives each child of a folder a
// distinct local name, stable across runs; SafeJoin refuses any local path
// that would leave the mount root. DetectCaseInsensitive probes the local
// filesystem for Options.CaseInsensitive.
//
// SafeJoin checks existing components through os.Root (Go 1.24+), whose
// lookups cannot be redirected outside the root by symbolic links, instead
// of Lstat on joined strings, which a concurrent rename could race.
package mount
