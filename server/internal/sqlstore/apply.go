package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/tallyrow"
)

// This file writes a switchboard step's Changes: Apply, the one place that knows which of its
// fields are stored and how. How the statements are sent (prepared statements, several rows
// in one statement, a pipeline) is each store's RowWriter's.

// Apply writes everything in c in one transaction: either all of it is stored or none.
// Rows are upserted by id, so applying the same Changes twice stores them once. Next,
// Commands and Repairs are not stored.
func (db *DB) Apply(ctx context.Context, c callcenter.Changes) error {
	if c.Empty() {
		return nil
	}
	// A batch of steps may change one row several times: only its last version is written.
	// But every state an operator entered in the batch is logged, and each day's score is
	// written from his last status that day: as if each step had been stored by itself.
	entered := statusesSince(c.Statuses)
	c.Statuses = lastOf(c.Statuses, func(s callcenter.OperatorStatus) callcenter.OperatorID { return s.Operator })
	c.Calls = lastOf(c.Calls, func(x callcenter.Call) callcenter.CallID { return x.ID })
	c.Offers = lastOf(c.Offers, func(o callcenter.Offer) callcenter.OfferID { return o.ID })
	if db.c.Send != nil && len(c.Operators) == 0 && len(c.Queues) == 0 {
		// The rest is only written, so it may all go at once.
		return db.c.Send(ctx, func(w RowWriter) error { return db.putRows(ctx, w, &c, entered) })
	}
	return db.c.Write(ctx, func(tx WriteTx) error {
		// Operators and queues are checked against the stored ones as they are written.
		for _, o := range c.Operators {
			if err := db.d.putOperator(ctx, tx, o); err != nil {
				return err
			}
		}
		if len(c.Queues) > 0 {
			if err := db.d.putQueues(ctx, tx, c.Queues); err != nil {
				return err
			}
		}
		return db.putRows(ctx, tx, &c, entered)
	})
}

// putRows writes c's rows but its operators and queues; entered are the statuses of the
// states the operators entered, all of them (c's are the last of each operator's).
func (db *DB) putRows(ctx context.Context, w RowWriter, c *callcenter.Changes, entered []callcenter.OperatorStatus) error {
	s, b := db.w, &batch{ctx: ctx, w: w}
	put(b, s.status, c.Statuses, statusRow)
	put(b, s.stateSpan, lastOf(entered, stateSpanKey), stateSpanRow)
	put(b, s.dayScore, lastOf(entered, dayScoreKey), dayScoreRow)
	put(b, s.call, c.Calls, callRow)
	put(b, s.party, partiesOf(c.Calls), partyRow)
	put(b, s.offer, c.Offers, offerRow)
	if len(c.Decisions) > 0 {
		var buf []byte // a decision's record, reused
		put(b, s.decision, c.Decisions, func(x callcenter.Decision) []any {
			buf = appendDecisionJSON(buf[:0], x)
			return decisionRow(x, string(buf))
		})
	}
	put(b, s.request, c.Requests, requestRow)
	put(b, s.note, c.Notes, func(x callcenter.CallNote) []any { return []any{x.Note, x.Call} })
	put(b, s.disposition, c.Dispositions, func(x callcenter.CallDisposition) []any { return []any{x.Code, x.Call} })
	put(b, s.tally, tallyrow.Sum(c.Tallies), tallyrow.Values) // a batch's tallies added up first
	put(b, s.event, c.Events, eventRow)
	put(b, s.client, c.Clients, clientRow)
	put(b, s.deleteAbsence, c.Unabsent, func(id string) []any { return []any{id} })
	put(b, s.absence, c.Absences, absenceRow)
	put(b, s.spare, c.Spares, spareRow)
	put(b, s.spareStatus, c.SpareUse, spareStatusRow)
	put(b, s.deleteMenu, c.Unmenu, func(id callcenter.MenuID) []any { return []any{id} })
	put(b, s.menu, c.Menus, func(m callcenter.Menu) []any { return []any{m.ID, jsonText(m)} })
	if b.err == nil && len(c.Cursors) > 0 {
		b.rows = b.rows[:0]
		for q, op := range c.Cursors {
			b.rows = append(b.rows, []any{q, op})
		}
		b.err = w.WriteRows(ctx, s.cursor, b.rows)
	}
	return b.err
}

