package routing

import (
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// SetDisposition sets the disposition of a call in its operator's hands (he talks on it or
// wraps it up), replacing the one set before; see cc.CallDisposition.Check. by is the operator
// who sets it, "" for a supervisor. stored is the call as the store has it (nil when it does
// not know it): it names the operator of a call that has ended, whose wrap-up the engine holds.
func (e *Engine) SetDisposition(now time.Time, by cc.OperatorID, d cc.CallDisposition, stored *cc.Call) (cc.Changes, error) {
	var o *operator
	if by != "" {
		var err error
		if o, err = e.operatorOr404(by); err != nil {
			return e.fail(err)
		}
	}
	live := e.calls[d.Call]
	c := stored
	if live != nil {
		c = &live.Call
	}
	if o == nil && c != nil {
		o = e.operators[c.Operator]
	}
	var held *cc.Call // the operator's copy: the call he talks on, or the one he wraps up
	if o != nil {
		if h := e.callInHand(o); h != nil && h.ID == d.Call {
			held = h
		}
	}
	inHand := held != nil
	if held != nil {
		c = held
	}
	if c == nil {
		return e.fail(cc.NotFound("call_id", "no call %q", d.Call))
	}
	q := e.queues[c.Queue]
	if err := d.Check(*c, q, by, inHand); err != nil {
		return e.fail(err)
	}
	d.At = now
	if x, ok := q.DispositionOf(d.Code); ok {
		d.Label = x.Label
	}
	held.Disposition = d.Code
	if live != nil && &live.Call != held {
		live.Disposition = d.Code // a call he transferred on and still wraps up
	}
	e.touchStatus(o) // his view shows it
	e.out.Dispositions = append(e.out.Dispositions, d)
	return e.finish(now), nil
}

// needsDisposition says whether operator o, in wrap-up, must set the disposition of the call he
// wraps up before he is free again: its queue requires one (and has some) and none is set. A
// call the engine no longer holds, or a queue gone, never keeps him.
func (e *Engine) needsDisposition(o *operator) bool {
	if o.st.State != cc.OperatorWrapUp {
		return false
	}
	c := e.callInHand(o)
	return c != nil && c.Disposition == "" && e.queues[c.Queue].NeedsDisposition()
}

// wrapUpOver ends operator o's wrap-up as its time ran out: he is ready, unless the call's
// disposition is still needed; then he stays in wrap-up without an end (reason "disposition
// needed") until he sets it and presses Done.
func (e *Engine) wrapUpOver(now time.Time, o *operator) {
	if e.needsDisposition(o) {
		if !o.st.WrapUpEndsAt.IsZero() || o.st.Reason != cc.ReasonDispositionNeeded {
			o.st.WrapUpEndsAt, o.st.Reason = time.Time{}, cc.ReasonDispositionNeeded
			e.file(o)
			e.touchStatus(o)
		}
		return
	}
	e.setState(now, o, cc.OperatorReady, "")
	o.st.IdleSince = now
}

// releaseKept makes ready the operators kept in wrap-up for a disposition that is no longer
// needed: the queue stopped requiring one or lost its dispositions, or the call is gone. A
// fault of configuration (or of ours) never traps an operator in wrap-up.
func (e *Engine) releaseKept(now time.Time) {
	for _, o := range e.operators {
		if o.st.State == cc.OperatorWrapUp && o.st.WrapUpEndsAt.IsZero() && !e.needsDisposition(o) {
			e.wrapUpOver(now, o)
		}
	}
}
