package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// Operators -------------------------------------------------------------------------------

const operatorColumns = `id, name, display_name, password_hash, contact_kind, contact_target,
	disabled, created_at, hours, softphone_ha1`

// CreateOperator stores a new operator. His id and name must both be free.
func (db *DB) CreateOperator(ctx context.Context, o callcenter.Operator) error {
	return db.c.Write(ctx, func(tx WriteTx) error {
		exists, err := rowExists(ctx, tx, `SELECT 1 FROM operators WHERE id = ?`, o.ID)
		if err != nil {
			return db.d.errorf("create operator %q: %w", o.ID, err)
		}
		if exists {
			return &callcenter.Error{Code: callcenter.CodeAlreadyExists, Field: "operator_id",
				Message: fmt.Sprintf("operator %q already exists", o.ID)}
		}
		return db.d.putOperator(ctx, tx, o)
	})
}

// UpdateOperator replaces every field of the operator with o's id, his queues included.
func (db *DB) UpdateOperator(ctx context.Context, o callcenter.Operator) error {
	return db.c.Write(ctx, func(tx WriteTx) error {
		exists, err := rowExists(ctx, tx, `SELECT 1 FROM operators WHERE id = ?`, o.ID)
		if err != nil {
			return db.d.errorf("update operator %q: %w", o.ID, err)
		}
		if !exists {
			return callcenter.NotFound("operator_id", "no operator %q", o.ID)
		}
		return db.d.putOperator(ctx, tx, o)
	})
}

