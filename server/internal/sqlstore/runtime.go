package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file reads the runtime state (statuses, calls, offers, decisions, cloud requests) as
// both stores keep it. Each store writes it in its own way (prepared statements, a pipeline).

// statusColumns are the operator_status columns, in scanStatus's order.
const statusColumns = `operator_id, state, since, reason, offer_id, call_id, wrap_up_ends_at, idle_since,
	banned_until, marks`

// scanStatus scans an operator_status row of statusColumns.
func scanStatus(s Scanner) (callcenter.OperatorStatus, error) {
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
	st.BannedUntil = timeMS(banned)
	st.Since = timeMS(since)
	st.WrapUpEndsAt = timeMS(wrapUp)
	st.IdleSince = timeMS(idle)
	return st, err
}

// callColumns are the calls columns, in scanCall's order.
const callColumns = `id, queue_id, state, session_id, access_url, caller_number, caller_name,
	dialed_number, sip_headers, custom_data, arrived_at, priority, client, manager_id, manager_until,
	spare_id, operator_id, offer_id, answered_at, ended_at, hung_up_by, talk_time_ms, note, recording_url,
	held_since, hold_time_ms, transfer, disposition, exit_kind, call_exit, callback_of, callback,
	voicemail_url, voicemail_ms, menu_id, menu_at, menu_path, menu_exit`

// scanCall scans a calls row of callColumns.
func scanCall(s Scanner) (callcenter.Call, error) {
	var c callcenter.Call
	var headers string
	var arrived, answered, ended, managerUntil sql.NullInt64
	var talk, hold int64
	var heldSince sql.NullInt64
	var transfer, exit, callbackOf, callback, menuPath string
	var exitKind callcenter.ExitKind
	var voicemail int64
	var menuAt sql.NullInt64
	err := s.Scan(&c.ID, &c.Queue, &c.State, &c.SessionID, &c.AccessURL, &c.CallerNumber,
		&c.CallerName, &c.DialedNumber, &headers, &c.CustomData, &arrived, &c.Priority, &c.Client,
		&c.Manager, &managerUntil, &c.Spare, &c.Operator, &c.Offer,
		&answered, &ended, &c.HungUpBy, &talk, &c.Note, &c.RecordingURL, &heldSince, &hold, &transfer, &c.Disposition, &exitKind, &exit,
		&callbackOf, &callback, &c.VoicemailURL, &voicemail, &c.Menu, &menuAt, &menuPath, &c.MenuExit)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(headers), &c.SIPHeaders); err != nil {
		return c, fmt.Errorf("call %q: sip headers: %w", c.ID, err)
	}
	c.ArrivedAt = timeMS(arrived)
	c.ManagerUntil = timeMS(managerUntil)
	c.AnsweredAt = timeMS(answered)
	c.EndedAt = timeMS(ended)
	c.TalkTime = msDur(talk)
	c.HeldSince = timeMS(heldSince)
	c.HoldTime = msDur(hold)
	c.VoicemailLength = msDur(voicemail)
	c.MenuAt = timeMS(menuAt)
	if menuPath != "" {
		if err := json.Unmarshal([]byte(menuPath), &c.MenuPath); err != nil {
			return c, fmt.Errorf("call %q: menu path: %w", c.ID, err)
		}
	}
	if callback != "" {
		if err := json.Unmarshal([]byte(callback), &c.Callback); err != nil {
			return c, fmt.Errorf("call %q: callback: %w", c.ID, err)
		}
	}
	if exit != "" {
		if err := json.Unmarshal([]byte(exit), &c.Exit); err != nil {
			return c, fmt.Errorf("call %q: exit: %w", c.ID, err)
		}
	}
	if transfer != "" {
		if err := json.Unmarshal([]byte(transfer), &c.Transfer); err != nil {
			return c, fmt.Errorf("call %q: transfer: %w", c.ID, err)
		}
	}
	return c, nil
}

// offerColumns are the offers columns, in scanOffer's order.
const offerColumns = `id, call_id, operator_id, spare_id, state, offered_at, expires_at, settled_at,
	ring_time_ms, failure_code, reason`

// scanOffer scans an offers row of offerColumns.
func scanOffer(s Scanner) (callcenter.Offer, error) {
	var o callcenter.Offer
	var offered, expires, settled sql.NullInt64
	var ring int64
	err := s.Scan(&o.ID, &o.Call, &o.Operator, &o.Spare, &o.State, &offered, &expires, &settled, &ring,
		&o.FailureCode, &o.Reason)
	o.OfferedAt = timeMS(offered)
	o.ExpiresAt = timeMS(expires)
	o.SettledAt = timeMS(settled)
	o.RingTime = msDur(ring)
	return o, err
}

// partyColumns are the call_parties columns, in scanParty's order.
const partyColumns = `id, call_id, mode, state, contact_kind, contact_target, operator_id, added_by,
	monitor, invited_at, expires_at, joined_at, left_at, reason, rang, missed`

