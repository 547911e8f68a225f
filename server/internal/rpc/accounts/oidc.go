package accounts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// The paths of the OpenID Connect sign-in: the browser is sent to StartPath, which sends it on
// to the provider, which sends it back to CallbackPath (the --oidc-redirect-url's path).
const (
	StartPath    = "/auth/oidc/start"
	CallbackPath = "/auth/oidc/callback"
	// SignedInPath is where the browser lands after signing in: the supervisor pages, with
	// "#signin_token=…" or "#signin_error=…" (a fragment never reaches a server or its logs).
	SignedInPath = "/supervisor/"
)

// OIDCConfig is how Tandem signs people in with an OpenID Connect provider.
type OIDCConfig struct {
	Issuer       string // the provider's issuer URL; discovery is at Issuer/.well-known/openid-configuration
	ClientID     string
	ClientSecret string
	RedirectURL  string // this server's CallbackPath as the browser reaches it
	Provider     string // shown on the "Sign in with …" button; default the issuer's host
	// RoleClaim is the ID token's claim (a string or a list of strings) that says what the
	// person is; Roles maps its values to "supervisor" or "admin" (admin wins when both are there).
	RoleClaim string
	Roles     map[string]string
	// Scopes are asked for besides openid, profile and email: the one that puts the role
	// claim in the ID token when the provider needs one (often "groups").
	Scopes []string
}

// OIDC signs people in with an OpenID Connect provider: the authorization-code flow with PKCE,
// state (bound to the browser by a cookie) and nonce; the ID token's signature, issuer,
// audience and expiry are checked by go-oidc.
type OIDC struct {
	provider  string
	oauth     oauth2.Config
	verifier  *oidc.IDTokenVerifier
	roleClaim string
	roles     map[string]string
	clock     clock.Clock
	log       *slog.Logger

	mu      sync.Mutex
	pending map[string]pendingSignIn // by state
}

// pendingSignIn is a sign-in sent to the provider and not yet back.
type pendingSignIn struct {
	nonce, verifier string
	until           time.Time
}

// pendingFor is how long a person may take at the provider; maxPending bounds what unfinished
// sign-ins (anyone can start one) may hold in memory.
const (
	pendingFor  = 10 * time.Minute
	maxPending  = 10000
	stateCookie = "tandem_oidc_state"
)

// NewOIDC discovers the provider at cfg.Issuer and returns the sign-in it offers.
func NewOIDC(ctx context.Context, cfg OIDCConfig, clk clock.Clock, log *slog.Logger) (*OIDC, error) {
	if cfg.ClientID == "" || cfg.RedirectURL == "" || cfg.RoleClaim == "" {
		return nil, errors.New("oidc: a client id, a redirect URL and a role claim are required")
	}
	if len(cfg.Roles) == 0 {
		return nil, errors.New("oidc: no claim value maps to a role")
	}
	for v, r := range cfg.Roles {
		if !cc.AccountRole(r) {
			return nil, fmt.Errorf("oidc: claim value %q maps to %q, not supervisor or admin", v, r)
		}
	}
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discover %s: %w", cfg.Issuer, err)
	}
	name := cfg.Provider
	if name == "" {
		if u, err := url.Parse(cfg.Issuer); err == nil {
			name = u.Host
		}
	}
	return &OIDC{
		provider: name,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL, Endpoint: p.Endpoint(),
			Scopes: append([]string{oidc.ScopeOpenID, "profile", "email"}, cfg.Scopes...)},
		verifier:  p.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: clk.Now}),
		roleClaim: cfg.RoleClaim, roles: cfg.Roles, clock: clk, log: log,
		pending: map[string]pendingSignIn{},
	}, nil
}

