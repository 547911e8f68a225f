package accounts

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/tandemcc/tandem/server/internal/clock"
)

// provider is a local OpenID Connect provider (mockoidc) and Tandem's sign-in configured for
// it, on a fake clock at the provider's time.
func provider(t *testing.T) (*mockoidc.MockOIDC, *OIDC, *clock.Fake) {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	clk := clock.NewFake(m.Now())
	cfg := m.Config()
	o, err := NewOIDC(context.Background(), OIDCConfig{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RedirectURL: "http://127.0.0.1/auth/oidc/callback", RoleClaim: "groups",
		Roles: map[string]string{"tandem-supervisors": "supervisor", "tandem-admins": "admin"}}, clk, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return m, o, clk
}

type idToken struct {
	mockoidc.IDTokenClaims
	PreferredUsername string `json:"preferred_username,omitempty"`
	Name              string `json:"name,omitempty"`
	Groups            any    `json:"groups,omitempty"`
}

// token is an ID token for olga as m issues them, changed by tweak.
func token(t *testing.T, m *mockoidc.MockOIDC, kp *mockoidc.Keypair, tweak func(*idToken)) string {
	t.Helper()
	now := m.Now()
	c := idToken{IDTokenClaims: mockoidc.IDTokenClaims{Nonce: "n-1", RegisteredClaims: &jwt.RegisteredClaims{
		Issuer: m.Issuer(), Subject: "sub-olga", Audience: jwt.ClaimStrings{m.Config().ClientID},
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(10 * time.Minute))}},
		PreferredUsername: "olga", Name: "Olga Petrova", Groups: []string{"staff", "tandem-supervisors"}}
	if tweak != nil {
		tweak(&c)
	}
	if kp == nil {
		kp = m.Keypair
	}
	raw, err := kp.SignJWT(c)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestIDTokenChecks: a good token names the person and the role its claim maps to (admin wins);
// an expired or forged token, one for another client or another sign-in, and one without a
// role are refused with an error that says why.
func TestIDTokenChecks(t *testing.T) {
	m, o, clk := provider(t)
	ctx := context.Background()
	p, err := o.check(ctx, token(t, m, nil, nil), "n-1")
	if err != nil || p != (person{name: "olga", display: "Olga Petrova", role: "supervisor"}) {
		t.Fatalf("good token: %+v %v", p, err)
	}
	both := token(t, m, nil, func(c *idToken) { c.Groups = []string{"tandem-supervisors", "tandem-admins"} })
	if p, err := o.check(ctx, both, "n-1"); err != nil || p.role != "admin" {
		t.Errorf("both groups: %+v %v", p, err)
	}
	one := token(t, m, nil, func(c *idToken) { c.Groups = "tandem-admins"; c.PreferredUsername, c.Name = "", "" })
	if p, err := o.check(ctx, one, "n-1"); err != nil || p != (person{name: "sub-olga", display: "sub-olga", role: "admin"}) {
		t.Errorf("a string claim, no username: %+v %v", p, err)
	}

	other, err := mockoidc.RandomKeypair(2048)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		raw, nonce, want string
	}{
		"forged":           {token(t, m, other, nil), "n-1", "signature"},
		"another audience": {token(t, m, nil, func(c *idToken) { c.Audience = jwt.ClaimStrings{"someone-else"} }), "n-1", "audience"},
		"another issuer":   {token(t, m, nil, func(c *idToken) { c.Issuer = "https://evil.example" }), "n-1", "different provider"},
		"another sign-in":  {token(t, m, nil, nil), "n-2", "nonce"},
		"no role claim":    {token(t, m, nil, func(c *idToken) { c.Groups = nil }), "n-1", `"groups" claim gives no Tandem role`},
		"an unknown role":  {token(t, m, nil, func(c *idToken) { c.Groups = []string{"staff"} }), "n-1", `"groups" claim gives no Tandem role`},
	} {
		if _, err := o.check(ctx, c.raw, c.nonce); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	raw := token(t, m, nil, nil)
	clk.Advance(11 * time.Minute)
	if _, err := o.check(ctx, raw, "n-1"); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired: %v", err)
	}
}

func TestOIDCConfigIsChecked(t *testing.T) {
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.Shutdown() }()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	base := OIDCConfig{Issuer: m.Issuer(), ClientID: "c", RedirectURL: "http://127.0.0.1/cb", RoleClaim: "groups", Roles: map[string]string{"x": "supervisor"}}
	for name, tweak := range map[string]func(*OIDCConfig){
		"no client id":   func(c *OIDCConfig) { c.ClientID = "" },
		"no role claim":  func(c *OIDCConfig) { c.RoleClaim = "" },
		"no roles":       func(c *OIDCConfig) { c.Roles = nil },
		"an odd role":    func(c *OIDCConfig) { c.Roles = map[string]string{"x": "operator"} },
		"no such issuer": func(c *OIDCConfig) { c.Issuer = "http://127.0.0.1:1/nothing" },
	} {
		cfg := base
		tweak(&cfg)
		if _, err := NewOIDC(context.Background(), cfg, clock.NewFake(m.Now()), quiet); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := NewOIDC(context.Background(), base, clock.NewFake(m.Now()), quiet); err != nil {
		t.Errorf("good config: %v", err)
	}
}
