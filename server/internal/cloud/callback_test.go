package cloud

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/voximplant"
)

var cbToken = CallbackToken{Call: "call_18a2b3c4d5e6f708_9c1d", Offer: "offer_18a2b3c4d5e6f799_0a0b", Expires: sigNow.Add(10 * time.Minute)}

func wantCode(t *testing.T, err error, code callcenter.Code) {
	t.Helper()
	var e *callcenter.Error
	if !errors.As(err, &e) || e.Code != code || e.Field != CallbackTokenField {
		t.Fatalf("err = %v, want %s on %s", err, code, CallbackTokenField)
	}
}

func TestCallbackTokenRoundTrip(t *testing.T) {
	s := mustSigner(t, "secret-a")
	tok, err := s.MintCallback(cbToken)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) > 100 {
		t.Errorf("token is %d bytes: %s", len(tok), tok)
	}
	got, err := s.VerifyCallback(tok, sigNow)
	if err != nil {
		t.Fatal(err)
	}
	if got.Call != cbToken.Call || got.Offer != cbToken.Offer || !got.Expires.Equal(cbToken.Expires) {
		t.Errorf("verified %+v, want %+v", got, cbToken)
	}
	if err := got.For(cbToken.Call, cbToken.Offer); err != nil {
		t.Errorf("For(own call) = %v", err)
	}
	wantCode(t, got.For("call_other", cbToken.Offer), callcenter.CodePermissionDenied)
	wantCode(t, got.For(cbToken.Call, "offer_other"), callcenter.CodePermissionDenied)

	// Rotation: a token signed with the old secret still verifies while both are set.
	rotated := mustSigner(t, "secret-b", "secret-a")
	if _, err := rotated.VerifyCallback(tok, sigNow); err != nil {
		t.Errorf("after rotation: %v", err)
	}
	_, err = mustSigner(t, "secret-b").VerifyCallback(tok, sigNow)
	wantCode(t, err, callcenter.CodeUnauthenticated)
}

func TestCallbackTokenExpires(t *testing.T) {
	s := mustSigner(t, "secret-a")
	tok, _ := s.MintCallback(cbToken)
	if _, err := s.VerifyCallback(tok, cbToken.Expires.Add(-time.Second)); err != nil {
		t.Errorf("a second before expiry: %v", err)
	}
	_, err := s.VerifyCallback(tok, cbToken.Expires)
	wantCode(t, err, callcenter.CodeUnauthenticated)
}

func TestMintCallbackRefuses(t *testing.T) {
	s := mustSigner(t, "k")
	for _, bad := range []CallbackToken{
		{Call: "", Offer: "o", Expires: sigNow},
		{Call: "c.1", Offer: "o", Expires: sigNow},
		{Call: "c", Offer: "o 1", Expires: sigNow},
		{Call: "c", Offer: "o"},
		{Call: callcenter.CallID(strings.Repeat("c", 200)), Offer: "o", Expires: sigNow},
	} {
		if tok, err := s.MintCallback(bad); err == nil {
			t.Errorf("MintCallback(%+v) = %q", bad, tok)
		}
	}
}

// TestCallbackTokenTampering changes a valid token at random — one byte, a cut, a part swapped
// — and expects every change to be refused.
func TestCallbackTokenTampering(t *testing.T) {
	s := mustSigner(t, "secret-a")
	tok, _ := s.MintCallback(cbToken)
	other, _ := s.MintCallback(CallbackToken{Call: "call_x", Offer: "offer_y", Expires: sigNow.Add(time.Hour)})
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."
	for i := 0; i < 5000; i++ {
		b := []byte(tok)
		switch rng.IntN(3) {
		case 0:
			p := rng.IntN(len(b))
			c := alphabet[rng.IntN(len(alphabet))]
			if b[p] == c {
				continue
			}
			b[p] = c
		case 1:
			b = b[:rng.IntN(len(b))]
		case 2: // the body of one token with the MAC of another
			cut := strings.LastIndexByte(other, '.')
			b = []byte(tok[:strings.LastIndexByte(tok, '.')] + other[cut:])
		}
		if got, err := s.VerifyCallback(string(b), sigNow); err == nil {
			t.Fatalf("tampered token %q accepted as %+v", b, got)
		}
	}
}

// FuzzVerifyCallback: any string either is refused with the callback_token field, or is exactly
// the token Tandem mints for what it says (nothing else verifies).
func FuzzVerifyCallback(f *testing.F) {
	s, _ := NewSigner("fuzz-secret")
	tok, _ := s.MintCallback(cbToken)
	f.Add(tok)
	f.Add("")
	f.Add("cb1.a.b.c.d")
	f.Add(tok + "=")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := s.VerifyCallback(in, sigNow)
		if err != nil {
			var e *callcenter.Error
			if !errors.As(err, &e) || e.Code != callcenter.CodeUnauthenticated || e.Field != CallbackTokenField {
				t.Fatalf("VerifyCallback(%q) = %v: not an unauthenticated callback_token error", in, err)
			}
			return
		}
		again, err := s.MintCallback(got)
		if err != nil || again != in {
			t.Fatalf("VerifyCallback(%q) accepted %+v, which mints %q (%v)", in, got, again, err)
		}
	})
}

type fakeStarter struct {
	rule int64
	data string
	err  error
}

func (f *fakeStarter) StartScenarios(_ context.Context, rule int64, data string) (voximplant.Session, error) {
	f.rule, f.data = rule, data
	if f.err != nil {
		return voximplant.Session{}, f.err
	}
	return voximplant.Session{AccessURL: "http://m/request/1", AccessSecureURL: "https://m/request/1", HistoryID: 31}, nil
}

func TestVoximplantDialer(t *testing.T) {
	s := mustSigner(t, "secret-a")
	st := &fakeStarter{}
	var d Dialer = &VoximplantDialer{Signer: s, Starter: st, RuleID: 77}
	got, err := d.StartCallback(context.Background(), CallbackStart(cbToken))
	if err != nil {
		t.Fatal(err)
	}
	if got != (CallbackStarted{AccessURL: "http://m/request/1", AccessSecureURL: "https://m/request/1", SessionID: "31"}) {
		t.Errorf("started %+v", got)
	}
	if st.rule != 77 {
		t.Errorf("rule %d", st.rule)
	}
	tok, err := s.VerifyCallback(st.data, sigNow)
	if err != nil || tok.For(cbToken.Call, cbToken.Offer) != nil {
		t.Errorf("custom data %q is not the attempt's token: %v", st.data, err)
	}

	st.err = &voximplant.Error{Method: "StartScenarios", Code: voximplant.CodeMediaBalancer, Message: "busy"}
	if _, err := d.StartCallback(context.Background(), CallbackStart(cbToken)); err == nil || !CallbackRetryable(err) {
		t.Errorf("platform fault: err = %v, retryable %v", err, CallbackRetryable(err))
	}
	st.err = &voximplant.Error{Method: "StartScenarios", Code: voximplant.CodeAuthorization, Message: "Authorization failed"}
	if _, err := d.StartCallback(context.Background(), CallbackStart(cbToken)); err == nil || CallbackRetryable(err) {
		t.Errorf("bad credentials: err = %v, retryable %v", err, CallbackRetryable(err))
	}
}