// putOperator inserts or replaces o and his queue skills. The name must not belong to
// another operator.
func (d Dialect) putOperator(ctx context.Context, tx Tx, o callcenter.Operator) error {
	taken, err := rowExists(ctx, tx, `SELECT 1 FROM operators WHERE name = ? AND id <> ?`, o.Name, o.ID)
	if err != nil {
		return d.errorf("put operator %q: %w", o.ID, err)
	}
	if taken {
		return &callcenter.Error{Code: callcenter.CodeAlreadyExists, Field: "name",
			Message: fmt.Sprintf("operator name %q is taken", o.Name)}
	}
	seen := make(map[callcenter.QueueID]bool, len(o.Queues))
	for _, s := range o.Queues {
		if seen[s.Queue] {
			return callcenter.Invalid("queues", "queue %q is listed twice", s.Queue)
		}
		seen[s.Queue] = true
	}

	_, err = tx.ExecContext(ctx, `
		INSERT INTO operators (`+operatorColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			name = excluded.name, display_name = excluded.display_name,
			password_hash = excluded.password_hash, contact_kind = excluded.contact_kind,
			contact_target = excluded.contact_target, disabled = excluded.disabled,
			created_at = excluded.created_at, hours = excluded.hours,
			softphone_ha1 = excluded.softphone_ha1`,
		o.ID, o.Name, o.DisplayName, o.PasswordHash, o.Contact.Kind, o.Contact.Target,
		boolInt(o.Disabled), msTime(o.CreatedAt), jsonText(o.Hours), o.SoftphoneHA1)
	if err != nil {
		return d.errorf("put operator %q: %w", o.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM operator_queues WHERE operator_id = ?`, o.ID); err != nil {
		return d.errorf("put operator %q: clear queues: %w", o.ID, err)
	}
	for i, s := range o.Queues {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO operator_queues (operator_id, queue_id, level, position) VALUES (?, ?, ?, ?)`,
			o.ID, s.Queue, s.Level, i)
		if err != nil {
			return d.errorf("put operator %q: queue %q: %w", o.ID, s.Queue, err)
		}
	}
	return nil
}

// Operator returns the operator with id.
func (db *DB) Operator(ctx context.Context, id callcenter.OperatorID) (callcenter.Operator, error) {
	return db.operatorWhere(ctx, "id", string(id), callcenter.NotFound("operator_id", "no operator %q", id))
}

// OperatorByName returns the operator whose login name is name.
func (db *DB) OperatorByName(ctx context.Context, name string) (callcenter.Operator, error) {
	return db.operatorWhere(ctx, "name", name, callcenter.NotFound("name", "no operator named %q", name))
}

func (db *DB) operatorWhere(ctx context.Context, column, value string, notFound error) (callcenter.Operator, error) {
	var o callcenter.Operator
	err := db.c.Read(ctx, func(tx Tx) error {
		var err error
		o, err = scanOperator(tx.QueryRowContext(ctx,
			`SELECT `+operatorColumns+` FROM operators WHERE `+column+` = ?`, value))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound
		}
		if err != nil {
			return db.d.errorf("operator %s %q: %w", column, value, err)
		}
		rows, err := tx.QueryContext(ctx,
			`SELECT queue_id, level FROM operator_queues WHERE operator_id = ? ORDER BY position`, o.ID)
		if err != nil {
			return db.d.errorf("operator %q queues: %w", o.ID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var s callcenter.QueueSkill
			if err := rows.Scan(&s.Queue, &s.Level); err != nil {
				return db.d.errorf("operator %q queues: %w", o.ID, err)
			}
			o.Queues = append(o.Queues, s)
		}
		if err := rows.Err(); err != nil {
			return db.d.errorf("operator %q queues: %w", o.ID, err)
		}
		return nil
	})
	if err != nil {
		return callcenter.Operator{}, err
	}
	return o, nil
}

// Operators returns every operator, ordered by name.
func (db *DB) Operators(ctx context.Context) ([]callcenter.Operator, error) {
	var ops []callcenter.Operator
	err := db.c.Read(ctx, func(tx Tx) error {
		skills := make(map[callcenter.OperatorID][]callcenter.QueueSkill)
		rows, err := tx.QueryContext(ctx,
			`SELECT operator_id, queue_id, level FROM operator_queues ORDER BY operator_id, position`)
		if err != nil {
			return db.d.errorf("operators: queues: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id callcenter.OperatorID
			var s callcenter.QueueSkill
			if err := rows.Scan(&id, &s.Queue, &s.Level); err != nil {
				return db.d.errorf("operators: queues: %w", err)
			}
			skills[id] = append(skills[id], s)
		}
		if err := rows.Err(); err != nil {
			return db.d.errorf("operators: queues: %w", err)
		}

		rows, err = tx.QueryContext(ctx, `SELECT `+operatorColumns+` FROM operators ORDER BY name`)
		if err != nil {
			return db.d.errorf("operators: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanOperator(rows)
			if err != nil {
				return db.d.errorf("operators: %w", err)
			}
			o.Queues = skills[o.ID]
			ops = append(ops, o)
		}
		if err := rows.Err(); err != nil {
			return db.d.errorf("operators: %w", err)
		}
		return nil
	})
	return ops, err
}

func scanOperator(s Scanner) (callcenter.Operator, error) {
	var o callcenter.Operator
	var disabled int
	var created sql.NullInt64
	var hours string
	err := s.Scan(&o.ID, &o.Name, &o.DisplayName, &o.PasswordHash, &o.Contact.Kind, &o.Contact.Target,
		&disabled, &created, &hours, &o.SoftphoneHA1)
	if err == nil {
		if jerr := json.Unmarshal([]byte(hours), &o.Hours); jerr != nil {
			return o, fmt.Errorf("operator %q: hours: %w", o.ID, jerr)
		}
	}
	o.Disabled = disabled != 0
	o.CreatedAt = timeMS(created)
	return o, err
}

// Queues ----------------------------------------------------------------------------------

const queueColumns = `id, name, strategy, offer_timeout_ms, wrap_up_ms, priority, hold_music_url,
	greeting, is_default, rules, record_calls, recording_notice, ring_at_once`

// CreateQueue stores a new queue. Its id must be free and its dialed numbers must belong to no
// other queue; if it is the default queue, the previous default stops being one.
func (db *DB) CreateQueue(ctx context.Context, q callcenter.Queue) error {
	return db.c.Write(ctx, func(tx WriteTx) error {
		exists, err := rowExists(ctx, tx, `SELECT 1 FROM queues WHERE id = ?`, q.ID)
		if err != nil {
			return db.d.errorf("create queue %q: %w", q.ID, err)
		}
		if exists {
			return &callcenter.Error{Code: callcenter.CodeAlreadyExists, Field: "queue.queue_id",
				Message: fmt.Sprintf("queue %q already exists", q.ID)}
		}
		return db.d.putQueues(ctx, tx, []callcenter.Queue{q})
	})
}

// UpdateQueue replaces every field of the queue with q's id, its dialed numbers included.
func (db *DB) UpdateQueue(ctx context.Context, q callcenter.Queue) error {
	return db.c.Write(ctx, func(tx WriteTx) error {
		exists, err := rowExists(ctx, tx, `SELECT 1 FROM queues WHERE id = ?`, q.ID)
		if err != nil {
			return db.d.errorf("update queue %q: %w", q.ID, err)
		}
		if !exists {
			return callcenter.NotFound("queue.queue_id", "no queue %q", q.ID)
		}
		return db.d.putQueues(ctx, tx, []callcenter.Queue{q})
	})
}

// putQueues inserts or replaces qs and their dialed numbers. The numbers of all of qs are
// released before any is claimed, so one batch can move a number from one queue to another.
func (d Dialect) putQueues(ctx context.Context, tx Tx, qs []callcenter.Queue) error {
	owner := make(map[string]callcenter.QueueID)
	var def *callcenter.Queue
	for i, q := range qs {
		if q.IsDefault {
			if def != nil && def.ID != q.ID {
				return callcenter.Invalid("queue.is_default", "queues %q and %q cannot both be the default", def.ID, q.ID)
			}
			def = &qs[i]
		}
		for _, n := range q.DialedNumbers {
			if other, ok := owner[n]; ok {
				if other == q.ID {
					return callcenter.Invalid("queue.dialed_numbers", "number %q is listed twice", n)
				}
				return &callcenter.Error{Code: callcenter.CodeAlreadyExists, Field: "queue.dialed_numbers",
					Message: fmt.Sprintf("number %q belongs to queue %q", n, other)}
			}
			owner[n] = q.ID
		}
	}

	for _, q := range qs {
		if _, err := tx.ExecContext(ctx, `DELETE FROM queue_numbers WHERE queue_id = ?`, q.ID); err != nil {
			return d.errorf("put queue %q: clear numbers: %w", q.ID, err)
		}
	}
	for _, q := range qs {
		for _, n := range q.DialedNumbers {
			var other callcenter.QueueID
			err := tx.QueryRowContext(ctx, `SELECT queue_id FROM queue_numbers WHERE number = ?`, n).Scan(&other)
			if err == nil {
				return &callcenter.Error{Code: callcenter.CodeAlreadyExists, Field: "queue.dialed_numbers",
					Message: fmt.Sprintf("number %q belongs to queue %q", n, other)}
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return d.errorf("put queue %q: number %q: %w", q.ID, n, err)
			}
		}
	}

	if def != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE queues SET is_default = 0 WHERE `+d.DefaultQueue+` AND id <> ?`, def.ID); err != nil {
			return d.errorf("put queue %q: clear default: %w", def.ID, err)
		}
	}
	for _, q := range qs {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO queues (`+queueColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET
				name = excluded.name, strategy = excluded.strategy,
				offer_timeout_ms = excluded.offer_timeout_ms, wrap_up_ms = excluded.wrap_up_ms,
				priority = excluded.priority, hold_music_url = excluded.hold_music_url,
				greeting = excluded.greeting, is_default = excluded.is_default, rules = excluded.rules,
				record_calls = excluded.record_calls, recording_notice = excluded.recording_notice,
				ring_at_once = excluded.ring_at_once`,
			q.ID, q.Name, q.Strategy, durMS(q.OfferTimeout), durMS(q.WrapUp), q.Priority,
			q.HoldMusicURL, q.Greeting, boolInt(q.IsDefault), jsonText(q.Rules), boolInt(q.RecordCalls), q.RecordingNotice,
			q.RingAtOnce)
		if err != nil {
			return d.errorf("put queue %q: %w", q.ID, err)
		}
		for i, n := range q.DialedNumbers {
			_, err := tx.ExecContext(ctx,
				`INSERT INTO queue_numbers (number, queue_id, position) VALUES (?, ?, ?)`, n, q.ID, i)
			if err != nil {
				return d.errorf("put queue %q: number %q: %w", q.ID, n, err)
			}
		}
	}
	return nil
}

