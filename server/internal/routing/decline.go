package routing

import (
	"fmt"
	"slices"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// DeclineOffer ends a pending offer at its operator's word (see cc.Decline.Check): the offer
// settles declined, the cloud is told to stop ringing his phone, and the call goes back to its
// place for the next operator (he is not offered it again). A decline is not a miss: his answer
// rate, score, misses and bans stay; it counts in his declines, and the queue's
// AwayAfterDeclines of them in a row send him away. stored is the offer as the store has it,
// nil when the store does not know it; the engine holds only pending offers.
func (e *Engine) DeclineOffer(now time.Time, d cc.Decline, stored *cc.Offer) (cc.Changes, error) {
	of := e.offers[d.Offer]
	if of == nil {
		of = stored
	}
	if of == nil {
		return e.fail(cc.NotFound("offer_id", "no offer %q", d.Offer))
	}
	if err := d.Check(*of); err != nil {
		return e.fail(err)
	}
	o, err := e.operatorOr404(d.Operator)
	if err != nil {
		return e.fail(err)
	}
	reason := "declined by the operator"
	if d.Reason != "" {
		reason += ": " + d.Reason
	}
	e.settle(now, of, cc.OfferDeclined, reason)
	var q *cc.Queue
	if c := e.calls[of.Call]; c != nil {
		q = e.queues[c.Queue]
		e.returnToLine(c, of)
		delete(c.late, of.ID) // he said no: an answer from his phone after the cancel is not his to take
		c.declinedBy(o.cfg.ID)
		e.command(cc.Command{Type: cc.CommandCancel, Call: c.ID, AccessURL: c.AccessURL, Offer: of.ID, Reason: reason})
	}
	if o.st.State == cc.OperatorReserved && o.st.Offer == of.ID {
		e.markDeclined(now, o, q)
	}
	return e.finish(now), nil
}

// markDeclined records a declined offer of queue q and applies q's AwayAfterDeclines: away
// ("declined N offers in a row"; "declined an offer" when N is 1) when he reached it, the count starting afresh; else ready again
// at his old place among the idle.
func (e *Engine) markDeclined(now time.Time, o *operator, q *cc.Queue) {
	m := o.today(now)
	m.Declines++
	m.DeclinesToday++
	m.ConsecutiveDeclines++
	o.st.Marks = m
	if q != nil && q.Rules.AwayAfterDeclines > 0 && m.ConsecutiveDeclines >= q.Rules.AwayAfterDeclines {
		o.st.Marks.ConsecutiveDeclines = 0
		why := fmt.Sprintf("declined %d offers in a row", m.ConsecutiveDeclines)
		if m.ConsecutiveDeclines == 1 {
			why = "declined an offer"
		}
		e.setState(now, o, cc.OperatorAway, why)
		return
	}
	idle := o.st.IdleSince
	e.setState(now, o, cc.OperatorReady, "")
	o.st.IdleSince = idle
}

// withoutDecliners drops from pool, in place, the operators who declined call c.
func (c *call) withoutDecliners(pool []*operator) []*operator {
	if len(c.declined) == 0 {
		return pool
	}
	return slices.DeleteFunc(pool, func(o *operator) bool { return c.declined[o.cfg.ID] })
}

// declinedBy remembers that operator id declined call c: he is not offered it again.
func (c *call) declinedBy(id cc.OperatorID) {
	if c.declined == nil {
		c.declined = map[cc.OperatorID]bool{}
	}
	c.declined[id] = true
}

// restoreDeclines rebuilds from the stored declined offers whom each call in progress is not
// offered again. A blind transfer to a queue starts the call afresh (see TransferCall), so the
// declines before the latest one are left out.
func (e *Engine) restoreDeclines(declined []cc.Offer) {
	for _, of := range declined {
		c := e.calls[of.Call]
		if c == nil || of.Operator == "" {
			continue
		}
		if t := c.Transfer; t.Mode == cc.TransferBlind && t.Target.Queue != "" && of.OfferedAt.Before(t.StartedAt) {
			continue
		}
		c.declinedBy(of.Operator)
	}
}
