package sqlite

import (
	"context"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// DayArrivals returns the calls of queue that arrived in [from, to), by arrival (ties by id),
// whatever their state: what a replay of that time needs. It does not check that the queue
// exists. The query is sqlstore's.
func (db *DB) DayArrivals(ctx context.Context, queue callcenter.QueueID, from, to time.Time) ([]callcenter.RecordedCall, error) {
	return db.shared().DayArrivals(ctx, queue, from, to)
}
