package routing

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// assign offers waiting calls to free operators until one of the two runs out. Calls go in line
// order: higher queue priority first, then the longest waiting. Each call goes to the operator
// its queue's strategy picks among the free operators who serve the queue.
func (e *Engine) assign(now time.Time) {
	free := map[cc.OperatorID]*operator{}
	for id, o := range e.operators {
		if eligible(o) == "" {
			free[id] = o
		}
	}
	if len(free) == 0 {
		return
	}
	for _, c := range e.line() {
		if len(free) == 0 {
			return
		}
		q := e.queues[c.Queue]
		if q == nil {
			continue
		}
		var pool []*operator
		for _, o := range free {
			if o.cfg.Serves(q.ID) {
				pool = append(pool, o)
			}
		}
		if len(pool) == 0 {
			continue
		}
		best := pickLongestIdle(pool, c.tried)
		e.offer(now, q, c, best)
		delete(free, best.cfg.ID)
	}
}

// eligible says why an operator cannot take an offer now, or "" if he can.
func eligible(o *operator) string {
	switch {
	case o.cfg.Disabled:
		return "disabled"
	case o.st.State != cc.OperatorReady:
		return string(o.st.State)
	case !o.present():
		return "no live app"
	}
	return ""
}

// line returns the waiting calls without an offer, in the order they are served.
func (e *Engine) line() []*call {
	var line []*call
	for _, c := range e.calls {
		if c.State == cc.CallWaiting && c.Offer == "" {
			line = append(line, c)
		}
	}
	slices.SortFunc(line, e.before)
	return line
}

// before orders calls: higher queue priority, then earlier arrival, then id.
func (e *Engine) before(a, b *call) int {
	pa, pb := 0, 0
	if q := e.queues[a.Queue]; q != nil {
		pa = q.Priority
	}
	if q := e.queues[b.Queue]; q != nil {
		pb = q.Priority
	}
	if pa != pb {
		return cmp.Compare(pb, pa)
	}
	if c := a.ArrivedAt.Compare(b.ArrivedAt); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// pickLongestIdle returns the operator idle the longest, preferring those not yet offered this
// call (a withdrawn or failed offer should move the call on to someone else).
func pickLongestIdle(pool []*operator, tried map[cc.OperatorID]bool) *operator {
	return slices.MinFunc(pool, func(a, b *operator) int {
		if ta, tb := tried[a.cfg.ID], tried[b.cfg.ID]; ta != tb {
			if ta {
				return 1
			}
			return -1
		}
		if c := a.st.IdleSince.Compare(b.st.IdleSince); c != 0 {
			return c
		}
		return cmp.Compare(a.cfg.ID, b.cfg.ID)
	})
}

// offer reserves operator o for call c under a new lease and tells the cloud to dial him.
func (e *Engine) offer(now time.Time, q *cc.Queue, c *call, o *operator) {
	of := &cc.Offer{
		ID:        cc.OfferID(e.cfg.NewID("offer")),
		Call:      c.ID,
		Operator:  o.cfg.ID,
		State:     cc.OfferPending,
		OfferedAt: now,
		ExpiresAt: now.Add(q.OfferTimeout + e.cfg.OfferSlack),
	}
	e.offers[of.ID] = of
	e.touchOffer(of)
	e.decision(e.explain(now, q, c, of, o))
	c.Offer, c.Operator = of.ID, o.cfg.ID
	c.tried[o.cfg.ID] = true
	e.touchCall(c)
	e.setState(now, o, cc.OperatorReserved, "")
	o.st.Offer = of.ID
	e.command(cc.Command{
		Type:      cc.CommandDial,
		Call:      c.ID,
		AccessURL: c.AccessURL,
		Offer:     of.ID,
		Contact:   o.cfg.Contact,
		Timeout:   q.OfferTimeout,
		CallerID:  c.CallerNumber,
	})
}

// explain builds the decision record: every operator of the queue, eligible or not, and why.
func (e *Engine) explain(now time.Time, q *cc.Queue, c *call, of *cc.Offer, chosen *operator) cc.Decision {
	var cands []cc.Candidate
	eligibleCount := 0
	for _, o := range e.operators {
		if !o.cfg.Serves(q.ID) {
			continue
		}
		why := eligible(o)
		if why == "" && c.tried[o.cfg.ID] && o != chosen {
			why = "already offered this call"
		}
		cand := cc.Candidate{Operator: o.cfg.ID, State: o.st.State, Eligible: why == "", ExcludedBecause: why}
		if why == "" {
			eligibleCount++
			cand.Idle = now.Sub(o.st.IdleSince)
		}
		cands = append(cands, cand)
	}
	slices.SortFunc(cands, func(a, b cc.Candidate) int { return cmp.Compare(a.Operator, b.Operator) })
	return cc.Decision{
		Call:       c.ID,
		Offer:      of.ID,
		DecidedAt:  now,
		Strategy:   cc.StrategyLongestIdle,
		Operator:   chosen.cfg.ID,
		Rule:       fmt.Sprintf("%s: ready the longest (idle %s) of %d eligible", chosen.cfg.Name, fmtDuration(now.Sub(chosen.st.IdleSince)), eligibleCount),
		Candidates: cands,
	}
}
