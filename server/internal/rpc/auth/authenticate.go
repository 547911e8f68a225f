package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/cloud"
)

// apiKeyPrefix starts every API key Tandem makes, and personTokenPrefix every signed-in
// person's session token, so a bearer token says what it is.
const (
	apiKeyPrefix      = "tdk_"
	personTokenPrefix = "tkp_"
)

// SessionStore is where operators' sessions are kept.
type SessionStore interface {
	Session(ctx context.Context, tokenHash string) (cc.Session, error)
}

// PersonStore is where signed-in people's sessions are kept.
type PersonStore interface {
	AccountSession(ctx context.Context, tokenHash string) (cc.AccountSession, error)
}

// KeyStore is what the authenticator needs to know API keys.
type KeyStore interface {
	APIKeyByHash(ctx context.Context, hash string) (cc.APIKey, error)
	TouchAPIKey(ctx context.Context, id string, at time.Time) error
}

// touchEvery is how stale an API key's last-used time may get: touching it on every request
// would make every read a write.
const touchEvery = time.Minute

// Config is what an Authenticator checks credentials against.
type Config struct {
	Sessions SessionStore
	People   PersonStore
	Keys     KeyStore
	AdminKey string        // the admin API key; empty: no admin key
	Signer   *cloud.Signer // checks the cloud's signatures
	Clock    clock.Clock
	Logger   *slog.Logger
	// BehindProxy takes the client's address from the last X-Forwarded-For hop.
	BehindProxy bool
	// Forwarded returns the caller's address a peer replica passed a request on for, when it did.
	Forwarded func(*http.Request) (string, bool)
}

// Authenticator finds out who is calling: a signed cloud request, an operator's session token,
// a signed-in person's session token, an API key or the bootstrap admin key. It only identifies; the Policy decides what each may
// call.
type Authenticator struct {
	sessions    SessionStore
	people      PersonStore
	keys        KeyStore
	adminKey    [32]byte // sha256 of the admin API key; zero: no admin key
	hasAdminKey bool
	signer      *cloud.Signer
	replays     *cloud.Replays
	clock       clock.Clock
	behindProxy bool
	forwarded   func(*http.Request) (string, bool)
	log         *slog.Logger

	mu      sync.Mutex
	touched map[string]time.Time // API key id → last time its use was stored
}

// New returns an authenticator for cfg.
func New(cfg Config) *Authenticator {
	a := &Authenticator{sessions: cfg.Sessions, people: cfg.People, keys: cfg.Keys, signer: cfg.Signer, replays: cloud.NewReplays(0), clock: cfg.Clock,
		behindProxy: cfg.BehindProxy, forwarded: cfg.Forwarded, log: cfg.Logger, touched: map[string]time.Time{}}
	if cfg.AdminKey != "" {
		a.adminKey, a.hasAdminKey = sha256.Sum256([]byte(cfg.AdminKey)), true
	}
	return a
}

// Signed reports whether a request must carry the cloud's signature: a POST to CallIntake, in
// any protocol. Its body is then read whole and handed to Cloud.
func Signed(r *http.Request) bool {
	return r.Method == http.MethodPost &&
		(strings.HasPrefix(r.URL.Path, "/v1/calls") || strings.HasPrefix(r.URL.Path, "/tandem.callintake.v1.CallIntakeService/"))
}

// Cloud checks the signature of a Signed request over its body, and that it is no replay.
func (a *Authenticator) Cloud(r *http.Request, body []byte) (*Principal, error) {
	now := a.clock.Now()
	if _, err := a.signer.Verify(r.Header, body, now); err != nil {
		return nil, connect.NewError(connect.CodeUnauthenticated, err)
	}
	if err := a.replays.Check(r.Header, r.URL.Path, body, now); err != nil {
		return nil, connect.NewError(connect.CodeUnauthenticated, err)
	}
	return &Principal{Role: RoleCloud, Name: "cloud"}, nil
}

