package main

import (
	"crypto/rand"
	"encoding/hex"
)

// newID makes ids like "call_5f2c9a0e1b7d4c3a": a prefix and 64 random bits.
func newID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}
