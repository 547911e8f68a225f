package routing

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file overflows calls that waited too long with nobody free to spare numbers, under
// their limits.

type spare struct {
	cfg cc.Spare
	st  cc.SpareStatus
}

// use returns the spare's status with today's count of today (zero on a new day).
func (s *spare) use(now time.Time) cc.SpareStatus {
	st := s.st
	if d := now.In(s.cfg.Hours.Location()).Format(time.DateOnly); st.Day != d {
		st.Day, st.CallsToday = d, 0
	}
	return st
}

func (e *Engine) touchSpare(s *spare) {
	for i, u := range e.out.SpareUse {
		if u.Spare == s.cfg.ID {
			e.out.SpareUse[i] = s.st
			return
		}
	}
	e.out.SpareUse = append(e.out.SpareUse, s.st)
}

// PutSpare adds or changes a spare number (see Spare.Check).
func (e *Engine) PutSpare(now time.Time, sp cc.Spare) (cc.Changes, error) {
	sp, err := sp.Check()
	if err != nil {
		return e.fail(err)
	}
	s := e.spares[sp.ID]
	if s == nil {
		s = &spare{st: cc.SpareStatus{Spare: sp.ID}}
		e.spares[sp.ID] = s
	}
	s.cfg = sp
	e.out.Spares = append(e.out.Spares, sp)
	return e.finish(now), nil
}

// Spare returns a spare number and its use.
func (e *Engine) Spare(id cc.SpareID, now time.Time) (cc.Spare, cc.SpareStatus, bool) {
	s := e.spares[id]
	if s == nil {
		return cc.Spare{}, cc.SpareStatus{}, false
	}
	return s.cfg, s.use(now), true
}

