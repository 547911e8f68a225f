package routing

import (
	"slices"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file keeps a call's third legs: parties its operator adds (a contact, or another
// operator reserved for the leg under a lease and marked like any offer) and a supervisor who
// monitors it. The cloud mixes the media by each party's mode; the engine keeps who is on the
// call, in which mode, and frees the operators brought in when their leg or the call ends.

// partyRingDefault is how long a party's phone rings when the call's queue does not say.
const partyRingDefault = 30 * time.Second

// AddToCall brings a third party into call id at the request of its operator by: contact, or
// the operator named (ready and free: he is reserved for the leg until it is answered, fails or
// its lease runs out). stored is the call as the store has it (nil when it does not know it),
// so that a call that already ended is refused as such rather than as unknown.
func (e *Engine) AddToCall(now time.Time, id cc.CallID, by cc.OperatorID, contact cc.Contact, target cc.OperatorID, stored *cc.Call) (cc.Party, cc.Changes, error) {
	c, err := e.liveCall(id, stored, func(c cc.Call) error { return c.CheckAddParty(by) })
	if err != nil {
		_, err = e.fail(err)
		return cc.Party{}, cc.Changes{}, err
	}
	p := cc.Party{ID: cc.PartyID(e.cfg.NewID("party")), Call: c.ID, Mode: cc.PartyConference, State: cc.PartyDialing, AddedBy: string(by), InvitedAt: now}
	ring := partyRingDefault
	q := e.queues[c.Queue]
	if q != nil && q.OfferTimeout > 0 {
		ring = q.OfferTimeout
	}
	var o *operator
	switch {
	case target != "" && contact != (cc.Contact{}):
		err = cc.Invalid("operator_id", "give either contact or operator_id, not both")
	case target != "":
		if o, err = e.operatorOr404(target); err == nil {
			err = cc.CheckPartyOperator(c.Call, by, o.cfg, o.st, o.present())
		}
		if err != nil {
			break
		}
		if why := eligible(o); why != "" {
			err = &cc.Error{Code: cc.CodeFailedPrecondition, Field: "operator_id", Message: "operator " + o.cfg.Name + " cannot take a call now: " + why}
		}
		if err == nil {
			p.Operator, p.Contact, p.ExpiresAt = o.cfg.ID, o.cfg.Contact, now.Add(ring+e.cfg.OfferSlack)
		}
	case contact == (cc.Contact{}):
		err = cc.Invalid("contact", "required: a contact or an operator_id to add")
	default:
		err = cc.CheckPartyContact("contact", contact)
		p.Contact = contact
	}
	if err != nil {
		_, err = e.fail(err)
		return cc.Party{}, cc.Changes{}, err
	}
	if o != nil {
		idle := o.st.IdleSince
		e.setState(now, o, cc.OperatorReserved, "")
		o.st.Call, o.st.IdleSince = c.ID, idle
		e.leased[c.ID] = true
		e.callsDueOK = false
	}
	e.putParty(c, p)
	e.command(cc.Command{Type: cc.CommandAddParty, Call: c.ID, AccessURL: c.AccessURL, Party: p.ID, Contact: p.Contact, PartyMode: p.Mode, Timeout: ring, CallerID: c.CallerNumber})
	return p, e.finish(now), nil
}

// RemoveFromCall ends party pid's leg on call id: its operator may remove the parties he
// added, a supervisor (bySupervisor) any of them. A party whose leg ended already changes
// nothing.
func (e *Engine) RemoveFromCall(now time.Time, id cc.CallID, pid cc.PartyID, by cc.OperatorID, bySupervisor bool, stored *cc.Call) (cc.Changes, error) {
	c, err := e.liveCall(id, stored, func(c cc.Call) error {
		if !bySupervisor && (c.Operator != by || c.AnsweredAt.IsZero()) {
			return &cc.Error{Code: cc.CodePermissionDenied, Field: "call_id", Message: "call " + string(c.ID) + " is not yours: you may remove people only from the call you talk on"}
		}
		return nil
	})
	if err != nil {
		return e.fail(err)
	}
	p, ok := c.PartyOf(pid)
	switch {
	case !ok:
		return e.fail(cc.NotFound("party_id", "call %s has no party %q", id, pid))
	case p.Monitor && !bySupervisor:
		return e.fail(&cc.Error{Code: cc.CodePermissionDenied, Field: "party_id", Message: "a supervisor's monitoring is his to stop"})
	case p.State.Over():
		return e.finish(now), nil
	}
	who := "the operator"
	if bySupervisor {
		who = "a supervisor"
	}
	e.dropParty(now, c, p, "removed by "+who)
	return e.finish(now), nil
}

// MonitorCall rings supervisor (an API key's name) into call id in mode, at contact; or, when
// the call is monitored already, switches that monitor to mode without dialing again. A call
// has one monitor at a time; the same mode again changes nothing.
func (e *Engine) MonitorCall(now time.Time, id cc.CallID, mode cc.PartyMode, contact cc.Contact, supervisor string, stored *cc.Call) (cc.Party, cc.Changes, error) {
	c, err := e.liveCall(id, stored, func(c cc.Call) error { return c.CheckMonitor(mode) })
	if err != nil {
		_, err = e.fail(err)
		return cc.Party{}, cc.Changes{}, err
	}
	if m, ok := c.Monitoring(); ok {
		if m.Mode == mode {
			return m, e.finish(now), nil
		}
		m.Mode = mode
		e.putParty(c, m)
		e.command(cc.Command{Type: cc.CommandPartyMode, Call: c.ID, AccessURL: c.AccessURL, Party: m.ID, PartyMode: mode})
		return m, e.finish(now), nil
	}
	switch {
	case contact == (cc.Contact{}):
		err = cc.Invalid("contact", "required: where to ring you (your phone, SIP URI or Voximplant user)")
	case c.LiveParties() >= cc.MaxParties:
		err = &cc.Error{Code: cc.CodeFailedPrecondition, Field: "call_id", Message: "the call has as many parties as it may have"}
	default:
		err = cc.CheckPartyContact("contact", contact)
	}
	if err != nil {
		_, err = e.fail(err)
		return cc.Party{}, cc.Changes{}, err
	}
	p := cc.Party{ID: cc.PartyID(e.cfg.NewID("party")), Call: c.ID, Mode: mode, State: cc.PartyDialing, Contact: contact, AddedBy: supervisor, Monitor: true, InvitedAt: now}
	e.putParty(c, p)
	e.command(cc.Command{Type: cc.CommandAddParty, Call: c.ID, AccessURL: c.AccessURL, Party: p.ID, Contact: contact, PartyMode: mode, Timeout: partyRingDefault, CallerID: c.CallerNumber})
	return p, e.finish(now), nil
}

// StopMonitor ends the monitoring of call id; a call nobody monitors changes nothing.
func (e *Engine) StopMonitor(now time.Time, id cc.CallID, stored *cc.Call) (cc.Changes, error) {
	c, err := e.liveCall(id, stored, func(c cc.Call) error {
		if c.State != cc.CallConnected {
			return &cc.Error{Code: cc.CodeFailedPrecondition, Field: "call_id", Message: "call " + string(c.ID) + " is " + string(c.State) + ": nothing to monitor"}
		}
		return nil
	})
	if err != nil {
		return e.fail(err)
	}
	if m, ok := c.Monitoring(); ok {
		e.dropParty(now, c, m, "monitoring stopped")
	}
	return e.finish(now), nil
}

// PartyUndelivered ends a party leg whose add_party the scenario did not carry out, or takes
// back a mode switch it did not make: the requester sees it on the call's parties. An operator
// brought in is free again, without a miss: his phone never rang.
func (e *Engine) PartyUndelivered(now time.Time, cmd cc.Command, reason string) cc.Changes {
	c := e.calls[cmd.Call]
	if c == nil {
		return e.finish(now)
	}
	p, ok := c.PartyOf(cmd.Party)
	if !ok || p.State.Over() {
		return e.finish(now)
	}
	switch cmd.Type {
	case cc.CommandAddParty:
		e.partyOver(now, c, p, cc.PartyFailed, string(cmd.Type)+" failed: "+reason, false)
	case cc.CommandPartyMode:
		// The scenario kept the old mixing: the monitor is where it was. Which mode that was is
		// not in the command, so the leg is ended rather than shown in a mode it is not in.
		e.partyOver(now, c, p, cc.PartyLeft, string(cmd.Type)+" failed: "+reason, false)
		e.command(cc.Command{Type: cc.CommandDropParty, Call: c.ID, AccessURL: c.AccessURL, Party: p.ID, Reason: "mode switch failed"})
	}
	return e.finish(now)
}

// partyEvent applies a cloud event about one of call c's party legs. Events about a leg that
// moved past them change nothing.
func (e *Engine) partyEvent(now time.Time, c *call, ev cc.CloudEvent) {
	p, ok := c.PartyOf(ev.Party)
	if !ok || p.State.Over() {
		return
	}
	switch ev.Kind {
	case cc.CloudPartyRinging:
		if p.State == cc.PartyDialing && !p.Rang {
			p.Rang = true
			e.putParty(c, p)
		}
	case cc.CloudPartyJoined:
		if p.State != cc.PartyDialing {
			return
		}
		p.State, p.JoinedAt = cc.PartyJoined, now
		e.putParty(c, p)
		if o := e.partyOperator(c, p, cc.OperatorReserved); o != nil {
			e.markAnswered(now, o, ev.RingTime)
			e.setState(now, o, cc.OperatorOnCall, "")
			o.st.Call = c.ID
		}
		e.unlease(c)
	case cc.CloudPartyFailed:
		why := missReason(ev.Code, ev.Reason)
		if p.State == cc.PartyJoined { // a joined leg that fails has left
			e.partyOver(now, c, p, cc.PartyLeft, why, false)
			return
		}
		e.partyOver(now, c, p, cc.PartyFailed, why, cc.PhoneReached(ev.Code, p.Rang))
	case cc.CloudPartyLeft:
		if p.State == cc.PartyDialing {
			e.partyOver(now, c, p, cc.PartyFailed, "hung up before answering", false)
			return
		}
		e.partyOver(now, c, p, cc.PartyLeft, "hung up", false)
	}
}

// dropParty tells the cloud to hang up a live party leg and ends it.
func (e *Engine) dropParty(now time.Time, c *call, p cc.Party, reason string) {
	e.command(cc.Command{Type: cc.CommandDropParty, Call: c.ID, AccessURL: c.AccessURL, Party: p.ID, Reason: reason})
	state := cc.PartyLeft
	if p.State == cc.PartyDialing {
		state = cc.PartyFailed
	}
	e.partyOver(now, c, p, state, reason, false)
}

// partyOver ends party leg p in state (left or failed) and frees the operator brought in: a
// leg whose phone was reached and not answered (missed) is his miss; any other end is not.
func (e *Engine) partyOver(now time.Time, c *call, p cc.Party, state cc.PartyState, reason string, missed bool) {
	reserved := e.partyOperator(c, p, cc.OperatorReserved)
	p.State, p.LeftAt, p.Reason, p.Missed = state, now, reason, missed && reserved != nil // as his marks count it
	e.putParty(c, p)
	e.unlease(c)
	if o := reserved; o != nil {
		if missed {
			e.markMissed(now, o, e.queues[c.Queue], "missed call: "+reason)
			return
		}
		idle := o.st.IdleSince
		e.setState(now, o, cc.OperatorReady, "")
		o.st.IdleSince = idle
		return
	}
	if o := e.partyOperator(c, p, cc.OperatorOnCall); o != nil {
		e.setState(now, o, cc.OperatorReady, "")
		o.st.IdleSince = now
	}
}

// endParties ends every live party leg of a call that ends: the cloud hangs them up with it.
func (e *Engine) endParties(now time.Time, c *call, reason string) {
	for _, p := range c.Parties {
		if !p.State.Over() {
			state := cc.PartyLeft
			if p.State == cc.PartyDialing {
				state = cc.PartyFailed
			}
			e.partyOver(now, c, p, state, reason, false)
		}
	}
}

// expireParties ends the operator legs whose lease ran out by now: one whose phone rang is
// his miss; one the cloud never said rang is nobody's (nobody knows he was called).
func (e *Engine) expireParties(now time.Time) {
	for id := range e.leased {
		c := e.calls[id]
		if c == nil {
			delete(e.leased, id)
			continue
		}
		for _, p := range c.Parties {
			if p.Operator == "" || p.State != cc.PartyDialing || p.ExpiresAt.After(now) {
				continue
			}
			e.command(cc.Command{Type: cc.CommandDropParty, Call: c.ID, AccessURL: c.AccessURL, Party: p.ID, Reason: "lease expired"})
			if p.Rang {
				e.partyOver(now, c, p, cc.PartyFailed, "no answer in time", true)
			} else {
				e.partyOver(now, c, p, cc.PartyFailed, "no word from the cloud that his phone rang", false)
			}
		}
	}
}

// partyLeaseDue is the earliest lease of a dialing operator leg of call c.
func partyLeaseDue(c *call) time.Time {
	var due time.Time
	for _, p := range c.Parties {
		if p.Operator != "" && p.State == cc.PartyDialing && (due.IsZero() || p.ExpiresAt.Before(due)) {
			due = p.ExpiresAt
		}
	}
	return due
}

// unlease forgets call c among those with an operator leg's lease once it has none.
func (e *Engine) unlease(c *call) {
	if partyLeaseDue(c).IsZero() {
		delete(e.leased, c.ID)
	}
}

// partyOperator is the operator brought in as party p while he is in state for c, or nil.
func (e *Engine) partyOperator(c *call, p cc.Party, state cc.OperatorState) *operator {
	o := e.operators[p.Operator]
	if p.Operator == "" || o == nil || o.st.State != state || o.st.Call != c.ID || o.st.Offer != "" {
		return nil
	}
	return o
}

// onParty reports whether operator id is on call c as a party leg (dialing or joined).
func onParty(c *call, id cc.OperatorID) bool {
	for _, p := range c.Parties {
		if p.Operator == id && !p.State.Over() {
			return true
		}
	}
	return false
}

// putParty stores party p on call c: the slice is replaced, never changed in place, since the
// step's changes hold the old one.
func (e *Engine) putParty(c *call, p cc.Party) {
	parties := slices.Clone(c.Parties)
	i := slices.IndexFunc(parties, func(x cc.Party) bool { return x.ID == p.ID })
	if i < 0 {
		parties = append(parties, p)
	} else {
		parties[i] = p
	}
	c.Parties = parties
	e.touchCall(c)
	if o := e.operators[c.Operator]; o != nil && o.st.Call == c.ID {
		e.touchStatus(o) // his app shows the call's parties
	}
}

// liveCall finds call id in progress and checks it with check; a call the engine no longer
// holds is checked as stored (an ended call is refused by check, or as not in progress). On
// a refusal the call is returned too when it is in progress.
func (e *Engine) liveCall(id cc.CallID, stored *cc.Call, check func(cc.Call) error) (*call, error) {
	c := e.calls[id]
	if c == nil {
		if stored == nil {
			return nil, cc.NotFound("call_id", "no call %q", id)
		}
		if err := check(*stored); err != nil {
			return nil, err
		}
		return nil, &cc.Error{Code: cc.CodeFailedPrecondition, Field: "call_id", Message: "call " + string(id) + " is " + string(stored.State) + ": not in progress"}
	}
	if err := check(c.Call); err != nil {
		return c, err
	}
	return c, nil
}
