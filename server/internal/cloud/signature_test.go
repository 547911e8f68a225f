package cloud

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

var sigNow = time.Unix(1_760_000_000, 0)

func mustSigner(t *testing.T, secrets ...string) *Signer {
	t.Helper()
	s, err := NewSigner(secrets...)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	return s
}

func signedHeader(s *Signer, id string, ts time.Time, body []byte) http.Header {
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	s.SignRequest(req, id, ts, body)
	return req.Header
}

func TestNewSignerRejectsMissingSecrets(t *testing.T) {
	for _, secrets := range [][]string{nil, {}, {""}, {"ok", ""}} {
		if _, err := NewSigner(secrets...); err == nil {
			t.Errorf("NewSigner(%q): want an error", secrets)
		}
	}
}

func TestSignKnownAnswer(t *testing.T) {
	const (
		secret = "whsec_not-base64-decoded"
		id     = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
		body   = `{"type":"say","call_id":"c1","text":"hello"}`
	)
	ts := time.Unix(1674087231, 0)

	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(id + ".1674087231." + body))
	want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))

	s := mustSigner(t, secret)
	if got := s.Sign(id, ts, []byte(body)); got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
	h := signedHeader(s, id, ts, []byte(body))
	if h.Get("webhook-id") != id || h.Get("webhook-timestamp") != "1674087231" || h.Get("webhook-signature") != want {
		t.Fatalf("SignRequest headers = %v", h)
	}
}

func TestVerifyRoundTripAndRotation(t *testing.T) {
	body := []byte(`{"request_id":"r1"}`)
	old := mustSigner(t, "old-secret")
	cur := mustSigner(t, "new-secret")
	receiver := mustSigner(t, "new-secret", "old-secret") // rotation: both valid

	for name, s := range map[string]*Signer{"current": cur, "previous": old, "receiver itself": receiver} {
		id, err := receiver.Verify(signedHeader(s, "msg_1", sigNow, body), body, sigNow.Add(time.Second))
		if err != nil || id != "msg_1" {
			t.Errorf("%s secret: Verify = %q, %v; want msg_1, nil", name, id, err)
		}
	}
	if _, err := cur.Verify(signedHeader(old, "msg_1", sigNow, body), body, sigNow); err == nil {
		t.Error("a signer without the old secret accepted it")
	}
}

