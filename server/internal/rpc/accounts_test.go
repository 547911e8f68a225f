package rpc

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/oauth2-proxy/mockoidc"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/rpc/accounts"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
)

func createAccount(t *testing.T, a *testAPI, name string, role adminv1.KeyRole) {
	t.Helper()
	_, err := a.admin().Admin.CreateAccount(context.Background(), connect.NewRequest(&adminv1.CreateAccountRequest{
		Name: name, DisplayName: strings.ToUpper(name[:1]) + name[1:], Role: role, Password: "password-" + name}))
	if err != nil {
		t.Fatal(err)
	}
}

func signIn(a *testAPI, name, password string) (*tandem.Client, *adminv1.SignInResponse, error) {
	res, err := a.client().Admin.SignIn(context.Background(), connect.NewRequest(&adminv1.SignInRequest{Name: name, Password: password}))
	if err != nil {
		return nil, nil, err
	}
	return a.client(tandem.WithToken(res.Msg.GetToken())), res.Msg, nil
}

// TestPeopleSignInAsThemselves: an admin makes a supervisor account; the supervisor signs in
// with his password, is who WhoAmI says, may do what a supervisor key may (and not what an
// admin may), and his changes are audited under his name and "password"; he signs out and his
// token is dead. A wrong password, an unknown name and a disabled account are refused, and
// changing the password ends his sessions.
func TestPeopleSignInAsThemselves(t *testing.T) {
	a := newTestAPI(t, limits.Limits{})
	a.setup("anna")
	ctx := context.Background()
	createAccount(t, a, "olga", adminv1.KeyRole_KEY_ROLE_SUPERVISOR)

	olga, in, err := signIn(a, "olga", "password-olga")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(in.GetToken(), "tkp_") || in.GetAccount().GetName() != "olga" || !in.GetExpiresAt().AsTime().Equal(a.clock.Now().Add(12*time.Hour)) {
		t.Fatalf("sign-in: %v", in)
	}
	me, err := olga.Admin.WhoAmI(ctx, connect.NewRequest(&adminv1.WhoAmIRequest{}))
	if err != nil || me.Msg.GetName() != "olga" || me.Msg.GetDisplayName() != "Olga" || me.Msg.GetSignIn() != "password" ||
		me.Msg.GetRole() != adminv1.KeyRole_KEY_ROLE_SUPERVISOR || me.Msg.GetKeyId() != "" {
		t.Fatalf("whoami: %v %v", me, err)
	}
	// A supervisor's change: sending an operator away.
	_, annaID := logInAs(t, a, "anna")
	if _, err := olga.Presence.GoAway(ctx, connect.NewRequest(&presencev1.GoAwayRequest{OperatorId: annaID, Reason: "coaching"})); err != nil {
		t.Fatal(err)
	}
	if _, err := olga.Admin.CreateAccount(ctx, connect.NewRequest(&adminv1.CreateAccountRequest{Name: "eve", Role: adminv1.KeyRole_KEY_ROLE_ADMIN, Password: "password-eve"})); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("a supervisor makes an account: %v", err)
	}
	log, err := a.admin().Admin.ListAuditEntries(ctx, connect.NewRequest(&adminv1.ListAuditEntriesRequest{Procedure: "GoAway"}))
	if err != nil || len(log.Msg.GetEntries()) != 1 {
		t.Fatalf("audit: %v %v", log, err)
	}
	if e := log.Msg.GetEntries()[0]; e.GetActor() != "olga" || e.GetActorRole() != "supervisor" || e.GetActorSignIn() != "password" {
		t.Errorf("audit entry: %v", e)
	}
	made, err := a.admin().Admin.ListAuditEntries(ctx, connect.NewRequest(&adminv1.ListAuditEntriesRequest{Procedure: "CreateAccount"}))
	if err != nil || len(made.Msg.GetEntries()) != 1 || made.Msg.GetEntries()[0].GetActorSignIn() != "key" ||
		strings.Contains(made.Msg.GetEntries()[0].GetRequestJson(), "password-olga") {
		t.Errorf("CreateAccount audited: %v %v", made, err)
	}

	if _, err := olga.Admin.SignOut(ctx, connect.NewRequest(&adminv1.SignOutRequest{})); err != nil {
		t.Fatal(err)
	}
	if _, err := olga.Admin.WhoAmI(ctx, connect.NewRequest(&adminv1.WhoAmIRequest{})); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("after signing out: %v", err)
	}
	if _, err := a.admin().Admin.SignOut(ctx, connect.NewRequest(&adminv1.SignOutRequest{})); connect.CodeOf(err) != connect.CodeFailedPrecondition {
		t.Errorf("a key signs out: %v", err)
	}

	for name, c := range map[string]struct {
		name, password string
		code           connect.Code
	}{
		"wrong password": {"olga", "password-ivan", connect.CodeUnauthenticated},
		"unknown name":   {"ivan", "password-ivan", connect.CodeUnauthenticated},
		"no name":        {"", "password-ivan", connect.CodeInvalidArgument},
	} {
		if _, _, err := signIn(a, c.name, c.password); connect.CodeOf(err) != c.code {
			t.Errorf("%s: %v", name, err)
		}
	}

	olga, _, err = signIn(a, "olga", "password-olga")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.admin().Admin.SetAccountPassword(ctx, connect.NewRequest(&adminv1.SetAccountPasswordRequest{Name: "olga", Password: "a-new-password"})); err != nil {
		t.Fatal(err)
	}
	if _, err := olga.Admin.WhoAmI(ctx, connect.NewRequest(&adminv1.WhoAmIRequest{})); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("after a new password: %v", err)
	}
	pw, err := a.admin().Admin.ListAuditEntries(ctx, connect.NewRequest(&adminv1.ListAuditEntriesRequest{Procedure: "SetAccountPassword"}))
	if err != nil || len(pw.Msg.GetEntries()) != 1 {
		t.Fatalf("SetAccountPassword audited: %v %v", pw, err)
	}
	if e := pw.Msg.GetEntries()[0]; !strings.Contains(e.GetBeforeJson(), `"name":"olga"`) || strings.Contains(e.GetRequestJson(), "a-new-password") ||
		strings.Contains(e.GetBeforeJson()+e.GetAfterJson(), "$2a$") {
		t.Errorf("SetAccountPassword entry: %v", e)
	}
	disabled := true
	if _, err := a.admin().Admin.UpdateAccount(ctx, connect.NewRequest(&adminv1.UpdateAccountRequest{Name: "olga", Disabled: &disabled})); err != nil {
		t.Fatal(err)
	}
	if _, _, err := signIn(a, "olga", "a-new-password"); connect.CodeOf(err) != connect.CodePermissionDenied || !strings.Contains(err.Error(), "disabled") {
		t.Errorf("disabled: %v", err)
	}
}

