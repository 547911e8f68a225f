// Package accounts serves the people's half of AdminService: supervisor and admin accounts
// (managed by admins), signing in with name and password (throttled like operators' logins),
// signing out, and the sign-in options the supervisor pages offer. Signing in with OpenID
// Connect is its oidc.go. API keys stay for machines (package admin).
package accounts

import (
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/crypto/bcrypt"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
)

// Store is where accounts and people's sessions are kept.
type Store interface {
	CreateAccount(ctx context.Context, a cc.Account) error
	Account(ctx context.Context, name string) (cc.Account, error)
	Accounts(ctx context.Context) ([]cc.Account, error)
	UpdateAccount(ctx context.Context, a cc.Account) error
	CreateAccountSession(ctx context.Context, s cc.AccountSession) error
	DeleteAccountSession(ctx context.Context, tokenHash string) error
}

// Logins throttles wrong passwords (limits.Logins), as for operators.
type Logins interface {
	CheckPassword(ctx context.Context, key, password string, dummy []byte, disabled error, find func() (hash string, off bool, err error)) (limits.FailedLogins, error)
}

// Streams ends the open streams of a caller (limits.Limiters): a signed-out person's watchers.
type Streams interface {
	EndStreams(identity string, cause error)
}

// Config is what the accounts room works with.
type Config struct {
	Store        Store
	Logins       Logins
	Streams      Streams
	Clock        clock.Clock
	SessionTTL   time.Duration
	PasswordCost int
	OIDC         *OIDC // nil: no OpenID Connect sign-in
}

// Handler serves the account RPCs of AdminService.
type Handler struct {
	store        Store
	logins       Logins
	streams      Streams
	clock        clock.Clock
	sessionTTL   time.Duration
	passwordCost int
	dummyHash    []byte
	oidc         *OIDC
}

// New returns the accounts room for cfg.
func New(cfg Config) (*Handler, error) {
	dummy, err := bcrypt.GenerateFromPassword([]byte("not a password"), cfg.PasswordCost)
	if err != nil {
		return nil, err
	}
	return &Handler{store: cfg.Store, logins: cfg.Logins, streams: cfg.Streams, clock: cfg.Clock, sessionTTL: cfg.SessionTTL,
		passwordCost: cfg.PasswordCost, dummyHash: dummy, oidc: cfg.OIDC}, nil
}

// throttleKey keeps accounts' wrong passwords apart from an operator's of the same name.
func throttleKey(name string) string { return "account:" + name }

var (
	errDisabled  = errors.New("this account is disabled")
	errSignedOut = connect.NewError(connect.CodeUnauthenticated, errors.New("signed out"))
)

// roleIn is the role a request gives an account: supervisor or admin.
func roleIn(r adminv1.KeyRole) (string, error) {
	role, ok := convert.KeyRoleIn(r)
	if !ok || !cc.AccountRole(string(role)) {
		return "", cc.Invalid("role", "must be KEY_ROLE_SUPERVISOR or KEY_ROLE_ADMIN")
	}
	return string(role), nil
}

func (h *Handler) CreateAccount(ctx context.Context, req *connect.Request[adminv1.CreateAccountRequest]) (*connect.Response[adminv1.CreateAccountResponse], error) {
	m := req.Msg
	p, _ := auth.From(ctx)
	a := cc.Account{Name: m.GetName(), DisplayName: m.GetDisplayName(), CreatedAt: h.clock.Now(), CreatedBy: p.Name}
	if a.DisplayName == "" {
		a.DisplayName = a.Name
	}
	a.Role, _ = roleIn(m.GetRole()) // "" when it is neither: Check says so, after the name
	err := func() (err error) {
		if err := a.Check(); err != nil { // before bcrypt, which is slow on purpose
			return err
		}
		a.PasswordHash, err = auth.HashPassword("password", m.GetPassword(), h.passwordCost)
		if err != nil {
			return err
		}
		return h.store.CreateAccount(ctx, a)
	}()
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.CreateAccountResponse{Account: convert.AccountOut(a)}), nil
}

func (h *Handler) ListAccounts(ctx context.Context, _ *connect.Request[adminv1.ListAccountsRequest]) (*connect.Response[adminv1.ListAccountsResponse], error) {
	all, err := h.store.Accounts(ctx)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &adminv1.ListAccountsResponse{}
	for _, a := range all {
		out.Accounts = append(out.Accounts, convert.AccountOut(a))
	}
	return connect.NewResponse(out), nil
}

