package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync/atomic"
	"time"
)

// idSeq orders ids by creation, across restarts too: it starts at the wall clock's nanoseconds.
// Calls that arrive in the same millisecond keep their order in line by id.
var idSeq atomic.Uint64

func init() { idSeq.Store(uint64(time.Now().UnixNano())) }

// newID makes ids like "call_18a2b3c4d5e6f708_9c1d": a prefix, a sequence that grows with
// time, and 16 random bits so ids are not guessable from one another alone.
func newID(prefix string) string {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s_%016x_%s", prefix, idSeq.Add(1), hex.EncodeToString(b[:]))
}
