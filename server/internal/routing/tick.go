package routing

import (
	"slices"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// Tick carries out everything due by now: expired offers, wrap-ups and bans that end, operators
// whose app has been gone past the grace period, position announcements, and the sweeper.
func (e *Engine) Tick(now time.Time) cc.Changes {
	e.lastTick = now
	e.callsDueOK = false
	for _, of := range e.offers {
		if of.ExpiresAt.After(now) {
			continue
		}
		c := e.calls[of.Call]
		if of.Operator != "" && (c == nil || !slices.Contains(c.rang, of.ID)) {
			// The cloud never said his phone rang: whether the dial got lost, the reports did,
			// or Tandem restarted meanwhile, nobody knows he was called. Not his miss, and
			// nothing against his phone either.
			reason := "offer ended: no word from the cloud that his phone rang"
			if c != nil && slices.Contains(c.restored, of.ID) {
				reason = "offer ended: Tandem restarted while it rang"
			}
			e.notReached(now, c, of, reason, false, true)
			continue
		}
		e.settle(now, of, cc.OfferExpired, "no answer in time")
		var q *cc.Queue
		if c != nil {
			q = e.queues[c.Queue]
			e.returnToLine(c, of)
			e.command(cc.Command{Type: cc.CommandCancel, Call: c.ID, AccessURL: c.AccessURL, Offer: of.ID, Reason: "offer expired"})
		}
		if o := e.operators[of.Operator]; o != nil && o.st.Offer == of.ID {
			e.markMissed(now, o, q, "missed call: no answer")
		}
	}
	e.expireParties(now)
	for _, o := range e.timed.all() { // only they can have something due (indexOperator changes the set as the step ends)
		switch {
		case o.st.State == cc.OperatorWrapUp && !o.st.WrapUpEndsAt.IsZero() && !o.st.WrapUpEndsAt.After(now):
			e.wrapUpOver(now, o)
		case o.st.State == cc.OperatorBanned && !o.st.BannedUntil.After(now):
			e.setState(now, o, cc.OperatorAway, "ban over: press Ready")
		}
		if due, ok := e.logoffDue(o); ok && !due.After(now) {
			e.setState(now, o, cc.OperatorOffline, "app disconnected")
		}
	}
	e.exits(now)
	e.announce(now)
	e.offerCallbacks(now)
	e.sweep(now)
	return e.finish(now)
}

// scheduleAnnouncement sets when a waiting call next hears its position.
func (e *Engine) scheduleAnnouncement(c *call, now time.Time) {
	c.announceAt = time.Time{}
	if q := e.queues[c.Queue]; q != nil && q.Rules.AnnounceEvery > 0 {
		c.announceAt = now.Add(q.Rules.AnnounceEvery)
	}
}

// announce tells each waiting caller whose time has come his place in line.
func (e *Engine) announce(now time.Time) {
	for _, c := range e.calls {
		if c.announceAt.IsZero() || c.announceAt.After(now) || c.State != cc.CallWaiting || c.Callback.Virtual() {
			continue
		}
		e.scheduleAnnouncement(c, now)
		if c.Offer != "" {
			continue // being connected: no need to hear the line
		}
		w, trusted := e.ExpectedWait(c.ID, now)
		text := cc.PositionAnnouncement(e.Position(c.ID), w, trusted)
		e.command(cc.Command{Type: cc.CommandSay, Call: c.ID, AccessURL: c.AccessURL, Text: text})
	}
}

// sweep finds stuck states and mends them: calls the cloud stopped reporting on, operators
// reserved without a live offer or on a call that is not connected. The engine's own rules
// should never leave the last two; finding one is counted and logged as a bug.
func (e *Engine) sweep(now time.Time) {
	for _, c := range e.calls {
		if waitingCallback(c) {
			continue // nobody is on the line: its offers' leases bound its attempts
		}
		limit := e.cfg.StaleWaiting
		kind := "stale_waiting_call"
		if c.State == cc.CallConnected {
			limit, kind = e.cfg.StaleConnected, "stale_connected_call"
		}
		if now.Sub(c.lastHeard) >= limit {
			e.repair(cc.Repair{Kind: kind, Call: c.ID, Operator: c.Operator})
			e.lose(now, c, "no word from the cloud for "+fmtDuration(limit))
		}
	}
	for id, o := range e.operators {
		switch o.st.State {
		case cc.OperatorReserved:
			if c := e.calls[o.st.Call]; o.st.Offer == "" && c != nil && onParty(c, id) {
				break // reserved for a party leg of that call
			}
			if of := e.offers[o.st.Offer]; of == nil || of.Operator != id {
				e.repair(cc.Repair{Kind: "reserved_without_offer", Operator: id})
				e.setState(now, o, cc.OperatorReady, "")
			}
		case cc.OperatorOnCall:
			if c := e.calls[o.st.Call]; c == nil || c.State != cc.CallConnected || (c.Operator != id && !onParty(c, id) && !consulted(c, id)) {
				e.repair(cc.Repair{Kind: "on_call_without_call", Operator: id, Call: o.st.Call})
				e.setState(now, o, cc.OperatorReady, "")
				o.st.IdleSince = now
			}
		}
	}
}

func (e *Engine) repair(r cc.Repair) {
	e.repairs[r.Kind]++
	e.out.Repairs = append(e.out.Repairs, r)
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

// operatorDeadline is the earliest time Tick has something to do for o: his wrap-up or ban
// ends, or he is logged off.
func (e *Engine) operatorDeadline(o *operator) (time.Time, bool) {
	var next time.Time
	switch o.st.State {
	case cc.OperatorWrapUp:
		next = o.st.WrapUpEndsAt
	case cc.OperatorBanned:
		next = o.st.BannedUntil
	}
	if due, ok := e.logoffDue(o); ok && (next.IsZero() || due.Before(next)) {
		next = due
	}
	return next, !next.IsZero()
}

// NextDeadline is the earliest time Tick has something to do, if any.
func (e *Engine) NextDeadline() (time.Time, bool) {
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if !e.offersDueOK {
		e.offersDue, e.offersDueOK = time.Time{}, true
		for _, of := range e.offers {
			if !of.ExpiresAt.IsZero() && (e.offersDue.IsZero() || of.ExpiresAt.Before(e.offersDue)) {
				e.offersDue = of.ExpiresAt
			}
		}
	}
	consider(e.offersDue)
	for _, o := range e.timed.all() { // the operators with a deadline, not the whole fleet
		if due, ok := e.operatorDeadline(o); ok {
			consider(due)
		}
	}
	if !e.callsDueOK {
		e.callsDue, e.callsDueOK = e.callsDeadline(), true
	}
	consider(e.callsDue)
	consider(e.callbacksDue())
	consider(e.exitsDeadline(e.lastStep))
	return next, !next.IsZero()
}

// callDeadline is the earliest time Tick has something to do for call c alone (the
// announcement, the manager's hold, overflow, the sweeper), as NextDeadline judges it.
func (e *Engine) callDeadline(c *call) (time.Time, bool) {
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	soon := func(t time.Time) {
		if t.After(e.lastStep) {
			consider(t)
		}
	}
	consider(c.announceAt)
	consider(partyLeaseDue(c))
	if c.State == cc.CallWaiting && c.Offer == "" {
		if c.Manager != "" {
			soon(c.ManagerUntil)
		}
		if q := e.queues[c.Queue]; q != nil && q.Rules.Overflow.After > 0 && !c.Callback.Virtual() {
			soon(c.ArrivedAt.Add(q.Rules.Overflow.After))
		}
		soon(e.longestWaitDue(c))
		soon(e.callbackOfferDue(c))
	}
	switch {
	case c.State == cc.CallConnected:
		consider(c.lastHeard.Add(e.cfg.StaleConnected))
	case !waitingCallback(c):
		consider(c.lastHeard.Add(e.cfg.StaleWaiting))
	}
	return next, !next.IsZero()
}

// callsDeadline is the calls' part of NextDeadline, computed over every call.
func (e *Engine) callsDeadline() time.Time {
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	// Moments when a waiting call may go somewhere new: its manager's hold ends, it may
	// overflow. Once past (the last step saw them) they are not deadlines any more.
	soon := func(t time.Time) {
		if t.After(e.lastStep) {
			consider(t)
		}
	}
	overflowWait := false
	for id := range e.leased {
		if c := e.calls[id]; c != nil {
			consider(partyLeaseDue(c))
		}
	}
	for _, c := range e.calls {
		consider(c.announceAt)
		if c.State == cc.CallWaiting && c.Offer == "" {
			if c.Manager != "" {
				soon(c.ManagerUntil)
			}
			if q := e.queues[c.Queue]; q != nil && q.Rules.Overflow.After > 0 && !c.Callback.Virtual() {
				soon(c.ArrivedAt.Add(q.Rules.Overflow.After))
				overflowWait = true
			}
			soon(e.longestWaitDue(c))
			soon(e.callbackOfferDue(c))
		}
		switch {
		case c.State == cc.CallConnected:
			consider(c.lastHeard.Add(e.cfg.StaleConnected))
		case !waitingCallback(c):
			consider(c.lastHeard.Add(e.cfg.StaleWaiting))
		}
	}
	if overflowWait {
		// A spare's forbidden hours or cool-down may end at any time: look again each minute.
		for _, s := range e.spares {
			soon(s.st.CooldownUntil)
		}
		recheck := e.lastTick.Add(time.Minute)
		if recheck.Before(e.lastStep) {
			recheck = e.lastStep
		}
		consider(recheck)
	}
	return next
}
