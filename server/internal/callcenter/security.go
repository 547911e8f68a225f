package callcenter

import (
	"strings"
	"time"
)

// The security records: what the stores keep about API keys, the audit log and purges.

// APIKey is a tool's credential. Only Hash, the SHA-256 of the secret in hex, is stored.
type APIKey struct {
	ID         string
	Name       string
	Role       string // admin, supervisor or readonly
	Hash       string
	CreatedAt  time.Time
	CreatedBy  string
	LastUsedAt time.Time
	RevokedAt  time.Time
	// SoftphoneUser is the Voximplant user of the key's browser phone ("": none), with
	// SoftphoneHA1 its password's digest as for an operator (Operator.SoftphoneHA1): the
	// supervisor pages log in as it and ring there for MonitorCall.
	SoftphoneUser string
	SoftphoneHA1  string
}

// AuditEntry is one change made by an admin or a supervisor. Request, Before and After are JSON.
type AuditEntry struct {
	ID        int64
	At        time.Time
	Actor     string
	ActorRole string
	// ActorSignIn is how the actor signed in (SignInKey, SignInPassword, SignInOIDC).
	ActorSignIn string
	Procedure   string
	Request     string
	Before      string
	After       string
}

// AuditQuery selects audit entries; zero fields do not filter. Procedure matches the full name
// or its last element (the method).
type AuditQuery struct {
	Since, Until time.Time
	Actor        string
	Procedure    string
	BeforeID     int64
	Limit        int
}

// PurgeResult counts what a purge did.
type PurgeResult struct {
	Calls     int // finished calls whose personal data was erased
	Decisions int // routing decisions deleted
	Requests  int // remembered cloud requests deleted
	// Operators' states entered and day scores deleted: each operator keeps the last state he
	// entered before the bound, so what he was doing when a later day began is still known.
	OperatorHistory int
}

// PersonPhone is the browser phone of a person who signs in to the supervisor pages as himself:
// Person is his name as he signs in (an account's, or the one his OpenID Connect provider
// vouches for, who has no account row). Only HA1, the password's digest, is kept.
type PersonPhone struct {
	Person string
	User   string
	HA1    string
}

// Phones is every browser phone and contact a Voximplant user may already be: a user rings
// wherever it is logged in, so one user is one operator's contact, or one key's or one
// person's browser phone, never two of these.
type Phones struct {
	Operators []Operator
	Keys      []APIKey // the live ones count
	People    []PersonPhone
}

// checkFree refuses user (named by field) when it is taken, but by the key or person asking.
func (ph Phones) checkFree(field, user, key, person string) error {
	for _, o := range ph.Operators {
		if o.Contact.Kind == ContactUser && o.Contact.Target == user {
			return &Error{Code: CodeFailedPrecondition, Field: field, Message: "the Voximplant user " + user + " is operator " + o.Name + "'s contact: give the supervisor a user of his own"}
		}
	}
	for _, k := range ph.Keys {
		if k.ID != key && k.RevokedAt.IsZero() && k.SoftphoneUser == user {
			return &Error{Code: CodeFailedPrecondition, Field: field, Message: "the Voximplant user " + user + " is the browser phone of the API key " + k.Name}
		}
	}
	for _, p := range ph.People {
		if p.Person != person && p.User == user {
			return &Error{Code: CodeFailedPrecondition, Field: field, Message: "the Voximplant user " + user + " is the browser phone of " + p.Person}
		}
	}
	return nil
}

// checkSoftphoneUser checks a browser phone's Voximplant user name.
func checkSoftphoneUser(user string) error {
	if err := maxLen("softphone_user", user, maxTarget); err != nil {
		return err
	}
	if strings.ContainsAny(user, "@:/ \t\r\n") {
		return Invalid("softphone_user", "the Voximplant user's name alone, without the application (no '@', ':', '/' or spaces)")
	}
	return nil
}

