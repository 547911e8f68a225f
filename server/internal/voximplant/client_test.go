package voximplant

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tandemcc/tandem/server/internal/clock"
)

var (
	testKeyOnce sync.Once
	testRSA     *rsa.PrivateKey
)

// testKey is one RSA key for the whole package (generating one takes a while).
func testKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	testKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testRSA = k
	})
	return testRSA
}

// keyJSON is a key file as Voximplant issues it (wrapped in result, as CreateKey returns it).
func keyJSON(t *testing.T, account int64, keyID string) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	b, err := json.Marshal(map[string]any{"result": map[string]any{
		"account_id": account, "account_email": "ops@example.com", "key_id": keyID, "private_key": string(pemKey),
	}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fakeAPI is an httptest Management API that checks each request's JWT with the key's public
// half and answers StartScenarios with reply (or a session of its own).
type fakeAPI struct {
	t       *testing.T
	srv     *httptest.Server
	clock   clock.Clock
	account int64
	keyID   string

	mu       sync.Mutex
	tokens   []string
	forms    []map[string]string
	claims   []jwt.MapClaims
	reply    func(w http.ResponseWriter)
	authFail string
}

func newFakeAPI(t *testing.T, clk clock.Clock) *fakeAPI {
	f := &fakeAPI{t: t, clock: clk, account: 4242, keyID: "key-1"}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/platform_api/StartScenarios" {
		http.Error(w, "no such method", http.StatusNotFound)
		return
	}
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		f.authFail = "no bearer"
		writeJSON(w, `{"error":{"code":100,"msg":"Authorization failed"}}`)
		return
	}
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(raw, claims, func(tok *jwt.Token) (any, error) {
		if tok.Header["kid"] != f.keyID {
			return nil, fmt.Errorf("kid %v", tok.Header["kid"])
		}
		return &testKey(f.t).PublicKey, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(f.clock.Now), jwt.WithIssuedAt(), jwt.WithExpirationRequired())
	if err != nil || !tok.Valid {
		f.authFail = fmt.Sprint(err)
		writeJSON(w, `{"error":{"code":100,"msg":"Authorization failed"}}`)
		return
	}
	iat, _ := claims.GetIssuedAt()
	exp, _ := claims.GetExpirationTime()
	if exp.Sub(iat.Time) > time.Hour {
		f.authFail = "exp past iat + 3600"
		writeJSON(w, `{"error":{"code":100,"msg":"Authorization failed"}}`)
		return
	}
	if iss, _ := claims["iss"].(float64); int64(iss) != f.account {
		f.authFail = fmt.Sprintf("iss %v", claims["iss"])
		writeJSON(w, `{"error":{"code":100,"msg":"Authorization failed"}}`)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	form := map[string]string{}
	for k := range r.PostForm {
		form[k] = r.PostForm.Get(k)
	}
	f.tokens = append(f.tokens, raw)
	f.forms = append(f.forms, form)
	f.claims = append(f.claims, claims)
	if f.reply != nil {
		f.reply(w)
		return
	}
	writeJSON(w, `{"result":1,"media_session_access_url":"http://media.example/request/1/abc","media_session_access_secure_url":"https://media.example/request/1/abc","call_session_history_id":777}`)
}

func writeJSON(w http.ResponseWriter, s string) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(s))
}

