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
	"io"
	"net/http"
	"strings"

	"connectrpc.com/connect"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/cloud"
)

// Role is what a caller is.
type Role string

const (
	RoleOperator Role = "operator" // logged in with name and password
	RoleAdmin    Role = "admin"    // holds the admin API key
	RoleCloud    Role = "cloud"    // signed the request with the cloud secret
)

// Principal is the authenticated caller of a request.
type Principal struct {
	Role     Role
	Operator cc.OperatorID // for RoleOperator
	Token    string        // the session token's hash, for RoleOperator
}

type principalKey struct{}

func principalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// maxCloudBody caps a signed request's body: it is read whole to check the signature.
const maxCloudBody = 1 << 20

// cloudPath reports whether a request is for CallIntake, in any protocol.
func cloudPath(p string) bool {
	return strings.HasPrefix(p, "/v1/calls") || strings.HasPrefix(p, "/tandem.callintake.v1.CallIntakeService/")
}

// authenticator finds out who is calling: a signed cloud request, an operator's session token
// or the admin key. It only identifies; the policy interceptor decides what each may call.
type authenticator struct {
	sessions    Store
	adminKey    [32]byte // sha256 of the admin API key; zero: no admin key
	hasAdminKey bool
	signer      *cloud.Signer
	clock       clock.Clock
	errors      *connect.ErrorWriter
}

func (a *authenticator) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.identify(r)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		if p != nil {
			r = r.WithContext(context.WithValue(r.Context(), principalKey{}, *p))
		}
		next.ServeHTTP(w, r)
	})
}

func (a *authenticator) identify(r *http.Request) (*Principal, error) {
	if cloudPath(r.URL.Path) && r.Method == http.MethodPost {
		body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxCloudBody))
		if err != nil {
			return nil, connect.NewError(connect.CodeResourceExhausted, errors.New("request body too large"))
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if _, err := a.signer.Verify(r.Header, body, a.clock.Now()); err != nil {
			return nil, connect.NewError(connect.CodeUnauthenticated, err)
		}
		return &Principal{Role: RoleCloud}, nil
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return nil, nil
	}
	sum := sha256.Sum256([]byte(token))
	if a.hasAdminKey && subtle.ConstantTimeCompare(sum[:], a.adminKey[:]) == 1 {
		return &Principal{Role: RoleAdmin}, nil
	}
	hash := hex.EncodeToString(sum[:])
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
	return &Principal{Role: RoleOperator, Operator: s.Operator, Token: hash}, nil
}

// writeError answers in the request's protocol: Connect, gRPC, gRPC-Web, or for REST a
// google.rpc.Status in JSON, as the transcoder does for errors further in.
func (a *authenticator) writeError(w http.ResponseWriter, r *http.Request, err error) {
	err = toConnect(r.Context(), err)
	// A plain JSON POST looks like Connect to the error writer; the REST paths tell them apart.
	if !strings.HasPrefix(r.URL.Path, "/v1/") && a.errors.IsSupported(r) {
		_ = a.errors.Write(w, r, err)
		return
	}
	var ce *connect.Error
	errors.As(err, &ce)
	status := http.StatusUnauthorized
	if ce.Code() != connect.CodeUnauthenticated {
		status = http.StatusRequestEntityTooLarge
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": int(ce.Code()), "message": ce.Message()})
}

func sha256Sum(s string) [32]byte { return sha256.Sum256([]byte(s)) }

// newToken returns a fresh session token and the hash that is stored for it.
func newToken() (token, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	token = "tk_" + base64.RawURLEncoding.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(token))
	return token, hex.EncodeToString(sum[:])
}
