package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Audit is what a database says, after a server was killed under load again and again, about
// the calls whose intake was acknowledged and about the offers it made. The chaos bench and the
// crash tests judge a run by it; it reads SQLite and PostgreSQL alike.
type Audit struct {
	Acknowledged int `json:"calls_acknowledged"`
	// Missing are acknowledged calls that are not in the database.
	Missing []string `json:"missing,omitempty"`
	// Unfinished are acknowledged calls still in an IVR menu, waiting or connected.
	Unfinished []string `json:"unfinished,omitempty"`
	// Dropped are acknowledged calls Tandem gave up on (state lost: it hung up on the caller).
	Dropped []string `json:"dropped,omitempty"`
	// CallStates counts the acknowledged calls by their final state.
	CallStates map[string]int `json:"calls_by_state"`
	// OfferStates counts every offer by its state.
	OfferStates map[string]int `json:"offers_by_state"`
	// DuplicateSessions are cloud sessions registered as more than one call: an intake retry
	// that was not answered with the first answer.
	DuplicateSessions []string `json:"duplicate_sessions,omitempty"`
	// OperatorDoubles are an operator's leases (an offer from offered to settled, a call from
	// answered to ended) that overlap for two different calls: he was offered two at once.
	OperatorDoubles []string `json:"operator_double_offers,omitempty"`
	// CallDoubles are a call's leases that overlap for two different offers: it was offered to
	// two operators at once.
	CallDoubles []string `json:"call_double_offers,omitempty"`
	// Broken are the live state's invariants that do not hold (a pending offer without its
	// reserved operator and the like).
	Broken []string `json:"broken,omitempty"`
	// Integrity is SQLite's PRAGMA integrity_check ("" on PostgreSQL).
	Integrity string `json:"integrity_check,omitempty"`
}

// Lost is how many acknowledged calls did not come to an end a caller would accept: missing,
// never finished, or dropped by Tandem.
func (a Audit) Lost(finished bool) int {
	n := len(a.Missing) + len(a.Dropped)
	if finished {
		n += len(a.Unfinished)
	}
	return n
}

// DoubleOffers is how many overlaps of leases the offers table shows.
func (a Audit) DoubleOffers() int { return len(a.OperatorDoubles) + len(a.CallDoubles) }

// Problems lists what is wrong, one line each; with finished, acknowledged calls that did not
// finish count too (a run that drained its calls), otherwise only those missing or dropped.
func (a Audit) Problems(finished bool) []string {
	var out []string
	list := func(what string, ids []string) {
		if len(ids) == 0 {
			return
		}
		shown := ids[:min(len(ids), 10)]
		more := ""
		if len(ids) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(ids)-len(shown))
		}
		out = append(out, fmt.Sprintf("%d %s: %s%s", len(ids), what, strings.Join(shown, ", "), more))
	}
	list("acknowledged calls missing from the database", a.Missing)
	if finished {
		list("acknowledged calls never finished", a.Unfinished)
	}
	list("acknowledged calls dropped by Tandem (state lost)", a.Dropped)
	list("sessions registered as two calls", a.DuplicateSessions)
	list("operators offered two calls at once", a.OperatorDoubles)
	list("calls offered to two operators at once", a.CallDoubles)
	out = append(out, a.Broken...)
	if a.Integrity != "" && a.Integrity != "ok" {
		out = append(out, "integrity_check: "+a.Integrity)
	}
	return out
}

