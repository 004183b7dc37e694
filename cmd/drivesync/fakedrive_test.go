package main

import (
	"net"
	"testing"
)

// TestFakeDriveListensOnLoopbackByDefault: the emulator hands out tokens to
// anyone who asks, so it must not be reachable from other machines unless
// the user says so with --listen.
func TestFakeDriveListensOnLoopbackByDefault(t *testing.T) {
	def := newFakeDriveCmd(&globals{}).Flags().Lookup("listen").DefValue
	host, _, err := net.SplitHostPort(def)
	if err != nil {
		t.Fatalf("--listen default %q: %v", def, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		t.Fatalf("--listen default %q is not a loopback address", def)
	}
}
