package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/golang-jwt/jwt/v5"

	tandem "github.com/tandemcc/tandem/clients/go"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/cloud"
)

// writeVoximplantKey writes a service account key file as Voximplant issues it and returns its
// path and public key.
func writeVoximplantKey(t *testing.T, account int64) (string, *rsa.PublicKey) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"result": map[string]any{"account_id": account, "key_id": "kid-1",
		"private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))}})
	p := filepath.Join(t.TempDir(), "voximplant-key.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p, &k.PublicKey
}

func TestCallbackFlagsAllOrNothing(t *testing.T) {
	key, _ := writeVoximplantKey(t, 7)
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"account alone", []string{"--voximplant-account-id", "7"}, []string{"--voximplant-key-file and --callback-rule-id", "all three or none"}},
		{"no rule", []string{"--voximplant-account-id", "7", "--voximplant-key-file", key}, []string{"need --callback-rule-id too"}},
		{"account not a number", []string{"--voximplant-account-id", "acme", "--voximplant-key-file", key, "--callback-rule-id", "5"}, []string{`--voximplant-account-id: "acme" is not a positive number`}},
		{"rule a name", []string{"--voximplant-account-id", "7", "--voximplant-key-file", key, "--callback-rule-id", "callback"}, []string{`--callback-rule-id: "callback" is not a positive number`}},
		{"api url alone", []string{"--voximplant-api-url", "http://127.0.0.1:9/platform_api/"}, []string{"--voximplant-api-url needs"}},
		{"missing key file", []string{"--voximplant-account-id", "7", "--voximplant-key-file", filepath.Join(dir, "nope.json"), "--callback-rule-id", "5"},
			[]string{"--voximplant-key-file: voximplant key file " + filepath.Join(dir, "nope.json") + ": no such file or directory"}},
		{"key of another account", []string{"--voximplant-account-id", "8", "--voximplant-key-file", key, "--callback-rule-id", "5"}, []string{"the key is of account 7, not --voximplant-account-id 8"}},
		{"bad api url", []string{"--voximplant-account-id", "7", "--voximplant-key-file", key, "--callback-rule-id", "5", "--voximplant-api-url", "ftp://x"}, []string{"--voximplant-api-url: ", "not an http:// or https:// URL"}},
	}
	garbage := filepath.Join(dir, "garbage.json")
	if err := os.WriteFile(garbage, []byte("-----BEGIN RSA PRIVATE KEY-----"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases = append(cases, struct {
		name string
		args []string
		want []string
	}{"key file not JSON", []string{"--voximplant-account-id", "7", "--voximplant-key-file", garbage, "--callback-rule-id", "5"}, []string{"--voximplant-key-file: voximplant key file " + garbage + ": not JSON"}})
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			startFails(t, append(serveArgs(filepath.Join(dir, "t"+string(rune('a'+i))+".db")), c.args...), c.want...)
		})
	}
}