// batch is putRows' writes: the first error stops them.
type batch struct {
	ctx  context.Context
	w    RowWriter
	rows [][]any // the values of the rows of one statement, reused
	err  error
}

// put writes rows with s, row giving each one's values, unless a write of b failed.
func put[T any](b *batch, s *Statement, rows []T, row func(T) []any) {
	if b.err != nil || len(rows) == 0 {
		return
	}
	b.rows = b.rows[:0]
	for _, r := range rows {
		b.rows = append(b.rows, row(r))
	}
	b.err = b.w.WriteRows(b.ctx, s, b.rows)
}

// Statement is one of Apply's writes.
type Statement struct {
	What string // the rows, in errors: "call", "cloud request"
	SQL  string // the statement that writes one row
	Key  int    // where the row's id is among its values, for errors
	// Head, Row and Tail are SQL in parts for a store that writes several rows in one
	// statement: Head, Row for each row (separated by commas), Tail. Empty where a statement
	// takes one row only.
	Head, Row, Tail string

	store string // the Dialect's Name
}

// Err is the error of writing row with s.
func (s *Statement) Err(row []any, err error) error {
	return fmt.Errorf("%s: write %s %v: %w", s.store, s.What, row[s.Key], err)
}

// Rows is SQL for n rows at once; s must have a Head.
func (s *Statement) Rows(n int) string {
	return s.Head + strings.Repeat(s.Row+", ", n-1) + s.Row + " " + s.Tail
}

// writes are Apply's statements.
type writes struct {
	status, call, party, offer, decision, request, note, disposition, tally, event, client, deleteAbsence, absence,
	spare, spareStatus, menu, deleteMenu, cursor, stateSpan, dayScore *Statement
}

func (d Dialect) writes() *writes {
	one := func(what, sql string) *Statement { return &Statement{What: what, SQL: sql, store: d.Name} }
	many := func(what, head, row, tail string) *Statement {
		s := &Statement{What: what, Head: head, Row: row, Tail: tail, store: d.Name}
		s.SQL = s.Rows(1)
		return s
	}
	w := &writes{
		status:   one("operator status", statusUpsert),
		call:     one("call", callUpsert),
		party:    one("party", partyUpsert),
		offer:    one("offer", offerUpsert),
		decision: one("decision for call", decisionInsert),
		// A retried request gets the first answer again, so the first write stands.
		request: many("cloud request", `INSERT INTO cloud_requests (id, call_id, at, reply) VALUES `, `(?, ?, ?, ?)`,
			`ON CONFLICT (id) DO NOTHING`),
		note:          one("note on call", `UPDATE calls SET note = ? WHERE id = ?`),
		disposition:   one("disposition of call", `UPDATE calls SET disposition = ? WHERE id = ?`),
		tally:         one("tally", tallyrow.Upsert(d.Greatest)),
		event:         many("call event", eventInsert, eventValues, ``),
		client:        one("client", clientUpsert),
		deleteAbsence: one("deleted absence", `DELETE FROM absences WHERE id = ?`),
		absence:       one("absence", absenceUpsert),
		spare:         one("spare", spareUpsert),
		spareStatus:   one("spare status", spareStatusUpsert),
		menu:          one("menu", `INSERT INTO menus (id, config) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config`),
		deleteMenu:    one("deleted menu", `DELETE FROM menus WHERE id = ?`),
		stateSpan: one("state of operator", `INSERT INTO operator_states (operator_id, since, state, reason) VALUES (?, ?, ?, ?)
		ON CONFLICT (operator_id, since) DO UPDATE SET state = excluded.state, reason = excluded.reason`),
		dayScore: one("score of operator", `INSERT INTO operator_scores (operator_id, day, at, points, lost_to_misses,
		lost_to_slow_answers) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (operator_id, day) DO UPDATE SET at = excluded.at, points = excluded.points,
			lost_to_misses = excluded.lost_to_misses, lost_to_slow_answers = excluded.lost_to_slow_answers`),
		cursor: one("cursor of queue", `INSERT INTO queue_cursors (queue_id, operator_id) VALUES (?, ?)
		ON CONFLICT (queue_id) DO UPDATE SET operator_id = excluded.operator_id`),
	}
	w.note.Key = 1 // the call
	w.disposition.Key = 1
	return w
}