// Spares lists the spare numbers by id.
func (e *Engine) Spares() []cc.Spare {
	var out []cc.Spare
	for _, s := range e.spares {
		out = append(out, s.cfg)
	}
	slices.SortFunc(out, func(a, b cc.Spare) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// spareCalls counts the spare offers and calls in progress, of queue q and overall.
func (e *Engine) spareCalls(q cc.QueueID) (ofQueue, overall int) {
	for _, c := range e.calls {
		if c.Spare != "" {
			overall++
			if c.Queue == q {
				ofQueue++
			}
		}
	}
	return ofQueue, overall
}

// spareBlocked says why spare s cannot take a call of queue q at now, or "".
func (e *Engine) spareBlocked(now time.Time, q *cc.Queue, s *spare, ofQueue, overall int) string {
	use := s.use(now)
	local := now.In(s.cfg.Hours.Location())
	switch {
	case s.cfg.Disabled:
		return "disabled"
	case slices.Contains(s.cfg.Holidays, local.Format(time.DateOnly)):
		return "holiday (" + local.Format(time.DateOnly) + ")"
	case !s.cfg.Hours.Within(now):
		return "forbidden hours (" + local.Format("Mon 15:04") + " there)"
	case now.Before(use.CooldownUntil):
		return "cooling down after a miss until " + use.CooldownUntil.In(local.Location()).Format("15:04:05")
	case use.Active >= max(s.cfg.MaxConcurrent, 1):
		return fmt.Sprintf("busy (%d at once)", use.Active)
	case s.cfg.DailyCap > 0 && use.CallsToday >= s.cfg.DailyCap:
		return fmt.Sprintf("daily cap reached (%d)", s.cfg.DailyCap)
	case q.Rules.Overflow.MaxAtOnce > 0 && ofQueue >= q.Rules.Overflow.MaxAtOnce:
		return fmt.Sprintf("the queue has %d spare calls at once already", ofQueue)
	case e.cfg.MaxSpareCalls > 0 && overall >= e.cfg.MaxSpareCalls:
		return fmt.Sprintf("%d spare calls at once overall already", overall)
	}
	return ""
}

// pickSpare chooses the spare of q's pool for a call at now, in the pool's order, and returns
// the record of every spare looked at. It returns nil when none may take the call.
func (e *Engine) pickSpare(now time.Time, q *cc.Queue) (*spare, []cc.Candidate) {
	ofQueue, overall := e.spareCalls(q.ID)
	var free []*spare
	var cands []cc.Candidate
	for _, id := range q.Rules.Overflow.Spares {
		s := e.spares[id]
		if s == nil {
			cands = append(cands, cc.Candidate{Spare: id, ExcludedBecause: "no such spare number"})
			continue
		}
		why := e.spareBlocked(now, q, s, ofQueue, overall)
		cands = append(cands, cc.Candidate{Spare: id, Eligible: why == "", ExcludedBecause: why, CallsToday: s.use(now).CallsToday})
		if why == "" {
			free = append(free, s)
		}
	}
	if len(free) == 0 {
		return nil, cands
	}
	pos := func(id cc.SpareID) int { return slices.Index(q.Rules.Overflow.Spares, id) }
	var best *spare
	switch q.Rules.Overflow.Order {
	case cc.SpareLeastUsed:
		best = slices.MinFunc(free, func(a, b *spare) int {
			return cmp.Or(cmp.Compare(a.use(now).CallsToday, b.use(now).CallsToday), cmp.Compare(pos(a.cfg.ID), pos(b.cfg.ID)))
		})
	case cc.SparePriority:
		best = slices.MinFunc(free, func(a, b *spare) int {
			return cmp.Or(cmp.Compare(b.cfg.Priority, a.cfg.Priority), cmp.Compare(pos(a.cfg.ID), pos(b.cfg.ID)))
		})
	default: // in turn: the first after the one used last
		last := pos(cc.SpareID(e.strat.cursors[spareCursor(q.ID)]))
		n := len(q.Rules.Overflow.Spares)
		best = slices.MinFunc(free, func(a, b *spare) int {
			return cmp.Compare((pos(a.cfg.ID)-last-1+n)%n, (pos(b.cfg.ID)-last-1+n)%n)
		})
	}
	return best, cands
}

// spareCursor is where a queue's in-turn spare pool stopped, kept with the round-robin cursors.
func spareCursor(q cc.QueueID) cc.QueueID { return "spare:" + q }

// overflow offers calls that waited past their queue's overflow threshold, and that no operator
// could take, to spare numbers.
func (e *Engine) overflow(now time.Time) {
	if !e.anyOverflow() {
		return
	}
	for _, c := range e.line() {
		q := e.queues[c.Queue]
		if q == nil || q.Rules.Overflow.After <= 0 || e.waitsForManager(now, c) || c.Callback.Virtual() {
			continue // a callback has nobody on the line to put through
		}
		waited := now.Sub(c.ArrivedAt)
		if waited < q.Rules.Overflow.After {
			if !q.Rules.Overflow.OnPredictedWait {
				continue
			}
			if w, ok := e.PredictedWait(c.ID); !ok || waited+w <= q.Rules.Overflow.After {
				continue
			}
		}
		s, cands := e.pickSpare(now, q)
		if s == nil {
			continue
		}
		e.offerSpare(now, q, c, s, cands)
	}
}

// anyOverflow reports whether some queue has an overflow rule.
func (e *Engine) anyOverflow() bool { return e.overflowing > 0 }

// offerSpare sends call c to spare s under a lease.
func (e *Engine) offerSpare(now time.Time, q *cc.Queue, c *call, s *spare, cands []cc.Candidate) {
	of := e.newOffer(now, q, c)
	of.Spare = s.cfg.ID
	e.decision(cc.Decision{
		Call: c.ID, Offer: of.ID, DecidedAt: now, Strategy: "overflow:" + cc.Strategy(cmp.Or(q.Rules.Overflow.Order, cc.SpareInTurn)), Spare: s.cfg.ID,
		Rule:       fmt.Sprintf("waited %s (overflow after %s%s) with no operator free: spare %s", fmtDuration(now.Sub(c.ArrivedAt)), fmtDuration(q.Rules.Overflow.After), predicted(e, c), s.cfg.Name),
		Candidates: cands,
	})
	c.Offer, c.Operator, c.Spare = of.ID, "", s.cfg.ID
	e.touchCall(c)
	st := s.use(now)
	st.Active++
	st.CallsToday++
	st.LastUsed = now
	s.st = st
	e.touchSpare(s)
	e.setCursor(spareCursor(q.ID), cc.OperatorID(s.cfg.ID))
	e.dial(c, of, s.cfg.Contact, q.OfferTimeout)
}

// spareDone frees a spare of one call; a miss also cools it down.
func (e *Engine) spareDone(now time.Time, id cc.SpareID, missed bool) {
	s := e.spares[id]
	if s == nil {
		return
	}
	st := s.use(now)
	st.Active = max(st.Active-1, 0)
	if missed {
		st.Misses++
		cool := s.cfg.Cooldown
		if cool <= 0 { // a spare loaded from the store unchecked
			cool = cc.DefaultSpareCooldown
		}
		st.CooldownUntil = now.Add(cool)
	}
	s.st = st
	e.touchSpare(s)
}

// PreviewOverflow says which spare a call of queue q overflowing at would go to, and why the
// others would not — without changing anything.
func (e *Engine) PreviewOverflow(q cc.QueueID, at time.Time) (cc.Decision, error) {
	queue := e.queues[q]
	if queue == nil {
		return cc.Decision{}, cc.NotFound("queue_id", "no queue %q", q)
	}
	d := cc.Decision{DecidedAt: at, Strategy: "overflow:" + cc.Strategy(cmp.Or(queue.Rules.Overflow.Order, cc.SpareInTurn))}
	if queue.Rules.Overflow.After <= 0 || len(queue.Rules.Overflow.Spares) == 0 {
		d.Rule = "queue " + string(q) + " has no overflow rule"
		return d, nil
	}
	s, cands := e.pickSpare(at, queue)
	d.Candidates = cands
	if s == nil {
		d.Rule = "no spare may take a call now: it would wait for an operator"
		return d, nil
	}
	d.Spare = s.cfg.ID
	d.Rule = "spare " + s.cfg.Name + " would take it"
	return d, nil
}

func predicted(e *Engine, c *call) string {
	if w, ok := e.PredictedWait(c.ID); ok {
		return ", predicted wait " + fmtDuration(w)
	}
	return ""
}
