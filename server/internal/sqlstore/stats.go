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
		var err error
		if out, err = readTallies(ctx, tx, scope, q, args); err != nil {
			return err
		}
		disposed, err := dispositionTallies(ctx, tx, scope, id, from, to)
		out = append(out, disposed...)
		return err
	})
	if err != nil {
		return nil, db.d.errorf("tallies: %w", err)
	}
	return out, nil
}

// TallyTotals adds up the stored history rows of scope in [from, to) per id: one tally per
// queue or operator (only id's when id is not ""), starting at from, by id, with the calls'
// dispositions counted as Tallies counts them. The database adds them up: a month of a hundred
// operators is one row each, not three thousand.
func (db *DB) TallyTotals(ctx context.Context, scope callcenter.TallyScope, id string, from, to time.Time) ([]callcenter.Tally, error) {
	q := `SELECT ` + tallyrow.Sums + ` FROM tallies WHERE scope = ? AND start >= ? AND start < ?`
	args := []any{scope, from.UnixMilli(), to.UnixMilli()}
	if id != "" {
		q, args = q+` AND id = ?`, append(args, id)
	}
	q += ` GROUP BY id ORDER BY id`
	var out []callcenter.Tally
	err := db.c.Read(ctx, func(tx Tx) error {
		var err error
		if out, err = readTallies(ctx, tx, scope, q, args); err != nil {
			return err
		}
		for i := range out {
			out[i].Start = from.UTC()
		}
		disposed, err := dispositionCounts(ctx, tx, scope, id, from, to, true)
		if err != nil {
			return err
		}
		// Both lists come by id: merge them, an id with dispositions only getting a row of them.
		var merged []callcenter.Tally
		i := 0
		for _, d := range disposed {
			d.Start = from.UTC()
			for i < len(out) && out[i].ID < d.ID {
				merged = append(merged, out[i])
				i++
			}
			if i < len(out) && out[i].ID == d.ID {
				out[i].Figures.Add(d.Figures)
				continue
			}
			merged = append(merged, d)
		}
		out = append(merged, out[i:]...)
		return nil
	})
	if err != nil {
		return nil, db.d.errorf("tally totals: %w", err)
	}
	return out, nil
}

// dispositionTallies are the counts of calls by disposition of scope (a queue's or an
// operator's; none for the center) in [from, to), as tallies holding only them: a call counts in
// the interval of its arrival, with the disposition it has now. They are read from the calls,
// not kept in the tallies, because a disposition may change until the wrap-up ends.
func dispositionTallies(ctx context.Context, tx Tx, scope callcenter.TallyScope, id string, from, to time.Time) ([]callcenter.Tally, error) {
	return dispositionCounts(ctx, tx, scope, id, from, to, false)
}

// dispositionCounts are dispositionTallies per interval, or (whole) one tally per id for the
// whole range, by id, each code's count added in.
func dispositionCounts(ctx context.Context, tx Tx, scope callcenter.TallyScope, id string, from, to time.Time, whole bool) ([]callcenter.Tally, error) {
	col := map[callcenter.TallyScope]string{callcenter.ScopeQueue: "queue_id", callcenter.ScopeOperator: "operator_id"}[scope]
	if col == "" {
		return nil, nil
	}
	width := callcenter.TallyInterval.Milliseconds()
	q := `SELECT ` + col + `, (arrived_at / ?) * ?, disposition, COUNT(*) FROM calls
		WHERE disposition <> '' AND arrived_at >= ? AND arrived_at < ? AND ` + col + ` <> ''`
	args := []any{width, width, from.UnixMilli(), to.UnixMilli()}
	if whole {
		q = `SELECT ` + col + `, MIN(arrived_at), disposition, COUNT(*) FROM calls
		WHERE disposition <> '' AND arrived_at >= ? AND arrived_at < ? AND ` + col + ` <> ''`
		args = args[2:]
	}
	if id != "" {
		q, args = q+` AND `+col+` = ?`, append(args, id)
	}
	if whole {
		q += ` GROUP BY 1, 3 ORDER BY 1, 3`
	} else {
		q += ` GROUP BY 1, 2, 3 ORDER BY 2, 1, 3`
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []callcenter.Tally
	for rows.Next() {
		var who, code string
		var start, n int64
		if err := rows.Scan(&who, &start, &code, &n); err != nil {
			return nil, err
		}
		if whole && len(out) > 0 && out[len(out)-1].ID == who {
			out[len(out)-1].Figures.Dispositions[code] = n
			continue
		}
		out = append(out, callcenter.Tally{Scope: scope, ID: who, Start: time.UnixMilli(start).UTC(),
			Figures: callcenter.Figures{Dispositions: map[string]int64{code: n}}})
	}
	return out, rows.Err()
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

// readTallies runs q, a query of tallyrow's columns (or their sums), and reads its rows as
// tallies of scope.
func readTallies(ctx context.Context, tx Tx, scope callcenter.TallyScope, q string, args []any) ([]callcenter.Tally, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []callcenter.Tally
	var scan tallyrow.Scan
	for rows.Next() {
		if err := rows.Scan(scan.Dest()...); err != nil {
			return nil, err
		}
		out = append(out, scan.Tally(scope))
	}
	return out, rows.Err()
}
