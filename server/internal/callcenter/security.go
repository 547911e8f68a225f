package callcenter

import "time"

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
}

// AuditEntry is one change made by an admin or a supervisor. Request, Before and After are JSON.
type AuditEntry struct {
	ID        int64
	At        time.Time
	Actor     string
	ActorRole string
	Procedure string
	Request   string
	Before    string
	After     string
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
}
