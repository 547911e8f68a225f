package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

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
	c.Statuses = lastOf(c.Statuses, func(s callcenter.OperatorStatus) callcenter.OperatorID { return s.Operator })
	c.Calls = lastOf(c.Calls, func(x callcenter.Call) callcenter.CallID { return x.ID })
	c.Offers = lastOf(c.Offers, func(o callcenter.Offer) callcenter.OfferID { return o.ID })
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

const statusColumns = `operator_id, state, since, reason, offer_id, call_id, wrap_up_ends_at, idle_since,
	banned_until, marks`

func putStatuses(ctx context.Context, w writes, ss []callcenter.OperatorStatus) error {
	return eachRow(ctx, w, "operator status", `
		INSERT INTO operator_status (`+statusColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (operator_id) DO UPDATE SET
			state = excluded.state, since = excluded.since, reason = excluded.reason,
			offer_id = excluded.offer_id, call_id = excluded.call_id,
			wrap_up_ends_at = excluded.wrap_up_ends_at, idle_since = excluded.idle_since,
			banned_until = excluded.banned_until, marks = excluded.marks`,
		len(ss), func(i int) ([]any, error) {
			s := ss[i]
			return []any{s.Operator, s.State, sqlstore.MSTime(s.Since), s.Reason, s.Offer, s.Call,
				sqlstore.MSTime(s.WrapUpEndsAt), sqlstore.MSTime(s.IdleSince), sqlstore.MSTime(s.BannedUntil), jsonText(s.Marks)}, nil
		})
}

func scanStatus(s scanner) (callcenter.OperatorStatus, error) {
	var st callcenter.OperatorStatus
	var since, wrapUp, idle, banned sql.NullInt64
	var marks string
	err := s.Scan(&st.Operator, &st.State, &since, &st.Reason, &st.Offer, &st.Call, &wrapUp, &idle,
		&banned, &marks)
	if err == nil {
		if jerr := json.Unmarshal([]byte(marks), &st.Marks); jerr != nil {
			return st, fmt.Errorf("operator %q: marks: %w", st.Operator, jerr)
		}
	}
	st.BannedUntil = sqlstore.TimeMS(banned)
	st.Since = sqlstore.TimeMS(since)
	st.WrapUpEndsAt = sqlstore.TimeMS(wrapUp)
	st.IdleSince = sqlstore.TimeMS(idle)
	return st, err
}

const callColumns = `id, queue_id, state, session_id, access_url, caller_number, caller_name,
	dialed_number, sip_headers, custom_data, arrived_at, priority, client, manager_id, manager_until,
	spare_id, operator_id, offer_id, answered_at, ended_at, hung_up_by, talk_time_ms, note`

func putCalls(ctx context.Context, w writes, cs []callcenter.Call) error {
	return eachRow(ctx, w, "call", `
		INSERT INTO calls (`+callColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			note = CASE WHEN excluded.note <> '' THEN excluded.note ELSE calls.note END,
			priority = excluded.priority, client = excluded.client, manager_id = excluded.manager_id,
			manager_until = excluded.manager_until, spare_id = excluded.spare_id,
			queue_id = excluded.queue_id, state = excluded.state,
			session_id = excluded.session_id, access_url = excluded.access_url,
			caller_number = excluded.caller_number, caller_name = excluded.caller_name,
			dialed_number = excluded.dialed_number, sip_headers = excluded.sip_headers,
			custom_data = excluded.custom_data, arrived_at = excluded.arrived_at,
			operator_id = excluded.operator_id, offer_id = excluded.offer_id,
			answered_at = excluded.answered_at, ended_at = excluded.ended_at,
			hung_up_by = excluded.hung_up_by, talk_time_ms = excluded.talk_time_ms`,
		len(cs), func(i int) ([]any, error) {
			c := cs[i]
			headers, err := json.Marshal(c.SIPHeaders)
			return []any{c.ID, c.Queue, c.State, c.SessionID, c.AccessURL, c.CallerNumber,
				c.CallerName, c.DialedNumber, string(headers), c.CustomData, sqlstore.MSTime(c.ArrivedAt),
				c.Priority, c.Client, c.Manager, sqlstore.MSTime(c.ManagerUntil), c.Spare, c.Operator, c.Offer, sqlstore.MSTime(c.AnsweredAt), sqlstore.MSTime(c.EndedAt), c.HungUpBy,
				sqlstore.DurMS(c.TalkTime), c.Note}, err
		})
}

func scanCall(s scanner) (callcenter.Call, error) {
	var c callcenter.Call
	var headers string
	var arrived, answered, ended, managerUntil sql.NullInt64
	var talk int64
	err := s.Scan(&c.ID, &c.Queue, &c.State, &c.SessionID, &c.AccessURL, &c.CallerNumber,
		&c.CallerName, &c.DialedNumber, &headers, &c.CustomData, &arrived, &c.Priority, &c.Client,
		&c.Manager, &managerUntil, &c.Spare, &c.Operator, &c.Offer,
		&answered, &ended, &c.HungUpBy, &talk, &c.Note)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(headers), &c.SIPHeaders); err != nil {
		return c, fmt.Errorf("call %q: sip headers: %w", c.ID, err)
	}
	c.ArrivedAt = sqlstore.TimeMS(arrived)
	c.ManagerUntil = sqlstore.TimeMS(managerUntil)
	c.AnsweredAt = sqlstore.TimeMS(answered)
	c.EndedAt = sqlstore.TimeMS(ended)
	c.TalkTime = sqlstore.MSDur(talk)
	return c, nil
}

