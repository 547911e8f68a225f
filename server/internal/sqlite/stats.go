package sqlite

import (
	"context"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/sqlstore"
	"github.com/tandemcc/tandem/server/internal/tallyrow"
)

var putTallySQL = tallyrow.Upsert("max")

// putTallies adds each tally to its history row. The tallies of one batch are added up first.
func putTallies(ctx context.Context, tx wtx, ts []callcenter.Tally) error {
	ts = tallyrow.Sum(ts)
	return eachRow(ctx, tx, "tally", putTallySQL, len(ts), func(i int) ([]any, error) { return tallyrow.Values(ts[i]), nil })
}

var eventSQL = newMultiRow(sqlstore.EventInsert, sqlstore.EventValues, ``)

func putEvents(ctx context.Context, tx wtx, es []callcenter.CallEvent) error {
	return eachRows(ctx, tx, "call event", eventSQL, len(es), func(i int) ([]any, error) { return sqlstore.EventRow(es[i]), nil })
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