// TestAccountSignInIsThrottled: wrong passwords for an account back off like an operator's.
func TestAccountSignInIsThrottled(t *testing.T) {
	a := newTestAPI(t, limits.Limits{Logins: limits.LoginLimits{PairFree: 2}})
	a.setup()
	createAccount(t, a, "olga", adminv1.KeyRole_KEY_ROLE_SUPERVISOR)
	for range 2 {
		if _, _, err := signIn(a, "olga", "wrong-password"); connect.CodeOf(err) != connect.CodeUnauthenticated {
			t.Fatalf("wrong password: %v", err)
		}
	}
	if _, _, err := signIn(a, "olga", "password-olga"); connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Fatalf("the right password while backed off: %v", err)
	}
	a.clock.Advance(time.Minute)
	if _, _, err := signIn(a, "olga", "password-olga"); err != nil {
		t.Fatalf("after the back-off: %v", err)
	}
}

// TestAccountInputIsChecked: bad input names its field and makes nothing.
func TestAccountInputIsChecked(t *testing.T) {
	a := newTestAPI(t, limits.Limits{})
	a.setup()
	ctx := context.Background()
	createAccount(t, a, "olga", adminv1.KeyRole_KEY_ROLE_SUPERVISOR)
	sup, adm := adminv1.KeyRole_KEY_ROLE_SUPERVISOR, adminv1.KeyRole_KEY_ROLE_ADMIN
	for name, c := range map[string]struct {
		req   *adminv1.CreateAccountRequest
		code  connect.Code
		field string
	}{
		"bad name":       {&adminv1.CreateAccountRequest{Name: "Olga P", Role: sup, Password: "long-enough"}, connect.CodeInvalidArgument, "name"},
		"readonly":       {&adminv1.CreateAccountRequest{Name: "ivan", Role: adminv1.KeyRole_KEY_ROLE_READONLY, Password: "long-enough"}, connect.CodeInvalidArgument, "role"},
		"no role":        {&adminv1.CreateAccountRequest{Name: "ivan", Password: "long-enough"}, connect.CodeInvalidArgument, "role"},
		"short password": {&adminv1.CreateAccountRequest{Name: "ivan", Role: adm, Password: "short"}, connect.CodeInvalidArgument, "password"},
		"taken":          {&adminv1.CreateAccountRequest{Name: "olga", Role: adm, Password: "long-enough"}, connect.CodeAlreadyExists, "name"},
	} {
		_, err := a.admin().Admin.CreateAccount(ctx, connect.NewRequest(c.req))
		if connect.CodeOf(err) != c.code || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: %v", name, err)
		}
	}
	_, err := a.admin().Admin.UpdateAccount(ctx, connect.NewRequest(&adminv1.UpdateAccountRequest{Name: "olga", Role: adminv1.KeyRole_KEY_ROLE_READONLY}))
	if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), "role") {
		t.Errorf("update to readonly: %v", err)
	}
	_, err = a.admin().Admin.SetAccountPassword(ctx, connect.NewRequest(&adminv1.SetAccountPasswordRequest{Name: "nobody", Password: "long-enough"}))
	if connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("password of nobody: %v", err)
	}
	all, err := a.admin().Admin.ListAccounts(ctx, connect.NewRequest(&adminv1.ListAccountsRequest{}))
	if err != nil || len(all.Msg.GetAccounts()) != 1 || all.Msg.GetAccounts()[0].GetRole() != sup {
		t.Errorf("accounts: %v %v", all, err)
	}
}