const offerColumns = `id, call_id, operator_id, spare_id, state, offered_at, expires_at, settled_at,
	ring_time_ms, failure_code, reason`

func putOffers(ctx context.Context, w writes, os []callcenter.Offer) error {
	return eachRow(ctx, w, "offer", `
		INSERT INTO offers (`+offerColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			call_id = excluded.call_id, operator_id = excluded.operator_id, spare_id = excluded.spare_id,
			state = excluded.state, offered_at = excluded.offered_at,
			expires_at = excluded.expires_at, settled_at = excluded.settled_at,
			ring_time_ms = excluded.ring_time_ms, failure_code = excluded.failure_code,
			reason = excluded.reason`,
		len(os), func(i int) ([]any, error) {
			o := os[i]
			return []any{o.ID, o.Call, o.Operator, o.Spare, o.State, sqlstore.MSTime(o.OfferedAt), sqlstore.MSTime(o.ExpiresAt),
				sqlstore.MSTime(o.SettledAt), sqlstore.DurMS(o.RingTime), o.FailureCode, o.Reason}, nil
		})
}

func scanOffer(s scanner) (callcenter.Offer, error) {
	var o callcenter.Offer
	var offered, expires, settled sql.NullInt64
	var ring int64
	err := s.Scan(&o.ID, &o.Call, &o.Operator, &o.Spare, &o.State, &offered, &expires, &settled, &ring,
		&o.FailureCode, &o.Reason)
	o.OfferedAt = sqlstore.TimeMS(offered)
	o.ExpiresAt = sqlstore.TimeMS(expires)
	o.SettledAt = sqlstore.TimeMS(settled)
	o.RingTime = sqlstore.MSDur(ring)
	return o, err
}

const decisionColumns = `call_id, offer_id, decided_at, strategy, operator_id, rule, candidates`

func putDecisions(ctx context.Context, w writes, ds []callcenter.Decision) error {
	// A decision is a record, not state: the first write of it stands.
	return eachRow(ctx, w, "decision for call", `
		INSERT INTO decisions (`+decisionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (call_id, decided_at, offer_id) DO NOTHING`,
		len(ds), func(i int) ([]any, error) {
			d := ds[i]
			candidates, err := json.Marshal(decisionRecord{Candidates: candidateRows(d.Candidates),
				Eligible: d.EligibleCount, Excluded: d.ExcludedCount, ByReason: d.ExcludedByReason})
			// decided_at is part of the decision's identity, so it is never NULL: a zero
			// time is stored as its own UnixMilli.
			return []any{d.Call, d.Offer, d.DecidedAt.UnixMilli(), d.Strategy, d.Operator, d.Rule,
				string(candidates)}, err
		})
}

func scanDecision(s scanner) (callcenter.Decision, error) {
	var d callcenter.Decision
	var decided int64
	var candidates string
	if err := s.Scan(&d.Call, &d.Offer, &decided, &d.Strategy, &d.Operator, &d.Rule, &candidates); err != nil {
		return d, err
	}
	var rec decisionRecord
	var err error
	if strings.HasPrefix(candidates, "[") { // before the record was bounded: every operator
		err = json.Unmarshal([]byte(candidates), &rec.Candidates)
	} else {
		err = json.Unmarshal([]byte(candidates), &rec)
	}
	if err != nil {
		return d, fmt.Errorf("decision for call %q: candidates: %w", d.Call, err)
	}
	rows := rec.Candidates
	d.EligibleCount, d.ExcludedCount, d.ExcludedByReason = rec.Eligible, rec.Excluded, rec.ByReason
	if rows != nil {
		d.Candidates = make([]callcenter.Candidate, len(rows))
		for i, r := range rows {
			d.Candidates[i] = callcenter.Candidate(r)
		}
	}
	d.DecidedAt = sqlstore.TimeMS(sql.NullInt64{Int64: decided, Valid: decided != zeroTimeMS})
	return d, nil
}

// zeroTimeMS is how the zero time is stored where a time cannot be NULL.
var zeroTimeMS = time.Time{}.UnixMilli()

func putRequest(ctx context.Context, w writes, r callcenter.CloudRequest) error {
	reply, err := json.Marshal(r.Reply)
	if err != nil {
		return fmt.Errorf("postgres: write cloud request %q: reply: %w", r.ID, err)
	}
	// A retried request gets the first answer again, so the first write stands.
	return w.exec(ctx, func(err error) error { return fmt.Errorf("postgres: write cloud request %q: %w", r.ID, err) }, `
		INSERT INTO cloud_requests (id, call_id, at, reply) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`,
		r.ID, r.Call, sqlstore.MSTime(r.At), string(reply))
}

// LoadRuntime returns the live state to restart the switchboard from: every operator's status,
// the calls not finished (oldest first) and the offers still pending (oldest first).
func (db *DB) LoadRuntime(ctx context.Context) (callcenter.Runtime, error) {
	var rt callcenter.Runtime
	err := db.read(ctx, func(tx txn) error {
		var err error
		rt.Statuses, err = sqlstore.QueryAll(ctx, tx, scanStatus,
			`SELECT `+statusColumns+` FROM operator_status ORDER BY operator_id`)
		if err != nil {
			return fmt.Errorf("postgres: load statuses: %w", err)
		}
		rt.Calls, err = sqlstore.QueryAll(ctx, tx, scanCall,
			`SELECT `+callColumns+` FROM calls WHERE state IN (?, ?) ORDER BY arrived_at, id`,
			callcenter.CallWaiting, callcenter.CallConnected)
		if err != nil {
			return fmt.Errorf("postgres: load calls: %w", err)
		}
		rt.Offers, err = sqlstore.QueryAll(ctx, tx, scanOffer,
			`SELECT `+offerColumns+` FROM offers WHERE state = 'pending' ORDER BY offered_at, id`)
		if err != nil {
			return fmt.Errorf("postgres: load offers: %w", err)
		}
		rt.WrappedUp, err = sqlstore.QueryAll(ctx, tx, scanCall,
			`SELECT `+callColumns+` FROM calls WHERE id IN (SELECT call_id FROM operator_status WHERE state = ?)`,
			callcenter.OperatorWrapUp)
		if err != nil {
			return fmt.Errorf("postgres: load calls in wrap-up: %w", err)
		}
		if err := loadPeople(ctx, tx, &rt); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT queue_id, operator_id FROM queue_cursors`)
		if err != nil {
			return fmt.Errorf("postgres: load cursors: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var q callcenter.QueueID
			var op callcenter.OperatorID
			if err := rows.Scan(&q, &op); err != nil {
				return fmt.Errorf("postgres: load cursors: %w", err)
			}
			if rt.Cursors == nil {
				rt.Cursors = map[callcenter.QueueID]callcenter.OperatorID{}
			}
			rt.Cursors[q] = op
		}
		return rows.Err()
	})
	if err != nil {
		return callcenter.Runtime{}, err
	}
	return rt, nil
}

// CloudRequest returns the request with id and true, or false if it was never carried out.
func (db *DB) CloudRequest(ctx context.Context, id string) (callcenter.CloudRequest, bool, error) {
	r := callcenter.CloudRequest{ID: id}
	var at sql.NullInt64
	var reply string
	err := db.queryRow(ctx, `SELECT call_id, at, reply FROM cloud_requests WHERE id = ?`, id).
		Scan(&r.Call, &at, &reply)
	if errors.Is(err, sql.ErrNoRows) {
		return callcenter.CloudRequest{}, false, nil
	}
	if err != nil {
		return callcenter.CloudRequest{}, false, fmt.Errorf("postgres: cloud request %q: %w", id, err)
	}
	if err := json.Unmarshal([]byte(reply), &r.Reply); err != nil {
		return callcenter.CloudRequest{}, false, fmt.Errorf("postgres: cloud request %q: reply: %w", id, err)
	}
	r.At = sqlstore.TimeMS(at)
	return r, true, nil
}

// Call returns the call with id and its offers, oldest first.
func (db *DB) Call(ctx context.Context, id callcenter.CallID) (callcenter.Call, []callcenter.Offer, error) {
	var c callcenter.Call
	var offers []callcenter.Offer
	err := db.read(ctx, func(tx txn) error {
		var err error
		c, err = scanCall(tx.QueryRowContext(ctx, `SELECT `+callColumns+` FROM calls WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return callcenter.NotFound("call_id", "no call %q", id)
		}
		if err != nil {
			return fmt.Errorf("postgres: call %q: %w", id, err)
		}
		offers, err = sqlstore.QueryAll(ctx, tx, scanOffer,
			`SELECT `+offerColumns+` FROM offers WHERE call_id = ? ORDER BY offered_at, id`, id)
		if err != nil {
			return fmt.Errorf("postgres: offers of call %q: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return callcenter.Call{}, nil, err
	}
	return c, offers, nil
}

// Offer returns the offer with id.
func (db *DB) Offer(ctx context.Context, id callcenter.OfferID) (callcenter.Offer, error) {
	o, err := scanOffer(db.queryRow(ctx, `SELECT `+offerColumns+` FROM offers WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return callcenter.Offer{}, callcenter.NotFound("offer_id", "no offer %q", id)
	}
	if err != nil {
		return callcenter.Offer{}, fmt.Errorf("postgres: offer %q: %w", id, err)
	}
	return o, nil
}

// CallerHistory returns the last calls from a caller number, newest first, except the call
// named by but (the one in progress).
func (db *DB) CallerHistory(ctx context.Context, number string, but callcenter.CallID, limit int) ([]callcenter.Call, error) {
	var cs []callcenter.Call
	err := db.read(ctx, func(tx txn) error {
		var err error
		cs, err = sqlstore.QueryAll(ctx, tx, scanCall,
			`SELECT `+callColumns+` FROM calls WHERE caller_number = ? AND id <> ? ORDER BY arrived_at DESC, id DESC LIMIT ?`, number, but, limit)
		if err != nil {
			return fmt.Errorf("postgres: calls from %q: %w", number, err)
		}
		return nil
	})
	return cs, err
}

// Decisions returns the routing decisions made for call id, oldest first.
func (db *DB) Decisions(ctx context.Context, id callcenter.CallID) ([]callcenter.Decision, error) {
	var ds []callcenter.Decision
	err := db.read(ctx, func(tx txn) error {
		var err error
		ds, err = sqlstore.QueryAll(ctx, tx, scanDecision,
			`SELECT `+decisionColumns+` FROM decisions WHERE call_id = ? ORDER BY decided_at, seq`, id)
		if err != nil {
			return fmt.Errorf("postgres: decisions of call %q: %w", id, err)
		}
		return nil
	})
	return ds, err
}

// jsonText is v as JSON text. Domain values always marshal.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("postgres: marshal %T: %v", v, err))
	}
	return string(b)
}

// decisionRecord is what the decisions table's candidates column holds: the bounded list of
// candidates and the counts of the rest, as the SQLite store writes it. (Records written
// before the bound hold a JSON array of every operator of the queue.)
type decisionRecord struct {
	Candidates []candidateRow `json:"c"`
	Eligible   int            `json:"n,omitempty"`
	Excluded   int            `json:"xn,omitempty"`
	ByReason   map[string]int `json:"x,omitempty"`
}

// candidateRow is a decision's candidate as stored: short keys and no empty fields, since a
// decision lists every operator of the queue and is written with every offer.
type candidateRow struct {
	Operator        callcenter.OperatorID    `json:"o,omitempty"`
	Spare           callcenter.SpareID       `json:"sp,omitempty"`
	State           callcenter.OperatorState `json:"s,omitempty"`
	Eligible        bool                     `json:"e,omitempty"`
	ExcludedBecause string                   `json:"x,omitempty"`
	Idle            time.Duration            `json:"i,omitempty"`
	Level           int                      `json:"l,omitempty"`
	Score           float64                  `json:"sc,omitempty"`
	CallsToday      int                      `json:"c,omitempty"`
	Value           float64                  `json:"v,omitempty"`
	ValueString     string                   `json:"vs,omitempty"`
}

func candidateRows(cs []callcenter.Candidate) []candidateRow {
	if cs == nil {
		return nil
	}
	out := make([]candidateRow, len(cs))
	for i, c := range cs {
		out[i] = candidateRow(c)
	}
	return out
}

// lastOf keeps the last of the rows with the same key, in the order of their last versions.
func lastOf[T any, K comparable](rows []T, key func(T) K) []T {
	if len(rows) < 2 {
		return rows
	}
	last := make(map[K]int, len(rows))
	for i, r := range rows {
		last[key(r)] = i
	}
	if len(last) == len(rows) {
		return rows
	}
	out := make([]T, 0, len(last))
	for i, r := range rows {
		if last[key(r)] == i {
			out = append(out, r)
		}
	}
	return out
}
