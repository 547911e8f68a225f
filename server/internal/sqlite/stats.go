package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

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

// avgMS turns an average of milliseconds (NULL when there was nothing to average) into a duration.
func avgMS(v sql.NullFloat64) time.Duration {
	if !v.Valid {
		return 0
	}
	return time.Duration(math.Round(v.Float64 * float64(time.Millisecond)))
}

// QueueStats returns the figures of queue, or of every queue (ordered by id) when queue is "",
// over the calls that arrived in [from, to). A zero from or to leaves that end of the range
// open. WaitingNow counts the calls waiting now, whenever they arrived.
func (db *DB) QueueStats(ctx context.Context, queue callcenter.QueueID, from, to time.Time) ([]callcenter.QueueStats, error) {
	lo, hi := bounds(from, to)
	filter, args := "", []any{lo, hi}
	if queue != "" {
		filter, args = "WHERE q.id = ?", append(args, queue)
	}
	var stats []callcenter.QueueStats
	err := db.read(ctx, func(tx *sql.Tx) error {
		if queue != "" {
			exists, err := rowExists(ctx, tx, `SELECT 1 FROM queues WHERE id = ?`, queue)
			if err != nil {
				return fmt.Errorf("sqlite: queue stats %q: %w", queue, err)
			}
			if !exists {
				return callcenter.NotFound("queue_id", "no queue %q", queue)
			}
		}

		index := make(map[callcenter.QueueID]int)
		rows, err := tx.QueryContext(ctx, `
			SELECT q.id, count(c.id), count(c.answered_at),
				coalesce(sum(c.state = 'abandoned'), 0), coalesce(sum(c.state = 'lost'), 0),
				avg(c.answered_at - c.arrived_at), max(c.answered_at - c.arrived_at)
			FROM queues q
			LEFT JOIN calls c ON c.queue_id = q.id AND c.arrived_at >= ? AND c.arrived_at < ?
			`+filter+`
			GROUP BY q.id ORDER BY q.id`, args...)
		if err != nil {
			return fmt.Errorf("sqlite: queue stats: calls: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var s callcenter.QueueStats
			var avg sql.NullFloat64
			var maxMS sql.NullInt64
			if err := rows.Scan(&s.Queue, &s.CallsReceived, &s.CallsAnswered, &s.CallsAbandoned,
				&s.CallsLost, &avg, &maxMS); err != nil {
				return fmt.Errorf("sqlite: queue stats: calls: %w", err)
			}
			s.AverageAnswerTime = avgMS(avg)
			s.MaxAnswerTime = msDur(maxMS.Int64)
			index[s.Queue] = len(stats)
			stats = append(stats, s)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: queue stats: calls: %w", err)
		}

		rows, err = tx.QueryContext(ctx, `
			SELECT q.id, count(o.id), coalesce(sum(o.state IN ('failed', 'expired')), 0)
			FROM queues q
			JOIN calls c ON c.queue_id = q.id AND c.arrived_at >= ? AND c.arrived_at < ?
			JOIN offers o ON o.call_id = c.id
			`+filter+`
			GROUP BY q.id`, args...)
		if err != nil {
			return fmt.Errorf("sqlite: queue stats: offers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id callcenter.QueueID
			var made, missed int
			if err := rows.Scan(&id, &made, &missed); err != nil {
				return fmt.Errorf("sqlite: queue stats: offers: %w", err)
			}
			if i, ok := index[id]; ok {
				stats[i].OffersMade, stats[i].OffersMissed = made, missed
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: queue stats: offers: %w", err)
		}

		rows, err = tx.QueryContext(ctx,
			`SELECT queue_id, count(*) FROM calls WHERE state = 'waiting' GROUP BY queue_id`)
		if err != nil {
			return fmt.Errorf("sqlite: queue stats: waiting: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id callcenter.QueueID
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return fmt.Errorf("sqlite: queue stats: waiting: %w", err)
			}
			if i, ok := index[id]; ok {
				stats[i].WaitingNow = n
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: queue stats: waiting: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return stats, nil
}

// OperatorStats returns the figures of operator op, or of every operator (ordered by name) when
// op is "", over the offers made in [from, to). A zero from or to leaves that end of the range
// open. TalkTime adds up the calls he answered through those offers.
func (db *DB) OperatorStats(ctx context.Context, op callcenter.OperatorID, from, to time.Time) ([]callcenter.OperatorStats, error) {
	lo, hi := bounds(from, to)
	filter, args := "", []any{lo, hi}
	if op != "" {
		filter, args = "WHERE p.id = ?", append(args, op)
	}
	var stats []callcenter.OperatorStats
	err := db.read(ctx, func(tx *sql.Tx) error {
		if op != "" {
			exists, err := rowExists(ctx, tx, `SELECT 1 FROM operators WHERE id = ?`, op)
			if err != nil {
				return fmt.Errorf("sqlite: operator stats %q: %w", op, err)
			}
			if !exists {
				return callcenter.NotFound("operator_id", "no operator %q", op)
			}
		}
		rows, err := tx.QueryContext(ctx, `
			SELECT p.id, count(o.id),
				coalesce(sum(o.state = 'answered'), 0),
				coalesce(sum(o.state IN ('failed', 'expired')), 0),
				avg(CASE WHEN o.state = 'answered' THEN o.ring_time_ms END),
				coalesce(sum(CASE WHEN o.state = 'answered' THEN c.talk_time_ms END), 0)
			FROM operators p
			LEFT JOIN offers o ON o.operator_id = p.id AND o.offered_at >= ? AND o.offered_at < ?
			LEFT JOIN calls c ON c.id = o.call_id
			`+filter+`
			GROUP BY p.id ORDER BY p.name`, args...)
		if err != nil {
			return fmt.Errorf("sqlite: operator stats: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var s callcenter.OperatorStats
			var ring sql.NullFloat64
			var talk int64
			if err := rows.Scan(&s.Operator, &s.OffersReceived, &s.CallsAnswered, &s.OffersMissed,
				&ring, &talk); err != nil {
				return fmt.Errorf("sqlite: operator stats: %w", err)
			}
			s.AverageRingTime = avgMS(ring)
			s.TalkTime = msDur(talk)
			stats = append(stats, s)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: operator stats: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return stats, nil
}
