package routing

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// Ring-all: a ring_all queue's call is offered to several free operators at once, one offer
// (one lease, one dial) for each: its ring. The call stays offered while any leg is pending.
// The first leg answered gets the call and the others are cancelled (cc.OfferCancelled: not a
// miss, not a decline, nothing in the marks), each exactly once; a leg that fails, expires or
// is declined before that ends as it would alone, and the call goes back to its place in line
// when its last leg ended unanswered.

// reasonBeaten is why a leg of a ring was cancelled.
const reasonBeaten = cc.ReasonAnsweredElsewhere

// rings reports whether call c of queue q is rung to several operators at once: a ring_all
// queue's caller on the line (a callback's attempt starts a session for one operator).
func rings(q *cc.Queue, c *call) bool {
	return q.Strategy == cc.StrategyRingAll && !c.Callback.Virtual()
}

// ringSize is the most operators queue q rings at once for one call.
func ringSize(q *cc.Queue) int {
	if q.RingAtOnce <= 0 {
		return cc.DefaultRingAtOnce
	}
	return min(q.RingAtOnce, cc.MaxRingAtOnce)
}

// offerRing offers call c to the best of pool as r ranks them, up to ringSize(q), under a
// lease each, and tells the cloud to dial them all (ring_all). Each leg has its decision
// record, naming the others rung with it. It returns the operators rung, best first.
func (e *Engine) offerRing(now time.Time, q *cc.Queue, c *call, pool []*operator, r ranking) []*operator {
	var buf [cc.MaxRingAtOnce]int
	legs := ranked(pool, r, c.tried, -1, buf[:min(ringSize(q), len(pool))])
	ring := make([]*operator, len(legs))
	for k, i := range legs {
		ring[k] = pool[i]
	}
	offers := make([]*cc.Offer, len(ring))
	c.ring = make([]cc.OfferID, len(ring))
	rg := &ringing{ops: ring}
	e.out.Decisions = slices.Grow(e.out.Decisions, len(ring))
	e.out.Commands = slices.Grow(e.out.Commands, len(ring))
	for k, o := range ring {
		of := e.newOffer(now, q, c)
		of.Operator = o.cfg.ID
		rk := r
		rk.best = legs[k]
		e.decision(e.explain(now, q, c, of, pool, rk, rg)) // before any of them is marked tried
		offers[k], c.ring[k] = of, of.ID
	}
	c.Offer, c.Operator = offers[0].ID, ring[0].cfg.ID
	e.touchCall(c)
	for k, o := range ring {
		c.markTried(o.cfg.ID)
		e.setState(now, o, cc.OperatorReserved, "")
		o.st.Offer = offers[k].ID
		e.dial(c, offers[k], o.cfg.Contact, q.OfferTimeout)
	}
	return ring
}

// ringing is what the decision records of a ring's legs share: the operators rung, best
// first, and the account of the queue's operators left out of the pool, the same for every
// leg (worked out for the first).
type ringing struct {
	ops   []*operator
	top   []int // the best of the pool, enough for any leg's record to list the next best
	left  *leftOut
	texts []valueText // the pool's values in words, as the legs' records listed them
}

// ranked is ranked(pool, r, tried, r.best, top) for a leg of ring g (nil: an offer to one
// operator): the pool is ranked once for all the legs, the best len(top) plus as many as
// the ring rings, and each leg's record lists them but for its own operator.
func (g *ringing) ranked(pool []*operator, r ranking, tried map[cc.OperatorID]bool, top []int) []int {
	if g == nil {
		return ranked(pool, r, tried, r.best, top)
	}
	if g.top == nil {
		g.top = ranked(pool, r, tried, -1, make([]int, min(len(pool), len(top)+len(g.ops))))
	}
	n := 0
	for _, i := range g.top {
		if i != r.best && n < len(top) {
			top[n] = i
			n++
		}
	}
	return top[:n]
}

type valueText struct {
	i    int
	text string
}

// text is r.text(i), put in words once for all the legs of ring g (nil: r.text(i)): their
// records list mostly the same operators.
func (g *ringing) text(r ranking, i int) string {
	if g == nil {
		return r.text(i)
	}
	for _, t := range g.texts {
		if t.i == i {
			return t.text
		}
	}
	t := valueText{i, r.text(i)}
	g.texts = append(g.texts, t)
	return t.text
}

// leftOut is e.leftOut for a decision of ring g (nil: an offer to one operator), worked out
// once for all its legs; each leg's record gets a copy of the counts by reason.
func (g *ringing) leftOut(e *Engine, q *cc.Queue, c *call, chosen *operator, pool []*operator) leftOut {
	if g == nil {
		return e.leftOut(q, c, chosen, pool)
	}
	if g.left == nil {
		left := e.leftOut(q, c, chosen, pool)
		g.left = &left
		return left
	}
	left := *g.left
	left.byReason = maps.Clone(left.byReason)
	return left
}

