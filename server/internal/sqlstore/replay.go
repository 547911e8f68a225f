package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// DayArrivalsQuery reads the calls of a queue that arrived in [lo, hi), its arguments, by
// arrival (ties by id): DayArrivals'.
const DayArrivalsQuery = `
	SELECT arrived_at, answered_at, ended_at, state, talk_time_ms, call_exit, callback
	FROM calls
	WHERE queue_id = ? AND arrived_at >= ? AND arrived_at < ?
	ORDER BY arrived_at, id`

// DayArrivals returns the calls of queue that arrived in [from, to), by arrival (ties by id),
// whatever their state, callback attempts included (at the arrival of the call they stand
// for): what a replay of that time needs. It reads through the
// calls_queue_arrived index. It does not check that the queue exists.
func (db *DB) DayArrivals(ctx context.Context, queue callcenter.QueueID, from, to time.Time) ([]callcenter.RecordedCall, error) {
	lo, hi := bounds(from, to)
	var out []callcenter.RecordedCall
	err := db.c.Read(ctx, func(tx Tx) error {
		rows, err := tx.QueryContext(ctx, DayArrivalsQuery, queue, lo, hi)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var arrived, answered, ended sql.NullInt64
			var c callcenter.RecordedCall
			var talk int64
			var exit, callback string
			if err := rows.Scan(&arrived, &answered, &ended, &c.State, &talk, &exit, &callback); err != nil {
				return err
			}
			c.ArrivedAt, c.AnsweredAt, c.EndedAt, c.TalkTime = timeMS(arrived), timeMS(answered), timeMS(ended), msDur(talk)
			if callback != "" {
				if err := json.Unmarshal([]byte(callback), &c.Callback); err != nil {
					return fmt.Errorf("callback: %w", err)
				}
			}
			if exit != "" {
				var x callcenter.CallExit
				if err := json.Unmarshal([]byte(exit), &x); err != nil {
					return fmt.Errorf("exit: %w", err)
				}
				c.CalledBack = x.Kind == callcenter.ExitCallback && x.Answered && x.Target != ""
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, db.d.errorf("day arrivals of %q: %w", queue, err)
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
