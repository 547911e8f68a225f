package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file reads what the supervisor's drill-down shows: ended calls by search, and an
// operator's states, events and scores over a time.

// outcomeWhere is the condition on calls of each outcome.
var outcomeWhere = map[callcenter.CallOutcome]string{
	callcenter.OutcomeAnswered:  `state = 'ended' AND answered_at IS NOT NULL AND spare_id = ''`,
	callcenter.OutcomeAbandoned: `state = 'abandoned'`,
	callcenter.OutcomeLost:      `state = 'lost'`,
	// The transfer column is callcenter.Transfer as JSON (transferText): a completed one handed
	// the caller on; a cancelled or failed one left him with the operator.
	callcenter.OutcomeTransferred: `transfer LIKE '%"State":"completed"%'`,
	callcenter.OutcomeAtSpare:     `state = 'ended' AND spare_id <> ''`,
	callcenter.OutcomeDeclined:    `EXISTS (SELECT 1 FROM offers WHERE offers.call_id = calls.id AND offers.state = 'declined')`,
	callcenter.OutcomeExited:      `exit_kind IN ('message', 'number')`,
}

// legsOf is the calls an operator (the three arguments) had a leg of: the one a call ended
// with, one who answered an offer of it (a transfer's both sides), one brought into it who
// joined. Read through the operator's indexes, then sorted: a year of one operator's calls is
// a short sort, where walking every call for his would read them all when he has few.
const legsOf = `SELECT id FROM calls WHERE operator_id = ?
	UNION ALL SELECT call_id FROM offers WHERE operator_id = ? AND state = 'answered'
	UNION ALL SELECT call_id FROM call_parties WHERE operator_id = ? AND joined_at IS NOT NULL`

// SearchCalls returns a page of the ended calls q matches, newest end first (ties by id). q
// must have passed Check.
func (db *DB) SearchCalls(ctx context.Context, q callcenter.CallQuery) ([]callcenter.Call, error) {
	query, args := SearchCallsQuery(q)
	var out []callcenter.Call
	err := db.c.Read(ctx, func(tx Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanCall, query, args...)
		return err
	})
	if err != nil {
		return nil, db.d.errorf("search calls: %w", err)
	}
	return out, nil
}

// SearchCallsQuery is SearchCalls' statement for q, and its arguments: it walks calls_ended
// newest first until the page is full.
func SearchCallsQuery(q callcenter.CallQuery) (string, []any) {
	// Only an ended, abandoned or lost call has an end time (routing sets it with the state).
	where := []string{`ended_at IS NOT NULL`}
	var args []any
	if q.Number != "" {
		pattern := likeEscape(q.Number) + "%"
		if q.NumberContains {
			pattern = "%" + pattern
		}
		where, args = append(where, `caller_number LIKE ? ESCAPE '\'`), append(args, pattern)
	}
	if q.Operator != "" {
		// Any operator who had a leg of the call, not only the one it ended with.
		where, args = append(where, `id IN (`+legsOf+`)`), append(args, q.Operator, q.Operator, q.Operator)
	}
	if q.Queue != "" {
		where, args = append(where, `queue_id = ?`), append(args, q.Queue)
	}
	if !q.From.IsZero() {
		where, args = append(where, `ended_at >= ?`), append(args, q.From.UnixMilli())
	}
	if !q.To.IsZero() {
		where, args = append(where, `ended_at < ?`), append(args, q.To.UnixMilli())
	}
	if q.Outcome != "" {
		where = append(where, `(`+outcomeWhere[q.Outcome]+`)`)
	}
	if q.Disposition != "" {
		where, args = append(where, `disposition = ?`), append(args, q.Disposition)
	}
	switch q.ExitKind {
	case "":
	case callcenter.ExitAny:
		where = append(where, `exit_kind <> ''`)
	default:
		where, args = append(where, `exit_kind = ?`), append(args, q.ExitKind)
	}
	if q.After.Call != "" {
		at := q.After.EndedAt.UnixMilli()
		where, args = append(where, `(ended_at < ? OR (ended_at = ? AND id < ?))`), append(args, at, at, q.After.Call)
	}
	query := `SELECT ` + callColumns + ` FROM calls WHERE ` + strings.Join(where, ` AND `) +
		` ORDER BY ended_at DESC, id DESC LIMIT ?`
	return query, append(args, q.Limit)
}

// OperatorStates returns the states op entered in [from, to), oldest first, and the one he was
// in at from (entered before it), so a day's strip starts with what he was doing.
func (db *DB) OperatorStates(ctx context.Context, op callcenter.OperatorID, from, to time.Time) ([]callcenter.StateSpan, error) {
	lo, hi := from.UnixMilli(), to.UnixMilli()
	scan := func(s Scanner) (callcenter.StateSpan, error) {
		x := callcenter.StateSpan{Operator: op}
		var since int64
		err := s.Scan(&since, &x.State, &x.Reason)
		x.Since = time.UnixMilli(since).UTC()
		return x, err
	}
	var out []callcenter.StateSpan
	err := db.c.Read(ctx, func(tx Tx) error {
		before, err := queryAll(ctx, tx, scan, `SELECT since, state, reason FROM operator_states
			WHERE operator_id = ? AND since < ? ORDER BY since DESC LIMIT 1`, op, lo)
		if err != nil {
			return err
		}
		in, err := queryAll(ctx, tx, scan, `SELECT since, state, reason FROM operator_states
			WHERE operator_id = ? AND since >= ? AND since < ? ORDER BY since`, op, lo, hi)
		out = append(before, in...)
		return err
	})
	if err != nil {
		return nil, db.d.errorf("states of operator %q: %w", op, err)
	}
	return out, nil
}