// ringRule is the rule of a ring leg's decision record.
func ringRule(chosen *operator, ring []*operator, strategy cc.Strategy, value string, free int) string {
	if len(ring) == 1 {
		return fmt.Sprintf("%s ranks first by %s (%s) of %d free; rung alone: nobody else was free", chosen.cfg.Name, strategy, value, free)
	}
	others := make([]string, 0, len(ring)-1)
	for _, o := range ring {
		if o != chosen {
			others = append(others, o.cfg.Name)
		}
	}
	return fmt.Sprintf("%s ranks %d of %d rung at once by %s (%s) of %d free; rung together with %s: the first to answer gets the call",
		chosen.cfg.Name, slices.Index(ring, chosen)+1, len(ring), strategy, value, free, strings.Join(others, ", "))
}

// legs are call c's pending offers as the call knows them: its ring, or its one offer. A
// copy: settling a leg changes the ring.
func (c *call) legs() []cc.OfferID {
	if len(c.ring) > 0 {
		return slices.Clone(c.ring)
	}
	if c.Offer != "" {
		return []cc.OfferID{c.Offer}
	}
	return nil
}

// hasLeg reports whether offer id is call c's pending offer or a leg of its ring.
func (c *call) hasLeg(id cc.OfferID) bool {
	return id != "" && (c.Offer == id || slices.Contains(c.ring, id))
}

// ringGoesOn takes leg of, which ended unanswered, out of call c's ring, and reports whether
// other legs still ring: the call then stays offered, under one of them.
func (e *Engine) ringGoesOn(c *call, of *cc.Offer) bool {
	if len(c.ring) == 0 {
		return false
	}
	c.ring = slices.DeleteFunc(c.ring, func(id cc.OfferID) bool { return id == of.ID || e.offers[id] == nil })
	if len(c.ring) == 0 {
		c.ring = nil
		return false
	}
	if e.offers[c.Offer] == nil {
		next := e.offers[c.ring[0]]
		c.Offer, c.Operator = next.ID, next.Operator
	}
	return true
}

// cancelRing cancels the pending legs of call c's ring but winner's: another operator
// answered first. Each becomes OfferCancelled once (a settled leg is no longer pending), its
// operator is ready again at his old place among the idle (no miss, no mark), and the cloud
// is told to stop ringing him; an answer from him later is hung up (beaten).
func (e *Engine) cancelRing(now time.Time, c *call, winner cc.OfferID) {
	for _, id := range c.ring {
		of := e.offers[id]
		if id == winner || of == nil {
			continue
		}
		e.settle(now, of, cc.OfferCancelled, reasonBeaten)
		delete(c.late, id)
		if c.beaten == nil {
			c.beaten = map[cc.OfferID]bool{}
		}
		c.beaten[id] = true
		e.command(cc.Command{Type: cc.CommandCancel, Call: c.ID, AccessURL: c.AccessURL, Offer: id, Reason: reasonBeaten})
		if o := e.operators[of.Operator]; o != nil && o.st.State == cc.OperatorReserved && o.st.Offer == id {
			idle := o.st.IdleSince
			e.setState(now, o, cc.OperatorReady, reasonBeaten) // his app says why the ringing stopped
			o.st.IdleSince = idle
		}
	}
	c.ring = nil
}

// heardRing remembers that the cloud said the phone of offer id of call c rings; what it
// remembers of offers no longer pending goes.
func (e *Engine) heardRing(c *call, id cc.OfferID) {
	c.rang = slices.DeleteFunc(c.rang, func(x cc.OfferID) bool { return x == id || e.offers[x] == nil })
	c.rang = append(c.rang, id)
}

// ringLeg reports whether pending offer of, read from the store, is a leg of call c's ring:
// an operator's offer for the waiting call beside its offer, which is pending too.
func ringLeg(c *call, of *cc.Offer, pending map[cc.OfferID]bool) bool {
	return c.State == cc.CallWaiting && of.Operator != "" && c.Offer != "" && pending[c.Offer] && !c.Callback.Virtual()
}

// restoreRing files pending offer of, kept at Load, in the ring of its call when the call has
// more than one leg or its queue rings them all. A transfer's leg is rung alone.
func (e *Engine) restoreRing(c *call, of *cc.Offer) {
	if c.State != cc.CallWaiting || of.Operator == "" || c.Callback.Virtual() || c.Transfer.Active() && c.Transfer.Offer == of.ID {
		return
	}
	q := e.queues[c.Queue]
	if of.ID != c.Offer || len(c.ring) > 0 || q != nil && q.Strategy == cc.StrategyRingAll {
		if len(c.ring) == 0 && of.ID != c.Offer {
			c.ring = append(c.ring, c.Offer) // the call's own leg, whether read before or after
		}
		if !slices.Contains(c.ring, of.ID) {
			c.ring = append(c.ring, of.ID)
		}
	}
}