// CheckSoftphone says whether key k may have a browser phone as the Voximplant user user ("":
// removing it is always allowed on a live key). Only a supervisor's or an admin's live key has
// one: read-only keys do not monitor calls. The user must be free (Phones): an operator's
// contact would ring his offers in the supervisor's tab, and his token could sign for it.
func (k APIKey) CheckSoftphone(user string, taken Phones) error {
	switch {
	case !k.RevokedAt.IsZero():
		return &Error{Code: CodeFailedPrecondition, Field: "key_id", Message: "the API key " + k.Name + " is revoked"}
	case user == "":
		return nil
	case k.Role != "admin" && k.Role != "supervisor":
		return &Error{Code: CodeFailedPrecondition, Field: "key_id", Message: "a " + k.Role + " key does not monitor calls: only a supervisor's or an admin's key has a browser phone"}
	}
	if err := checkSoftphoneUser(user); err != nil {
		return err
	}
	return taken.checkFree("softphone_user", user, k.ID, "")
}

// Check says whether the person may have this browser phone (User "": removing it). Tandem
// cannot know an OpenID Connect person's role before he signs in: GetSoftphone serves him the
// phone only while he is signed in as a supervisor or an admin.
func (p PersonPhone) Check(taken Phones) error {
	if err := required("person", p.Person); err != nil {
		return err
	}
	if err := maxLen("person", p.Person, 128); err != nil {
		return err
	}
	if p.User == "" {
		return nil
	}
	if err := checkSoftphoneUser(p.User); err != nil {
		return err
	}
	return taken.checkFree("softphone_user", p.User, "", p.Person)
}

// CheckNotPhone refuses an operator's contact that is a live API key's or a person's browser
// phone (the other half of CheckSoftphone): the supervisor's monitoring legs would ring in his tab.
func (c Contact) CheckNotPhone(field string, taken Phones) error {
	if c.Kind != ContactUser {
		return nil
	}
	for _, k := range taken.Keys {
		if k.RevokedAt.IsZero() && k.SoftphoneUser == c.Target {
			return &Error{Code: CodeFailedPrecondition, Field: field, Message: "the Voximplant user " + c.Target + " is the browser phone of the API key " + k.Name + ": give the operator a user of his own"}
		}
	}
	for _, p := range taken.People {
		if p.User == c.Target {
			return &Error{Code: CodeFailedPrecondition, Field: field, Message: "the Voximplant user " + c.Target + " is the browser phone of " + p.Person + ": give the operator a user of his own"}
		}
	}
	return nil
}

// Account is a person who signs in to the supervisor pages as himself (API keys stay for
// machines). Only PasswordHash, bcrypt, is stored of the password.
type Account struct {
	Name         string
	DisplayName  string
	Role         string // supervisor or admin
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
	CreatedBy    string
}

// The ways a person signs in, as sessions and the audit log record them.
const (
	SignInKey      = "key"      // an API key (machines, kiosks) or the --admin-key
	SignInPassword = "password" // an account's name and password
	SignInOIDC     = "oidc"     // OpenID Connect: the provider vouches for name and role
)

// AccountSession is a signed-in person's session. It keeps the name and role it was signed in
// with: a person signed in with OpenID Connect has no account here.
type AccountSession struct {
	TokenHash   string
	Account     string
	DisplayName string
	Role        string // supervisor or admin
	SignIn      string // SignInPassword or SignInOIDC
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// AccountRole reports whether role is one a person may have.
func AccountRole(role string) bool { return role == "supervisor" || role == "admin" }

// Check says whether a is a valid account to store: a name, a role a person may have.
func (a Account) Check() error {
	if !ValidName(a.Name) {
		return Invalid("name", "must be 1-63 lowercase letters, digits, '.', '_' or '-'")
	}
	if len(a.DisplayName) > 100 {
		return Invalid("display_name", "at most 100 characters")
	}
	if !AccountRole(a.Role) {
		return Invalid("role", "must be supervisor or admin")
	}
	return nil
}