func random() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// start sends the browser to the provider.
func (o *OIDC) start(w http.ResponseWriter, r *http.Request) {
	state, nonce, verifier := random(), random(), oauth2.GenerateVerifier()
	now := o.clock.Now()
	o.mu.Lock()
	for s, p := range o.pending {
		if now.After(p.until) {
			delete(o.pending, s)
		}
	}
	full := len(o.pending) >= maxPending
	if !full {
		o.pending[state] = pendingSignIn{nonce: nonce, verifier: verifier, until: now.Add(pendingFor)}
	}
	o.mu.Unlock()
	if full {
		http.Error(w, "too many sign-ins under way: try again in a few minutes", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: state, Path: CallbackPath, MaxAge: int(pendingFor / time.Second),
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, o.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// person is who an ID token says signed in.
type person struct {
	name, display, role string
}

// finish checks what the provider sent back and says who signed in.
func (o *OIDC) finish(r *http.Request) (person, error) {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return person{}, fmt.Errorf("the provider refused: %s %s", e, q.Get("error_description"))
	}
	state := q.Get("state")
	c, err := r.Cookie(stateCookie)
	if state == "" || err != nil || c.Value != state {
		return person{}, errors.New("this sign-in was not started in this browser: start again")
	}
	o.mu.Lock()
	p, ok := o.pending[state]
	delete(o.pending, state)
	o.mu.Unlock()
	if !ok || o.clock.Now().After(p.until) {
		return person{}, errors.New("this sign-in took too long or was used already: start again")
	}
	tok, err := o.oauth.Exchange(r.Context(), q.Get("code"), oauth2.VerifierOption(p.verifier))
	if err != nil {
		return person{}, fmt.Errorf("the provider did not exchange the code: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return person{}, errors.New("the provider sent no ID token")
	}
	return o.check(r.Context(), raw, p.nonce)
}

// check verifies an ID token (signature, issuer, audience, expiry, nonce) and reads the person
// and his role from it.
func (o *OIDC) check(ctx context.Context, raw, nonce string) (person, error) {
	id, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return person{}, fmt.Errorf("the ID token is not valid: %w", err)
	}
	if id.Nonce != nonce {
		return person{}, errors.New("the ID token is not valid: it was issued for another sign-in (nonce)")
	}
	var claims map[string]any
	if err := id.Claims(&claims); err != nil {
		return person{}, fmt.Errorf("the ID token's claims: %w", err)
	}
	role := o.role(claims[o.roleClaim])
	if role == "" {
		return person{}, fmt.Errorf("the ID token's %q claim gives no Tandem role: ask your administrator to give you one", o.roleClaim)
	}
	str := func(k string) string { s, _ := claims[k].(string); return s }
	name := str("preferred_username")
	if name == "" {
		name = str("email")
	}
	if name == "" {
		name = id.Subject
	}
	display := str("name")
	if display == "" {
		display = name
	}
	return person{name: name, display: display, role: role}, nil
}

// role is what a role claim's value (a string or a list of strings) maps to; admin wins.
func (o *OIDC) role(v any) string {
	var values []string
	switch v := v.(type) {
	case string:
		values = strings.Fields(v)
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok {
				values = append(values, s)
			}
		}
	}
	role := ""
	for _, s := range values {
		switch o.roles[s] {
		case "admin":
			return "admin"
		case "supervisor":
			role = "supervisor"
		}
	}
	return role
}

// Routes serves the OpenID Connect sign-in's two paths: nil when it is not configured.
func (h *Handler) Routes() http.Handler {
	if h.oidc == nil {
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+StartPath, h.oidc.start)
	mux.HandleFunc("GET "+CallbackPath, func(w http.ResponseWriter, r *http.Request) {
		// The state cookie is spent whatever happens.
		http.SetCookie(w, &http.Cookie{Name: stateCookie, Path: CallbackPath, MaxAge: -1, HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
		p, err := h.oidc.finish(r)
		if err != nil {
			h.oidc.log.WarnContext(r.Context(), "oidc sign-in refused", "err", err)
			http.Redirect(w, r, SignedInPath+"#signin_error="+url.QueryEscape(err.Error()), http.StatusFound)
			return
		}
		token, _, err := h.startSession(r.Context(), p.name, p.display, p.role, cc.SignInOIDC)
		if err != nil {
			h.oidc.log.ErrorContext(r.Context(), "oidc session not stored", "err", err)
			http.Redirect(w, r, SignedInPath+"#signin_error="+url.QueryEscape("the session could not be stored: try again"), http.StatusFound)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, SignedInPath+"#signin_token="+url.QueryEscape(token), http.StatusFound)
	})
	return mux
}
