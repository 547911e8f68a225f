package routing

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file hands calls from one operator to another operator, a queue or a number (see
// cc.Transfer). A transfer's target leg is an offer like any other: its lease expires, its
// answer and miss go to the marks of the operator it was for, and its outcome events name it.
// A blind transfer lets the operator go at once; to an operator or a number, the call is
// waiting (or, to a number, connected to nobody of ours) while the target rings, and a target
// who does not answer sends the call back to its queue at its old place. A warm transfer keeps
// the call connected to its operator until he completes or cancels it.

// TransferCall starts the transfer r of a call its operator talks on. Repeating the request
// that started the transfer changes nothing. stored is the call as the store has it (nil when
// it does not know it), so that an ended call is refused as such rather than as unknown.
func (e *Engine) TransferCall(now time.Time, r cc.TransferRequest, stored *cc.Call) (cc.Changes, error) {
	if err := r.Check(); err != nil {
		return e.fail(err)
	}
	c := e.calls[r.Call]
	if c != nil && c.Operator != r.By && c.Transfer.From == r.By && sameTransfer(c.Transfer, r) &&
		c.Transfer.State != cc.TransferFailed && c.Transfer.State != cc.TransferCancelled {
		return e.finish(now), nil // his retry of the transfer that let go of the call
	}
	c, err := e.transferredBy(r.Call, r.By, stored)
	if err != nil {
		return e.fail(err)
	}
	if t := c.Transfer; t.Active() {
		if t.From == r.By && sameTransfer(t, r) {
			return e.finish(now), nil
		}
		return e.fail(&cc.Error{Code: cc.CodeFailedPrecondition, Field: "call_id", Message: fmt.Sprintf("call %s is being transferred already (%s, %s): complete or cancel that transfer first", c.ID, t.Mode, t.State)})
	}
	if err := c.CheckTransferParties(); err != nil {
		return e.fail(err)
	}
	from := e.operators[r.By]
	q := e.queues[c.Queue]
	if q == nil {
		return e.fail(cc.Errorf(cc.CodeFailedPrecondition, "call %s has no queue", c.ID))
	}
	// Where the leg goes: an operator (given, or picked in the target queue), or a number.
	var target *operator
	var to *cc.Queue
	switch {
	case r.Target.Operator != "":
		if target, err = e.transferTarget(r.Target.Operator); err != nil {
			return e.fail(err)
		}
	case r.Target.Queue != "":
		if to = e.queues[r.Target.Queue]; to == nil {
			return e.fail(cc.NotFound("queue_id", "no queue %q", r.Target.Queue))
		}
		if r.Mode == cc.TransferWarm {
			if target = e.freeIn(now, to, c, r.By); target == nil {
				return e.fail(&cc.Error{Code: cc.CodeFailedPrecondition, Field: "queue_id", Message: fmt.Sprintf("nobody in %s is free now: transfer blind to keep the caller's place in its line", to.Name)})
			}
		}
	}
	if m, ok := c.Monitoring(); ok {
		e.dropParty(now, c, m, "the call was transferred")
	}
	endHold(now, c) // the transfer decides what the caller hears from now on
	c.holdFailure = ""
	c.Transfer = cc.Transfer{From: r.By, Mode: r.Mode, Target: r.Target, Priority: r.Priority, State: cc.TransferDialing, StartedAt: now,
		Queue: c.Queue, QueuePriority: c.Priority}
	music := q.HoldMusicURL
	if to != nil {
		music = to.HoldMusicURL
	}
	cmd := cc.Command{Type: cc.CommandTransfer, Call: c.ID, AccessURL: c.AccessURL, Mode: r.Mode, MusicURL: music, CallerID: c.CallerNumber}
	if r.Mode == cc.TransferBlind {
		e.leaveCall(now, c, from)
		c.Operator = ""
		if to != nil { // back in line, at its place by its arrival
			c.Transfer.State = cc.TransferCompleted
			e.moveCall(c, to.ID, r.Priority)
			c.State, c.Offer = cc.CallWaiting, ""
			c.tried, c.declined, c.late = nil, nil, nil
			c.markTried(r.By) // his colleagues first: he just let go of it
			e.scheduleAnnouncement(c, now)
			e.command(cmd)
			e.touchCall(c)
			return e.finish(now), nil
		}
		if target != nil {
			c.State = cc.CallWaiting // the target's offer is the call's
		}
	}
	if to == nil {
		to = q
	}
	of := e.newOffer(now, to, c)
	c.Transfer.Offer = of.ID
	cmd.Offer, cmd.Timeout = of.ID, to.OfferTimeout
	if target != nil {
		of.Operator = target.cfg.ID
		c.Transfer.Operator = target.cfg.ID
		c.markTried(target.cfg.ID)
		e.decision(e.transferDecision(now, to, c, of, from, target))
		e.setState(now, target, cc.OperatorReserved, "")
		target.st.Offer = of.ID
		cmd.Contact = target.cfg.Contact
		if c.State == cc.CallWaiting {
			c.Offer, c.Operator = of.ID, target.cfg.ID
		}
	} else {
		cmd.Contact = r.Target.Number
	}
	e.command(cmd)
	e.touchCall(c)
	if from != nil {
		e.touchStatus(from)
	}
	return e.finish(now), nil
}

// sameTransfer reports whether request r asks for transfer t.
func sameTransfer(t cc.Transfer, r cc.TransferRequest) bool {
	return t.Mode == r.Mode && t.Target == r.Target && t.Priority == r.Priority
}

// transferredBy finds the call in progress that operator by may transfer.
func (e *Engine) transferredBy(id cc.CallID, by cc.OperatorID, stored *cc.Call) (*call, error) {
	c := e.calls[id]
	if c == nil {
		if stored == nil {
			return nil, cc.NotFound("call_id", "no call %q", id)
		}
		if err := stored.CheckTransfer(by); err != nil {
			return nil, err
		}
		return nil, cc.NotFound("call_id", "no call %q in progress", id)
	}
	if err := c.CheckTransfer(by); err != nil {
		return nil, err
	}
	return c, nil
}

// transferTarget is the operator a call may be transferred to now: known, not dismissed,
// ready with a live app.
func (e *Engine) transferTarget(id cc.OperatorID) (*operator, error) {
	o := e.operators[id]
	switch {
	case o == nil:
		return nil, cc.NotFound("operator_id", "no operator %q", id)
	case o.cfg.Disabled:
		return nil, cc.Invalid("operator_id", "%s is dismissed", o.cfg.Name)
	case o.st.State != cc.OperatorReady:
		return nil, &cc.Error{Code: cc.CodeFailedPrecondition, Field: "operator_id", Message: cc.Busy(o.cfg.Name, o.st.State)}
	case !o.present():
		return nil, &cc.Error{Code: cc.CodeFailedPrecondition, Field: "operator_id", Message: o.cfg.Name + " has no live app"}
	}
	return o, nil
}

// freeIn picks the operator queue q's strategy ranks first among its free operators for call
// c (not by, who transfers it), those of the call's step under q's relaxation; nil when
// nobody is free.
func (e *Engine) freeIn(now time.Time, q *cc.Queue, c *call, by cc.OperatorID) *operator {
	var pool []*operator
	if relax := e.relaxedAt(q.ID, c, now); relax != nil {
		pool = slices.DeleteFunc(e.relaxedPool(nil, &e.free, q.ID, relax), func(o *operator) bool { return o.cfg.ID == by || eligible(o) != "" })
		e.rx = relaxState{}
	} else {
		for _, o := range e.byQueue[q.ID] {
			if o.cfg.ID != by && eligible(o) == "" {
				pool = append(pool, o)
			}
		}
	}
	if len(pool) == 0 {
		return nil
	}
	return pool[choose(pool, q, now, c.tried, &e.strat).best]
}

// transferDecision records why the target leg of a transfer went to operator to.
func (e *Engine) transferDecision(now time.Time, q *cc.Queue, c *call, of *cc.Offer, from, to *operator) cc.Decision {
	by := string(c.Transfer.From)
	if from != nil {
		by = from.cfg.Name
	}
	rule := fmt.Sprintf("transfer from %s (%s) to %s", by, c.Transfer.Mode, to.cfg.Name)
	if c.Transfer.Target.Queue != "" {
		rule = fmt.Sprintf("transfer from %s (%s) to queue %s: %s is free there", by, c.Transfer.Mode, q.Name, to.cfg.Name)
	}
	return cc.Decision{
		Call: c.ID, Offer: of.ID, DecidedAt: now, Strategy: q.Strategy, Operator: to.cfg.ID, Rule: rule,
		Candidates:    []cc.Candidate{{Operator: to.cfg.ID, State: to.st.State, Eligible: true, Idle: now.Sub(to.st.IdleSince), Level: to.level(q.ID), Score: to.st.Marks.Score}},
		EligibleCount: 1,
	}
}

// leaveCall ends operator o's part in call c, which goes on without him: his talk (since he
// answered) is his handle time, and he goes to wrap-up.
func (e *Engine) leaveCall(now time.Time, c *call, o *operator) {
	if o == nil || o.st.State != cc.OperatorOnCall || o.st.Call != c.ID {
		return
	}
	e.wrapUp(now, o, c, now.Sub(o.st.Since))
}

// CompleteTransfer hands the caller of operator by's warm transfer to its consulted target: the
// operator's leg ends and he goes to wrap-up.
func (e *Engine) CompleteTransfer(now time.Time, id cc.CallID, by cc.OperatorID, stored *cc.Call) (cc.Changes, error) {
	c, err := e.warmBy(id, by, stored)
	if err != nil {
		return e.fail(err)
	}
	t := &c.Transfer
	if t.State != cc.TransferConsulting {
		return e.fail(&cc.Error{Code: cc.CodeFailedPrecondition, Field: "call_id", Message: fmt.Sprintf("the target of call %s's transfer has not answered yet: wait, or cancel the transfer", c.ID)})
	}
	e.leaveCall(now, c, e.operators[by])
	c.Operator, c.Offer, t.State = t.Operator, t.Offer, cc.TransferCompleted
	e.command(cc.Command{Type: cc.CommandCompleteTransfer, Call: c.ID, AccessURL: c.AccessURL, Offer: t.Offer})
	e.touchCall(c)
	if o := e.operators[t.Operator]; o != nil {
		e.touchStatus(o)
	}
	return e.finish(now), nil
}

// CancelTransfer ends operator by's warm transfer: the target's leg is hung up (ringing, it is
// not his miss) and the caller is back with the operator.
func (e *Engine) CancelTransfer(now time.Time, id cc.CallID, by cc.OperatorID, stored *cc.Call) (cc.Changes, error) {
	c, err := e.warmBy(id, by, stored)
	if err != nil {
		return e.fail(err)
	}
	name := string(by)
	if o := e.operators[by]; o != nil {
		name = o.cfg.Name
	}
	offer := c.Transfer.Offer
	e.dropTarget(now, c, cc.TransferCancelled, "cancelled by "+name)
	e.command(cc.Command{Type: cc.CommandCancelTransfer, Call: c.ID, AccessURL: c.AccessURL, Offer: offer, Reason: "cancelled by " + name})
	if o := e.operators[by]; o != nil {
		e.touchStatus(o)
	}
	return e.finish(now), nil
}

// warmBy finds the call whose warm transfer in progress operator by may complete or cancel.
func (e *Engine) warmBy(id cc.CallID, by cc.OperatorID, stored *cc.Call) (*call, error) {
	c, err := e.transferredBy(id, by, stored)
	if err != nil {
		return nil, err
	}
	switch t := c.Transfer; {
	case !t.Active():
		return nil, &cc.Error{Code: cc.CodeFailedPrecondition, Field: "call_id", Message: fmt.Sprintf("call %s has no transfer in progress", c.ID)}
	case t.Mode != cc.TransferWarm:
		return nil, &cc.Error{Code: cc.CodeFailedPrecondition, Field: "call_id", Message: fmt.Sprintf("call %s's transfer is blind: it has no consultation to complete or cancel", c.ID)}
	}
	return c, nil
}

// dropTarget ends call c's transfer in progress (as state, for reason) without handing the
// caller over: the target's offer, if still pending, is withdrawn (not his miss), and a target
// operator is ready again — at his old place among the idle if he was only rung.
func (e *Engine) dropTarget(now time.Time, c *call, state cc.TransferState, reason string) {
	t := &c.Transfer
	if of := e.offers[t.Offer]; of != nil {
		e.settle(now, of, cc.OfferWithdrawn, reason)
	}
	if o := e.operators[t.Operator]; o != nil {
		switch {
		case o.st.State == cc.OperatorReserved && o.st.Offer == t.Offer:
			idle := o.st.IdleSince
			e.setState(now, o, cc.OperatorReady, "")
			o.st.IdleSince = idle
		case o.st.State == cc.OperatorOnCall && o.st.Call == c.ID:
			e.setState(now, o, cc.OperatorReady, "")
			o.st.IdleSince = now
		}
	}
	t.State, t.Reason = state, reason
	e.touchCall(c)
	if o := e.operators[c.Operator]; o != nil {
		e.touchStatus(o) // his card shows the transfer's end
	}
}

// transferLeg reports whether of is the pending target leg of call c's transfer while c stays
// connected (warm, or blind to a number).
func transferLeg(c *call, of *cc.Offer) bool {
	return of != nil && c.Transfer.Active() && c.Transfer.Offer == of.ID && c.State == cc.CallConnected
}

// transferAnswered: the target of call c's transfer answered its leg of.
func (e *Engine) transferAnswered(now time.Time, c *call, of *cc.Offer, ring time.Duration) {
	of.RingTime = ring
	e.settle(now, of, cc.OfferAnswered, "")
	if o := e.operators[of.Operator]; o != nil {
		e.markAnswered(now, o, ring)
		e.setState(now, o, cc.OperatorOnCall, "")
		o.st.Call = c.ID
	}
	if c.Transfer.Mode == cc.TransferWarm {
		c.Transfer.State = cc.TransferConsulting
		if o := e.operators[c.Operator]; o != nil {
			e.touchStatus(o)
		}
	} else {
		c.Transfer.State = cc.TransferCompleted // blind to a number: the caller is bridged with it
		c.Offer = of.ID
	}
	e.touchCall(c)
}

// transferLegFailed closes call c's transfer whose target leg of ended unanswered, and reports
// whether the call stays with its operator (warm): blind, the caller has nobody and the call
// goes back to its place in line.
func (e *Engine) transferLegFailed(c *call, of *cc.Offer) bool {
	t := &c.Transfer
	why := of.Reason
	if why == "" {
		why = "no answer"
	}
	t.State, t.Reason = cc.TransferFailed, "the target did not answer: "+why
	e.touchCall(c)
	if t.Mode == cc.TransferWarm {
		if o := e.operators[c.Operator]; o != nil {
			e.touchStatus(o)
		}
		return true
	}
	c.State = cc.CallWaiting
	return false
}

// consultEnded: the consulted target of call c's warm transfer hung up before it was completed;
// the caller is back with the operator.
func (e *Engine) consultEnded(now time.Time, c *call) {
	e.dropTarget(now, c, cc.TransferCancelled, "the target hung up")
	if o := e.operators[c.Operator]; o != nil {
		e.touchStatus(o)
	}
}

// operatorLeftTransfer: the operator of call c hung up during his warm transfer, the caller
// holding. As a PBX does with an attended transfer, a consulted target gets the caller (the
// transfer completes, as by CompleteTransfer, which the scenario already did); a target still
// ringing is hung up (not his miss: nobody would have been there to consult with) and the call
// goes back to its line at its place, as after a blind transfer's target miss.
func (e *Engine) operatorLeftTransfer(now time.Time, c *call) {
	t := &c.Transfer
	from := e.operators[c.Operator]
	name := string(c.Operator)
	if from != nil {
		name = from.cfg.Name
	}
	if t.State == cc.TransferConsulting {
		e.leaveCall(now, c, from)
		c.Operator, c.Offer, t.State = t.Operator, t.Offer, cc.TransferCompleted
		t.Reason = name + " hung up during the consultation: the caller was handed over"
		e.touchCall(c)
		if o := e.operators[t.Operator]; o != nil {
			e.touchStatus(o)
		}
		return
	}
	e.dropTarget(now, c, cc.TransferCancelled, name+" hung up before the target answered: the call is back in line")
	e.leaveCall(now, c, from)
	c.markTried(t.From) // his colleagues first: he just let go of it
	c.State, c.Operator, c.Offer = cc.CallWaiting, "", ""
	e.scheduleAnnouncement(c, now)
	e.touchCall(c)
}

// TransferUndelivered takes back a transfer command the scenario did not carry out (reason
// says why): the caller is still where the scenario left him, so the engine's state goes back
// to that, and the operator's view says why the transfer failed.
func (e *Engine) TransferUndelivered(now time.Time, cmd cc.Command, reason string) cc.Changes {
	c := e.calls[cmd.Call]
	if c == nil {
		return e.finish(now)
	}
	t := &c.Transfer
	switch cmd.Type {
	case cc.CommandTransfer:
		// Only while the call is where the transfer put it: a blind transfer to a queue is
		// complete at once, but its call still waits in line.
		inLine := t.State == cc.TransferCompleted && t.Target.Queue != "" && t.Mode == cc.TransferBlind && c.State == cc.CallWaiting
		if t.Offer != cmd.Offer || !t.Active() && !inLine {
			return e.finish(now)
		}
		e.dropTarget(now, c, cc.TransferFailed, "transfer failed: "+reason)
		if inLine && t.Queue != "" { // the caller never left: nor did the call its queue
			e.moveCall(c, t.Queue, t.QueuePriority)
			e.scheduleAnnouncement(c, now)
		}
		if t.Mode == cc.TransferBlind {
			e.backToOperator(now, c, e.operators[t.From])
		}
	case cc.CommandCompleteTransfer:
		if t.Mode != cc.TransferWarm || t.State != cc.TransferCompleted || t.Offer != cmd.Offer {
			return e.finish(now)
		}
		// The caller still holds and the two operators still talk: the consultation goes on.
		from := e.operators[t.From]
		if from != nil && from.st.State == cc.OperatorWrapUp && from.st.Call == c.ID {
			e.setState(now, from, cc.OperatorOnCall, "")
			from.st.Call = c.ID
			c.Operator = t.From
			t.State = cc.TransferConsulting
		}
		t.Reason = "complete failed: " + reason
		e.touchCall(c)
	case cc.CommandCancelTransfer:
		t.Reason = "cancel failed: " + reason
		e.touchCall(c)
		if o := e.operators[c.Operator]; o != nil {
			e.touchStatus(o)
		}
	}
	return e.finish(now)
}

// backToOperator gives call c back to operator o after a blind transfer the scenario did not
// carry out: the caller still talks with him. If he has moved on to another call meanwhile, the
// call stays in line (at its place) for the next operator.
func (e *Engine) backToOperator(now time.Time, c *call, o *operator) {
	e.withdraw(now, c, "the transfer was not carried out") // every leg, when its queue rang them all
	if o == nil || !(o.st.State == cc.OperatorWrapUp && o.st.Call == c.ID || o.st.State == cc.OperatorReady) {
		c.State, c.Offer, c.Operator = cc.CallWaiting, "", ""
		e.touchCall(c)
		return
	}
	c.State, c.Operator, c.Offer = cc.CallConnected, o.cfg.ID, ""
	e.unmarkCallDone(now, o)
	e.setState(now, o, cc.OperatorOnCall, "")
	o.st.Call = c.ID
	e.touchCall(c)
}

// consulted reports whether operator id is the consulted target of call c's warm transfer.
func consulted(c *call, id cc.OperatorID) bool {
	return c.Transfer.State == cc.TransferConsulting && c.Transfer.Operator == id
}

// redialTransfer sends the transfer command of call c's pending target leg of again (after a
// restart), for what is left of its ring: the scenario ignores one for a leg it already has.
func (e *Engine) redialTransfer(c *call, of *cc.Offer, left time.Duration) {
	t := c.Transfer
	contact := t.Target.Number
	if o := e.operators[of.Operator]; o != nil {
		contact = o.cfg.Contact
	}
	music := ""
	if q := e.queues[c.Queue]; q != nil {
		music = q.HoldMusicURL
	}
	e.command(cc.Command{Type: cc.CommandTransfer, Call: c.ID, AccessURL: c.AccessURL, Mode: t.Mode, Offer: of.ID, Contact: contact, Timeout: left, MusicURL: music, CallerID: c.CallerNumber})
}

// TransferTargets lists whom operator by may transfer a call to: his colleagues who are not
// dismissed, the free ones first (each by name), the others with why not; and every queue by
// name, with how many of its operators are free.
func (e *Engine) TransferTargets(by cc.OperatorID) cc.TransferTargets {
	var out cc.TransferTargets
	for _, o := range e.operators {
		if o.cfg.ID == by || o.cfg.Disabled {
			continue
		}
		busy := cc.Busy(o.cfg.Name, o.st.State)
		if busy == "" && !o.present() {
			busy = o.cfg.Name + " has no live app"
		}
		out.Operators = append(out.Operators, cc.TransferCandidate{Operator: o.cfg.ID, Name: o.cfg.Name, DisplayName: o.cfg.DisplayName, State: o.st.State, Busy: busy})
	}
	slices.SortFunc(out.Operators, func(a, b cc.TransferCandidate) int {
		if (a.Busy == "") != (b.Busy == "") {
			if a.Busy == "" {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Name, b.Name)
	})
	for _, q := range e.queues {
		free := 0
		for _, o := range e.byQueue[q.ID] {
			if o.cfg.ID != by && eligible(o) == "" {
				free++
			}
		}
		out.Queues = append(out.Queues, cc.TransferQueue{Queue: q.ID, Name: q.Name, Free: free})
	}
	slices.SortFunc(out.Queues, func(a, b cc.TransferQueue) int { return cmp.Compare(a.Name, b.Name) })
	return out
}
