// Package auth finds out who calls the API and decides what each caller may call: the roles,
// the authenticated principal a request carries, the authenticator (cloud signatures, operator
// sessions, API keys, the bootstrap admin key) and the policy table of who may call which
// procedure. It knows nothing of the services beyond their procedure names.
package auth

import (
	"context"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// Role is what a caller is.
type Role string

const (
	RoleOperator   Role = "operator"   // logged in with name and password
	RoleSupervisor Role = "supervisor" // an API key or a signed-in person with the supervisor role
	RoleReadonly   Role = "readonly"   // an API key that may only read
	RoleAdmin      Role = "admin"      // the --admin-key, an API key or a signed-in person with the admin role
	RoleCloud      Role = "cloud"      // signed the request with the cloud secret
)

// Public marks procedures anyone may call; it is also the rate-limit role of callers without
// credentials.
const Public Role = "public"

// Roles lists every role a caller can have, for tests and documentation.
var Roles = []Role{RoleOperator, RoleSupervisor, RoleReadonly, RoleAdmin, RoleCloud}

// BootstrapKeyName is the name the --admin-key goes by in the audit log and in created_by.
const BootstrapKeyName = "admin-key"

// Principal is the authenticated caller of a request.
type Principal struct {
	Role      Role
	Operator  cc.OperatorID // for RoleOperator
	Token     string        // the session token's hash, for RoleOperator
	ExpiresAt time.Time     // when the operator's session ends
	KeyID     string        // the API key's id; "" for the --admin-key
	// Name is who, in the audit log: the API key's name ("admin-key" for --admin-key), the
	// operator's id, or the signed-in person's account name.
	Name string
	// SignIn is how a person proved who he is (cc.SignInPassword, cc.SignInOIDC); "" for
	// keys, operators and the cloud. Token and ExpiresAt are then his session's.
	SignIn      string
	DisplayName string // the signed-in person's
}

// Person reports whether p is a person signed in to the supervisor pages as himself.
func (p Principal) Person() bool { return p.SignIn != "" }

// HowSignedIn says how p proved who he is, as the audit log records it.
func (p Principal) HowSignedIn() string {
	if p.SignIn != "" {
		return p.SignIn
	}
	return cc.SignInKey
}

// Identity names the caller for rate limits and stream counts: one operator, one API key.
func (p Principal) Identity() string {
	switch {
	case p.Role == RoleOperator:
		return "operator:" + string(p.Operator)
	case p.Role == RoleCloud:
		return "cloud"
	case p.KeyID != "":
		return "key:" + p.KeyID
	case p.Person():
		return "account:" + p.Name
	}
	return p.Name
}

type principalKey struct{}

// With returns ctx carrying p as the request's caller.
func With(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// From is the request's caller; false when the request carried no credentials.
func From(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

type addressKey struct{}

// WithAddress returns ctx carrying the client's address.
func WithAddress(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, addressKey{}, addr)
}

// Address is the client's address (no port), as the front door found it.
func Address(ctx context.Context) string {
	a, _ := ctx.Value(addressKey{}).(string)
	return a
}