func (h *Handler) UpdateAccount(ctx context.Context, req *connect.Request[adminv1.UpdateAccountRequest]) (*connect.Response[adminv1.UpdateAccountResponse], error) {
	m := req.Msg
	a, err := h.account(ctx, m.GetName())
	if err == nil {
		if m.DisplayName != nil {
			a.DisplayName = m.GetDisplayName()
		}
		if m.GetRole() != adminv1.KeyRole_KEY_ROLE_UNSPECIFIED {
			a.Role, err = roleIn(m.GetRole())
		}
		if m.Disabled != nil {
			a.Disabled = m.GetDisabled()
		}
	}
	if err == nil {
		err = a.Check()
	}
	if err == nil {
		err = h.store.UpdateAccount(ctx, a)
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.UpdateAccountResponse{Account: convert.AccountOut(a)}), nil
}

func (h *Handler) SetAccountPassword(ctx context.Context, req *connect.Request[adminv1.SetAccountPasswordRequest]) (*connect.Response[adminv1.SetAccountPasswordResponse], error) {
	m := req.Msg
	a, err := h.account(ctx, m.GetName())
	if err == nil {
		a.PasswordHash, err = auth.HashPassword("password", m.GetPassword(), h.passwordCost)
	}
	if err == nil {
		err = h.store.UpdateAccount(ctx, a)
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.SetAccountPasswordResponse{Account: convert.AccountOut(a)}), nil
}

// account is the account a request names in its name field.
func (h *Handler) account(ctx context.Context, name string) (cc.Account, error) {
	if err := convert.Required("name", name); err != nil {
		return cc.Account{}, err
	}
	return h.store.Account(ctx, name)
}

func (h *Handler) SignIn(ctx context.Context, req *connect.Request[adminv1.SignInRequest]) (*connect.Response[adminv1.SignInResponse], error) {
	m := req.Msg
	if err := convert.Required("name", m.GetName()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	if err := convert.Required("password", m.GetPassword()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	var a cc.Account
	_, err := h.logins.CheckPassword(ctx, throttleKey(m.GetName()), m.GetPassword(), h.dummyHash, errDisabled, func() (string, bool, error) {
		var err error
		a, err = h.store.Account(ctx, m.GetName())
		return a.PasswordHash, a.Disabled, err
	})
	if err != nil {
		return nil, err
	}
	token, s, err := h.startSession(ctx, a.Name, a.DisplayName, a.Role, cc.SignInPassword)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.SignInResponse{Token: token, ExpiresAt: convert.Timestamp(s.ExpiresAt), Account: convert.AccountOut(a)}), nil
}

// startSession stores a new session for a person and returns its token.
func (h *Handler) startSession(ctx context.Context, name, display, role, how string) (string, cc.AccountSession, error) {
	token, hash := auth.NewPersonToken()
	now := h.clock.Now()
	s := cc.AccountSession{TokenHash: hash, Account: name, DisplayName: display, Role: role, SignIn: how, CreatedAt: now, ExpiresAt: now.Add(h.sessionTTL)}
	return token, s, h.store.CreateAccountSession(ctx, s)
}

// SignOut ends the caller's session and the streams it opened. A key has no session to end: it
// is revoked instead.
func (h *Handler) SignOut(ctx context.Context, _ *connect.Request[adminv1.SignOutRequest]) (*connect.Response[adminv1.SignOutResponse], error) {
	p, _ := auth.From(ctx)
	if !p.Person() {
		return nil, codes.ToConnect(ctx, &cc.Error{Code: cc.CodeFailedPrecondition, Message: "only a signed-in person signs out; an API key is revoked instead (RevokeApiKey)"})
	}
	if err := h.store.DeleteAccountSession(ctx, p.Token); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	h.streams.EndStreams(p.Identity(), errSignedOut)
	return connect.NewResponse(&adminv1.SignOutResponse{}), nil
}

func (h *Handler) GetSignInOptions(ctx context.Context, _ *connect.Request[adminv1.GetSignInOptionsRequest]) (*connect.Response[adminv1.GetSignInOptionsResponse], error) {
	out := &adminv1.GetSignInOptionsResponse{}
	if h.oidc != nil {
		out.OidcProvider, out.OidcStartPath = h.oidc.provider, StartPath
	}
	return connect.NewResponse(out), nil
}