// scanParty scans a call_parties row of partyColumns.
func scanParty(s Scanner) (callcenter.Party, error) {
	var p callcenter.Party
	var invited, expires, joined, left sql.NullInt64
	var monitor, rang, missed int
	err := s.Scan(&p.ID, &p.Call, &p.Mode, &p.State, &p.Contact.Kind, &p.Contact.Target, &p.Operator, &p.AddedBy,
		&monitor, &invited, &expires, &joined, &left, &p.Reason, &rang, &missed)
	p.Monitor, p.Rang, p.Missed = monitor != 0, rang != 0, missed != 0
	p.InvitedAt, p.ExpiresAt, p.JoinedAt, p.LeftAt = timeMS(invited), timeMS(expires), timeMS(joined), timeMS(left)
	return p, err
}

// withParties fills in the parties of calls, oldest first, in one query.
func (d Dialect) withParties(ctx context.Context, tx Tx, calls []callcenter.Call) error {
	if len(calls) == 0 {
		return nil
	}
	at := make(map[callcenter.CallID]int, len(calls))
	args := make([]any, 0, len(calls))
	for i, c := range calls {
		at[c.ID] = i
		args = append(args, c.ID)
	}
	parties, err := queryAll(ctx, tx, scanParty, `SELECT `+partyColumns+` FROM call_parties WHERE call_id IN (`+marks(len(args))+`) ORDER BY invited_at, id`, args...)
	if err != nil {
		return d.errorf("parties: %w", err)
	}
	for _, p := range parties {
		c := &calls[at[p.Call]]
		c.Parties = append(c.Parties, p)
	}
	return nil
}

// DecisionColumns are the decisions columns, in scanDecision's order.
const DecisionColumns = `call_id, offer_id, decided_at, strategy, operator_id, rule, candidates`

// decisionRecord is what the decisions table's candidates column holds: the bounded list of
// candidates and the counts of the rest. (Records written before the bound hold a JSON array
// of every operator of the queue.)
type decisionRecord struct {
	Candidates []candidateRow `json:"c"`
	Eligible   int            `json:"n,omitempty"`
	Excluded   int            `json:"xn,omitempty"`
	ByReason   map[string]int `json:"x,omitempty"`
	Relax      *relaxRow      `json:"r,omitempty"`
}

// relaxRow is the step of the queue's skills relaxation a decision was made at, as stored.
type relaxRow struct {
	Step     int                  `json:"k,omitempty"`
	AfterMS  int64                `json:"a,omitempty"`
	MinLevel int                  `json:"l,omitempty"`
	Also     []callcenter.QueueID `json:"q,omitempty"`
	Text     string               `json:"t,omitempty"`
}

// candidateRow is a decision's candidate as stored: short keys and no empty fields, since a
// decision is written with every offer.
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

// zeroTimeMS is how the zero time is stored where a time cannot be NULL (a decision's
// decided_at, part of its identity).
var zeroTimeMS = time.Time{}.UnixMilli()

// scanDecision scans a decisions row of DecisionColumns.
func scanDecision(s Scanner) (callcenter.Decision, error) {
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
	if r := rec.Relax; r != nil {
		d.Relax = &callcenter.RelaxPool{Step: r.Step, After: time.Duration(r.AfterMS) * time.Millisecond, MinLevel: r.MinLevel, Also: r.Also}
		d.RelaxText = r.Text
	}
	if rows != nil {
		d.Candidates = make([]callcenter.Candidate, len(rows))
		for i, r := range rows {
			d.Candidates[i] = callcenter.Candidate(r)
		}
	}
	d.DecidedAt = timeMS(sql.NullInt64{Int64: decided, Valid: decided != zeroTimeMS})
	return d, nil
}

