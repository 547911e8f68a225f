package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file stores what keeps Tandem safe: API keys, the audit log, settings, and the purging
// and erasing of callers' personal data.

const apiKeyColumns = `id, name, role, key_hash, created_at, created_by, last_used_at, revoked_at, softphone_user, softphone_ha1`

func scanAPIKey(s Scanner) (callcenter.APIKey, error) {
	var k callcenter.APIKey
	var created, used, revoked sql.NullInt64
	err := s.Scan(&k.ID, &k.Name, &k.Role, &k.Hash, &created, &k.CreatedBy, &used, &revoked, &k.SoftphoneUser, &k.SoftphoneHA1)
	k.CreatedAt, k.LastUsedAt, k.RevokedAt = timeMS(created), timeMS(used), timeMS(revoked)
	return k, err
}

// CreateAPIKey stores a new key. A name in use by a key not revoked is already_exists.
func (db *DB) CreateAPIKey(ctx context.Context, k callcenter.APIKey) error {
	return db.c.Write(ctx, func(tx WriteTx) error {
		taken, err := rowExists(ctx, tx, `SELECT 1 FROM api_keys WHERE name = ? AND revoked_at IS NULL`, k.Name)
		if err != nil {
			return db.d.errorf("create api key: %w", err)
		}
		if taken {
			return &callcenter.Error{Code: callcenter.CodeAlreadyExists, Field: "name", Message: "an API key named " + k.Name + " exists"}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO api_keys (`+apiKeyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			k.ID, k.Name, k.Role, k.Hash, msTime(k.CreatedAt), k.CreatedBy, msTime(k.LastUsedAt), msTime(k.RevokedAt), k.SoftphoneUser, k.SoftphoneHA1)
		if err != nil {
			return db.d.errorf("create api key %q: %w", k.Name, err)
		}
		return nil
	})
}

// APIKeyByHash returns the key whose secret hashes to hash, revoked or not.
func (db *DB) APIKeyByHash(ctx context.Context, hash string) (callcenter.APIKey, error) {
	k, err := scanAPIKey(db.c.QueryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE key_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return callcenter.APIKey{}, callcenter.NotFound("key", "no such API key")
	}
	if err != nil {
		return callcenter.APIKey{}, db.d.errorf("api key: %w", err)
	}
	return k, nil
}

// APIKeys lists the keys by name, the revoked ones only when asked.
func (db *DB) APIKeys(ctx context.Context, includeRevoked bool) ([]callcenter.APIKey, error) {
	var keys []callcenter.APIKey
	err := db.c.Read(ctx, func(tx Tx) error {
		where := `WHERE revoked_at IS NULL`
		if includeRevoked {
			where = ``
		}
		var err error
		keys, err = queryAll(ctx, tx, scanAPIKey, `SELECT `+apiKeyColumns+` FROM api_keys `+where+` ORDER BY name, created_at`)
		return err
	})
	if err != nil {
		return nil, db.d.errorf("api keys: %w", err)
	}
	return keys, nil
}

// RevokeAPIKey revokes key id at at (a key revoked before keeps its first time) and returns it.
func (db *DB) RevokeAPIKey(ctx context.Context, id string, at time.Time) (callcenter.APIKey, error) {
	var k callcenter.APIKey
	err := db.c.Write(ctx, func(tx WriteTx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, msTime(at), id); err != nil {
			return db.d.errorf("revoke api key %q: %w", id, err)
		}
		var err error
		k, err = scanAPIKey(tx.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return callcenter.NotFound("key_id", "no API key %q", id)
		}
		return err
	})
	return k, err
}

// APIKey returns key id, revoked or not.
func (db *DB) APIKey(ctx context.Context, id string) (callcenter.APIKey, error) {
	k, err := scanAPIKey(db.c.QueryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return callcenter.APIKey{}, callcenter.NotFound("key_id", "no API key %q", id)
	}
	if err != nil {
		return callcenter.APIKey{}, db.d.errorf("api key %q: %w", id, err)
	}
	return k, nil
}

// SetAPIKeySoftphone gives live key id the browser phone user with the password digest ha1
// ("" and "": none) and returns the key. A key revoked meanwhile is failed_precondition.
func (db *DB) SetAPIKeySoftphone(ctx context.Context, id, user, ha1 string) (callcenter.APIKey, error) {
	var k callcenter.APIKey
	err := db.c.Write(ctx, func(tx WriteTx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET softphone_user = ?, softphone_ha1 = ? WHERE id = ? AND revoked_at IS NULL`, user, ha1, id); err != nil {
			return db.d.errorf("set api key softphone %q: %w", id, err)
		}
		var err error
		k, err = scanAPIKey(tx.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = ?`, id))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return callcenter.NotFound("key_id", "no API key %q", id)
		case err != nil:
			return err
		case !k.RevokedAt.IsZero():
			return &callcenter.Error{Code: callcenter.CodeFailedPrecondition, Field: "key_id", Message: "the API key " + k.Name + " is revoked"}
		}
		return nil
	})
	return k, err
}

// TouchAPIKey records that key id was used at at.
func (db *DB) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	return db.c.Write(ctx, func(tx WriteTx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, msTime(at), id); err != nil {
			return db.d.errorf("touch api key %q: %w", id, err)
		}
		return nil
	})
}

// AddAuditEntry appends e to the audit log and returns its id.
func (db *DB) AddAuditEntry(ctx context.Context, e callcenter.AuditEntry) (int64, error) {
	var id int64
	err := db.c.Write(ctx, func(tx WriteTx) error {
		const insert = `INSERT INTO audit_log (at, actor, actor_role, actor_sign_in, procedure, request, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
		args := []any{e.At.UnixMilli(), e.Actor, e.ActorRole, e.ActorSignIn, e.Procedure, e.Request, e.Before, e.After}
		if db.d.Returning {
			if err := tx.QueryRowContext(ctx, insert+` RETURNING id`, args...).Scan(&id); err != nil {
				return db.d.errorf("audit %s: %w", e.Procedure, err)
			}
			return nil
		}
		res, err := tx.ExecContext(ctx, insert, args...)
		if err != nil {
			return db.d.errorf("audit %s: %w", e.Procedure, err)
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

// AuditEntries returns the entries q selects, newest first.
func (db *DB) AuditEntries(ctx context.Context, q callcenter.AuditQuery) ([]callcenter.AuditEntry, error) {
	var where []string
	var args []any
	if !q.Since.IsZero() {
		where, args = append(where, `at >= ?`), append(args, q.Since.UnixMilli())
	}
	if !q.Until.IsZero() {
		where, args = append(where, `at < ?`), append(args, q.Until.UnixMilli())
	}
	if q.Actor != "" {
		where, args = append(where, `actor = ?`), append(args, q.Actor)
	}
	if q.Procedure != "" {
		where, args = append(where, `(procedure = ? OR procedure LIKE ? ESCAPE '\')`), append(args, q.Procedure, "%/"+likeEscape(q.Procedure))
	}
	if q.BeforeID > 0 {
		where, args = append(where, `id < ?`), append(args, q.BeforeID)
	}
	query := `SELECT id, at, actor, actor_role, actor_sign_in, procedure, request, before, after FROM audit_log`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	var out []callcenter.AuditEntry
	err := db.c.Read(ctx, func(tx Tx) error {
		var err error
		out, err = queryAll(ctx, tx, func(s Scanner) (callcenter.AuditEntry, error) {
			var e callcenter.AuditEntry
			var at int64
			err := s.Scan(&e.ID, &at, &e.Actor, &e.ActorRole, &e.ActorSignIn, &e.Procedure, &e.Request, &e.Before, &e.After)
			e.At = time.UnixMilli(at).UTC()
			return e, err
		}, query, args...)
		return err
	})
	if err != nil {
		return nil, db.d.errorf("audit entries: %w", err)
	}
	return out, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Setting returns the value of a setting and whether it is set.
func (db *DB) Setting(ctx context.Context, name string) (string, bool, error) {
	var v string
	err := db.c.QueryRow(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, db.d.errorf("setting %q: %w", name, err)
	}
	return v, true, nil
}

// SetSetting sets a setting.
func (db *DB) SetSetting(ctx context.Context, name, value string) error {
	return db.c.Write(ctx, func(tx WriteTx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
		if err != nil {
			return db.d.errorf("set %q: %w", name, err)
		}
		return nil
	})
}

// finishedCalls is the SQL list of the call states the engine no longer holds: rows in these
// states are never written again, so erasing their details cannot race the switchboard.
var finishedCalls = `('` + string(callcenter.CallEnded) + `', '` + string(callcenter.CallAbandoned) + `', '` + string(callcenter.CallLost) + `')`

// scrubCalls erases the personal data of the finished calls in the temporary table
// erase_calls, and the decisions and cloud replies about them. The call and offer rows stay,
// so the figures drawn from them do not change.
func (d Dialect) scrubCalls(ctx context.Context, tx Tx, at time.Time) (callcenter.PurgeResult, error) {
	var r callcenter.PurgeResult
	res, err := tx.ExecContext(ctx, `
		UPDATE calls SET caller_number = '', caller_name = '', client = '', session_id = '',
			access_url = '', sip_headers = 'null', custom_data = '', recording_url = '',
			voicemail_url = '', callback = '', purged_at = ?
		WHERE id IN (SELECT id FROM erase_calls)`, at.UnixMilli())
	if err != nil {
		return r, d.errorf("erase calls: %w", err)
	}
	n, _ := res.RowsAffected()
	r.Calls = int(n)
	// Whom a call's parties were dialed at is as personal as the caller's number.
	if _, err := tx.ExecContext(ctx, `UPDATE call_parties SET contact_target = '' WHERE call_id IN (SELECT id FROM erase_calls)`); err != nil {
		return r, d.errorf("erase parties: %w", err)
	}
	res, err = tx.ExecContext(ctx, `DELETE FROM decisions WHERE call_id IN (SELECT id FROM erase_calls)`)
	if err != nil {
		return r, d.errorf("erase decisions: %w", err)
	}
	n, _ = res.RowsAffected()
	r.Decisions = int(n)
	res, err = tx.ExecContext(ctx, `DELETE FROM cloud_requests WHERE call_id IN (SELECT id FROM erase_calls)`)
	if err != nil {
		return r, d.errorf("erase cloud requests: %w", err)
	}
	n, _ = res.RowsAffected()
	r.Requests = int(n)
	_, err = tx.ExecContext(ctx, `DROP TABLE erase_calls`)
	return r, err
}

// PurgeCallDetails erases the personal data of the finished calls that arrived before before
// (caller number and name, session, accessURL, SIP headers, custom data, recording URL), deletes their routing
// decisions, and deletes the cloud requests remembered from before then, and the operators'
// states and day scores (but each one's last state before it). Call and offer rows stay,
// anonymous, so queue and operator figures over any range are unchanged.
func (db *DB) PurgeCallDetails(ctx context.Context, before, now time.Time) (callcenter.PurgeResult, error) {
	var r callcenter.PurgeResult
	err := db.c.Write(ctx, func(tx WriteTx) error {
		_, err := tx.ExecContext(ctx, `CREATE TEMP TABLE erase_calls`+db.d.TempTableOptions+` AS SELECT id FROM calls
			WHERE state IN `+finishedCalls+` AND arrived_at < ? AND purged_at IS NULL`, before.UnixMilli())
		if err != nil {
			return db.d.errorf("purge: %w", err)
		}
		if r, err = db.d.scrubCalls(ctx, tx, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM cloud_requests WHERE at < ?`, before.UnixMilli())
		if err != nil {
			return db.d.errorf("purge cloud requests: %w", err)
		}
		n, _ := res.RowsAffected()
		r.Requests += int(n)
		r.OperatorHistory, err = db.d.purgeOperatorHistory(ctx, tx, before)
		return err
	})
	return r, err
}

// purgeOperatorHistory deletes the states operators entered before before, but the last of
// each, and their scores of the days before before's.
func (d Dialect) purgeOperatorHistory(ctx context.Context, tx Tx, before time.Time) (int, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM operator_states WHERE since < ? AND since < (SELECT MAX(s.since)
		FROM operator_states s WHERE s.operator_id = operator_states.operator_id AND s.since < ?)`, before.UnixMilli(), before.UnixMilli())
	if err != nil {
		return 0, d.errorf("purge operator states: %w", err)
	}
	states, _ := res.RowsAffected()
	res, err = tx.ExecContext(ctx, `DELETE FROM operator_scores WHERE day < ?`, before.Unix()/86400)
	if err != nil {
		return 0, d.errorf("purge operator scores: %w", err)
	}
	scores, _ := res.RowsAffected()
	return int(states + scores), nil
}

// CallerCalls returns the calls from a caller number (E.164) that still hold personal data,
// oldest first: those whose normalised number or whose number as received is number.
func (db *DB) CallerCalls(ctx context.Context, number string) ([]callcenter.Call, error) {
	var cs []callcenter.Call
	err := db.c.Read(ctx, func(tx Tx) error {
		var err error
		cs, err = queryAll(ctx, tx, scanCall, `SELECT `+callColumns+` FROM calls
			WHERE (client = ? OR caller_number = ?) AND purged_at IS NULL ORDER BY arrived_at, id`, number, number)
		return err
	})
	if err != nil {
		return nil, db.d.errorf("calls of a caller: %w", err)
	}
	return cs, nil
}

// EraseCaller erases the personal data of a caller number's finished calls (as
// PurgeCallDetails does for old calls), deletes his client record and replaces his number in
// the audit log with "[erased]". It returns how many calls were erased and whether a client
// record was deleted. Calls in progress are left alone.
func (db *DB) EraseCaller(ctx context.Context, number string, now time.Time) (calls int, client bool, err error) {
	err = db.c.Write(ctx, func(tx WriteTx) error {
		_, err := tx.ExecContext(ctx, `CREATE TEMP TABLE erase_calls`+db.d.TempTableOptions+` AS SELECT id FROM calls
			WHERE (client = ? OR caller_number = ?) AND state IN `+finishedCalls+` AND purged_at IS NULL`, number, number)
		if err != nil {
			return db.d.errorf("erase caller: %w", err)
		}
		r, err := db.d.scrubCalls(ctx, tx, now)
		if err != nil {
			return err
		}
		calls = r.Calls
		res, err := tx.ExecContext(ctx, `DELETE FROM clients WHERE number = ?`, number)
		if err != nil {
			return db.d.errorf("erase client: %w", err)
		}
		n, _ := res.RowsAffected()
		client = n > 0
		// The audit log names client numbers (normalised) in SetClient and RemoveClient.
		_, err = tx.ExecContext(ctx, db.d.eraseFromAudit(), number)
		if err != nil {
			return db.d.errorf("erase caller from the audit log: %w", err)
		}
		return nil
	})
	return calls, client, err
}

// DeleteExpiredSessions deletes the sessions (operators' and people's) that ended before now
// and returns how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := db.c.Write(ctx, func(tx WriteTx) error {
		for _, table := range []string{"sessions", "account_sessions"} {
			res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE expires_at < ?`, now.UnixMilli())
			if err != nil {
				return db.d.errorf("delete expired %s: %w", table, err)
			}
			m, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += m
		}
		return nil
	})
	return int(n), err
}

// eraseFromAudit replaces the number that is the first argument with "[erased]" in the audit
// log.
func (d Dialect) eraseFromAudit() string {
	n, in := d.Arg1, d.Strpos
	return `UPDATE audit_log SET request = replace(request, ` + n + `, '[erased]'),
				before = replace(before, ` + n + `, '[erased]'), after = replace(after, ` + n + `, '[erased]')
			WHERE ` + in + `(request, ` + n + `) > 0 OR ` + in + `(before, ` + n + `) > 0 OR ` + in + `(after, ` + n + `) > 0`
}

// PersonPhones returns the people's browser phones, by person.
func (db *DB) PersonPhones(ctx context.Context) ([]callcenter.PersonPhone, error) {
	var out []callcenter.PersonPhone
	err := db.c.Read(ctx, func(tx Tx) error {
		var err error
		out, err = queryAll(ctx, tx, func(s Scanner) (callcenter.PersonPhone, error) {
			var p callcenter.PersonPhone
			return p, s.Scan(&p.Person, &p.User, &p.HA1)
		}, `SELECT person, softphone_user, softphone_ha1 FROM person_softphones ORDER BY person`)
		return err
	})
	if err != nil {
		return nil, db.d.errorf("person softphones: %w", err)
	}
	return out, nil
}

// SetPersonPhone gives p.Person the browser phone p (p.User "": takes his away).
func (db *DB) SetPersonPhone(ctx context.Context, p callcenter.PersonPhone) error {
	err := db.c.Write(ctx, func(tx WriteTx) error {
		if p.User == "" {
			_, err := tx.ExecContext(ctx, `DELETE FROM person_softphones WHERE person = ?`, p.Person)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO person_softphones (person, softphone_user, softphone_ha1) VALUES (?, ?, ?)
			ON CONFLICT (person) DO UPDATE SET softphone_user = excluded.softphone_user, softphone_ha1 = excluded.softphone_ha1`, p.Person, p.User, p.HA1)
		return err
	})
	if err != nil {
		return db.d.errorf("set softphone of %q: %w", p.Person, err)
	}
	return nil
}
