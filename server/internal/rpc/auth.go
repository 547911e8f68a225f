package rpc

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/cloud"
)

// Role is what a caller is.
type Role string

const (
	RoleOperator   Role = "operator"   // logged in with name and password
	RoleSupervisor Role = "supervisor" // an API key with the supervisor role
	RoleReadonly   Role = "readonly"   // an API key that may only read
	RoleAdmin      Role = "admin"      // the --admin-key, or an API key with the admin role
	RoleCloud      Role = "cloud"      // signed the request with the cloud secret
)

// Roles lists every role a caller can have, for tests and documentation.
var Roles = []Role{RoleOperator, RoleSupervisor, RoleReadonly, RoleAdmin, RoleCloud}

// bootstrapKeyName is the name the --admin-key goes by in the audit log and in created_by.
const bootstrapKeyName = "admin-key"

// apiKeyPrefix starts every API key Tandem makes, so a bearer token says what it is.
const apiKeyPrefix = "tdk_"

// Principal is the authenticated caller of a request.
type Principal struct {
	Role      Role
	Operator  cc.OperatorID // for RoleOperator
	Token     string        // the session token's hash, for RoleOperator
	ExpiresAt time.Time     // when the operator's session ends
	KeyID     string        // the API key's id; "" for the --admin-key
	Name      string        // the API key's name ("admin-key" for --admin-key): who, in the audit log
}

// identity names the caller for rate limits and stream counts: one operator, one API key.
func (p Principal) identity() string {
	switch {
	case p.Role == RoleOperator:
		return "operator:" + string(p.Operator)
	case p.Role == RoleCloud:
		return "cloud"
	case p.KeyID != "":
		return "key:" + p.KeyID
	}
	return p.Name
}

type principalKey struct{}

func principalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

type addressKey struct{}

// addressFrom is the client's address (no port), as the middleware found it.
func addressFrom(ctx context.Context) string {
	a, _ := ctx.Value(addressKey{}).(string)
	return a
}

// cloudPath reports whether a request is for CallIntake, in any protocol.
func cloudPath(p string) bool {
	return strings.HasPrefix(p, "/v1/calls") || strings.HasPrefix(p, "/tandem.callintake.v1.CallIntakeService/")
}

// checkCloudJSON reads a body for the cloud's REST paths before the transcoder does, so every
// malformed body gets invalid_argument (the transcoder reports some, like a oneof set twice, as
// internal errors), and a path that is not in its clean form (an empty call id) or not UTF-8 is
// refused rather than redirected or failed.
func checkCloudJSON(urlPath string, body []byte) error {
	if !strings.HasPrefix(urlPath, "/v1/") {
		return nil
	}
	if path.Clean(urlPath) != urlPath {
		return connect.NewError(connect.CodeInvalidArgument, errors.New("malformed path: call_id required"))
	}
	if !utf8.ValidString(urlPath) {
		return connect.NewError(connect.CodeInvalidArgument, errors.New("malformed path: call_id is not UTF-8"))
	}
	var m proto.Message = &callintakev1.ReportCallEventRequest{}
	if urlPath == "/v1/calls" {
		m = &callintakev1.RegisterCallRequest{}
	}
	if len(body) == 0 {
		return nil
	}
	if err := protojson.Unmarshal(body, m); err != nil {
		return connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("request body: %w", err))
	}
	return nil
}

// KeyStore is what the authenticator needs to know API keys.
type KeyStore interface {
	APIKeyByHash(ctx context.Context, hash string) (cc.APIKey, error)
	TouchAPIKey(ctx context.Context, id string, at time.Time) error
}

// touchEvery is how stale an API key's last-used time may get: touching it on every request
// would make every read a write.
const touchEvery = time.Minute

// authenticator finds out who is calling: a signed cloud request, an operator's session token,
// an API key or the bootstrap admin key. It only identifies; the policy interceptor decides what
// each may call.
type authenticator struct {
	sessions    Store
	keys        KeyStore
	adminKey    [32]byte // sha256 of the admin API key; zero: no admin key
	hasAdminKey bool
	signer      *cloud.Signer
	replays     *cloud.Replays
	clock       clock.Clock
	limits      *limiters
	behindProxy bool
	forwarded   func(*http.Request) (string, bool)
	log         *slog.Logger
	errors      *connect.ErrorWriter

	mu      sync.Mutex
	touched map[string]time.Time // API key id → last time its use was stored
}

