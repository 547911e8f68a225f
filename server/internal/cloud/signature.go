package cloud

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// The Standard Webhooks header names (https://www.standardwebhooks.com), used both ways: on the
// cloud's requests to Tandem and on Tandem's commands to the cloud.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// Tolerance is how far a webhook-timestamp may be from now, in the past or the future. It bounds
// how long a captured request can be replayed.
const Tolerance = 5 * time.Minute

// signatureVersion prefixes every signature in the webhook-signature header.
const signatureVersion = "v1"

// Signer signs and verifies Standard Webhooks signatures: HMAC-SHA256 over
// id + "." + timestamp + "." + body, sent as "v1,<base64>".
//
// Deviation from the spec: the HMAC key is the secret string's bytes as they are. Standard
// Webhooks secrets are "whsec_" + base64 and the key is the decoded bytes, but the VoxEngine
// scenario can only pass a string key to Crypto.hmac_sha256, so both sides use the raw string.
//
// A Signer is safe for concurrent use.
type Signer struct {
	keys [][]byte // keys[0] signs; all verify
}

// NewSigner returns a Signer whose first secret signs and all of whose secrets verify, so a
// secret can be rotated with two valid at once.
func NewSigner(secrets ...string) (*Signer, error) {
	if len(secrets) == 0 {
		return nil, errors.New("cloud: no webhook secret")
	}
	s := &Signer{keys: make([][]byte, 0, len(secrets))}
	for i, secret := range secrets {
		if secret == "" {
			return nil, errors.New("cloud: webhook secret " + strconv.Itoa(i+1) + " is empty")
		}
		s.keys = append(s.keys, []byte(secret))
	}
	return s, nil
}

// Sign returns the webhook-signature header value for a message: "v1," + base64 of the HMAC made
// with the first secret.
func (s *Signer) Sign(id string, ts time.Time, body []byte) string {
	return signatureVersion + "," + base64.StdEncoding.EncodeToString(mac(s.keys[0], id, unixString(ts), body))
}

// SignRequest sets the three webhook headers on req.
func (s *Signer) SignRequest(req *http.Request, id string, ts time.Time, body []byte) {
	req.Header.Set(HeaderID, id)
	req.Header.Set(HeaderTimestamp, unixString(ts))
	req.Header.Set(HeaderSignature, s.Sign(id, ts, body))
}

// Verify checks a signed message and returns its webhook-id. Any failure is a *callcenter.Error
// with CodeUnauthenticated whose message says what was wrong. Every v1 signature in the header
// is compared, in constant time, against the HMAC of every secret.
func (s *Signer) Verify(h http.Header, body []byte, now time.Time) (id string, err error) {
	id = h.Get(HeaderID)
	ts := h.Get(HeaderTimestamp)
	sigs := h.Get(HeaderSignature)
	switch {
	case id == "":
		return "", unauthenticated("missing " + HeaderID + " header")
	case ts == "":
		return "", unauthenticated("missing " + HeaderTimestamp + " header")
	case sigs == "":
		return "", unauthenticated("missing " + HeaderSignature + " header")
	}
	sec, perr := strconv.ParseInt(ts, 10, 64)
	if perr != nil {
		return "", unauthenticated(HeaderTimestamp + " is not a unix time in seconds")
	}
	// time.Time.Sub saturates instead of overflowing, so absurd timestamps are simply far away.
	at := time.Unix(sec, 0)
	if now.Sub(at) > Tolerance {
		return "", unauthenticated(HeaderTimestamp + " is too old")
	}
	if at.Sub(now) > Tolerance {
		return "", unauthenticated(HeaderTimestamp + " is too far in the future")
	}

	want := make([][]byte, len(s.keys))
	for i, k := range s.keys {
		want[i] = mac(k, id, ts, body)
	}
	matched, sawV1 := false, false
	for _, field := range strings.Fields(sigs) {
		version, encoded, ok := strings.Cut(field, ",")
		if !ok || version != signatureVersion {
			continue // another scheme (e.g. v1a) or garbage: not ours to judge
		}
		got, derr := base64.StdEncoding.DecodeString(encoded)
		if derr != nil {
			continue
		}
		sawV1 = true
		for _, w := range want {
			if hmac.Equal(got, w) {
				matched = true
			}
		}
	}
	if !sawV1 {
		return "", unauthenticated(HeaderSignature + " has no v1 signature")
	}
	if !matched {
		return "", unauthenticated(HeaderSignature + " does not match")
	}
	return id, nil
}

func mac(key []byte, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

func unixString(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

func unauthenticated(msg string) error {
	return &callcenter.Error{Code: callcenter.CodeUnauthenticated, Message: msg}
}

// DefaultReplayMemory is how many webhook-ids a Replays remembers at most.
const DefaultReplayMemory = 100_000

// Replays remembers the webhook-ids of verified requests for as long as their signatures could
// be valid (until their timestamp is more than Tolerance old), each with a hash of its target
// (the URL path, which the signature does not cover) and body. An id that comes again for the
// same target and body is a retry and passes (the request's own idempotency id then gets it the
// first answer); an id that comes again with another body or for another target is refused.
//
// Memory is bounded: when max ids are remembered the oldest is forgotten first. Forgetting
// costs little, as a signature covers id and body together: a request with a remembered id and
// another body can only come from a holder of the secret.
//
// A Replays is safe for concurrent use.
type Replays struct {
	mu    sync.Mutex
	max   int
	seen  map[string]replay
	order []string // ring buffer of ids in arrival order; oldest at next once full
	next  int
}

type replay struct {
	body  [sha256.Size]byte
	until time.Time
}

// NewReplays returns a Replays that remembers at most max ids (DefaultReplayMemory if max ≤ 0).
func NewReplays(max int) *Replays {
	if max <= 0 {
		max = DefaultReplayMemory
	}
	return &Replays{max: max, seen: map[string]replay{}}
}

// Check records a verified request and refuses it when its webhook-id was seen with another
// target or body while that one's signature could still be valid. The error is a
// *callcenter.Error with CodeUnauthenticated.
func (r *Replays) Check(h http.Header, target string, body []byte, now time.Time) error {
	id := h.Get(HeaderID)
	until := now.Add(2 * Tolerance) // the latest a signature seen now can stay valid
	if sec, err := strconv.ParseInt(h.Get(HeaderTimestamp), 10, 64); err == nil {
		if at := time.Unix(sec, 0).Add(Tolerance); at.Before(until) {
			until = at
		}
	}
	hash := sha256.New()
	hash.Write([]byte(target))
	hash.Write([]byte{0})
	hash.Write(body)
	var sum [sha256.Size]byte
	hash.Sum(sum[:0])
	r.mu.Lock()
	defer r.mu.Unlock()
	if prev, ok := r.seen[id]; ok && now.Before(prev.until) {
		if prev.body != sum {
			return unauthenticated(HeaderID + " was already used for another request")
		}
		if until.After(prev.until) {
			r.seen[id] = replay{body: sum, until: until}
		}
		return nil
	} else if ok {
		r.seen[id] = replay{body: sum, until: until} // an old entry not yet forgotten
		return nil
	}
	if len(r.order) < r.max {
		r.order = append(r.order, id)
	} else {
		delete(r.seen, r.order[r.next])
		r.order[r.next] = id
		r.next = (r.next + 1) % r.max
	}
	r.seen[id] = replay{body: sum, until: until}
	return nil
}

// Len is how many ids are remembered.
func (r *Replays) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}
