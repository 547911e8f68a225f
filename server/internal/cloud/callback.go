package cloud

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/voximplant"
)

// A callback token names one attempt to call a customer back: the call keeping his place and
// the offer (the operator reserved for it). Tandem puts it in StartScenarios'
// script_custom_data; the outbound scenario (clients/voxengine/callback.js) hands it back in its
// RegisterCall, which proves the session was started by Tandem for that attempt. It is
//
//	cb1.<call id>.<offer id>.<expiry, unix seconds in base 36>.<mac>
//
// where mac is the first 16 bytes of HMAC-SHA256(cloud secret, callbackLabel + the text before
// ".<mac>"), unpadded base64url. VoxEngine keeps at most 200 bytes of custom data: with
// Tandem's ids a token is about 90.
const (
	callbackVersion = "cb1"
	callbackLabel   = "tandem callback token\n" // keeps these MACs apart from webhook signatures
	callbackMACLen  = 16
	// CallbackTokenField is the request field a callback token travels in.
	CallbackTokenField = "callback_token"
	// MaxCallbackToken is the most bytes a callback token may have (VoxEngine's custom data).
	MaxCallbackToken = 200
)

// CallbackToken is what a valid callback token says.
type CallbackToken struct {
	Call    callcenter.CallID
	Offer   callcenter.OfferID
	Expires time.Time // whole seconds
}

// MintCallback returns the token of t, signed with the first secret. Ids must be non-empty,
// without dots, and the token must fit MaxCallbackToken bytes.
func (s *Signer) MintCallback(t CallbackToken) (string, error) {
	for _, id := range []struct{ name, v string }{{"call id", string(t.Call)}, {"offer id", string(t.Offer)}} {
		if id.v == "" || strings.ContainsAny(id.v, ". ") {
			return "", fmt.Errorf("cloud: callback token: %s %q is empty or has a dot or space", id.name, id.v)
		}
	}
	if t.Expires.Unix() <= 0 {
		return "", fmt.Errorf("cloud: callback token: no expiry")
	}
	body := callbackVersion + "." + string(t.Call) + "." + string(t.Offer) + "." + strconv.FormatInt(t.Expires.Unix(), 36)
	token := body + "." + base64.RawURLEncoding.EncodeToString(callbackMAC(s.keys[0], body))
	if len(token) > MaxCallbackToken {
		return "", fmt.Errorf("cloud: callback token is %d bytes, over VoxEngine's %d", len(token), MaxCallbackToken)
	}
	return token, nil
}

// VerifyCallback checks a token's MAC against every secret and its expiry against now. A
// token that is malformed, forged or expired is a *callcenter.Error with CodeUnauthenticated
// naming the callback_token field; nothing in it is trusted before its MAC matched.
func (s *Signer) VerifyCallback(token string, now time.Time) (CallbackToken, error) {
	bad := func(msg string) (CallbackToken, error) {
		return CallbackToken{}, &callcenter.Error{Code: callcenter.CodeUnauthenticated, Field: CallbackTokenField, Message: msg}
	}
	if token == "" {
		return bad("missing")
	}
	if len(token) > MaxCallbackToken {
		return bad("too long to be a callback token")
	}
	cut := strings.LastIndexByte(token, '.')
	if cut < 0 {
		return bad("not a callback token")
	}
	body, encoded := token[:cut], token[cut+1:]
	got, err := base64.RawURLEncoding.Strict().DecodeString(encoded) // Strict: one text per MAC
	if err != nil || len(got) != callbackMACLen {
		return bad("not a callback token")
	}
	matched := false
	for _, k := range s.keys {
		if hmac.Equal(got, callbackMAC(k, body)) {
			matched = true
		}
	}
	if !matched {
		return bad("signature does not match")
	}
	parts := strings.Split(body, ".")
	if len(parts) != 4 || parts[0] != callbackVersion || parts[1] == "" || parts[2] == "" {
		return bad("not a callback token")
	}
	exp, err := strconv.ParseInt(parts[3], 36, 64)
	if err != nil {
		return bad("not a callback token")
	}
	t := CallbackToken{Call: callcenter.CallID(parts[1]), Offer: callcenter.OfferID(parts[2]), Expires: time.Unix(exp, 0)}
	if !now.Before(t.Expires) {
		return bad("expired")
	}
	return t, nil
}

// For refuses a verified token that names another call or offer than the one its session is
// for: a *callcenter.Error with CodePermissionDenied naming the callback_token field.
func (t CallbackToken) For(call callcenter.CallID, offer callcenter.OfferID) error {
	if t.Call != call || t.Offer != offer {
		return &callcenter.Error{Code: callcenter.CodePermissionDenied, Field: CallbackTokenField, Message: "for another call or offer"}
	}
	return nil
}

func callbackMAC(key []byte, body string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(callbackLabel))
	m.Write([]byte(body))
	return m.Sum(nil)[:callbackMACLen]
}

// CallbackStart asks for one attempt to call a customer back: Tandem has reserved an operator
// under Offer for Call, whose customer is to be called.
type CallbackStart struct {
	Call  callcenter.CallID
	Offer callcenter.OfferID
	// Expires bounds the attempt: the outbound scenario must report in before it.
	Expires time.Time
}

// CallbackStarted is the outbound scenario's session, started.
type CallbackStarted struct {
	AccessURL       string // where its commands go, like an inbound call's accessURL
	AccessSecureURL string
	SessionID       string // Voximplant's call session history id ("" when not given)
}

// Dialer starts the outbound scenario of a callback. It does I/O: the switchboard calls it
// from the sender's side, never from the engine. The error says whether a retry may help
// (CallbackRetryable).
type Dialer interface {
	StartCallback(ctx context.Context, start CallbackStart) (CallbackStarted, error)
}

// ScenarioStarter starts a routing rule's scenarios in a new session: *voximplant.Client.
type ScenarioStarter interface {
	StartScenarios(ctx context.Context, ruleID int64, customData string) (voximplant.Session, error)
}

// VoximplantDialer is the Dialer of a real (or emulated) Voximplant account: StartScenarios
// of the callback rule with a callback token as the session's custom data.
type VoximplantDialer struct {
	Signer  *Signer
	Starter ScenarioStarter
	RuleID  int64
}

// StartCallback mints the attempt's token and starts the callback rule's session with it.
func (d *VoximplantDialer) StartCallback(ctx context.Context, start CallbackStart) (CallbackStarted, error) {
	token, err := d.Signer.MintCallback(CallbackToken(start)) // the token names exactly what the attempt is
	if err != nil {
		return CallbackStarted{}, err
	}
	s, err := d.Starter.StartScenarios(ctx, d.RuleID, token)
	if err != nil {
		return CallbackStarted{}, fmt.Errorf("callback %s (offer %s): %w", start.Call, start.Offer, err)
	}
	out := CallbackStarted{AccessURL: s.AccessURL, AccessSecureURL: s.AccessSecureURL}
	if s.HistoryID != 0 {
		out.SessionID = strconv.FormatInt(s.HistoryID, 10)
	}
	return out, nil
}

// CallbackRetryable says whether a StartCallback error is worth another try later (the
// platform or the network failed), rather than a fault a person must fix (credentials, rule).
func CallbackRetryable(err error) bool { return voximplant.IsRetryable(err) }