func (a *authenticator) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := a.clientAddress(r)
		r = r.WithContext(context.WithValue(r.Context(), addressKey{}, addr))
		w, done := a.limits.capWrites(w)
		defer done()
		if err := a.limits.capBody(w, r); err != nil {
			a.writeError(w, r, err)
			return
		}
		p, cloudBody, err := a.identify(r)
		if err != nil {
			// Bad credentials count against the address, so guessing them is rate-limited too.
			if lerr := a.limits.allow(nil, addr); lerr != nil {
				err = lerr
			} else {
				// Said once per refusal that got through the limiter: a wrong secret or key is
				// then visible in the log without letting a flood of guesses flood it.
				a.log.WarnContext(r.Context(), "credentials refused", "path", r.URL.Path, "address", addr, "code", connect.CodeOf(err), "err", err)
			}
			a.writeError(w, r, err)
			return
		}
		if err := a.limits.allow(p, addr); err != nil {
			a.writeError(w, r, err)
			return
		}
		if p != nil && p.Role == RoleCloud {
			if err := checkCloudJSON(r.URL.Path, cloudBody); err != nil {
				a.writeError(w, r, err)
				return
			}
		}
		if p != nil {
			r = r.WithContext(context.WithValue(r.Context(), principalKey{}, *p))
		}
		next.ServeHTTP(w, r)
	})
}

// clientAddress is the address of the client: the connection's peer, or behind a reverse proxy
// the last address the proxy appended to X-Forwarded-For (earlier ones are the client's word).
func (a *authenticator) clientAddress(r *http.Request) string {
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

// identify returns the caller (nil: no credentials) and, for the cloud, the body it read.
func (a *authenticator) identify(r *http.Request) (*Principal, []byte, error) {
	if cloudPath(r.URL.Path) && r.Method == http.MethodPost {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, nil, bodyError(err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		now := a.clock.Now()
		if _, err := a.signer.Verify(r.Header, body, now); err != nil {
			return nil, nil, connect.NewError(connect.CodeUnauthenticated, err)
		}
		if err := a.replays.Check(r.Header, r.URL.Path, body, now); err != nil {
			return nil, nil, connect.NewError(connect.CodeUnauthenticated, err)
		}
		return &Principal{Role: RoleCloud, Name: "cloud"}, body, nil
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return nil, nil, nil
	}
	sum := sha256.Sum256([]byte(token))
	if a.hasAdminKey && subtle.ConstantTimeCompare(sum[:], a.adminKey[:]) == 1 {
		return &Principal{Role: RoleAdmin, Name: bootstrapKeyName}, nil, nil
	}
	hash := hex.EncodeToString(sum[:])
	if strings.HasPrefix(token, apiKeyPrefix) {
		p, err := a.apiKey(r.Context(), hash)
		return p, nil, err
	}
	s, err := a.sessions.Session(r.Context(), hash)
	if err != nil {
		if cc.ErrorCode(err) == cc.CodeNotFound {
			return nil, nil, connect.NewError(connect.CodeUnauthenticated, errors.New("unknown or revoked token"))
		}
		return nil, nil, err
	}
	if !a.clock.Now().Before(s.ExpiresAt) {
		return nil, nil, connect.NewError(connect.CodeUnauthenticated, errors.New("session expired: log in again"))
	}
	return &Principal{Role: RoleOperator, Operator: s.Operator, Token: hash, ExpiresAt: s.ExpiresAt, Name: string(s.Operator)}, nil, nil
}

// apiKey identifies the holder of an API key (looked up by the hash of its secret).
func (a *authenticator) apiKey(ctx context.Context, hash string) (*Principal, error) {
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

// httpStatus is the HTTP status of an error on the REST paths, as the transcoder gives them.
func httpStatus(code connect.Code) int {
	switch code {
	case connect.CodeUnauthenticated:
		return http.StatusUnauthorized
	case connect.CodePermissionDenied:
		return http.StatusForbidden
	case connect.CodeResourceExhausted:
		return http.StatusTooManyRequests
	case connect.CodeInvalidArgument:
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// writeError answers in the request's protocol: Connect, gRPC, gRPC-Web, or for REST a
// google.rpc.Status in JSON, as the transcoder does for errors further in.
func (a *authenticator) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := 0
	var le *limitError
	if errors.As(err, &le) {
		status = le.status
		if le.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((le.retryAfter+time.Second-1)/time.Second)))
		}
		err = le.err
	}
	err = toConnect(r.Context(), err)
	// A plain JSON POST looks like Connect to the error writer; the REST paths tell them apart.
	if !strings.HasPrefix(r.URL.Path, "/v1/") && a.errors.IsSupported(r) {
		_ = a.errors.Write(w, r, err)
		return
	}
	var ce *connect.Error
	errors.As(err, &ce)
	if status == 0 {
		status = httpStatus(ce.Code())
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": int(ce.Code()), "message": ce.Message()})
}

func sha256Sum(s string) [32]byte { return sha256.Sum256([]byte(s)) }

// newToken returns a fresh session token and the hash that is stored for it.
func newToken() (token, hash string) {
	return newSecret("tk_")
}

// newSecret returns prefix + 256 random bits, and the SHA-256 (hex) that is stored for it.
func newSecret(prefix string) (secret, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	secret = prefix + base64.RawURLEncoding.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(secret))
	return secret, hex.EncodeToString(sum[:])
}