// Queue returns the queue with id.
func (db *DB) Queue(ctx context.Context, id callcenter.QueueID) (callcenter.Queue, error) {
	var q callcenter.Queue
	err := db.c.Read(ctx, func(tx Tx) error {
		var err error
		q, err = scanQueue(tx.QueryRowContext(ctx, `SELECT `+queueColumns+` FROM queues WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return callcenter.NotFound("queue_id", "no queue %q", id)
		}
		if err != nil {
			return db.d.errorf("queue %q: %w", id, err)
		}
		numbers, err := db.d.queueNumbers(ctx, tx, id)
		if err != nil {
			return err
		}
		q.DialedNumbers = numbers[id]
		return nil
	})
	if err != nil {
		return callcenter.Queue{}, err
	}
	return q, nil
}

// Queues returns every queue, ordered by id.
func (db *DB) Queues(ctx context.Context) ([]callcenter.Queue, error) {
	var qs []callcenter.Queue
	err := db.c.Read(ctx, func(tx Tx) error {
		numbers, err := db.d.queueNumbers(ctx, tx, "")
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+queueColumns+` FROM queues ORDER BY id`)
		if err != nil {
			return db.d.errorf("queues: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			q, err := scanQueue(rows)
			if err != nil {
				return db.d.errorf("queues: %w", err)
			}
			q.DialedNumbers = numbers[q.ID]
			qs = append(qs, q)
		}
		if err := rows.Err(); err != nil {
			return db.d.errorf("queues: %w", err)
		}
		return nil
	})
	return qs, err
}

// queueNumbers returns the dialed numbers of queue id, or of every queue when id is "".
func (d Dialect) queueNumbers(ctx context.Context, tx Tx, id callcenter.QueueID) (map[callcenter.QueueID][]string, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT queue_id, number FROM queue_numbers WHERE ? = '' OR queue_id = ?
		ORDER BY queue_id, position`, id, id)
	if err != nil {
		return nil, d.errorf("queue numbers: %w", err)
	}
	defer rows.Close()
	numbers := make(map[callcenter.QueueID][]string)
	for rows.Next() {
		var q callcenter.QueueID
		var n string
		if err := rows.Scan(&q, &n); err != nil {
			return nil, d.errorf("queue numbers: %w", err)
		}
		numbers[q] = append(numbers[q], n)
	}
	if err := rows.Err(); err != nil {
		return nil, d.errorf("queue numbers: %w", err)
	}
	return numbers, nil
}

func scanQueue(s Scanner) (callcenter.Queue, error) {
	var q callcenter.Queue
	var timeout, wrapUp int64
	var def, record int
	var rules string
	err := s.Scan(&q.ID, &q.Name, &q.Strategy, &timeout, &wrapUp, &q.Priority, &q.HoldMusicURL,
		&q.Greeting, &def, &rules, &record, &q.RecordingNotice, &q.RingAtOnce)
	if err == nil {
		if jerr := json.Unmarshal([]byte(rules), &q.Rules); jerr != nil {
			return q, fmt.Errorf("queue %q: rules: %w", q.ID, jerr)
		}
	}
	q.OfferTimeout = msDur(timeout)
	q.WrapUp = msDur(wrapUp)
	q.IsDefault = def != 0
	q.RecordCalls = record != 0
	return q, err
}

// Sessions --------------------------------------------------------------------------------

// CreateSession stores a login of an existing operator.
func (db *DB) CreateSession(ctx context.Context, s callcenter.Session) error {
	return db.c.Write(ctx, func(tx WriteTx) error {
		exists, err := rowExists(ctx, tx, `SELECT 1 FROM operators WHERE id = ?`, s.Operator)
		if err != nil {
			return db.d.errorf("create session: %w", err)
		}
		if !exists {
			return callcenter.NotFound("operator_id", "no operator %q", s.Operator)
		}
		exists, err = rowExists(ctx, tx, `SELECT 1 FROM sessions WHERE token_hash = ?`, s.TokenHash)
		if err != nil {
			return db.d.errorf("create session: %w", err)
		}
		if exists {
			return &callcenter.Error{Code: callcenter.CodeAlreadyExists, Field: "token",
				Message: "the session already exists"}
		}
		_, err = tx.ExecContext(ctx,
			`INSERT INTO sessions (token_hash, operator_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			s.TokenHash, s.Operator, msTime(s.CreatedAt), msTime(s.ExpiresAt))
		if err != nil {
			return db.d.errorf("create session: %w", err)
		}
		return nil
	})
}

// Session returns the session whose token hashes to tokenHash. Expiry is the caller's to judge.
func (db *DB) Session(ctx context.Context, tokenHash string) (callcenter.Session, error) {
	s := callcenter.Session{TokenHash: tokenHash}
	var created, expires sql.NullInt64
	// Read for every request an operator makes.
	err := db.c.QueryRow(ctx, `SELECT operator_id, created_at, expires_at FROM sessions WHERE token_hash = ?`, tokenHash).
		Scan(&s.Operator, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return callcenter.Session{}, callcenter.NotFound("token", "no such session")
	}
	if err != nil {
		return callcenter.Session{}, db.d.errorf("session: %w", err)
	}
	s.CreatedAt = timeMS(created)
	s.ExpiresAt = timeMS(expires)
	return s, nil
}

// DeleteSession ends one session. Ending an unknown session is not an error.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.c.Write(ctx, func(tx WriteTx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
			return db.d.errorf("delete session: %w", err)
		}
		return nil
	})
}

// DeleteOperatorSessions ends every session of operator id.
func (db *DB) DeleteOperatorSessions(ctx context.Context, id callcenter.OperatorID) error {
	return db.c.Write(ctx, func(tx WriteTx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE operator_id = ?`, id); err != nil {
			return db.d.errorf("delete sessions of operator %q: %w", id, err)
		}
		return nil
	})
}
