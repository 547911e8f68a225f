package sqlite

import (
	"context"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file stores what keeps Tandem safe: API keys, the audit log, settings, and the purging
// and erasing of callers' personal data. The SQL is sqlstore's (see config.go).

// CreateAPIKey stores a new key. A name in use by a key not revoked is already_exists.
func (db *DB) CreateAPIKey(ctx context.Context, k callcenter.APIKey) error {
	return db.shared().CreateAPIKey(ctx, k)
}

// APIKeyByHash returns the key whose secret hashes to hash, revoked or not.
func (db *DB) APIKeyByHash(ctx context.Context, hash string) (callcenter.APIKey, error) {
	return db.shared().APIKeyByHash(ctx, hash)
}

// APIKeys lists the keys by name, the revoked ones only when asked.
func (db *DB) APIKeys(ctx context.Context, includeRevoked bool) ([]callcenter.APIKey, error) {
	return db.shared().APIKeys(ctx, includeRevoked)
}

// RevokeAPIKey revokes key id at at (a key revoked before keeps its first time) and returns it.
func (db *DB) RevokeAPIKey(ctx context.Context, id string, at time.Time) (callcenter.APIKey, error) {
	return db.shared().RevokeAPIKey(ctx, id, at)
}

// TouchAPIKey records that key id was used at at.
func (db *DB) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	return db.shared().TouchAPIKey(ctx, id, at)
}

// AddAuditEntry appends e to the audit log and returns its id.
func (db *DB) AddAuditEntry(ctx context.Context, e callcenter.AuditEntry) (int64, error) {
	return db.shared().AddAuditEntry(ctx, e)
}

// AuditEntries returns the entries q selects, newest first.
func (db *DB) AuditEntries(ctx context.Context, q callcenter.AuditQuery) ([]callcenter.AuditEntry, error) {
	return db.shared().AuditEntries(ctx, q)
}

// Setting returns the value of a setting and whether it is set.
func (db *DB) Setting(ctx context.Context, name string) (string, bool, error) {
	return db.shared().Setting(ctx, name)
}

// SetSetting sets a setting.
func (db *DB) SetSetting(ctx context.Context, name, value string) error {
	return db.shared().SetSetting(ctx, name, value)
}

// PurgeCallDetails erases the personal data of the finished calls that arrived before before
// and deletes their decisions and the cloud requests from before then (see
// sqlstore.DB.PurgeCallDetails).
func (db *DB) PurgeCallDetails(ctx context.Context, before, now time.Time) (callcenter.PurgeResult, error) {
	return db.shared().PurgeCallDetails(ctx, before, now)
}

// CallerCalls returns the calls from a caller number (E.164) that still hold personal data,
// oldest first.
func (db *DB) CallerCalls(ctx context.Context, number string) ([]callcenter.Call, error) {
	return db.shared().CallerCalls(ctx, number)
}

// EraseCaller erases the personal data of a caller number's finished calls, his client record
// and his number in the audit log (see sqlstore.DB.EraseCaller).
func (db *DB) EraseCaller(ctx context.Context, number string, now time.Time) (calls int, client bool, err error) {
	return db.shared().EraseCaller(ctx, number, now)
}

// DeleteExpiredSessions deletes the sessions that ended before now and returns how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	return db.shared().DeleteExpiredSessions(ctx, now)
}
