package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// The tallies' count and time columns, in the order figureCells gives them.
var tallyColumns = func() []string {
	cols := []string{"calls_received", "calls_answered", "answered_within", "calls_abandoned", "short_abandons",
		"abandoned_within", "calls_lost", "calls_overflowed", "answered_by_spare", "hung_up_by_caller",
		"hung_up_by_operator", "hung_up_by_system", "offers_made", "offers_missed", "manager_calls",
		"manager_reached", "answer_time_ms", "talk_ms", "wrap_up_time_ms", "ring_ms", "ready_ms",
		"reserved_ms", "on_call_ms", "wrap_up_ms", "away_ms"}
	for i := range callcenter.HistogramBuckets {
		cols = append(cols, fmt.Sprintf("h%d", i))
	}
	return cols
}()

// figureCells are pointers to f's fields in tallyColumns' order, durations as milliseconds
// through ms; the answer-time maximum is apart (it is not added up).
func figureCells(f *callcenter.Figures, ms *[9]int64) []any {
	cells := []any{&f.CallsReceived, &f.CallsAnswered, &f.AnsweredWithin, &f.CallsAbandoned, &f.ShortAbandons,
		&f.AbandonedWithin, &f.CallsLost, &f.CallsOverflowed, &f.AnsweredBySpare, &f.HungUpByCaller,
		&f.HungUpByOperator, &f.HungUpBySys, &f.OffersMade, &f.OffersMissed, &f.ManagerCalls,
		&f.ManagerReached}
	for i := range ms {
		cells = append(cells, &ms[i])
	}
	for i := range f.Histogram {
		cells = append(cells, &f.Histogram[i])
	}
	return cells
}

// durations are the Figures' added-up durations, in tallyColumns' order.
func durations(f *callcenter.Figures) [9]*time.Duration {
	return [9]*time.Duration{&f.AnswerTimeTotal, &f.TalkTime, &f.WrapUpTime, &f.RingTimeTotal, &f.Ready,
		&f.Reserved, &f.OnCall, &f.WrapUp, &f.Away}
}

func tallyValues(f callcenter.Figures) []any {
	var ms [9]int64
	for i, d := range durations(&f) {
		ms[i] = d.Milliseconds()
	}
	cells := figureCells(&f, &ms)
	out := make([]any, len(cells))
	for i, c := range cells {
		out[i] = *(c.(*int64))
	}
	return out
}

var putTallySQL = func() string {
	var set []string
	for _, c := range tallyColumns {
		set = append(set, c+" = "+c+" + excluded."+c)
	}
	set = append(set, "answer_time_max_ms = max(answer_time_max_ms, excluded.answer_time_max_ms)")
	return `INSERT INTO tallies (scope, id, start, answer_time_max_ms, ` + strings.Join(tallyColumns, ", ") + `)
		VALUES (?, ?, ?, ?` + strings.Repeat(", ?", len(tallyColumns)) + `)
		ON CONFLICT (scope, id, start) DO UPDATE SET ` + strings.Join(set, ", ")
}()

// putTallies adds each tally to its history row. The tallies of one batch are added up first.
func putTallies(ctx context.Context, tx wtx, ts []callcenter.Tally) error {
	type key struct {
		scope callcenter.TallyScope
		id    string
		start int64
	}
	sum := map[key]*callcenter.Figures{}
	var order []key
	for _, t := range ts {
		k := key{t.Scope, t.ID, t.Start.UnixMilli()}
		if f := sum[k]; f != nil {
			f.Add(t.Figures)
			continue
		}
		f := t.Figures
		sum[k] = &f
		order = append(order, k)
	}
	return eachRow(ctx, tx, "tally", putTallySQL, len(order), func(i int) ([]any, error) {
		k := order[i]
		f := sum[k]
		return append([]any{k.scope, k.id, k.start, f.AnswerTimeMax.Milliseconds()}, tallyValues(*f)...), nil
	})
}

var eventSQL = newMultiRow(`INSERT INTO call_events (call_id, at, kind, operator_id, spare_id, offer_id,
		text, code, ring_ms, talk_ms, hung_up_by, queue_id) VALUES `, `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, ``)

func putEvents(ctx context.Context, tx wtx, es []callcenter.CallEvent) error {
	return eachRows(ctx, tx, "call event", eventSQL, len(es),
		func(i int) ([]any, error) {
			e := es[i]
			return []any{e.Call, e.At.UnixMilli(), e.Kind, e.Operator, e.Spare, e.Offer, e.Text, e.Code,
				durMS(e.RingTime), durMS(e.TalkTime), e.HungUpBy, e.QueueAfter}, nil
		})
}

// Tallies returns the stored history rows of scope in [from, to) — of one queue or operator, or
// of all of them when id is "" — in time order, then by id. The range is by interval start.
func (db *DB) Tallies(ctx context.Context, scope callcenter.TallyScope, id string, from, to time.Time) ([]callcenter.Tally, error) {
	q := `SELECT id, start, answer_time_max_ms, ` + strings.Join(tallyColumns, ", ") + ` FROM tallies
		WHERE scope = ? AND start >= ? AND start < ?`
	args := []any{scope, from.UnixMilli(), to.UnixMilli()}
	if id != "" {
		q, args = q+` AND id = ?`, append(args, id)
	}
	q += ` ORDER BY start, id`
	var out []callcenter.Tally
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t := callcenter.Tally{Scope: scope}
			var start, maxMS int64
			var ms [9]int64
			if err := rows.Scan(append([]any{&t.ID, &start, &maxMS}, figureCells(&t.Figures, &ms)...)...); err != nil {
				return err
			}
			t.Start = time.UnixMilli(start).UTC()
			t.Figures.AnswerTimeMax = msDur(maxMS)
			for i, d := range durations(&t.Figures) {
				*d = msDur(ms[i])
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: tallies: %w", err)
	}
	return out, nil
}

// CallEvents returns a call's timeline in order.
func (db *DB) CallEvents(ctx context.Context, call callcenter.CallID) ([]callcenter.CallEvent, error) {
	var out []callcenter.CallEvent
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT at, kind, operator_id, spare_id, offer_id, text, code, ring_ms,
			talk_ms, hung_up_by, queue_id FROM call_events WHERE call_id = ? ORDER BY at, rowid`, call)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e := callcenter.CallEvent{Call: call}
			var at, ring, talk int64
			if err := rows.Scan(&at, &e.Kind, &e.Operator, &e.Spare, &e.Offer, &e.Text, &e.Code, &ring, &talk,
				&e.HungUpBy, &e.QueueAfter); err != nil {
				return err
			}
			e.At, e.RingTime, e.TalkTime = time.UnixMilli(at).UTC(), msDur(ring), msDur(talk)
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: call events %q: %w", call, err)
	}
	return out, nil
}

// bounds turns [from, to) into unix milliseconds; a zero time leaves that end open.
func bounds(from, to time.Time) (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if !from.IsZero() {
		lo = from.UnixMilli()
	}
	if !to.IsZero() {
		hi = to.UnixMilli()
	}
	return lo, hi
}