// LoadRuntime returns the live state to restart the switchboard from: every operator's status,
// the calls not finished (oldest first), the offers still pending (oldest first) and the
// declined offers of those calls.
func (db *DB) LoadRuntime(ctx context.Context) (callcenter.Runtime, error) {
	var rt callcenter.Runtime
	err := db.c.Read(ctx, func(tx Tx) error {
		var err error
		rt.Statuses, err = queryAll(ctx, tx, scanStatus,
			`SELECT `+statusColumns+` FROM operator_status ORDER BY operator_id`)
		if err != nil {
			return db.d.errorf("load statuses: %w", err)
		}
		rt.Calls, err = queryAll(ctx, tx, scanCall,
			`SELECT `+callColumns+` FROM calls WHERE state IN (?, ?, ?) ORDER BY arrived_at, id`,
			callcenter.CallInMenu, callcenter.CallWaiting, callcenter.CallConnected)
		if err != nil {
			return db.d.errorf("load calls: %w", err)
		}
		if err := db.d.withParties(ctx, tx, rt.Calls); err != nil {
			return err
		}
		rt.Offers, err = queryAll(ctx, tx, scanOffer,
			`SELECT `+offerColumns+` FROM offers WHERE state = 'pending' ORDER BY offered_at, id`)
		if err != nil {
			return db.d.errorf("load offers: %w", err)
		}
		rt.Declined, err = queryAll(ctx, tx, scanOffer,
			`SELECT `+offerColumns+` FROM offers WHERE state = 'declined' AND call_id IN (SELECT id FROM calls WHERE state IN (?, ?)) ORDER BY offered_at, id`,
			callcenter.CallWaiting, callcenter.CallConnected)
		if err != nil {
			return db.d.errorf("load declined offers: %w", err)
		}
		rt.WrappedUp, err = queryAll(ctx, tx, scanCall,
			`SELECT `+callColumns+` FROM calls WHERE id IN (SELECT call_id FROM operator_status WHERE state = ?)`,
			callcenter.OperatorWrapUp)
		if err != nil {
			return db.d.errorf("load calls in wrap-up: %w", err)
		}
		if err := db.d.withParties(ctx, tx, rt.WrappedUp); err != nil {
			return err
		}
		if err := db.d.loadPeople(ctx, tx, &rt); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT queue_id, operator_id FROM queue_cursors`)
		if err != nil {
			return db.d.errorf("load cursors: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var q callcenter.QueueID
			var op callcenter.OperatorID
			if err := rows.Scan(&q, &op); err != nil {
				return db.d.errorf("load cursors: %w", err)
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
	// Asked before every cloud request is carried out.
	err := db.c.QueryRow(ctx, `SELECT call_id, at, reply FROM cloud_requests WHERE id = ?`, id).Scan(&r.Call, &at, &reply)
	if errors.Is(err, sql.ErrNoRows) {
		return callcenter.CloudRequest{}, false, nil
	}
	if err != nil {
		return callcenter.CloudRequest{}, false, db.d.errorf("cloud request %q: %w", id, err)
	}
	if err := json.Unmarshal([]byte(reply), &r.Reply); err != nil {
		return callcenter.CloudRequest{}, false, db.d.errorf("cloud request %q: reply: %w", id, err)
	}
	r.At = timeMS(at)
	return r, true, nil
}

// Call returns the call with id and its offers, oldest first.
func (db *DB) Call(ctx context.Context, id callcenter.CallID) (callcenter.Call, []callcenter.Offer, error) {
	var c callcenter.Call
	var offers []callcenter.Offer
	err := db.c.Read(ctx, func(tx Tx) error {
		var err error
		c, err = scanCall(tx.QueryRowContext(ctx, `SELECT `+callColumns+` FROM calls WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return callcenter.NotFound("call_id", "no call %q", id)
		}
		if err != nil {
			return db.d.errorf("call %q: %w", id, err)
		}
		calls := []callcenter.Call{c}
		if err := db.d.withParties(ctx, tx, calls); err != nil {
			return err
		}
		c = calls[0]
		offers, err = queryAll(ctx, tx, scanOffer,
			`SELECT `+offerColumns+` FROM offers WHERE call_id = ? ORDER BY offered_at, id`, id)
		if err != nil {
			return db.d.errorf("offers of call %q: %w", id, err)
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
	o, err := scanOffer(db.c.QueryRow(ctx, `SELECT `+offerColumns+` FROM offers WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return callcenter.Offer{}, callcenter.NotFound("offer_id", "no offer %q", id)
	}
	if err != nil {
		return callcenter.Offer{}, db.d.errorf("offer %q: %w", id, err)
	}
	return o, nil
}

// CallerHistory returns the last calls from a caller number, newest first, except the call
// named by but (the one in progress). It is read with every offer.
func (db *DB) CallerHistory(ctx context.Context, number string, but callcenter.CallID, limit int) ([]callcenter.Call, error) {
	rows, err := db.c.Query(ctx, `SELECT `+callColumns+` FROM calls WHERE caller_number = ? AND id <> ?
		ORDER BY arrived_at DESC, id DESC LIMIT ?`, number, but, limit)
	if err != nil {
		return nil, db.d.errorf("calls from %q: %w", number, err)
	}
	cs, err := scanAll(rows, scanCall)
	if err != nil {
		return nil, db.d.errorf("calls from %q: %w", number, err)
	}
	return cs, nil
}

// DisplayNames returns the display names of the operators ids that exist, in one read.
func (db *DB) DisplayNames(ctx context.Context, ids []callcenter.OperatorID) (map[callcenter.OperatorID]string, error) {
	out := make(map[callcenter.OperatorID]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	err := db.c.Read(ctx, func(tx Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, display_name FROM operators WHERE id IN (?`+
			strings.Repeat(", ?", len(ids)-1)+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id callcenter.OperatorID
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			out[id] = name
		}
		return rows.Err()
	})
	if err != nil {
		return nil, db.d.errorf("display names: %w", err)
	}
	return out, nil
}

// Decisions returns the routing decisions made for call id, oldest first.
func (db *DB) Decisions(ctx context.Context, id callcenter.CallID) ([]callcenter.Decision, error) {
	var ds []callcenter.Decision
	err := db.c.Read(ctx, func(tx Tx) error {
		var err error
		ds, err = queryAll(ctx, tx, scanDecision,
			`SELECT `+DecisionColumns+` FROM decisions WHERE call_id = ? ORDER BY decided_at, `+db.d.Seq, id)
		if err != nil {
			return db.d.errorf("decisions of call %q: %w", id, err)
		}
		return nil
	})
	return ds, err
}
