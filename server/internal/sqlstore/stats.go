package sqlstore

import (
	"context"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/tallyrow"
)

// Tallies returns the stored history rows of scope in [from, to) — of one queue or operator, or
// of all of them when id is "" — in time order, then by id. The range is by interval start.
func (db *DB) Tallies(ctx context.Context, scope callcenter.TallyScope, id string, from, to time.Time) ([]callcenter.Tally, error) {
	q := `SELECT ` + tallyrow.Columns + ` FROM tallies
		WHERE scope = ? AND start >= ? AND start < ?`
	args := []any{scope, from.UnixMilli(), to.UnixMilli()}
	if id != "" {
		q, args = q+` AND id = ?`, append(args, id)
	}
	q += ` ORDER BY start, id`
	var out []callcenter.Tally
	err := db.c.Read(ctx, func(tx Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var scan tallyrow.Scan
		for rows.Next() {
			if err := rows.Scan(scan.Dest()...); err != nil {
				return err
			}
			out = append(out, scan.Tally(scope))
		}
		return rows.Err()
	})
	if err != nil {
		return nil, db.d.errorf("tallies: %w", err)
	}
	return out, nil
}

// TallyTotals adds up the stored history rows of scope in [from, to) per id: one tally per
// queue or operator (only id's when id is not ""), starting at from, by id. The database adds
// them up: a month of a hundred operators is one row each, not three thousand.
func (db *DB) TallyTotals(ctx context.Context, scope callcenter.TallyScope, id string, from, to time.Time) ([]callcenter.Tally, error) {
	q := `SELECT ` + tallyrow.Sums + ` FROM tallies WHERE scope = ? AND start >= ? AND start < ?`
	args := []any{scope, from.UnixMilli(), to.UnixMilli()}
	if id != "" {
		q, args = q+` AND id = ?`, append(args, id)
	}
	q += ` GROUP BY id ORDER BY id`
	var out []callcenter.Tally
	err := db.c.Read(ctx, func(tx Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var scan tallyrow.Scan
		for rows.Next() {
			if err := rows.Scan(scan.Dest()...); err != nil {
				return err
			}
			t := scan.Tally(scope)
			t.Start = from.UTC()
			out = append(out, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, db.d.errorf("tally totals: %w", err)
	}
	return out, nil
}

// CallEvents returns a call's timeline in order.
func (db *DB) CallEvents(ctx context.Context, call callcenter.CallID) ([]callcenter.CallEvent, error) {
	var out []callcenter.CallEvent
	err := db.c.Read(ctx, func(tx Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT at, kind, operator_id, spare_id, offer_id, text, code, ring_ms,
			talk_ms, hung_up_by, queue_id, party_id FROM call_events WHERE call_id = ? ORDER BY at, `+db.d.Seq, call)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e := callcenter.CallEvent{Call: call}
			var at, ring, talk int64
			if err := rows.Scan(&at, &e.Kind, &e.Operator, &e.Spare, &e.Offer, &e.Text, &e.Code, &ring, &talk,
				&e.HungUpBy, &e.QueueAfter, &e.Party); err != nil {
				return err
			}
			e.At, e.RingTime, e.TalkTime = time.UnixMilli(at).UTC(), msDur(ring), msDur(talk)
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, db.d.errorf("call events %q: %w", call, err)
	}
	return out, nil
}
