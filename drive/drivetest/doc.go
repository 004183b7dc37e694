// Package drivetest is the conformance suite for drive.Remote: every
// implementation runs Run against the Drive emulator (drive/fakedrive),
// with and without injected faults, and must pass it unchanged.
//
// The suite uses only the Remote interface, so it checks the contract
// written on Remote's methods, not one implementation's internals.
package drivetest
