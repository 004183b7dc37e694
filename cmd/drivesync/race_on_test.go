//go:build race

package main

// raceBuild: the tests run under the race detector, so the binaries they
// build and run (the end-to-end and soak tests' daemons) are built with it
// too, and halt on the first race they find.
const raceBuild = true
