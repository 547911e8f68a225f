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
	"golang.org/x/crypto/bcrypt"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
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
	t.Parallel() // a long one: it runs beside the other long ones, after the rest
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

// TestCallbackEndToEnd plays a callback through the real server: a waiting caller is offered
// a callback after the queue's minute and accepts it; when anna is ready the callback scenario
// is started through the Management API (a JWT of the key file, the rule, the token as its
// custom data); it reports in with the token and is sent anna's dial; she answers, the customer
// answers and hangs up, and the callback ends connected. A forged token and a second session for
// the same offer are refused naming callback_token.
func TestCallbackEndToEnd(t *testing.T) {
	m, sess, tokens, clk := callbackServer(t)
	ctx := context.Background()
	admin := tandem.New(m.URL, tandem.WithToken(testAdminKey))
	setup(t, admin)
	q := getQueue(t, admin, "support")
	q.Callback = &adminv1.QueueCallback{OfferAfterS: 60}
	if _, err := admin.Admin.UpdateQueue(ctx, connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: q})); err != nil {
		t.Fatal(err)
	}
	cl := newCloud(t, m.URL, tandem.Connect, false, clk)
	in, err := cl.register(intake(sess.srv.URL, "/in"))
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(61 * time.Second)
	offer := sess.next("/in")
	if offer.GetType() != "offer_callback" || offer.GetDigit() != "1" || offer.GetAskNumber() || len(offer.GetWords()) == 0 {
		t.Fatalf("after a minute: %v, want the callback offer", offer)
	}
	ans := event(in.GetCallId(), "")
	ans.Event = &callintakev1.ReportCallEventRequest_CallbackAnswer{CallbackAnswer: &callintakev1.CallbackAnswer{Accepted: true}}
	res, err := cl.report(ans)
	if err != nil || res.GetNext().GetType() != "hangup" || !strings.Contains(res.GetNext().GetText(), "+15557654321") {
		t.Fatalf("accepted: %v, %v", res, err)
	}
	anna := logIn(t, m.URL, tandem.Connect, "anna")
	anna.ready()
	var token string
	select {
	case token = <-tokens:
	case <-time.After(10 * time.Second):
		t.Fatal("the callback scenario was not started")
	}
	forged := &callintakev1.RegisterCallRequest{RequestId: tandem.NewRequestID(), SessionId: "cb", AccessUrl: sess.url("/cb"), CallbackToken: token[:len(token)-2] + "AA"}
	if _, err := cl.register(forged); err == nil {
		t.Fatal("a forged token was taken")
	} else if code, field := fieldOf(t, err); code != connect.CodeUnauthenticated || field != "callback_token" {
		t.Fatalf("forged token: %v %q", code, field)
	}
	reg, err := cl.register(&callintakev1.RegisterCallRequest{RequestId: tandem.NewRequestID(), SessionId: "cb", AccessUrl: sess.url("/cb"), CallbackToken: token})
	if err != nil {
		t.Fatal(err)
	}
	if leg := reg.GetCallback(); leg.GetCustomerNumber() != "+15557654321" || leg.GetCallerId() != supportLine {
		t.Fatalf("the callback's register: %v", reg)
	}
	second := &callintakev1.RegisterCallRequest{RequestId: tandem.NewRequestID(), SessionId: "cb-2", AccessUrl: sess.url("/cb2"), CallbackToken: token}
	if _, err := cl.register(second); err == nil {
		t.Fatal("a second session for the offer was taken")
	} else if code, field := fieldOf(t, err); code != connect.CodePermissionDenied || field != "callback_token" {
		t.Fatalf("second session: %v %q", code, field)
	}
	dial := sess.next("/cb")
	if dial.GetType() != "dial" || dial.GetContact().GetTarget() != "anna" || dial.GetCallId() != reg.GetCallId() {
		t.Fatalf("the callback's dial: %v", dial)
	}
	for _, ev := range []*callintakev1.ReportCallEventRequest{
		{Event: &callintakev1.ReportCallEventRequest_OperatorAnswered{OperatorAnswered: &callintakev1.OperatorAnswered{RingTimeMs: 900}}},
		{Event: &callintakev1.ReportCallEventRequest_CustomerRinging{CustomerRinging: &callintakev1.CustomerRinging{}}},
		{Event: &callintakev1.ReportCallEventRequest_CustomerAnswered{CustomerAnswered: &callintakev1.CustomerAnswered{RingTimeMs: 4000}}},
	} {
		e := event(reg.GetCallId(), dial.GetOfferId())
		e.Event = ev.Event
		if _, err := cl.report(e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := admin.Assignment.GetCall(ctx, connect.NewRequest(&assignmentv1.GetCallRequest{CallId: reg.GetCallId()}))
	if err != nil {
		t.Fatal(err)
	}
	c := got.Msg.GetCall()
	if c.GetState() != commonv1.CallState_CALL_STATE_CONNECTED || c.GetCallback().GetResult() != "connected" || c.GetCallback().GetOfCallId() != in.GetCallId() || c.GetOperatorId() != anna.id {
		t.Fatalf("the callback: %v", c)
	}
	end := event(reg.GetCallId(), "")
	end.Event = &callintakev1.ReportCallEventRequest_CallEnded{CallEnded: &callintakev1.CallEnded{HungUpBy: commonv1.HangupParty_HANGUP_PARTY_CALLER, TalkTimeMs: 60000}}
	if _, err := cl.report(end); err != nil {
		t.Fatal(err)
	}
	if calls := waitingCalls(t, admin); len(calls) != 0 {
		t.Fatalf("%d calls waiting after the callback, want none (no second attempt)", len(calls))
	}
}

// callbackServer starts the server with the callback flags pointing at a Management API that
// checks the JWT and the rule, passes on each callback token it is given, and answers with a
// media session at sess's /cb.
func callbackServer(t *testing.T) (*Main, *session, chan string, *clock.Fake) {
	t.Helper()
	keyFile, pub := writeVoximplantKey(t, 7)
	sess := newSession(t)
	tokens := make(chan string, 4)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := jwt.Parse(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), func(*jwt.Token) (any, error) { return pub, nil },
			jwt.WithValidMethods([]string{"RS256"}))
		_ = r.ParseForm()
		if err != nil || r.PostForm.Get("rule_id") != "55" {
			t.Errorf("StartScenarios: jwt %v, rule %q", err, r.PostForm.Get("rule_id"))
		}
		tokens <- r.PostForm.Get("script_custom_data")
		_, _ = io.WriteString(w, `{"result":1,"media_session_access_url":"`+sess.url("/cb")+`","media_session_access_secure_url":""}`)
	}))
	t.Cleanup(api.Close)
	clk := clock.NewFake(time.Now())
	m := NewMain()
	m.Addr, m.DBPath = "127.0.0.1:0", filepath.Join(t.TempDir(), "tandem.db")
	m.CloudSecrets, m.AdminKey = []string{testSecret}, testAdminKey
	m.Clock, m.PasswordCost = clk, bcrypt.MinCost
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	m.Voximplant = VoximplantConfig{AccountID: 7, KeyFile: keyFile, RuleID: 55, APIURL: api.URL + "/platform_api/"}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m, sess, tokens, clk
}

// getQueue reads queue id through the Admin API.
func getQueue(t *testing.T, admin *tandem.Client, id string) *adminv1.Queue {
	t.Helper()
	res, err := admin.Admin.ListQueues(context.Background(), connect.NewRequest(&adminv1.ListQueuesRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range res.Msg.GetQueues() {
		if q.GetQueueId() == id {
			return q
		}
	}
	t.Fatalf("no queue %s", id)
	return nil
}
