package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/sqlstore"
)

const dayArrivalsQuery = `
	SELECT arrived_at, answered_at, ended_at, state, talk_time_ms
	FROM calls
	WHERE queue_id = ? AND arrived_at >= ? AND arrived_at < ?
	ORDER BY arrived_at, id`

// DayArrivals returns the calls of queue that arrived in [from, to), by arrival (ties by id),
// whatever their state: what a replay of that time needs. It reads through the
// calls_queue_arrived index. It does not check that the queue exists.
func (db *DB) DayArrivals(ctx context.Context, queue callcenter.QueueID, from, to time.Time) ([]callcenter.RecordedCall, error) {
	lo, hi := bounds(from, to)
	var out []callcenter.RecordedCall
	err := db.read(ctx, func(tx txn) error {
		rows, err := tx.QueryContext(ctx, dayArrivalsQuery, queue, lo, hi)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var arrived, answered, ended sql.NullInt64
			var c callcenter.RecordedCall
			var talk int64
			if err := rows.Scan(&arrived, &answered, &ended, &c.State, &talk); err != nil {
				return err
			}
			c.ArrivedAt, c.AnsweredAt, c.EndedAt, c.TalkTime = sqlstore.TimeMS(arrived), sqlstore.TimeMS(answered), sqlstore.TimeMS(ended), sqlstore.MSDur(talk)
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: day arrivals of %q: %w", queue, err)
	}
	return out, nil
}