// AuditStore reads db (driver "sqlite" or "pgx"), given the ids of the calls whose intake was
// acknowledged. It runs PRAGMA integrity_check on SQLite.
func AuditStore(ctx context.Context, db *sql.DB, driver string, acked []string) (Audit, error) {
	a := Audit{Acknowledged: len(acked), CallStates: map[string]int{}, OfferStates: map[string]int{}}
	if driver == "sqlite" {
		if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&a.Integrity); err != nil {
			return a, fmt.Errorf("integrity_check: %w", err)
		}
	}
	type callRow struct {
		state, session, operator string
		answered, ended          sql.NullInt64
	}
	calls := map[string]callRow{}
	sessions := map[string][]string{}
	rows, err := db.QueryContext(ctx, `SELECT id, state, session_id, operator_id, answered_at, ended_at FROM calls`)
	if err != nil {
		return a, err
	}
	for rows.Next() {
		var id string
		var c callRow
		if err := rows.Scan(&id, &c.state, &c.session, &c.operator, &c.answered, &c.ended); err != nil {
			rows.Close()
			return a, err
		}
		calls[id] = c
		if c.session != "" {
			sessions[c.session] = append(sessions[c.session], id)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return a, err
	}
	for _, id := range acked {
		c, ok := calls[id]
		switch {
		case !ok:
			a.Missing = append(a.Missing, id)
			continue
		case c.state == "in_menu" || c.state == "waiting" || c.state == "connected":
			a.Unfinished = append(a.Unfinished, id)
		case c.state == "lost":
			a.Dropped = append(a.Dropped, id)
		}
		a.CallStates[c.state]++
	}
	for s, ids := range sessions {
		if len(ids) > 1 {
			slices.Sort(ids)
			a.DuplicateSessions = append(a.DuplicateSessions, s+" ("+strings.Join(ids, ", ")+")")
		}
	}
	slices.Sort(a.DuplicateSessions)

	// Every lease: an offer holds its operator and its call from offered to settled (or for
	// good while pending); a connected call holds its operator from answered to ended.
	byOperator, byCall := map[string][]lease{}, map[string][]lease{}
	rows, err = db.QueryContext(ctx, `SELECT id, call_id, operator_id, state, offered_at, settled_at FROM offers`)
	if err != nil {
		return a, err
	}
	for rows.Next() {
		var id, call, operator, state string
		var offered, settled sql.NullInt64
		if err := rows.Scan(&id, &call, &operator, &state, &offered, &settled); err != nil {
			rows.Close()
			return a, err
		}
		a.OfferStates[state]++
		l := lease{what: "offer " + id, call: call, from: offered.Int64, to: math.MaxInt64, leg: operator != ""}
		if settled.Valid {
			l.to = settled.Int64
		}
		byCall[call] = append(byCall[call], l)
		if operator != "" {
			byOperator[operator] = append(byOperator[operator], l)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return a, err
	}
	for id, c := range calls {
		if c.operator == "" || !c.answered.Valid {
			continue
		}
		l := lease{what: "call " + id, call: id, from: c.answered.Int64, to: math.MaxInt64}
		if c.ended.Valid {
			l.to = c.ended.Int64
		}
		byOperator[c.operator] = append(byOperator[c.operator], l)
	}
	a.OperatorDoubles = overlaps(byOperator, func(x, y lease) bool { return x.call != y.call })
	// The legs of a ring_all offer hold their call together: operators' offers made at one
	// instant (the first answer settles the others at once).
	a.CallDoubles = overlaps(byCall, func(x, y lease) bool { return x.what != y.what && !(x.leg && y.leg && x.from == y.from) })

	for _, q := range []struct{ what, query string }{
		{"operator with two pending offers", `SELECT operator_id FROM offers WHERE state = 'pending' GROUP BY operator_id HAVING count(*) > 1`},
		{"call with two pending offers", `SELECT call_id FROM offers WHERE state = 'pending' GROUP BY call_id HAVING count(*) > 1 AND (count(DISTINCT offered_at) > 1 OR min(operator_id) = '')`}, // but a ring's legs
		{"pending offer of a finished call", `SELECT o.id FROM offers o JOIN calls c ON c.id = o.call_id WHERE o.state = 'pending' AND c.state NOT IN ('waiting')`},
		{"reserved operator without his pending offer", `SELECT s.operator_id FROM operator_status s LEFT JOIN offers o ON o.id = s.offer_id AND o.state = 'pending' WHERE s.state = 'reserved' AND o.id IS NULL`},
		{"pending offer whose operator is not reserved for it", `SELECT o.id FROM offers o JOIN operator_status s ON s.operator_id = o.operator_id WHERE o.state = 'pending' AND (s.state <> 'reserved' OR s.offer_id <> o.id)`},
		{"operator on two calls", `SELECT operator_id FROM calls WHERE state = 'connected' GROUP BY operator_id HAVING count(*) > 1`},
	} {
		var bad string
		err := db.QueryRowContext(ctx, q.query).Scan(&bad)
		if err == nil {
			a.Broken = append(a.Broken, q.what+": "+bad)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return a, fmt.Errorf("%s: %w", q.what, err)
		}
	}
	return a, nil
}

// lease is a time an offer or a call holds an operator or a call: [from, to) in unix ms.
type lease struct {
	what     string // "offer ID" or "call ID"
	call     string
	from, to int64
	leg      bool // an offer to an operator: a leg of a ring when others of its call share its from
}

// overlaps finds, for each holder's leases, the pairs that overlap in time and that clash
// says may not, each as one line ("holder: offer A [from, to) and offer B [from, to)").
func overlaps(by map[string][]lease, clash func(x, y lease) bool) []string {
	var out []string
	for holder, ls := range by {
		slices.SortFunc(ls, func(x, y lease) int { return int(min(max(x.from-y.from, -1), 1)) })
		for i, x := range ls {
			for _, y := range ls[i+1:] {
				if y.from >= x.to {
					break
				}
				// Half-open: a lease settled the millisecond it began ([t, t)) holds nothing,
				// though another began that millisecond.
				if y.to > x.from && clash(x, y) {
					out = append(out, fmt.Sprintf("%s: %s %s and %s %s", holder, x.what, span(x), y.what, span(y)))
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

func span(l lease) string {
	if l.to == math.MaxInt64 {
		return fmt.Sprintf("[%d, still held)", l.from)
	}
	return fmt.Sprintf("[%d, %d)", l.from, l.to)
}
