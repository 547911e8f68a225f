package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// RaiseAlert stores a raised alert and returns its id.
func (db *DB) RaiseAlert(ctx context.Context, a cc.Alert) (int64, error) {
	var id int64
	err := db.c.Write(ctx, func(tx WriteTx) error {
		const insert = `INSERT INTO alerts (queue_id, kind, operator_id, value, threshold, raised_at) VALUES (?, ?, ?, ?, ?, ?)`
		args := []any{string(a.Queue), string(a.Kind), string(a.Operator), a.Value, a.Threshold, a.RaisedAt.UnixMilli()}
		if db.d.Returning {
			return tx.QueryRowContext(ctx, insert+` RETURNING id`, args...).Scan(&id)
		}
		res, err := tx.ExecContext(ctx, insert, args...)
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return 0, db.d.errorf("raise alert %s/%s: %w", a.Queue, a.Kind, err)
	}
	return id, nil
}

// ClearAlert marks an open alert cleared at at; a cleared one keeps its first clearing.
func (db *DB) ClearAlert(ctx context.Context, id int64, at time.Time) error {
	err := db.c.Write(ctx, func(tx WriteTx) error {
		_, err := tx.ExecContext(ctx, `UPDATE alerts SET cleared_at = ? WHERE id = ? AND cleared_at = 0`, at.UnixMilli(), id)
		return err
	})
	if err != nil {
		return db.d.errorf("clear alert %d: %w", id, err)
	}
	return nil
}

// AcknowledgeAlert records who acknowledged the alert (the first acknowledgement stays) and
// returns it; cc.ErrNotFound-coded when there is no such alert.
func (db *DB) AcknowledgeAlert(ctx context.Context, id int64, by string, at time.Time) (cc.Alert, error) {
	var a cc.Alert
	err := db.c.Write(ctx, func(tx WriteTx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ? AND acknowledged_at = 0`,
			by, at.UnixMilli(), id); err != nil {
			return err
		}
		var err error
		a, err = scanAlert(tx.QueryRowContext(ctx, alertColumns+` WHERE id = ?`, id))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return cc.Alert{}, cc.NotFound("alert_id", "no alert %d", id)
	}
	if err != nil {
		return cc.Alert{}, db.d.errorf("acknowledge alert %d: %w", id, err)
	}
	return a, nil
}

// Alerts returns the alerts q selects, newest first.
func (db *DB) Alerts(ctx context.Context, q cc.AlertQuery) ([]cc.Alert, error) {
	query, args := alertColumns, []any{}
	switch {
	case q.OpenOnly:
		query += ` WHERE cleared_at = 0`
	case !q.Since.IsZero():
		query, args = query+` WHERE raised_at >= ? OR cleared_at = 0`, append(args, q.Since.UnixMilli())
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	query, args = query+` ORDER BY id DESC LIMIT ?`, append(args, limit)
	var out []cc.Alert
	err := db.c.Read(ctx, func(tx Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanAlert, query, args...)
		return err
	})
	if err != nil {
		return nil, db.d.errorf("alerts: %w", err)
	}
	return out, nil
}

// UnsentAlertEvents returns up to limit raisings and clearings not yet marked sent that
// happened at or after since, oldest first (a raising before its clearing).
func (db *DB) UnsentAlertEvents(ctx context.Context, since time.Time, limit int) ([]cc.AlertEvent, error) {
	var out []cc.AlertEvent
	err := db.c.Read(ctx, func(tx Tx) error {
		from := since.UnixMilli()
		raised, err := queryAll(ctx, tx, scanAlert, alertColumns+` WHERE raise_sent_at = 0 AND raised_at >= ? ORDER BY raised_at, id LIMIT ?`, from, limit)
		if err != nil {
			return err
		}
		cleared, err := queryAll(ctx, tx, scanAlert, alertColumns+` WHERE clear_sent_at = 0 AND cleared_at >= ? AND cleared_at > 0 ORDER BY cleared_at, id LIMIT ?`, from, limit)
		if err != nil {
			return err
		}
		for _, a := range raised {
			out = append(out, cc.AlertEvent{Alert: a})
		}
		for _, a := range cleared {
			out = append(out, cc.AlertEvent{Alert: a, Cleared: true})
		}
		return nil
	})
	if err != nil {
		return nil, db.d.errorf("unsent alert events: %w", err)
	}
	slices.SortStableFunc(out, func(a, b cc.AlertEvent) int {
		return cmp.Or(a.At().Compare(b.At()), cmp.Compare(a.Alert.ID, b.Alert.ID), cmp.Compare(boolInt(a.Cleared), boolInt(b.Cleared)))
	})
	return out[:min(len(out), limit)], nil
}

// AlertEventSent marks an alert's raising, or its clearing, sent at at.
func (db *DB) AlertEventSent(ctx context.Context, e cc.AlertEvent, at time.Time) error {
	column := "raise_sent_at"
	if e.Cleared {
		column = "clear_sent_at"
	}
	err := db.c.Write(ctx, func(tx WriteTx) error {
		_, err := tx.ExecContext(ctx, `UPDATE alerts SET `+column+` = ? WHERE id = ?`, at.UnixMilli(), e.Alert.ID)
		return err
	})
	if err != nil {
		return db.d.errorf("alert %d sent: %w", e.Alert.ID, err)
	}
	return nil
}

const alertColumns = `SELECT id, queue_id, kind, operator_id, value, threshold, raised_at, cleared_at, acknowledged_by, acknowledged_at FROM alerts`

func scanAlert(s Scanner) (cc.Alert, error) {
	var a cc.Alert
	var queue, kind, op string
	var raised, cleared, acked int64
	err := s.Scan(&a.ID, &queue, &kind, &op, &a.Value, &a.Threshold, &raised, &cleared, &a.AckedBy, &acked)
	a.Queue, a.Kind, a.Operator = cc.QueueID(queue), cc.AlertKind(kind), cc.OperatorID(op)
	a.RaisedAt = time.UnixMilli(raised).UTC()
	if cleared != 0 {
		a.ClearedAt = time.UnixMilli(cleared).UTC()
	}
	if acked != 0 {
		a.AckedAt = time.UnixMilli(acked).UTC()
	}
	return a, err
}
