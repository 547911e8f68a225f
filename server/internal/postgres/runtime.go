package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/sqlstore"
)

// Apply writes everything in c in one transaction: either all of it is stored or none.
// Rows are upserted by id, so applying the same Changes twice stores them once. Commands are
// not stored.
func (db *DB) Apply(ctx context.Context, c callcenter.Changes) error {
	if c.Empty() {
		return nil
	}
	// A batch of steps may change one row several times: only its last version is written.
	c.Statuses = sqlstore.LastOf(c.Statuses, func(s callcenter.OperatorStatus) callcenter.OperatorID { return s.Operator })
	c.Calls = sqlstore.LastOf(c.Calls, func(x callcenter.Call) callcenter.CallID { return x.ID })
	c.Offers = sqlstore.LastOf(c.Offers, func(o callcenter.Offer) callcenter.OfferID { return o.ID })
	if len(c.Operators) > 0 || len(c.Queues) > 0 {
		// Operators and queues are checked against the stored ones as they are written, so
		// such a batch is written statement by statement.
		return db.write(ctx, func(tx txn) error {
			for _, o := range c.Operators {
				if err := putOperator(ctx, tx, o); err != nil {
					return err
				}
			}
			if len(c.Queues) > 0 {
				if err := putQueues(ctx, tx, c.Queues); err != nil {
					return err
				}
			}
			return putRuntime(ctx, tx, c)
		})
	}
	// The rest is only written, so it all goes in one round trip.
	var p pipeline
	if err := putRuntime(ctx, &p, c); err != nil {
		return err
	}
	return db.send(ctx, &p)
}

// putRuntime writes c's rows but its operators and queues.
func putRuntime(ctx context.Context, w writes, c callcenter.Changes) error {
	if err := putStatuses(ctx, w, c.Statuses); err != nil {
		return err
	}
	if err := putCalls(ctx, w, c.Calls); err != nil {
		return err
	}
	if err := putOffers(ctx, w, c.Offers); err != nil {
		return err
	}
	if err := putDecisions(ctx, w, c.Decisions); err != nil {
		return err
	}
	for _, r := range c.Requests {
		if err := putRequest(ctx, w, r); err != nil {
			return err
		}
	}
	for _, n := range c.Notes {
		err := w.exec(ctx, func(err error) error { return fmt.Errorf("postgres: note on call %q: %w", n.Call, err) },
			`UPDATE calls SET note = ? WHERE id = ?`, n.Note, n.Call)
		if err != nil {
			return err
		}
	}
	if err := putTallies(ctx, w, c.Tallies); err != nil {
		return err
	}
	if err := putEvents(ctx, w, c.Events); err != nil {
		return err
	}
	if err := putClients(ctx, w, c.Clients); err != nil {
		return err
	}
	if err := putAbsences(ctx, w, c.Absences, c.Unabsent); err != nil {
		return err
	}
	if err := putSpares(ctx, w, c.Spares, c.SpareUse); err != nil {
		return err
	}
	for q, op := range c.Cursors {
		err := w.exec(ctx, func(err error) error { return fmt.Errorf("postgres: write cursor of queue %q: %w", q, err) },
			`INSERT INTO queue_cursors (queue_id, operator_id) VALUES (?, ?)
			ON CONFLICT (queue_id) DO UPDATE SET operator_id = excluded.operator_id`, q, op)
		if err != nil {
			return err
		}
	}
	return nil
}

// eachRow runs query with the arguments args gives for each of n rows (pgx keeps the statement
// prepared on the connection).
func eachRow(ctx context.Context, w writes, what, query string, n int, args func(i int) ([]any, error)) error {
	for i := range n {
		a, err := args(i)
		fail := func(err error) error {
			return fmt.Errorf("postgres: write %s %v: %w", what, a[0], err) // a[0] is the row's id
		}
		if err != nil {
			return fail(err)
		}
		if err := w.exec(ctx, fail, query, a...); err != nil {
			return err
		}
	}
	return nil
}

func putStatuses(ctx context.Context, w writes, ss []callcenter.OperatorStatus) error {
	return eachRow(ctx, w, "operator status", sqlstore.StatusUpsert, len(ss), func(i int) ([]any, error) { return dialect.StatusRow(ss[i]), nil })
}

func putCalls(ctx context.Context, w writes, cs []callcenter.Call) error {
	return eachRow(ctx, w, "call", sqlstore.CallUpsert, len(cs), func(i int) ([]any, error) { return sqlstore.CallRow(cs[i]) })
}

func putOffers(ctx context.Context, w writes, os []callcenter.Offer) error {
	return eachRow(ctx, w, "offer", sqlstore.OfferUpsert, len(os), func(i int) ([]any, error) { return sqlstore.OfferRow(os[i]), nil })
}

func putDecisions(ctx context.Context, w writes, ds []callcenter.Decision) error {
	// A decision is a record, not state: the first write of it stands.
	return eachRow(ctx, w, "decision for call", sqlstore.DecisionInsert, len(ds), func(i int) ([]any, error) {
		d := ds[i]
		candidates, err := json.Marshal(sqlstore.DecisionRecord{Candidates: sqlstore.CandidateRows(d.Candidates),
			Eligible: d.EligibleCount, Excluded: d.ExcludedCount, ByReason: d.ExcludedByReason})
		return sqlstore.DecisionRow(d, string(candidates)), err
	})
}

func putRequest(ctx context.Context, w writes, r callcenter.CloudRequest) error {
	row, err := sqlstore.RequestRow(r)
	if err != nil {
		return fmt.Errorf("postgres: write cloud request %q: reply: %w", r.ID, err)
	}
	// A retried request gets the first answer again, so the first write stands.
	return w.exec(ctx, func(err error) error { return fmt.Errorf("postgres: write cloud request %q: %w", r.ID, err) }, `
		INSERT INTO cloud_requests (id, call_id, at, reply) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`, row...)
}

// The runtime's reads are sqlstore's, shared with the sqlite store.

// LoadRuntime returns the live state to restart the switchboard from: every operator's status,
// the calls not finished (oldest first) and the offers still pending (oldest first).
func (db *DB) LoadRuntime(ctx context.Context) (callcenter.Runtime, error) {
	return db.shared().LoadRuntime(ctx)
}

// CloudRequest returns the request with id and true, or false if it was never carried out.
func (db *DB) CloudRequest(ctx context.Context, id string) (callcenter.CloudRequest, bool, error) {
	return dialect.CloudRequest(id, db.queryRow(ctx, sqlstore.CloudRequestQuery, id))
}

// Call returns the call with id and its offers, oldest first.
func (db *DB) Call(ctx context.Context, id callcenter.CallID) (callcenter.Call, []callcenter.Offer, error) {
	return db.shared().Call(ctx, id)
}

// Offer returns the offer with id.
func (db *DB) Offer(ctx context.Context, id callcenter.OfferID) (callcenter.Offer, error) {
	return db.shared().Offer(ctx, id)
}

// CallerHistory returns the last calls from a caller number, newest first, except the call
// named by but (the one in progress).
func (db *DB) CallerHistory(ctx context.Context, number string, but callcenter.CallID, limit int) ([]callcenter.Call, error) {
	return db.shared().CallerHistory(ctx, number, but, limit)
}

// Decisions returns the routing decisions made for call id, oldest first.
func (db *DB) Decisions(ctx context.Context, id callcenter.CallID) ([]callcenter.Decision, error) {
	return db.shared().Decisions(ctx, id)
}