func newTestClient(t *testing.T, f *fakeAPI, logs *bytes.Buffer) *Client {
	t.Helper()
	key, err := ParseKey(keyJSON(t, f.account, f.keyID))
	if err != nil {
		t.Fatal(err)
	}
	if logs == nil {
		logs = &bytes.Buffer{}
	}
	c, err := New(Config{APIURL: f.srv.URL + "/platform_api", Key: key, Clock: f.clock, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestStartScenarios(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	f := newFakeAPI(t, clk)
	var logs bytes.Buffer
	c := newTestClient(t, f, &logs)
	s, err := c.StartScenarios(context.Background(), 99, "cb1.token")
	if err != nil {
		t.Fatalf("StartScenarios: %v (server: %s)", err, f.authFail)
	}
	want := Session{AccessURL: "http://media.example/request/1/abc", AccessSecureURL: "https://media.example/request/1/abc", HistoryID: 777}
	if s != want {
		t.Errorf("session = %+v, want %+v", s, want)
	}
	if got := f.forms[0]; got["rule_id"] != "99" || got["script_custom_data"] != "cb1.token" || len(got) != 2 {
		t.Errorf("form = %v", got)
	}
	cl := f.claims[0]
	if iat, _ := cl.GetIssuedAt(); !iat.Equal(clk.Now()) {
		t.Errorf("iat = %v, want now", iat)
	}
	if exp, _ := cl.GetExpirationTime(); !exp.Equal(clk.Now().Add(DefaultTokenTTL)) {
		t.Errorf("exp = %v, want now + %v", exp, DefaultTokenTTL)
	}
	if strings.Contains(logs.String(), f.tokens[0]) || strings.Contains(logs.String(), "cb1.token") {
		t.Errorf("logs carry a secret: %s", logs.String())
	}
}

func TestTokenReusedThenRefreshed(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	f := newFakeAPI(t, clk)
	c := newTestClient(t, f, nil)
	start := func() {
		t.Helper()
		if _, err := c.StartScenarios(context.Background(), 1, ""); err != nil {
			t.Fatalf("StartScenarios: %v (server: %s)", err, f.authFail)
		}
	}
	start()
	clk.Advance(DefaultTokenTTL - tokenRefresh - time.Second)
	start()
	if f.tokens[0] != f.tokens[1] {
		t.Error("a token with time left was replaced")
	}
	clk.Advance(2 * time.Second) // within a minute of exp: replaced before use
	start()
	if f.tokens[2] == f.tokens[1] {
		t.Error("a token about to expire was used again")
	}
	if _, ok := f.forms[0]["script_custom_data"]; ok {
		t.Error("empty custom data was sent")
	}
}

func TestStartScenariosErrors(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	cases := []struct {
		name      string
		reply     func(w http.ResponseWriter)
		retryable bool
		code      int
		field     string
	}{
		{"bad arguments", func(w http.ResponseWriter) {
			writeJSON(w, `{"error":{"code":101,"msg":"Invalid arguments","field_name":"rule_id"}}`)
		}, false, CodeInvalidArguments, "rule_id"},
		{"internal", func(w http.ResponseWriter) { writeJSON(w, `{"error":{"code":2,"msg":"Internal error"}}`) }, true, CodeInternal, ""},
		{"media balancer", func(w http.ResponseWriter) { writeJSON(w, `{"error":{"code":16,"msg":"Media balancer error"}}`) }, true, CodeMediaBalancer, ""},
		{"503", func(w http.ResponseWriter) { http.Error(w, "down", http.StatusServiceUnavailable) }, true, 0, ""},
		{"429", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "7")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		}, true, 0, ""},
		{"403", func(w http.ResponseWriter) { http.Error(w, "no", http.StatusForbidden) }, false, 0, ""},
		{"not JSON", func(w http.ResponseWriter) { _, _ = w.Write([]byte("<html>")) }, false, 0, ""},
		{"no access url", func(w http.ResponseWriter) { writeJSON(w, `{"result":1}`) }, false, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t, clk)
			f.reply = tc.reply
			c := newTestClient(t, f, nil)
			_, err := c.StartScenarios(context.Background(), 5, "x")
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if IsRetryable(err) != tc.retryable || e.Code != tc.code || e.Field != tc.field {
				t.Errorf("err = %v: retryable %v code %d field %q, want %v %d %q", err, IsRetryable(err), e.Code, e.Field, tc.retryable, tc.code, tc.field)
			}
			if tc.name == "429" && e.RetryAfter != 7*time.Second {
				t.Errorf("RetryAfter = %v", e.RetryAfter)
			}
		})
	}
}