// Bearer identifies the holder of the request's bearer token; nil when there is none.
func (a *Authenticator) Bearer(r *http.Request) (*Principal, error) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return nil, nil
	}
	sum := sha256.Sum256([]byte(token))
	if a.hasAdminKey && subtle.ConstantTimeCompare(sum[:], a.adminKey[:]) == 1 {
		return &Principal{Role: RoleAdmin, Name: BootstrapKeyName}, nil
	}
	hash := hex.EncodeToString(sum[:])
	if strings.HasPrefix(token, apiKeyPrefix) {
		return a.apiKey(r.Context(), hash)
	}
	if strings.HasPrefix(token, personTokenPrefix) {
		return a.person(r.Context(), hash)
	}
	s, err := a.sessions.Session(r.Context(), hash)
	if err != nil {
		if cc.ErrorCode(err) == cc.CodeNotFound {
			return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("unknown or revoked token"))
		}
		return nil, err
	}
	if !a.clock.Now().Before(s.ExpiresAt) {
		return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("session expired: log in again"))
	}
	return &Principal{Role: RoleOperator, Operator: s.Operator, Token: hash, ExpiresAt: s.ExpiresAt, Name: string(s.Operator)}, nil
}

// person identifies a signed-in person by his session token's hash.
func (a *Authenticator) person(ctx context.Context, hash string) (*Principal, error) {
	s, err := a.people.AccountSession(ctx, hash)
	if cc.ErrorCode(err) == cc.CodeNotFound {
		return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("unknown or ended session: sign in again"))
	}
	if err != nil {
		return nil, err
	}
	if !a.clock.Now().Before(s.ExpiresAt) {
		return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("session expired: sign in again"))
	}
	role := Role(s.Role)
	if !cc.AccountRole(s.Role) {
		return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("session with an unknown role"))
	}
	return &Principal{Role: role, Name: s.Account, DisplayName: s.DisplayName, SignIn: s.SignIn, Token: hash, ExpiresAt: s.ExpiresAt}, nil
}

// apiKey identifies the holder of an API key (looked up by the hash of its secret).
func (a *Authenticator) apiKey(ctx context.Context, hash string) (*Principal, error) {
	k, err := a.keys.APIKeyByHash(ctx, hash)
	if cc.ErrorCode(err) == cc.CodeNotFound {
		return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("unknown or revoked API key"))
	}
	if err != nil {
		return nil, err
	}
	if !k.RevokedAt.IsZero() {
		return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("unknown or revoked API key"))
	}
	role := Role(k.Role)
	if role != RoleAdmin && role != RoleSupervisor && role != RoleReadonly {
		return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("API key with an unknown role"))
	}
	now := a.clock.Now()
	a.mu.Lock()
	stale := now.Sub(a.touched[k.ID]) >= touchEvery
	if stale {
		a.touched[k.ID] = now
	}
	a.mu.Unlock()
	if stale {
		if err := a.keys.TouchAPIKey(ctx, k.ID, now); err != nil {
			a.log.WarnContext(ctx, "api key use not stored", "key_id", k.ID, "err", err)
		}
	}
	return &Principal{Role: role, KeyID: k.ID, Name: k.Name}, nil
}

// ClientAddress is the address of the client: the connection's peer, or behind a reverse proxy
// the last address the proxy appended to X-Forwarded-For (earlier ones are the client's word).
func (a *Authenticator) ClientAddress(r *http.Request) string {
	if a.forwarded != nil {
		if addr, ok := a.forwarded(r); ok {
			return addr
		}
	}
	return ClientAddress(r, a.behindProxy)
}

// ClientAddress is the address r came from: the peer's, or with behindProxy the last
// X-Forwarded-For hop (the one the trusted reverse proxy appended).
func ClientAddress(r *http.Request, behindProxy bool) string {
	if behindProxy {
		if hops := r.Header.Values("X-Forwarded-For"); len(hops) > 0 {
			last := hops[len(hops)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := net.ParseIP(strings.TrimSpace(last)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// NewToken returns a fresh session token and the hash that is stored for it.
func NewToken() (token, hash string) {
	return newSecret("tk_")
}

// NewPersonToken returns a fresh session token for a signed-in person and the hash that is
// stored for it.
func NewPersonToken() (token, hash string) {
	return newSecret(personTokenPrefix)
}

// NewAPIKey returns a fresh API key's secret and the hash that is stored for it.
func NewAPIKey() (secret, hash string) {
	return newSecret(apiKeyPrefix)
}

// newSecret returns prefix + 256 random bits, and the SHA-256 (hex) that is stored for it.
func newSecret(prefix string) (secret, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	secret = prefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, SecretHash(secret)
}

// SecretHash is what is stored for a token's or an API key's secret: its SHA-256, hex.
func SecretHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