// OperatorEvents returns the call events that name op in [from, to), oldest first: his offers,
// answers, misses and calls ended.
func (db *DB) OperatorEvents(ctx context.Context, op callcenter.OperatorID, from, to time.Time) ([]callcenter.CallEvent, error) {
	var out []callcenter.CallEvent
	err := db.c.Read(ctx, func(tx Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT call_id, at, kind, spare_id, offer_id, text, code, ring_ms,
			talk_ms, hung_up_by, queue_id, party_id FROM call_events WHERE operator_id = ? AND operator_id <> ''
			AND at >= ? AND at < ? ORDER BY at, `+db.d.Seq, op, from.UnixMilli(), to.UnixMilli())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e := callcenter.CallEvent{Operator: op}
			var at, ring, talk int64
			if err := rows.Scan(&e.Call, &at, &e.Kind, &e.Spare, &e.Offer, &e.Text, &e.Code, &ring, &talk,
				&e.HungUpBy, &e.QueueAfter, &e.Party); err != nil {
				return err
			}
			e.At, e.RingTime, e.TalkTime = time.UnixMilli(at).UTC(), msDur(ring), msDur(talk)
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, db.d.errorf("events of operator %q: %w", op, err)
	}
	return out, nil
}

// DayScores returns op's score per UTC day for the days in [from, to), oldest first; days
// on which his status never changed have no row.
func (db *DB) DayScores(ctx context.Context, op callcenter.OperatorID, from, to time.Time) ([]callcenter.DayScore, error) {
	lo, hi := from.UTC().Unix()/86400, (to.UTC().Unix()+86399)/86400
	var out []callcenter.DayScore
	err := db.c.Read(ctx, func(tx Tx) error {
		var err error
		out, err = queryAll(ctx, tx, func(s Scanner) (callcenter.DayScore, error) {
			x := callcenter.DayScore{Operator: op}
			var at int64
			err := s.Scan(&x.Day, &at, &x.Score.Points, &x.Score.LostToMisses, &x.Score.LostToSlowAnswers)
			x.At = time.UnixMilli(at).UTC()
			return x, err
		}, `SELECT day, at, points, lost_to_misses, lost_to_slow_answers FROM operator_scores
			WHERE operator_id = ? AND day >= ? AND day < ? ORDER BY day`, op, lo, hi)
		return err
	})
	if err != nil {
		return nil, db.d.errorf("scores of operator %q: %w", op, err)
	}
	return out, nil
}

// Voicemails returns a page of the voicemails q matches, newest arrival first (ties by id),
// each with the latest callback attempt filed to answer it and the operator its pending offer
// rings. q must have passed Check.
func (db *DB) Voicemails(ctx context.Context, q callcenter.VoicemailQuery) ([]callcenter.Voicemail, error) {
	// calls_voicemail (arrived_at, where a message was left) walks them newest first.
	where := []string{`voicemail_url <> ''`, `arrived_at >= ?`, `arrived_at < ?`}
	args := []any{q.From.UnixMilli(), q.To.UnixMilli()}
	if q.Queue != "" {
		where, args = append(where, `queue_id = ?`), append(args, q.Queue)
	}
	if q.After.Call != "" {
		at := q.After.EndedAt.UnixMilli()
		where, args = append(where, `(arrived_at < ? OR (arrived_at = ? AND id < ?))`), append(args, at, at, q.After.Call)
	}
	var out []callcenter.Voicemail
	err := db.c.Read(ctx, func(tx Tx) error {
		out = nil
		calls, err := queryAll(ctx, tx, scanCall, `SELECT `+callColumns+` FROM calls WHERE `+strings.Join(where, ` AND `)+
			` ORDER BY arrived_at DESC, id DESC LIMIT ?`, append(args, q.Limit)...)
		if err != nil || len(calls) == 0 {
			return err
		}
		at := make(map[callcenter.CallID]int, len(calls))
		ids := make([]any, 0, len(calls))
		for i, c := range calls {
			at[c.ID] = i
			ids = append(ids, c.ID)
			out = append(out, callcenter.Voicemail{Call: c})
		}
		// Every attempt of each: a few per message. The partial index calls_callback_of serves
		// only a query that says callback_of <> ''.
		attempts, err := queryAll(ctx, tx, scanCall, `SELECT `+callColumns+` FROM calls WHERE callback_of <> '' AND callback_of IN (`+marks(len(ids))+`)`, ids...)
		if err != nil {
			return err
		}
		for i, a := range attempts {
			v := &out[at[a.Callback.Of]]
			if v.Latest == nil || a.Callback.Attempt > v.Latest.Callback.Attempt {
				v.Latest = &attempts[i]
			}
		}
		var offers []any
		for _, v := range out {
			if v.Latest != nil && v.Latest.State == callcenter.CallWaiting && v.Latest.Offer != "" {
				offers = append(offers, v.Latest.Offer)
			}
		}
		if len(offers) == 0 {
			return nil
		}
		pending, err := queryAll(ctx, tx, scanOffer, `SELECT `+offerColumns+` FROM offers WHERE id IN (`+marks(len(offers))+`)`, offers...)
		if err != nil {
			return err
		}
		ringing := map[callcenter.OfferID]callcenter.OperatorID{}
		for _, of := range pending {
			if of.State == callcenter.OfferPending {
				ringing[of.ID] = of.Operator
			}
		}
		for i := range out {
			if l := out[i].Latest; l != nil {
				out[i].Offered = ringing[l.Offer]
			}
		}
		return nil
	})
	if err != nil {
		return nil, db.d.errorf("voicemails: %w", err)
	}
	return out, nil
}

// marks is n placeholders for an IN list.
func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }
