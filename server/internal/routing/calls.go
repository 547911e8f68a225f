package routing

import (
	"fmt"
	"slices"
	"strings"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// Intake puts a new call in the menu its dialed number leads to, or else in its queue.
func (e *Engine) Intake(now time.Time, in cc.Intake) (cc.Call, cc.Changes, error) {
	q := e.queueFor(in.DialedNumber)
	if _, menu := e.menuByNumber[in.DialedNumber]; q == nil && !menu {
		_, err := e.fail(cc.NotFound("dialed_number", "no queue takes calls to %s and there is no default queue", in.DialedNumber))
		return cc.Call{}, cc.Changes{}, err
	}
	arrived := in.ArrivedAt
	if arrived.IsZero() || arrived.After(now) {
		arrived = now
	}
	c := newCall(cc.Call{
		ID:           cc.CallID(e.cfg.NewID("call")),
		State:        cc.CallWaiting,
		SessionID:    in.SessionID,
		AccessURL:    in.AccessURL,
		CallerNumber: in.CallerNumber,
		CallerName:   in.CallerName,
		DialedNumber: in.DialedNumber,
		SIPHeaders:   in.SIPHeaders,
		CustomData:   in.CustomData,
		ArrivedAt:    arrived,
		Priority:     in.Priority,
	}, now)
	number, _ := cc.NormalizeNumber(in.CallerNumber)
	c.Client = number
	e.calls[c.ID] = c
	if !e.enterMenu(c) && !e.joinQueue(now, q, c, true) {
		ch := e.finish(now) // a message or number exit: the reply tells the scenario
		return c.Call, ch, nil
	}
	e.touchCall(c)
	ch := e.finish(now)
	return c.Call, ch, nil
}

// joinQueue files call c in queue q's line as it arrives there, from the cloud or from an IVR
// menu: when q is closed or its line full, c takes q's exit (whose command is the reply: atIntake)
// instead; then its personal manager's hold and its announcements. It reports whether c waits
// in a line of its own (false: its exit ended it, or it is asked about a callback).
func (e *Engine) joinQueue(now time.Time, q *cc.Queue, c *call, atIntake bool) bool {
	c.Queue = q.ID
	if e.arrivalExit(now, q, c, atIntake, 0) {
		if c.State != cc.CallWaiting || c.Exit.Asking() {
			return false
		}
		q = e.queues[c.Queue] // a queue exit: it waits there
	}
	if c.Client != "" {
		e.routeToManager(now, q, c)
	}
	e.scheduleAnnouncement(c, now)
	return true
}

// Report applies a cloud event to a call in progress. Events about an offer that is no longer
// pending, and events that come after the call moved past them, change nothing: a duplicate or
// late event gives the same state as none. The one exception is an answer on an offer that was
// taken back: the scenario did connect that operator, so the call is his.
func (e *Engine) Report(now time.Time, id cc.CallID, ev cc.CloudEvent) (cc.Changes, error) {
	if ev.Kind == cc.CloudSpeechAnswer { // the call may be over: the caller answers after the operator left
		e.speech(now, ev.QuestionID, ev.Verdict)
		return e.finish(now), nil
	}
	c, err := e.callOr404(id)
	if err != nil {
		return e.fail(err)
	}
	c.lastHeard = now
	c.undelivered = 0 // the session is reachable: it speaks
	switch ev.Kind {
	case cc.CloudPartyRinging, cc.CloudPartyJoined, cc.CloudPartyFailed, cc.CloudPartyLeft:
		e.partyEvent(now, c, ev)
	case cc.CloudOperatorRinging:
		if of := e.offerFor(c, ev.Offer); of != nil && of.Operator != "" {
			e.heardRing(c, of.ID)
			if o := e.operators[of.Operator]; o != nil && o.st.Marks.Unreached > 0 {
				o.st.Marks.Unreached = 0
				e.touchStatus(o)
			}
		}
	case cc.CloudOperatorAnswered:
		if of := e.offerFor(c, ev.Offer); transferLeg(c, of) {
			e.transferAnswered(now, c, of, ev.RingTime)
			break
		}
		if c.beaten[ev.Offer] {
			// A leg of a ring another operator beat (both answered at once): hang it up.
			e.out.Next = &cc.Command{Type: cc.CommandCancel, Call: c.ID, AccessURL: c.AccessURL, Offer: ev.Offer, Reason: reasonBeaten}
			break
		}
		if c.State != cc.CallWaiting {
			break // repeated, or the call moved on
		}
		if of := e.offerFor(c, ev.Offer); of != nil {
			of.RingTime = ev.RingTime
			e.settle(now, of, cc.OfferAnswered, "")
			e.cancelRing(now, c, of.ID)
			e.connect(now, c, of, ev.RingTime)
		} else if late := c.late[ev.Offer]; late != nil && !e.talking(late.Operator) {
			e.cancelRing(now, c, late.ID)
			e.withdraw(now, c, "the operator of an earlier offer answered")
			e.connect(now, c, late, ev.RingTime)
		}
	case cc.CloudDialFailed:
		of := e.offerFor(c, ev.Offer)
		if of == nil {
			break
		}
		of.RingTime, of.FailureCode = ev.RingTime, ev.Code
		if rang := slices.Contains(c.rang, of.ID); of.Operator != "" && !cc.PhoneReached(ev.Code, rang) {
			e.notReached(now, c, of, "offer ended: "+unreachedReason(ev.Code, ev.Reason, rang), true, false)
			break
		}
		e.settle(now, of, cc.OfferFailed, ev.Reason)
		e.returnToLine(c, of)
		if o := e.operators[of.Operator]; o != nil {
			e.markMissed(now, o, e.queues[c.Queue], missReason(ev.Code, ev.Reason))
		}
	case cc.CloudCustomerAnswered:
		e.customerAnswered(now, c)
	case cc.CloudCustomerFailed:
		e.customerFailed(now, c, ev.Code)
	case cc.CloudCallbackAnswer:
		e.callbackAnswer(now, c, ev.Accepted, ev.Number)
	case cc.CloudCallEnded:
		switch c.State {
		case cc.CallConnected:
			if c.Transfer.State == cc.TransferConsulting && ev.Offer != "" && ev.Offer == c.Transfer.Offer {
				e.consultEnded(now, c) // the consulted target hung up: the call goes on
				break
			}
			if t := c.Transfer; t.Active() && t.Mode == cc.TransferWarm && ev.HungUpBy == cc.HangupOperator && ev.Offer != "" && ev.Offer == c.Offer {
				e.operatorLeftTransfer(now, c) // the operator hung up: the caller is still here
				break
			}
			if c.Transfer.Active() {
				e.dropTarget(now, c, cc.TransferCancelled, "the call ended")
			}
			endHold(now, c)
			e.endParties(now, c, "the call ended")
			callbackEnded(c, ev.HungUpBy)
			c.State, c.EndedAt, c.HungUpBy, c.TalkTime = cc.CallEnded, now, ev.HungUpBy, max(ev.TalkTime, c.HoldTime)
			e.touchCall(c)
			delete(e.calls, c.ID)
			if c.Spare != "" {
				e.spareDone(now, c.Spare, false)
			}
			e.askOptIn(now, c, ev.HungUpBy)
			e.afterCall(now, c)
			e.retryCallback(now, c)
		case cc.CallWaiting: // ended before anyone answered: the caller left
			e.abandon(now, c)
		case cc.CallInMenu:
			e.leaveMenu(now, c)
		}
	case cc.CloudCallerAbandoned:
		switch {
		case c.State == cc.CallWaiting && !c.Callback.Virtual(): // a callback has no caller waiting
			e.abandon(now, c)
		case c.State == cc.CallInMenu:
			e.leaveMenu(now, c)
		}
	case cc.CloudMenuChosen:
		if err := e.menuChosen(now, c, ev.MenuExit); err != nil {
			return e.fail(err)
		}
	case cc.CloudRecordingStarted:
		// A conversation has one recording: a repeated report or one before the answer (a
		// scenario out of step) keeps what is stored.
		if c.State == cc.CallConnected && c.RecordingURL == "" {
			c.RecordingURL = ev.RecordingURL
			e.touchCall(c)
		}
	case cc.CloudCustomerRinging, cc.CloudVoicemailRecorded:
		// Heard (lastHeard); a voicemail is recorded after its call ended (VoicemailLeft).
	default:
		return e.fail(cc.Invalid("event", "unknown event"))
	}
	return e.finish(now), nil
}

// talking reports whether an operator is on a call: a late answer cannot make him talk on two.
func (e *Engine) talking(id cc.OperatorID) bool {
	o := e.operators[id]
	return o != nil && o.st.State == cc.OperatorOnCall
}

// connect bridges a waiting call to the operator of offer of.
func (e *Engine) connect(now time.Time, c *call, of *cc.Offer, ring time.Duration) {
	c.State, c.Operator, c.Offer = cc.CallConnected, of.Operator, of.ID
	if c.AnsweredAt.IsZero() { // a transferred call keeps its first answer: its speed of answer
		c.AnsweredAt = now
		if !c.Callback.Virtual() {
			e.learnAnswerWait(c.Queue, now, now.Sub(c.ArrivedAt))
		}
	}
	if c.Transfer.Active() && c.Transfer.Offer == of.ID {
		c.Transfer.State = cc.TransferCompleted
	}
	e.touchCall(c)
	o := e.operators[of.Operator]
	if o == nil {
		return
	}
	if other := e.offers[o.st.Offer]; other != nil && other.Call != c.ID {
		// He answered this call while another was being offered to him: that one goes back.
		e.release(now, other, "the operator answered another call")
	}
	e.markAnswered(now, o, ring)
	e.setState(now, o, cc.OperatorOnCall, "")
	o.st.Call = c.ID
}

// afterCall moves the operator of a finished call into wrap-up, or straight to ready.
func (e *Engine) afterCall(now time.Time, c *call) {
	o := e.operators[c.Operator]
	if o == nil || o.st.State != cc.OperatorOnCall || o.st.Call != c.ID {
		return
	}
	talk := c.TalkTime
	if c.Transfer.From != "" {
		talk = now.Sub(o.st.Since) // a transferred call's talk is shared: his is since he answered
	}
	e.wrapUp(now, o, c, talk)
}

// wrapUp moves operator o, done with call c after talk, into wrap-up, or straight to ready.
func (e *Engine) wrapUp(now time.Time, o *operator, c *call, talk time.Duration) {
	e.markCallDone(now, o, talk)
	wrap := time.Duration(0)
	if q := e.queues[c.Queue]; q != nil {
		wrap = q.WrapUp
	}
	e.learnHandleTime(c.Queue, talk+wrap)
	if wrap <= 0 && (c.Disposition != "" || !e.queues[c.Queue].NeedsDisposition()) {
		e.setState(now, o, cc.OperatorReady, "")
		o.st.IdleSince = now
		return
	}
	e.setState(now, o, cc.OperatorWrapUp, "")
	o.st.Call, o.st.WrapUpEndsAt = c.ID, now.Add(wrap)
	ended := c.Call
	o.wrapping = &ended
	if wrap <= 0 { // no wrap-up time, but its disposition is needed
		e.wrapUpOver(now, o)
	}
}

// abandon ends a waiting call whose caller hung up; an operator being dialed for it is freed.
func (e *Engine) abandon(now time.Time, c *call) {
	e.withdraw(now, c, "caller abandoned")
	c.State, c.EndedAt, c.HungUpBy = cc.CallAbandoned, now, cc.HangupCaller
	e.touchCall(c)
	delete(e.calls, c.ID)
}

// withdraw takes back a call's pending offer, if any: every leg of a ring, which is then gone
// (release leaves a transfer's leg out of it).
func (e *Engine) withdraw(now time.Time, c *call, reason string) {
	for _, id := range c.legs() {
		if of := e.offers[id]; of != nil {
			e.release(now, of, reason)
		}
	}
	c.ring = nil
}

// release takes back a pending offer through no fault of its operator: he is free again with
// his place among the idle kept, the call goes back to its place, and the cloud is told to stop
// dialing him.
func (e *Engine) release(now time.Time, of *cc.Offer, reason string) {
	e.settle(now, of, cc.OfferWithdrawn, reason)
	c := e.calls[of.Call]
	if c != nil {
		e.returnToLine(c, of)
		e.command(cc.Command{Type: cc.CommandCancel, Call: c.ID, AccessURL: c.AccessURL, Offer: of.ID, Reason: reason})
	}
	if o := e.operators[of.Operator]; o != nil && o.st.State == cc.OperatorReserved && o.st.Offer == of.ID {
		idle := o.st.IdleSince
		e.setState(now, o, cc.OperatorReady, "")
		o.st.IdleSince = idle
	}
}

// notReached ends a pending operator offer that never reached his phone, or whose outcome
// nobody could hear: a fault of Tandem's, the cloud's or the network's, not his miss. His
// marks, misses and bans stay as they were; he is ready again at his old place among the idle,
// and the call goes back to its place for the next operator. When the platform could not get
// the call to his phone (againstPhone), the failure counts towards PhoneUnreachableAfter,
// which takes him out of routing. cancel tells the cloud to stop dialing him, for a leg that
// may still ring.
func (e *Engine) notReached(now time.Time, c *call, of *cc.Offer, reason string, againstPhone, cancel bool) {
	e.settle(now, of, cc.OfferWithdrawn, reason)
	if c != nil {
		e.returnToLine(c, of)
		if cancel {
			e.command(cc.Command{Type: cc.CommandCancel, Call: c.ID, AccessURL: c.AccessURL, Offer: of.ID, Reason: reason})
		}
	}
	o := e.operators[of.Operator]
	if o == nil || o.st.Offer != of.ID {
		return
	}
	idle := o.st.IdleSince
	if againstPhone {
		o.st.Marks.Unreached++
		if n := o.st.Marks.Unreached; n >= cc.PhoneUnreachableAfter {
			e.setState(now, o, cc.OperatorAway, fmt.Sprintf("phone unreachable: %d offers in a row did not reach it (last: %s)", n, strings.TrimPrefix(reason, "offer ended: ")))
			return
		}
	}
	e.setState(now, o, cc.OperatorReady, "")
	o.st.IdleSince = idle
}

// unreachedReason says why a failed dial did not reach the operator's phone.
func unreachedReason(code int, reason string, rang bool) string {
	if reason == "" {
		reason = "failed"
	}
	if !rang && (code == 408 || code == 480 || code == 487) {
		return fmt.Sprintf("his phone never rang (%s, %d)", reason, code)
	}
	return fmt.Sprintf("his phone could not be reached (%s, %d)", reason, code)
}

// DialUndelivered takes back the offer whose dial command the sender could not deliver to
// the call's cloud session (every attempt failed, or the session refused it): the dial never
// reached the cloud, so it is nobody's miss and the next operator is tried. After
// UndeliveredDialsLoseCall of them in a row the session is taken for unreachable and the call
// is lost. A dial for an offer no longer pending changes nothing but the count.
func (e *Engine) DialUndelivered(now time.Time, id cc.CallID, offer cc.OfferID, reason string) cc.Changes {
	c := e.calls[id]
	if c == nil || c.State != cc.CallWaiting {
		return e.finish(now)
	}
	c.undelivered++
	if of := e.offerFor(c, offer); of != nil {
		if c.Callback.Virtual() && c.AccessURL == "" {
			e.callbackNotStarted(now, c, of, reason)
			return e.finish(now)
		}
		if of.Spare != "" {
			e.settle(now, of, cc.OfferWithdrawn, "offer ended: the dial command could not be delivered ("+reason+")")
			e.returnToLine(c, of)
		} else {
			e.notReached(now, c, of, "offer ended: the dial command could not be delivered ("+reason+")", false, false)
		}
	}
	if c.undelivered >= cc.UndeliveredDialsLoseCall {
		e.lose(now, c, fmt.Sprintf("the cloud session could not be reached: %d dial commands in a row were not delivered", c.undelivered))
	}
	return e.finish(now)
}

// SessionGone ends a call whose cloud session can no longer be reached: it is lost, and its
// operator is released.
func (e *Engine) SessionGone(now time.Time, id cc.CallID, reason string) cc.Changes {
	if c := e.calls[id]; c != nil {
		e.lose(now, c, reason)
	}
	return e.finish(now)
}

// lose ends a call as lost, releasing its operator.
func (e *Engine) lose(now time.Time, c *call, reason string) {
	if c.Transfer.Active() {
		e.dropTarget(now, c, cc.TransferCancelled, reason)
	}
	for _, id := range c.legs() {
		of := e.offers[id]
		if of == nil {
			continue
		}
		e.settle(now, of, cc.OfferWithdrawn, reason) // no cancel: the session is gone
		if o := e.operators[of.Operator]; o != nil && o.st.Offer == of.ID {
			idle := o.st.IdleSince
			e.setState(now, o, cc.OperatorReady, "")
			o.st.IdleSince = idle
		}
	}
	c.ring = nil
	if o := e.operators[c.Operator]; o != nil && o.st.State == cc.OperatorOnCall && o.st.Call == c.ID {
		e.setState(now, o, cc.OperatorReady, "")
		o.st.IdleSince = now
	}
	if c.State == cc.CallConnected && c.Spare != "" {
		e.spareDone(now, c.Spare, false)
	}
	endHold(now, c) // a hold the lost session was playing ends with it
	e.endParties(now, c, "the call was lost")
	c.State, c.EndedAt, c.HungUpBy = cc.CallLost, now, cc.HangupSystem
	e.touchCall(c)
	delete(e.calls, c.ID)
}

// WithdrawOffer takes back a pending offer at a supervisor's request: the call goes back to its
// place and is offered to someone else first. A leg of a ring is taken back alone: the call
// stays offered while its other legs ring.
func (e *Engine) WithdrawOffer(now time.Time, id cc.OfferID, reason string) (cc.Call, cc.Changes, error) {
	of := e.offers[id]
	if of == nil {
		_, err := e.fail(&cc.Error{Code: cc.CodeFailedPrecondition, Field: "offer_id", Message: fmt.Sprintf("offer %s is not pending", id)})
		return cc.Call{}, cc.Changes{}, err
	}
	c := e.calls[of.Call]
	if reason == "" {
		reason = "withdrawn by supervisor"
	}
	if c != nil && len(c.ring) > 0 {
		e.release(now, of, reason)
	} else {
		e.withdraw(now, c, reason)
	}
	ch := e.finish(now)
	return c.Call, ch, nil
}

// Requeue puts a waiting call back in line, withdrawing its pending offer, optionally into
// another queue and at another priority. It keeps its arrival time, so its place among the
// calls of its priority. A call not waiting (connected, ringing a spare…) is refused, unchanged.
func (e *Engine) Requeue(now time.Time, r cc.Requeue) (cc.Call, cc.Changes, error) {
	if err := r.Check(); err != nil {
		_, err = e.fail(err)
		return cc.Call{}, cc.Changes{}, err
	}
	c, err := e.callOr404(r.Call)
	if err != nil {
		_, err = e.fail(err)
		return cc.Call{}, cc.Changes{}, err
	}
	if c.State != cc.CallWaiting {
		_, err := e.fail(cc.NotWaiting(c.ID, c.State))
		return cc.Call{}, cc.Changes{}, err
	}
	if r.Queue != "" && e.queues[r.Queue] == nil {
		_, err := e.fail(cc.NotFound("queue_id", "no queue %q", r.Queue))
		return cc.Call{}, cc.Changes{}, err
	}
	e.withdraw(now, c, "requeued by supervisor")
	to, priority := c.Queue, c.Priority
	if r.Queue != "" {
		to = r.Queue
	}
	if r.Priority != nil {
		priority = *r.Priority
	}
	if to != c.Queue || priority != c.Priority {
		moved := to != c.Queue
		e.moveCall(c, to, priority) // its place is found by its priority: it leaves the line first
		if moved {
			c.tried = nil
			e.scheduleAnnouncement(c, now)
		}
	}
	e.touchCall(c)
	ch := e.finish(now)
	return c.Call, ch, nil
}

// Call returns a call in progress.
func (e *Engine) Call(id cc.CallID) (cc.Call, bool) {
	c := e.calls[id]
	if c == nil {
		return cc.Call{}, false
	}
	return c.Call, true
}
