package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/oauth2-proxy/mockoidc"
	"golang.org/x/crypto/bcrypt"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/rpc/accounts"
)

// TestPeopleSignIn starts the real server with its OpenID Connect flags pointing at a local
// provider: a supervisor signs in with his password, another person through the provider, both
// act on the floor and the audit log names each with how he signed in; a person the provider
// gives no role is sent back to the pages with an error and no session.
func TestPeopleSignIn(t *testing.T) {
	provider, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = provider.Shutdown() }()
	secretFile := filepath.Join(t.TempDir(), "oidc-secret")
	if err := os.WriteFile(secretFile, []byte(provider.ClientSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	m := NewMain()
	// The redirect URL names the server's address, known once it listens: take a free port first.
	addr := freeAddr(t)
	if err := m.ParseFlags("serve", []string{"--addr", addr, "--db", filepath.Join(t.TempDir(), "t.db"),
		"--oidc-issuer", provider.Issuer(), "--oidc-client-id", provider.ClientID, "--oidc-client-secret-file", secretFile,
		"--oidc-redirect-url", "http://" + addr + accounts.CallbackPath, "--oidc-role-claim", "groups", "--oidc-scopes", "groups",
		"--oidc-roles", "cc-floor=supervisor,cc-admins=admin", "--oidc-provider-name", "Mock"}); err != nil {
		t.Fatal(err)
	}
	m.CloudSecrets, m.AdminKey = []string{testSecret}, testAdminKey
	m.Clock, m.PasswordCost = clock.Real{}, bcrypt.MinCost // the provider's tokens are on the real clock
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.Close() }()
	ctx := context.Background()
	admin := tandem.New(m.URL, tandem.WithToken(testAdminKey))
	setup(t, admin)
	if _, err := admin.Admin.CreateAccount(ctx, connect.NewRequest(&adminv1.CreateAccountRequest{Name: "olga", Role: adminv1.KeyRole_KEY_ROLE_SUPERVISOR, Password: "demo-password"})); err != nil {
		t.Fatal(err)
	}
	anna := logIn(t, m.URL, tandem.Connect, "anna")

	in, err := tandem.New(m.URL).Admin.SignIn(ctx, connect.NewRequest(&adminv1.SignInRequest{Name: "olga", Password: "demo-password"}))
	if err != nil {
		t.Fatal(err)
	}
	olga := tandem.New(m.URL, tandem.WithToken(in.Msg.GetToken()))
	if _, err := olga.Presence.GoAway(ctx, connect.NewRequest(&presencev1.GoAwayRequest{OperatorId: anna.id, Reason: "coaching"})); err != nil {
		t.Fatal(err)
	}

	provider.QueueUser(&mockoidc.MockUser{Subject: "s-9", PreferredUsername: "vera", Groups: []string{"cc-floor"}})
	token, failure := signInThrough(t, m.URL)
	if failure != "" {
		t.Fatalf("OIDC sign-in: %s", failure)
	}
	vera := tandem.New(m.URL, tandem.WithToken(token))
	if _, err := vera.Presence.GoReady(ctx, connect.NewRequest(&presencev1.GoReadyRequest{OperatorId: anna.id})); err != nil {
		t.Fatal(err)
	}
	if _, err := vera.Admin.CreateAccount(ctx, connect.NewRequest(&adminv1.CreateAccountRequest{Name: "x", Role: adminv1.KeyRole_KEY_ROLE_ADMIN, Password: "long-enough"})); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("a supervisor by OIDC makes an account: %v", err)
	}
	log, err := admin.Admin.ListAuditEntries(ctx, connect.NewRequest(&adminv1.ListAuditEntriesRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	who := map[string]string{}
	for _, e := range log.Msg.GetEntries() {
		who[e.GetProcedure()[strings.LastIndexByte(e.GetProcedure(), '/')+1:]] = e.GetActor() + "/" + e.GetActorRole() + "/" + e.GetActorSignIn()
	}
	if who["GoAway"] != "olga/supervisor/password" || who["GoReady"] != "vera/supervisor/oidc" || who["CreateAccount"] != "admin-key/admin/key" {
		t.Errorf("audit: %v", who)
	}

	provider.QueueUser(&mockoidc.MockUser{Subject: "s-10", PreferredUsername: "boris", Groups: []string{"staff"}})
	if token, failure := signInThrough(t, m.URL); token != "" || !strings.Contains(failure, "gives no Tandem role") {
		t.Errorf("no role: token %q, error %q", token, failure)
	}
}

// signInThrough signs in through the provider as a browser would and returns the token, or the
// error, the supervisor pages are sent in their URL's fragment.
func signInThrough(t *testing.T, base string) (token, failure string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	var landed *url.URL
	browser := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == accounts.SignedInPath {
			landed = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	res, err := browser.Get(base + accounts.StartPath)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if landed == nil {
		t.Fatalf("never back on the supervisor pages: %s", res.Status)
	}
	f, err := url.ParseQuery(landed.Fragment)
	if err != nil {
		t.Fatal(err)
	}
	return f.Get("signin_token"), f.Get("signin_error")
}

// TestOIDCFlagsAreChecked: the OpenID Connect flags go together and say what is wrong.
func TestOIDCFlagsAreChecked(t *testing.T) {
	good := []string{"--oidc-issuer", "https://accounts.google.com", "--oidc-client-id", "c", "--oidc-role-claim", "groups",
		"--oidc-redirect-url", "https://tandem.example.com" + accounts.CallbackPath}
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"no issuer":        {[]string{"--oidc-client-id", "c"}, "need --oidc-issuer"},
		"no client id":     {[]string{"--oidc-issuer", "https://i.example", "--oidc-role-claim", "groups"}, "--oidc-client-id"},
		"no role claim":    {[]string{"--oidc-issuer", "https://i.example", "--oidc-client-id", "c"}, "--oidc-role-claim"},
		"another callback": {append(append([]string{}, good[:6]...), "--oidc-redirect-url", "https://tandem.example.com/cb"), "--oidc-redirect-url"},
		"an odd role":      {append(append([]string{}, good...), "--oidc-roles", "cc=operator"), "--oidc-roles"},
	} {
		if err := NewMain().ParseFlags("serve", c.args); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	m := NewMain()
	if err := m.ParseFlags("serve", append(good, "--oidc-roles", "cc-floor=supervisor, cc-admins=admin", "--oidc-scopes", "groups")); err != nil {
		t.Fatal(err)
	}
	if m.OIDC.Roles["cc-floor"] != "supervisor" || m.OIDC.Roles["cc-admins"] != "admin" || len(m.OIDC.Scopes) != 1 {
		t.Errorf("parsed: %+v", m.OIDC)
	}
}