// TestSignInWithOIDC goes the whole authorization-code flow against a local provider: the
// browser (a cookie jar) is sent to the provider and back, lands on the supervisor pages with a
// token, and that token is the person the provider vouched for, with the role his claim says;
// his changes are audited as "oidc". A person without a role claim lands with an error and no
// session; a callback without the browser's state cookie is refused.
func TestSignInWithOIDC(t *testing.T) {
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.Shutdown() }()
	// The callback's URL must be known before the API is made: the browser reaches the API
	// through a front server whose address is known first.
	var api http.Handler
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { api.ServeHTTP(w, r) }))
	defer front.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var o *accounts.OIDC
	a := newTestAPI(t, limits.Limits{}, func(c *Config) {
		clk := clock.NewFake(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)) // the harness's start
		m.FastForward(clk.Now().Sub(m.Now()))                              // the provider on the same time
		cfg := m.Config()
		var err error
		o, err = accounts.NewOIDC(context.Background(), accounts.OIDCConfig{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			RedirectURL: front.URL + accounts.CallbackPath, Provider: "Mock", RoleClaim: "groups", Scopes: []string{"groups"},
			Roles: map[string]string{"tandem-supervisors": "supervisor", "tandem-admins": "admin"}}, clk, quiet)
		if err != nil {
			t.Fatal(err)
		}
		c.OIDC = o
		c.VoximplantApp = "cc.acme.n2.voximplant.com"
	})
	api = a.api
	a.setup()
	ctx := context.Background()
	c := tandem.New(front.URL)
	opts, err := c.Admin.GetSignInOptions(ctx, connect.NewRequest(&adminv1.GetSignInOptionsRequest{}))
	if err != nil || opts.Msg.GetOidcProvider() != "Mock" || opts.Msg.GetOidcStartPath() != accounts.StartPath {
		t.Errorf("options: %v %v", opts, err)
	}

	m.QueueUser(&mockoidc.MockUser{Subject: "s-1", PreferredUsername: "olga", Email: "olga@example.com", Groups: []string{"tandem-admins"}})
	token, failure := browserSignIn(t, front.URL)
	if failure != "" || !strings.HasPrefix(token, "tkp_") {
		t.Fatalf("sign-in: token %q, error %q", token, failure)
	}
	olga := tandem.New(front.URL, tandem.WithToken(token))
	me, err := olga.Admin.WhoAmI(ctx, connect.NewRequest(&adminv1.WhoAmIRequest{}))
	if err != nil || me.Msg.GetName() != "olga" || me.Msg.GetSignIn() != "oidc" || me.Msg.GetRole() != adminv1.KeyRole_KEY_ROLE_ADMIN {
		t.Fatalf("whoami: %v %v", me, err)
	}
	if _, err := olga.Admin.CreateAccount(ctx, connect.NewRequest(&adminv1.CreateAccountRequest{Name: "ivan", Role: adminv1.KeyRole_KEY_ROLE_SUPERVISOR, Password: "password-ivan"})); err != nil {
		t.Fatalf("an admin by OIDC makes an account: %v", err)
	}
	log, err := a.admin().Admin.ListAuditEntries(ctx, connect.NewRequest(&adminv1.ListAuditEntriesRequest{Procedure: "CreateAccount"}))
	if err != nil || len(log.Msg.GetEntries()) != 1 || log.Msg.GetEntries()[0].GetActor() != "olga" || log.Msg.GetEntries()[0].GetActorSignIn() != "oidc" {
		t.Errorf("audit: %v %v", log, err)
	}

	peoplePhones(t, a, olga)

	m.QueueUser(&mockoidc.MockUser{Subject: "s-2", PreferredUsername: "boris"})
	if token, failure := browserSignIn(t, front.URL); token != "" || !strings.Contains(failure, `"groups" claim gives no Tandem role`) {
		t.Errorf("no role claim: token %q, error %q", token, failure)
	}

	// A callback this browser did not start (no state cookie) is refused.
	if token, failure := landing(t, http.DefaultClient, front.URL+accounts.CallbackPath+"?code=x&state=y"); token != "" || !strings.Contains(failure, "not started in this browser") {
		t.Errorf("a forged callback: token %q, error %q", token, failure)
	}
}