// TestCallbackDialerWired: with the three flags the binary has a Dialer that starts the
// callback rule at the given API with a JWT of the key file and a callback token of the
// cloud secret; without them it has none.
func TestCallbackDialerWired(t *testing.T) {
	keyFile, pub := writeVoximplantKey(t, 7)
	type got struct {
		path, rule, data string
		claims           jwt.MapClaims
		err              error
	}
	seen := make(chan got, 1)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims := jwt.MapClaims{}
		_, err := jwt.ParseWithClaims(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), claims,
			func(*jwt.Token) (any, error) { return pub, nil }, jwt.WithValidMethods([]string{"RS256"}))
		_ = r.ParseForm()
		seen <- got{r.URL.Path, r.PostForm.Get("rule_id"), r.PostForm.Get("script_custom_data"), claims, err}
		_, _ = io.WriteString(w, `{"result":1,"media_session_access_url":"http://m/request/9/x","media_session_access_secure_url":"https://m/request/9/x"}`)
	}))
	defer api.Close()

	m := NewMain()
	if err := m.ParseFlags("serve", []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "t.db"), "--cloud-secret", bootSecret,
		"--voximplant-account-id", "7", "--voximplant-key-file", keyFile, "--callback-rule-id", "55", "--voximplant-api-url", api.URL + "/platform_api/"}); err != nil {
		t.Fatal(err)
	}
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.Close() }()
	if m.Dialer == nil {
		t.Fatal("no Dialer with the callback flags")
	}
	start := cloud.CallbackStart{Call: "call_1", Offer: "offer_1", Expires: time.Now().Add(time.Minute)}
	started, err := m.Dialer.StartCallback(context.Background(), start)
	if err != nil {
		t.Fatal(err)
	}
	if started.AccessURL != "http://m/request/9/x" {
		t.Errorf("started %+v", started)
	}
	g := <-seen
	if g.err != nil || g.path != "/platform_api/StartScenarios" || g.rule != "55" || g.claims["iss"] != float64(7) {
		t.Errorf("the API saw path %s rule %s claims %v (jwt %v)", g.path, g.rule, g.claims, g.err)
	}
	signer, _ := cloud.NewSigner(bootSecret)
	tok, err := signer.VerifyCallback(g.data, time.Now())
	if err != nil || tok.For("call_1", "offer_1") != nil {
		t.Errorf("custom data %q: %v", g.data, err)
	}

	off := NewMain()
	if err := off.ParseFlags("serve", []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "o.db"), "--cloud-secret", bootSecret}); err != nil {
		t.Fatal(err)
	}
	off.Logger, off.Clock = slog.New(slog.NewTextHandler(io.Discard, nil)), clock.Real{}
	if err := off.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = off.Close() }()
	if off.Dialer != nil {
		t.Error("a Dialer without the callback flags")
	}
}

// TestCallbackRequestsRefusedUntilServed: until the engine serves callbacks, the callback
// scenario's RegisterCall (callback_token) and its customer_* events are refused with
// failed_precondition naming the field, and nothing is registered.
func TestCallbackRequestsRefusedUntilServed(t *testing.T) {
	clk := clock.NewFake(time.Now())
	srv := startServer(t, filepath.Join(t.TempDir(), "tandem.db"), clk)
	admin := tandem.New(srv.m.URL, tandem.WithToken(testAdminKey))
	setup(t, admin)
	cl := newCloud(t, srv.m.URL, tandem.Connect, false, clk)
	sess := newSession(t)
	req := &callintakev1.RegisterCallRequest{RequestId: "cb-1", SessionId: "s-cb", AccessUrl: sess.srv.URL + "/cb", CallbackToken: "cb1.call_x.offer_x.tz00aa.AAAAAAAAAAAAAAAAAAAAAA"}
	_, err := cl.register(req)
	if code, field := fieldOf(t, err); code != connect.CodeFailedPrecondition || field != "callback_token" {
		t.Errorf("register with callback_token: %v %q (%v)", code, field, err)
	}
	good, err := cl.register(intake(sess.srv.URL, "/ok"))
	if err != nil {
		t.Fatal(err)
	}
	for name, ev := range map[string]*callintakev1.ReportCallEventRequest{
		"customer_ringing":  {Event: &callintakev1.ReportCallEventRequest_CustomerRinging{CustomerRinging: &callintakev1.CustomerRinging{}}},
		"customer_answered": {Event: &callintakev1.ReportCallEventRequest_CustomerAnswered{CustomerAnswered: &callintakev1.CustomerAnswered{RingTimeMs: 100}}},
		"customer_failed":   {Event: &callintakev1.ReportCallEventRequest_CustomerFailed{CustomerFailed: &callintakev1.CustomerFailed{Code: 486}}},
	} {
		e := event(good.GetCallId(), "")
		e.Event = ev.Event
		_, err := cl.report(e)
		if code, field := fieldOf(t, err); code != connect.CodeFailedPrecondition || field != name {
			t.Errorf("%s: %v %q (%v)", name, code, field, err)
		}
	}
	if calls := waitingCalls(t, admin); len(calls) != 1 {
		t.Errorf("%d calls waiting, want the one good call", len(calls))
	}
}
