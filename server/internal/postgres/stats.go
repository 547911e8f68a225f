package postgres

import (
	"context"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/sqlstore"
	"github.com/tandemcc/tandem/server/internal/tallyrow"
)

var putTallySQL = tallyrow.Upsert("GREATEST")

// putTallies adds each tally to its history row. The tallies of one batch are added up first.
func putTallies(ctx context.Context, w writes, ts []callcenter.Tally) error {
	ts = tallyrow.Sum(ts)
	return eachRow(ctx, w, "tally", putTallySQL, len(ts), func(i int) ([]any, error) { return tallyrow.Values(ts[i]), nil })
}

func putEvents(ctx context.Context, w writes, es []callcenter.CallEvent) error {
	return eachRow(ctx, w, "call event", sqlstore.EventInsert+sqlstore.EventValues, len(es), func(i int) ([]any, error) { return sqlstore.EventRow(es[i]), nil })
}

// Tallies returns the stored history rows of scope in [from, to) — of one queue or operator, or
// of all of them when id is "" — in time order, then by id. The range is by interval start.
func (db *DB) Tallies(ctx context.Context, scope callcenter.TallyScope, id string, from, to time.Time) ([]callcenter.Tally, error) {
	return db.shared().Tallies(ctx, scope, id, from, to)
}

// CallEvents returns a call's timeline in order.
func (db *DB) CallEvents(ctx context.Context, call callcenter.CallID) ([]callcenter.CallEvent, error) {
	return db.shared().CallEvents(ctx, call)
}