// browserSignIn follows the sign-in as a browser would, with cookies, and returns the token or
// the error the supervisor pages are sent.
func browserSignIn(t *testing.T, base string) (token, failure string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return landing(t, &http.Client{Jar: jar}, base+accounts.StartPath)
}

// landing follows redirects from start up to the supervisor pages and reads their fragment.
func landing(t *testing.T, c *http.Client, start string) (token, failure string) {
	t.Helper()
	var landed *url.URL
	browser := *c
	browser.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Path == accounts.SignedInPath {
			landed = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}
	res, err := browser.Get(start)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if landed == nil {
		t.Fatalf("never landed on the supervisor pages: %s %s", res.Status, res.Request.URL)
	}
	f, err := url.ParseQuery(landed.Fragment)
	if err != nil {
		t.Fatal(err)
	}
	return f.Get("signin_token"), f.Get("signin_error")
}

// peoplePhones: people who sign in as themselves get browser phones by their names — olga by
// OpenID Connect (no account row), ivan by password — and sign for their own users only; a
// user taken by another person, a missing person or password are refused by field and change
// nothing; a phone removed is gone.
func peoplePhones(t *testing.T, a *testAPI, olga *tandem.Client) {
	t.Helper()
	ctx := context.Background()
	admin := a.admin()
	set := func(person, user, password string) (*adminv1.SetPersonSoftphoneResponse, error) {
		res, err := admin.Admin.SetPersonSoftphone(ctx, connect.NewRequest(&adminv1.SetPersonSoftphoneRequest{Person: person, SoftphoneUser: user, SoftphonePassword: password}))
		if err != nil {
			return nil, err
		}
		return res.Msg, nil
	}
	phone := func(c *tandem.Client) (string, error) {
		res, err := c.Presence.GetSoftphone(ctx, connect.NewRequest(&presencev1.GetSoftphoneRequest{}))
		if err != nil {
			return "", err
		}
		return res.Msg.GetUsername(), nil
	}
	_, err := phone(olga)
	wantField(t, err, connect.CodeFailedPrecondition, "softphone_user")

	if res, err := set("olga", "olga.sup", "olga-vox-1"); err != nil || res.GetSoftphone().GetSoftphoneUser() != "olga.sup" {
		t.Fatalf("SetPersonSoftphone = %v, %v", res, err)
	}
	if got, err := phone(olga); err != nil || got != "olga.sup@cc.acme.n2.voximplant.com" {
		t.Errorf("olga's phone: %q, %v", got, err)
	}
	const key = "5a7b"
	signed, err := olga.Presence.SignSoftphoneKey(ctx, connect.NewRequest(&presencev1.SignSoftphoneKeyRequest{Key: key}))
	if err != nil || signed.Msg.GetHash() != md5hex(key+"|"+md5hex("olga.sup:voximplant.com:olga-vox-1")) {
		t.Errorf("olga signs: %v, %v", signed, err)
	}
	ivan, _, err := signIn(a, "ivan", "password-ivan")
	if err != nil {
		t.Fatal(err)
	}
	_, err = phone(ivan)
	wantField(t, err, connect.CodeFailedPrecondition, "softphone_user")
	_, err = set("ivan", "olga.sup", "x-1")
	wantField(t, err, connect.CodeFailedPrecondition, "softphone_user")
	_, err = set("", "ivan.sup", "x-1")
	wantField(t, err, connect.CodeInvalidArgument, "person")
	_, err = set("ivan", "ivan.sup", "")
	wantField(t, err, connect.CodeInvalidArgument, "softphone_password")
	_, err = phone(ivan)
	wantField(t, err, connect.CodeFailedPrecondition, "softphone_user")
	if _, err := set("ivan", "ivan.sup", "ivan-vox-1"); err != nil {
		t.Fatal(err)
	}
	if got, err := phone(ivan); err != nil || got != "ivan.sup@cc.acme.n2.voximplant.com" {
		t.Errorf("ivan's phone: %q, %v", got, err)
	}
	list, err := admin.Admin.ListPersonSoftphones(ctx, connect.NewRequest(&adminv1.ListPersonSoftphonesRequest{}))
	if err != nil || len(list.Msg.GetSoftphones()) != 2 || list.Msg.GetSoftphones()[0].GetPerson() != "ivan" || list.Msg.GetSoftphones()[1].GetSoftphoneUser() != "olga.sup" {
		t.Errorf("list: %v, %v", list, err)
	}
	if res, err := set("ivan", "", ""); err != nil || res.GetSoftphone() != nil {
		t.Fatalf("removed: %v, %v", res, err)
	}
	_, err = phone(ivan)
	wantField(t, err, connect.CodeFailedPrecondition, "softphone_user")
}