// Statements are Apply's statements in d's spelling, for a store to prepare.
func Statements(d Dialect) []*Statement {
	w := d.writes()
	return []*Statement{w.status, w.call, w.party, w.offer, w.decision, w.request, w.note, w.disposition, w.tally, w.event, w.client,
		w.deleteAbsence, w.absence, w.spare, w.spareStatus, w.menu, w.deleteMenu, w.cursor, w.stateSpan, w.dayScore}
}

// lastOf keeps the last of the rows with the same key, in the order of their last versions: a
// batch of steps may change one row several times, and only its last version is written.
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

// statusUpsert writes an operator's status: statusRow's values.
const statusUpsert = `
		INSERT INTO operator_status (` + statusColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (operator_id) DO UPDATE SET
			state = excluded.state, since = excluded.since, reason = excluded.reason,
			offer_id = excluded.offer_id, call_id = excluded.call_id,
			wrap_up_ends_at = excluded.wrap_up_ends_at, idle_since = excluded.idle_since,
			banned_until = excluded.banned_until, marks = excluded.marks`

// statusesSince are the statuses that say when their state began: the ones the drill-down's
// state log and daily scores are written from.
func statusesSince(ss []callcenter.OperatorStatus) []callcenter.OperatorStatus {
	out := make([]callcenter.OperatorStatus, 0, len(ss))
	for _, s := range ss {
		if !s.Since.IsZero() {
			out = append(out, s)
		}
	}
	return out
}

// spanKey is the operator and a moment: the key of an operator_states row, and of an
// operator_scores row with the moment's UTC day.
type spanKey struct {
	op callcenter.OperatorID
	at int64
}

// stateSpanKey is s's operator_states row.
func stateSpanKey(s callcenter.OperatorStatus) spanKey {
	return spanKey{s.Operator, s.Since.UnixMilli()}
}

// dayScoreKey is s's operator_scores row.
func dayScoreKey(s callcenter.OperatorStatus) spanKey {
	return spanKey{s.Operator, s.Since.UTC().Unix() / 86400}
}

// stateSpanRow is the state s entered, for the operator_states log.
func stateSpanRow(s callcenter.OperatorStatus) []any {
	return []any{s.Operator, msTime(s.Since), s.State, s.Reason}
}

// dayScoreRow is s's score on the UTC day of its state change, for operator_scores.
func dayScoreRow(s callcenter.OperatorStatus) []any {
	sc := s.Marks.ComputeScore()
	return []any{s.Operator, s.Since.UTC().Unix() / 86400, msTime(s.Since), sc.Points, sc.LostToMisses, sc.LostToSlowAnswers}
}

// statusRow is s as statusUpsert's values.
func statusRow(s callcenter.OperatorStatus) []any {
	return []any{s.Operator, s.State, msTime(s.Since), s.Reason, s.Offer, s.Call,
		msTime(s.WrapUpEndsAt), msTime(s.IdleSince), msTime(s.BannedUntil), jsonText(s.Marks)}
}

// callUpsert writes a call, keeping its stored note, disposition, recording and voicemail URLs
// when the new ones are empty: callRow's values.
const callUpsert = `
		INSERT INTO calls (` + callColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			note = CASE WHEN excluded.note <> '' THEN excluded.note ELSE calls.note END,
			voicemail_url = CASE WHEN excluded.voicemail_url <> '' THEN excluded.voicemail_url ELSE calls.voicemail_url END,
			voicemail_ms = CASE WHEN excluded.voicemail_url <> '' THEN excluded.voicemail_ms ELSE calls.voicemail_ms END,
			callback_of = excluded.callback_of, callback = excluded.callback,
			disposition = CASE WHEN excluded.disposition <> '' THEN excluded.disposition ELSE calls.disposition END,
			recording_url = CASE WHEN excluded.recording_url <> '' THEN excluded.recording_url ELSE calls.recording_url END,
			priority = excluded.priority, client = excluded.client, manager_id = excluded.manager_id,
			manager_until = excluded.manager_until, spare_id = excluded.spare_id,
			queue_id = excluded.queue_id, state = excluded.state,
			session_id = excluded.session_id, access_url = excluded.access_url,
			caller_number = excluded.caller_number, caller_name = excluded.caller_name,
			dialed_number = excluded.dialed_number, sip_headers = excluded.sip_headers,
			custom_data = excluded.custom_data, arrived_at = excluded.arrived_at,
			operator_id = excluded.operator_id, offer_id = excluded.offer_id,
			answered_at = excluded.answered_at, ended_at = excluded.ended_at,
			hung_up_by = excluded.hung_up_by, talk_time_ms = excluded.talk_time_ms,
			held_since = excluded.held_since, hold_time_ms = excluded.hold_time_ms,
			transfer = excluded.transfer, exit_kind = excluded.exit_kind, call_exit = excluded.call_exit,
			menu_id = excluded.menu_id, menu_at = excluded.menu_at,
			menu_path = excluded.menu_path, menu_exit = excluded.menu_exit`

// callRow is c as callUpsert's values.
func callRow(c callcenter.Call) []any {
	return []any{c.ID, c.Queue, c.State, c.SessionID, c.AccessURL, c.CallerNumber,
		c.CallerName, c.DialedNumber, jsonText(c.SIPHeaders), c.CustomData, msTime(c.ArrivedAt),
		c.Priority, c.Client, c.Manager, msTime(c.ManagerUntil), c.Spare, c.Operator, c.Offer, msTime(c.AnsweredAt), msTime(c.EndedAt), c.HungUpBy,
		durMS(c.TalkTime), c.Note, c.RecordingURL, msTime(c.HeldSince), durMS(c.HoldTime), transferText(c.Transfer), c.Disposition,
		c.Exit.Kind, exitText(c.Exit), c.Callback.Of, callbackText(c.Callback), c.VoicemailURL, durMS(c.VoicemailLength),
		c.Menu, msTime(c.MenuAt), menuPathText(c.MenuPath), c.MenuExit}
}

// callbackText is a virtual call's callback as JSON, "" for an inbound call.
func callbackText(cb callcenter.Callback) string {
	if !cb.Virtual() {
		return ""
	}
	return jsonText(cb)
}

// partyUpsert writes a call's party: partyRow's values.
const partyUpsert = `
		INSERT INTO call_parties (` + partyColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			mode = excluded.mode, state = excluded.state, expires_at = excluded.expires_at,
			joined_at = excluded.joined_at, left_at = excluded.left_at, reason = excluded.reason,
			rang = excluded.rang, missed = excluded.missed`

// partyRow is p as partyUpsert's values.
func partyRow(p callcenter.Party) []any {
	return []any{p.ID, p.Call, p.Mode, p.State, p.Contact.Kind, p.Contact.Target, p.Operator, p.AddedBy,
		boolInt(p.Monitor), msTime(p.InvitedAt), msTime(p.ExpiresAt), msTime(p.JoinedAt), msTime(p.LeftAt),
		p.Reason, boolInt(p.Rang), boolInt(p.Missed)}
}

// partiesOf lists the parties of calls: a call's parties are written with it.
func partiesOf(calls []callcenter.Call) []callcenter.Party {
	var out []callcenter.Party
	for _, c := range calls {
		out = append(out, c.Parties...)
	}
	return out
}

// offerUpsert writes an offer: offerRow's values.
const offerUpsert = `
		INSERT INTO offers (` + offerColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			call_id = excluded.call_id, operator_id = excluded.operator_id, spare_id = excluded.spare_id,
			state = excluded.state, offered_at = excluded.offered_at,
			expires_at = excluded.expires_at, settled_at = excluded.settled_at,
			ring_time_ms = excluded.ring_time_ms, failure_code = excluded.failure_code,
			reason = excluded.reason`

// offerRow is o as offerUpsert's values.
func offerRow(o callcenter.Offer) []any {
	return []any{o.ID, o.Call, o.Operator, o.Spare, o.State, msTime(o.OfferedAt), msTime(o.ExpiresAt),
		msTime(o.SettledAt), durMS(o.RingTime), o.FailureCode, o.Reason}
}

// decisionInsert writes a decision unless it is stored already (a decision is a record, not
// state: the first write of it stands): decisionRow's values.
const decisionInsert = `
		INSERT INTO decisions (` + DecisionColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (call_id, decided_at, offer_id) DO NOTHING`

// decisionRow is d as decisionInsert's values, with its candidates column (its decisionRecord
// as JSON, appendDecisionJSON's).
func decisionRow(d callcenter.Decision, candidates string) []any {
	// decided_at is part of the decision's identity, so it is never NULL: a zero time is
	// stored as its own UnixMilli.
	return []any{d.Call, d.Offer, d.DecidedAt.UnixMilli(), d.Strategy, d.Operator, d.Rule, candidates}
}

// requestRow is r as the values of a cloud_requests row (id, call_id, at, reply).
func requestRow(r callcenter.CloudRequest) []any {
	return []any{r.ID, r.Call, msTime(r.At), jsonText(r.Reply)}
}

// eventInsert is the head of an INSERT of call events: one eventValues (eventRow's) a row
// follows it.
const (
	eventInsert = `INSERT INTO call_events (call_id, at, kind, operator_id, spare_id, offer_id,
		text, code, ring_ms, talk_ms, hung_up_by, queue_id, party_id) VALUES `
	eventValues = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

// eventRow is e as eventValues'.
func eventRow(e callcenter.CallEvent) []any {
	return []any{e.Call, e.At.UnixMilli(), e.Kind, e.Operator, e.Spare, e.Offer, e.Text, e.Code,
		durMS(e.RingTime), durMS(e.TalkTime), e.HungUpBy, e.QueueAfter, e.Party}
}

// The people's rows: clients, absences, spares and their use.
const (
	clientUpsert = `
		INSERT INTO clients (number, manager_id, how, assigned_at, declined_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (number) DO UPDATE SET manager_id = excluded.manager_id, how = excluded.how,
			assigned_at = excluded.assigned_at, declined_at = excluded.declined_at`
	absenceUpsert = `
		INSERT INTO absences (id, operator_id, kind, from_date, to_date) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET operator_id = excluded.operator_id, kind = excluded.kind,
			from_date = excluded.from_date, to_date = excluded.to_date`
	spareUpsert = `
		INSERT INTO spares (id, config) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config`
	spareStatusUpsert = `
		INSERT INTO spare_status (spare_id, status) VALUES (?, ?) ON CONFLICT (spare_id) DO UPDATE SET status = excluded.status`
)

// clientRow is c as clientUpsert's values.
func clientRow(c callcenter.Client) []any {
	return []any{c.Number, c.Manager, c.How, msTime(c.AssignedAt), msTime(c.DeclinedAt)}
}

// absenceRow is a as absenceUpsert's values.
func absenceRow(a callcenter.Absence) []any {
	return []any{a.ID, a.Operator, a.Kind, a.From, a.To}
}

// spareRow is s as spareUpsert's values.
func spareRow(s callcenter.Spare) []any { return []any{s.ID, jsonText(s)} }

// spareStatusRow is s as spareStatusUpsert's values.
func spareStatusRow(s callcenter.SpareStatus) []any {
	return []any{s.Spare, jsonText(s)}
}

// exitText is a call's exit as its column: JSON, "" when it took none.
func exitText(x callcenter.CallExit) string {
	if !x.Taken() {
		return ""
	}
	return jsonText(x)
}

// menuPathText is a call's way through its menu as its column: JSON, "" when none.
func menuPathText(p []callcenter.MenuStep) string {
	if len(p) == 0 {
		return ""
	}
	return jsonText(p)
}

// transferText is a call's transfer as its column: JSON, "" when it was never transferred.
func transferText(t callcenter.Transfer) string {
	if t == (callcenter.Transfer{}) {
		return ""
	}
	return jsonText(t)
}