func TestVerifyRejects(t *testing.T) {
	s := mustSigner(t, "secret")
	body := []byte(`{"a":1}`)
	good := func() http.Header { return signedHeader(s, "msg_1", sigNow, body) }
	sig := good().Get(HeaderSignature)
	other := mustSigner(t, "other").Sign("msg_1", sigNow, body)

	tests := []struct {
		name    string
		header  func() http.Header
		body    []byte
		now     time.Time
		message string // a part of the error message
	}{
		{"tampered body", good, []byte(`{"a":2}`), sigNow, "does not match"},
		{"tampered id", func() http.Header { h := good(); h.Set(HeaderID, "msg_2"); return h }, body, sigNow, "does not match"},
		{"tampered timestamp", func() http.Header {
			h := good()
			h.Set(HeaderTimestamp, strconv.FormatInt(sigNow.Unix()+1, 10))
			return h
		}, body, sigNow, "does not match"},
		{"stale", good, body, sigNow.Add(Tolerance + time.Second), "too old"},
		{"future", good, body, sigNow.Add(-Tolerance - time.Second), "future"},
		{"missing id", func() http.Header { h := good(); h.Del(HeaderID); return h }, body, sigNow, "missing webhook-id"},
		{"missing timestamp", func() http.Header { h := good(); h.Del(HeaderTimestamp); return h }, body, sigNow, "missing webhook-timestamp"},
		{"missing signature", func() http.Header { h := good(); h.Del(HeaderSignature); return h }, body, sigNow, "missing webhook-signature"},
		{"no headers", func() http.Header { return http.Header{} }, body, sigNow, "missing"},
		{"timestamp not a number", func() http.Header { h := good(); h.Set(HeaderTimestamp, "yesterday"); return h }, body, sigNow, "not a unix time"},
		{"timestamp in milliseconds", func() http.Header {
			h := good()
			h.Set(HeaderTimestamp, strconv.FormatInt(sigNow.UnixMilli(), 10))
			return h
		}, body, sigNow, "future"},
		{"timestamp overflows", func() http.Header { h := good(); h.Set(HeaderTimestamp, "99999999999999999999999"); return h }, body, sigNow, "not a unix time"},
		{"timestamp at the far end", func() http.Header { h := good(); h.Set(HeaderTimestamp, "-9223372036854775808"); return h }, body, sigNow, "too old"},
		{"no v1 prefix", func() http.Header {
			h := good()
			h.Set(HeaderSignature, strings.TrimPrefix(sig, "v1,"))
			return h
		}, body, sigNow, "no v1 signature"},
		{"other version", func() http.Header {
			h := good()
			h.Set(HeaderSignature, "v1a,"+strings.TrimPrefix(sig, "v1,"))
			return h
		}, body, sigNow, "no v1 signature"},
		{"bad base64", func() http.Header { h := good(); h.Set(HeaderSignature, "v1,!!!not base64"); return h }, body, sigNow, "no v1 signature"},
		{"empty v1", func() http.Header { h := good(); h.Set(HeaderSignature, "v1,"); return h }, body, sigNow, "does not match"},
		{"only blanks", func() http.Header { h := good(); h.Set(HeaderSignature, "   "); return h }, body, sigNow, "no v1 signature"},
		{"wrong secret", func() http.Header { h := good(); h.Set(HeaderSignature, other); return h }, body, sigNow, "does not match"},
		{"truncated signature", func() http.Header { h := good(); h.Set(HeaderSignature, sig[:len(sig)-8]+"AAAAAAA="); return h }, body, sigNow, "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := s.Verify(tt.header(), tt.body, tt.now)
			if err == nil {
				t.Fatalf("Verify = %q, nil; want an error", id)
			}
			if id != "" {
				t.Errorf("Verify returned id %q with an error", id)
			}
			var ce *callcenter.Error
			if !errors.As(err, &ce) || callcenter.ErrorCode(err) != callcenter.CodeUnauthenticated {
				t.Errorf("error %v (%T): want a *callcenter.Error with CodeUnauthenticated", err, err)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q does not say %q", err, tt.message)
			}
		})
	}
}

func TestVerifyAcceptsAnyListedSignature(t *testing.T) {
	s := mustSigner(t, "secret")
	body := []byte(`{}`)
	sig := s.Sign("msg_1", sigNow, body)
	wrong := mustSigner(t, "other").Sign("msg_1", sigNow, body)
	for _, list := range []string{
		wrong + " " + sig,
		sig + " " + wrong,
		"v1a,AAAA " + "v1,!!! " + sig,
		"garbage " + sig + "  v2,xyz",
		" " + sig + " ",
	} {
		h := signedHeader(s, "msg_1", sigNow, body)
		h.Set(HeaderSignature, list)
		if _, err := s.Verify(h, body, sigNow); err != nil {
			t.Errorf("signatures %q: %v", list, err)
		}
	}
}

func TestVerifyWithinTolerance(t *testing.T) {
	s := mustSigner(t, "secret")
	body := []byte(`{}`)
	h := signedHeader(s, "msg_1", sigNow, body)
	for _, now := range []time.Time{sigNow.Add(Tolerance), sigNow.Add(-Tolerance)} {
		if _, err := s.Verify(h, body, now); err != nil {
			t.Errorf("now %v from the timestamp: %v", now.Sub(sigNow), err)
		}
	}
}

func FuzzVerify(f *testing.F) {
	s, _ := NewSigner("secret")
	f.Add("msg_1", "1760000000", "v1,abc", []byte("{}"))
	f.Add("", "", "", []byte(nil))
	f.Add("a.b", "-1", "v1, v1,,, ,v1", []byte("x"))
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		h := http.Header{}
		h.Set(HeaderID, id)
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderSignature, sig)
		if _, err := s.Verify(h, body, sigNow); err != nil && callcenter.ErrorCode(err) != callcenter.CodeUnauthenticated {
			t.Fatalf("error code %q", callcenter.ErrorCode(err))
		}
	})
}
