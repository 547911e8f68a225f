package sqlstore

import (
	"encoding/json"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file holds the runtime rows as both stores write them: the upserts' SQL and each row's
// values. How the statements are sent (prepared statements, a pipeline) is each store's.

// LastOf keeps the last of the rows with the same key, in the order of their last versions: a
// batch of steps may change one row several times, and only its last version is written.
func LastOf[T any, K comparable](rows []T, key func(T) K) []T {
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

// StatusUpsert writes an operator's status: StatusRow's values.
const StatusUpsert = `
		INSERT INTO operator_status (` + StatusColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (operator_id) DO UPDATE SET
			state = excluded.state, since = excluded.since, reason = excluded.reason,
			offer_id = excluded.offer_id, call_id = excluded.call_id,
			wrap_up_ends_at = excluded.wrap_up_ends_at, idle_since = excluded.idle_since,
			banned_until = excluded.banned_until, marks = excluded.marks`

// StatusRow is s as StatusUpsert's values.
func (d Dialect) StatusRow(s callcenter.OperatorStatus) []any {
	return []any{s.Operator, s.State, MSTime(s.Since), s.Reason, s.Offer, s.Call,
		MSTime(s.WrapUpEndsAt), MSTime(s.IdleSince), MSTime(s.BannedUntil), d.jsonText(s.Marks)}
}

// CallUpsert writes a call, keeping its stored note when the new one is empty: CallRow's values.
const CallUpsert = `
		INSERT INTO calls (` + CallColumns + `)
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
			hung_up_by = excluded.hung_up_by, talk_time_ms = excluded.talk_time_ms`

// CallRow is c as CallUpsert's values.
func CallRow(c callcenter.Call) ([]any, error) {
	headers, err := json.Marshal(c.SIPHeaders)
	return []any{c.ID, c.Queue, c.State, c.SessionID, c.AccessURL, c.CallerNumber,
		c.CallerName, c.DialedNumber, string(headers), c.CustomData, MSTime(c.ArrivedAt),
		c.Priority, c.Client, c.Manager, MSTime(c.ManagerUntil), c.Spare, c.Operator, c.Offer, MSTime(c.AnsweredAt), MSTime(c.EndedAt), c.HungUpBy,
		DurMS(c.TalkTime), c.Note}, err
}

// OfferUpsert writes an offer: OfferRow's values.
const OfferUpsert = `
		INSERT INTO offers (` + OfferColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			call_id = excluded.call_id, operator_id = excluded.operator_id, spare_id = excluded.spare_id,
			state = excluded.state, offered_at = excluded.offered_at,
			expires_at = excluded.expires_at, settled_at = excluded.settled_at,
			ring_time_ms = excluded.ring_time_ms, failure_code = excluded.failure_code,
			reason = excluded.reason`

// OfferRow is o as OfferUpsert's values.
func OfferRow(o callcenter.Offer) []any {
	return []any{o.ID, o.Call, o.Operator, o.Spare, o.State, MSTime(o.OfferedAt), MSTime(o.ExpiresAt),
		MSTime(o.SettledAt), DurMS(o.RingTime), o.FailureCode, o.Reason}
}

// DecisionInsert writes a decision unless it is stored already (a decision is a record, not
// state: the first write of it stands): DecisionRow's values.
const DecisionInsert = `
		INSERT INTO decisions (` + DecisionColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (call_id, decided_at, offer_id) DO NOTHING`

// DecisionRow is d as DecisionInsert's values, with its candidates column (a DecisionRecord as
// JSON; each store encodes it its own way).
func DecisionRow(d callcenter.Decision, candidates string) []any {
	// decided_at is part of the decision's identity, so it is never NULL: a zero time is
	// stored as its own UnixMilli.
	return []any{d.Call, d.Offer, d.DecidedAt.UnixMilli(), d.Strategy, d.Operator, d.Rule, candidates}
}

// RequestRow is r as the values of a cloud_requests row (id, call_id, at, reply).
func RequestRow(r callcenter.CloudRequest) ([]any, error) {
	reply, err := json.Marshal(r.Reply)
	return []any{r.ID, r.Call, MSTime(r.At), string(reply)}, err
}

// EventInsert is the head of an INSERT of call events: one EventValues (EventRow's) a row
// follows it.
const (
	EventInsert = `INSERT INTO call_events (call_id, at, kind, operator_id, spare_id, offer_id,
		text, code, ring_ms, talk_ms, hung_up_by, queue_id) VALUES `
	EventValues = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

// EventRow is e as EventValues'.
func EventRow(e callcenter.CallEvent) []any {
	return []any{e.Call, e.At.UnixMilli(), e.Kind, e.Operator, e.Spare, e.Offer, e.Text, e.Code,
		DurMS(e.RingTime), DurMS(e.TalkTime), e.HungUpBy, e.QueueAfter}
}

// The people's rows: clients, absences, spares and their use.
const (
	ClientUpsert = `
		INSERT INTO clients (number, manager_id, how, assigned_at, declined_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (number) DO UPDATE SET manager_id = excluded.manager_id, how = excluded.how,
			assigned_at = excluded.assigned_at, declined_at = excluded.declined_at`
	AbsenceDelete = `DELETE FROM absences WHERE id = ?`
	AbsenceUpsert = `
		INSERT INTO absences (id, operator_id, kind, from_date, to_date) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET operator_id = excluded.operator_id, kind = excluded.kind,
			from_date = excluded.from_date, to_date = excluded.to_date`
	SpareUpsert = `
		INSERT INTO spares (id, config) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config`
	SpareStatusUpsert = `
		INSERT INTO spare_status (spare_id, status) VALUES (?, ?) ON CONFLICT (spare_id) DO UPDATE SET status = excluded.status`
)

// ClientRow is c as ClientUpsert's values.
func ClientRow(c callcenter.Client) []any {
	return []any{c.Number, c.Manager, c.How, MSTime(c.AssignedAt), MSTime(c.DeclinedAt)}
}

// AbsenceRow is a as AbsenceUpsert's values.
func AbsenceRow(a callcenter.Absence) []any {
	return []any{a.ID, a.Operator, a.Kind, a.From, a.To}
}

// SpareRow is s as SpareUpsert's values.
func (d Dialect) SpareRow(s callcenter.Spare) []any { return []any{s.ID, d.jsonText(s)} }

// SpareStatusRow is s as SpareStatusUpsert's values.
func (d Dialect) SpareStatusRow(s callcenter.SpareStatus) []any {
	return []any{s.Spare, d.jsonText(s)}
}
