package routing

import (
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// Tick carries out everything due by now: expired offers, wrap-ups that end, operators whose
// app has been gone past the grace period.
func (e *Engine) Tick(now time.Time) cc.Changes {
	for _, of := range e.offers {
		if of.ExpiresAt.After(now) {
			continue
		}
		c := e.calls[of.Call]
		e.settle(now, of, cc.OfferExpired, "no answer in time")
		if c != nil {
			e.returnToLine(c)
			e.command(cc.Command{Type: cc.CommandCancel, Call: c.ID, AccessURL: c.AccessURL, Offer: of.ID, Reason: "offer expired"})
		}
		if o := e.operators[of.Operator]; o != nil && o.st.Offer == of.ID {
			e.setState(now, o, cc.OperatorAway, "missed call: no answer")
		}
	}
	for _, o := range e.operators {
		switch {
		case o.st.State == cc.OperatorWrapUp && !o.st.WrapUpEndsAt.After(now):
			e.setState(now, o, cc.OperatorReady, "")
			o.st.IdleSince = now
		}
		if due, ok := e.logoffDue(o); ok && !due.After(now) {
			e.setState(now, o, cc.OperatorOffline, "app disconnected")
		}
	}
	return e.finish(now)
}

// logoffDue is when an absent operator is logged off, if he will be.
func (e *Engine) logoffDue(o *operator) (time.Time, bool) {
	if o.present() || o.absentSince.IsZero() {
		return time.Time{}, false
	}
	switch o.st.State {
	case cc.OperatorReady, cc.OperatorAway, cc.OperatorWrapUp:
		return o.absentSince.Add(e.cfg.PresenceGrace), true
	}
	return time.Time{}, false
}

// NextDeadline is the earliest time Tick has something to do, if any.
func (e *Engine) NextDeadline() (time.Time, bool) {
	var next time.Time
	consider := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	for _, of := range e.offers {
		consider(of.ExpiresAt)
	}
	for _, o := range e.operators {
		if o.st.State == cc.OperatorWrapUp {
			consider(o.st.WrapUpEndsAt)
		}
		if due, ok := e.logoffDue(o); ok {
			consider(due)
		}
	}
	return next, !next.IsZero()
}
