package cloud

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

func replayHeader(id string, ts time.Time) http.Header {
	h := http.Header{}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, fmt.Sprint(ts.Unix()))
	return h
}

func TestReplaysRefuseAnIDReusedForAnotherBody(t *testing.T) {
	r := NewReplays(0)
	h := replayHeader("msg_1", sigNow)
	if err := r.Check(h, "/v1/calls", []byte(`{"a":1}`), sigNow); err != nil {
		t.Fatal(err)
	}
	// The same id and body on another path is not a retry.
	if err := r.Check(h, "/v1/calls/c1/events", []byte(`{"a":1}`), sigNow); !isUnauthenticated(err) {
		t.Fatalf("id reused for another path: %v", err)
	}
	// A retry: same id, same body, a fresh timestamp.
	if err := r.Check(replayHeader("msg_1", sigNow.Add(time.Minute)), "/v1/calls", []byte(`{"a":1}`), sigNow.Add(time.Minute)); err != nil {
		t.Fatalf("retry refused: %v", err)
	}
	err := r.Check(h, "/v1/calls", []byte(`{"a":2}`), sigNow.Add(2*time.Minute))
	if !isUnauthenticated(err) {
		t.Fatalf("id reused for another body: %v", err)
	}
	// Once no signature with that id can be valid any more, the id is free.
	later := sigNow.Add(time.Minute + Tolerance + time.Second)
	if err := r.Check(replayHeader("msg_1", later), "/v1/calls", []byte(`{"a":2}`), later); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestReplaysMemoryIsBounded(t *testing.T) {
	r := NewReplays(3)
	for i := range 10 {
		if err := r.Check(replayHeader(fmt.Sprint("msg_", i), sigNow), "/v1/calls", []byte("x"), sigNow); err != nil {
			t.Fatal(err)
		}
	}
	if r.Len() != 3 {
		t.Fatalf("remembers %d ids, want 3", r.Len())
	}
	// The newest are the ones remembered.
	if err := r.Check(replayHeader("msg_9", sigNow), "/v1/calls", []byte("y"), sigNow); !isUnauthenticated(err) {
		t.Fatalf("newest forgotten: %v", err)
	}
	if err := r.Check(replayHeader("msg_0", sigNow), "/v1/calls", []byte("y"), sigNow); err != nil {
		t.Fatalf("oldest remembered: %v", err)
	}
}

func isUnauthenticated(err error) bool {
	return err != nil && callcenter.ErrorCode(err) == callcenter.CodeUnauthenticated
}

// FuzzSignVerify checks, for any id, body and secrets, that what one signer signs its peer
// (holding the same secret, maybe among others) accepts, that a changed body or id is refused,
// and that the id cannot be used again for another body.
func FuzzSignVerify(f *testing.F) {
	f.Add("msg_1", "secret", "", []byte(`{"request_id":"r1"}`), byte(1))
	f.Add("", "s", "old", []byte(nil), byte(0))
	f.Add("a.b.c", "ключ", "x", []byte("v1,abc"), byte(255))
	f.Fuzz(func(t *testing.T, id, secret, old string, body []byte, flip byte) {
		if secret == "" || id == "" {
			return
		}
		signer, err := NewSigner(secret)
		if err != nil {
			t.Fatal(err)
		}
		secrets := []string{secret}
		if old != "" {
			secrets = []string{old, secret} // rotation: the new one first, the old one still valid
		}
		receiver, err := NewSigner(secrets...)
		if err != nil {
			t.Fatal(err)
		}
		h := signedHeader(signer, id, sigNow, body)
		if h.Get(HeaderID) != id {
			return // not a header value (e.g. a newline): http.Header would not carry it either
		}
		if got, err := receiver.Verify(h, body, sigNow); err != nil || got != id {
			t.Fatalf("Verify(%q) = %q, %v", id, got, err)
		}
		changed := append([]byte{flip}, body...)
		if _, err := receiver.Verify(h, changed, sigNow); !isUnauthenticated(err) {
			t.Fatalf("changed body accepted: %v", err)
		}
		h2 := h.Clone()
		h2.Set(HeaderID, id+"x")
		if _, err := receiver.Verify(h2, body, sigNow); !isUnauthenticated(err) {
			t.Fatalf("changed id accepted: %v", err)
		}
		r := NewReplays(4)
		if err := r.Check(h, "/v1/calls", body, sigNow); err != nil {
			t.Fatal(err)
		}
		if err := r.Check(h, "/v1/calls", body, sigNow); err != nil {
			t.Fatalf("retry refused: %v", err)
		}
		if err := r.Check(h, "/v1/calls", changed, sigNow); !isUnauthenticated(err) {
			t.Fatalf("id reused for another body: %v", err)
		}
		if err := r.Check(h, "/v1/calls/c/events", body, sigNow); !isUnauthenticated(err) {
			t.Fatalf("id reused for another path: %v", err)
		}
	})
}