func TestStartScenariosAuthRefused(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	f := newFakeAPI(t, clk)
	c := newTestClient(t, f, nil)
	f.keyID = "another-key" // the server knows another key: our JWT is refused
	_, err := c.StartScenarios(context.Background(), 5, "")
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeAuthorization || IsRetryable(err) {
		t.Fatalf("err = %v, want a final authorization error", err)
	}
}

func TestStartScenariosRefusedLocally(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	f := newFakeAPI(t, clk)
	c := newTestClient(t, f, nil)
	for _, tc := range []struct {
		rule  int64
		data  string
		field string
	}{{0, "", "rule_id"}, {1, strings.Repeat("x", CustomDataLimit+1), "script_custom_data"}} {
		_, err := c.StartScenarios(context.Background(), tc.rule, tc.data)
		var e *Error
		if !errors.As(err, &e) || e.Field != tc.field || IsRetryable(err) {
			t.Errorf("StartScenarios(%d, %d bytes) = %v, want a final error naming %s", tc.rule, len(tc.data), err, tc.field)
		}
	}
	if len(f.forms) != 0 {
		t.Errorf("%d requests sent", len(f.forms))
	}
}

func TestStartScenariosTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	key, err := ParseKey(keyJSON(t, 1, "k"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{APIURL: srv.URL, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.StartScenarios(ctx, 1, "")
	var te *TransportError
	if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) || !IsRetryable(err) {
		t.Fatalf("err = %v, want a retryable transport error (deadline)", err)
	}
	ctx, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err = c.StartScenarios(ctx, 1, ""); err == nil || IsRetryable(err) {
		t.Fatalf("cancelled: err = %v, want a final error", err)
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	wrapped := keyJSON(t, 12, "kid-12")
	var w struct{ Result map[string]any }
	if err := json.Unmarshal(wrapped, &w); err != nil {
		t.Fatal(err)
	}
	bare, _ := json.Marshal(w.Result)
	for _, p := range []string{write("wrapped.json", wrapped), write("bare.json", bare)} {
		k, err := LoadKey(p)
		if err != nil {
			t.Fatalf("LoadKey(%s): %v", p, err)
		}
		if k.AccountID != 12 || k.KeyID != "kid-12" || !k.Private.PublicKey.Equal(&testKey(t).PublicKey) {
			t.Errorf("LoadKey(%s) = %v", p, k)
		}
		if strings.Contains(k.String(), "PRIVATE") {
			t.Errorf("String() shows the key")
		}
	}
	noPEM := `{"account_id":1,"key_id":"k","private_key":"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}`
	cases := map[string]string{
		write("garbage", []byte("not json")):                                        "not JSON",
		write("nokid", []byte(`{"account_id":1,"private_key":"x"}`)):                "key_id is missing",
		write("noacc", []byte(`{"key_id":"k","private_key":"x"}`)):                  "account_id is missing",
		write("negacc", []byte(`{"account_id":-3,"key_id":"k","private_key":"x"}`)): "not a positive number",
		write("nopem", []byte(noPEM)):                                               "not a PEM RSA private key",
		filepath.Join(dir, "missing"):                                               "no such file",
	}
	for p, want := range cases {
		_, err := LoadKey(p)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), p) {
			t.Errorf("LoadKey(%s) = %v, want an error naming the file and %q", filepath.Base(p), err, want)
		}
		if err != nil && strings.Contains(err.Error(), "BEGIN") {
			t.Errorf("error shows the key: %v", err)
		}
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	key, err := ParseKey(keyJSON(t, 1, "k"))
	if err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []Config{
		{Key: nil},
		{Key: key, APIURL: "ftp://x"},
		{Key: key, APIURL: "http://"},
		{Key: key, TokenTTL: 2 * time.Hour},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
	c, err := New(Config{Key: key})
	if err != nil || c.APIURL() != DefaultAPIURL {
		t.Errorf("default API URL = %v, %v", c, err)
	}
}
