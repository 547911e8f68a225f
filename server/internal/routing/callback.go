package routing

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// Callbacks in the engine: a virtual call (cc.Callback) waits in its queue's line like a caller,
// at the place of the call it stands for. When its turn comes an operator is reserved under an
// offer as for any call, and the offer's dial starts the callback scenario (a start_callback
// command, carried out by the cloud sender through the Management API). The scenario reports in
// (AttachCallback) and is sent the operator's dial; once he answers it dials the customer and
// reports his leg (CloudCustomerAnswered, CloudCustomerFailed). An attempt the customer does not
// answer ends its call; the next attempt is a new virtual call at the same place, offered no
// sooner than the queue's retry spacing, until the attempts run out.

// fileCallback puts a virtual call for cb in queue q's line at the place arrived and priority
// give it.
func (e *Engine) fileCallback(now time.Time, q cc.QueueID, arrived time.Time, priority int, dialed string, cb cc.Callback) *call {
	c := newCall(cc.Call{
		ID:           cc.CallID(e.cfg.NewID("call")),
		Queue:        q,
		State:        cc.CallWaiting,
		CallerNumber: cb.Number,
		DialedNumber: dialed,
		ArrivedAt:    arrived,
		Priority:     priority,
		Callback:     cb,
	}, now)
	e.calls[c.ID] = c
	e.touchCall(c)
	return c
}

// newAttemptSession forgets the session of a callback's earlier offer: each offer starts its own.
func (e *Engine) newAttemptSession(c *call, of *cc.Offer) {
	c.SessionID, c.AccessURL = "", ""
	of.ExpiresAt = of.ExpiresAt.Add(cc.CallbackStartAllowance)
	e.offersDueOK = false // newOffer took the shorter lease for the first expiry
}

// AttachCallback takes the report of a callback scenario started for offer of call id: its
// session becomes the call's, and it is sent the operator's dial. The offer must still be
// pending and have no session yet (a second scenario started for it is refused:
// permission_denied on callback_token).
func (e *Engine) AttachCallback(now time.Time, id cc.CallID, offer cc.OfferID, session, accessURL string) (cc.Call, cc.Changes, error) {
	c := e.calls[id]
	refuse := func(format string, args ...any) (cc.Call, cc.Changes, error) {
		_, err := e.fail(&cc.Error{Code: cc.CodePermissionDenied, Field: "callback_token", Message: fmt.Sprintf(format, args...)})
		return cc.Call{}, cc.Changes{}, err
	}
	if c == nil || !c.Callback.Virtual() {
		return refuse("no callback %s in progress", id)
	}
	of := e.offerFor(c, offer)
	if of == nil || c.State != cc.CallWaiting {
		return refuse("callback %s is no longer offered under %s: its operator was released or the attempt ended", id, offer)
	}
	if c.AccessURL != "" && c.SessionID != session {
		return refuse("callback %s already has session %s for offer %s", id, c.SessionID, offer)
	}
	q, o := e.queues[c.Queue], e.operators[of.Operator]
	if q == nil || o == nil {
		return refuse("callback %s: its queue or operator is gone", id)
	}
	c.SessionID, c.AccessURL, c.lastHeard, c.undelivered = session, accessURL, now, 0
	e.touchCall(c)
	timeout := min(q.OfferTimeout, of.ExpiresAt.Add(-e.cfg.OfferSlack).Sub(now))
	if timeout > 0 {
		e.dial(c, of, o.cfg.Contact, timeout)
	}
	ch := e.finish(now)
	return c.Call, ch, nil
}

// customerAnswered: the customer of a callback picked up; the attempt is a success.
func (e *Engine) customerAnswered(now time.Time, c *call) {
	if c.Callback.Virtual() && c.State == cc.CallConnected && c.Callback.Result == "" {
		c.Callback.Result, c.Callback.ConnectedAt = cc.CallbackConnected, now
		e.touchCall(c)
	}
}

// customerFailed: the customer's leg of a callback failed; the attempt ends, its operator goes
// to his wrap-up (not a miss of his), and the next attempt is filed.
func (e *Engine) customerFailed(now time.Time, c *call, code int) {
	if !c.Callback.Virtual() || c.State != cc.CallConnected || c.Callback.Result != "" {
		return
	}
	c.Callback.Result = cc.CustomerResult(code)
	if c.Transfer.Active() {
		e.dropTarget(now, c, cc.TransferCancelled, "the customer did not answer")
	}
	endHold(now, c)
	e.endParties(now, c, "the customer did not answer")
	c.State, c.EndedAt, c.HungUpBy = cc.CallEnded, now, cc.HangupSystem
	e.touchCall(c)
	delete(e.calls, c.ID)
	e.afterCall(now, c)
	e.retryCallback(now, c)
}

// callbackEnded settles a connected callback whose call ended before its customer's leg was
// reported: hung up by the operator, it was cancelled (and is tried again); by anyone else, the
// customer was there.
func callbackEnded(c *call, by cc.HangupParty) {
	if !c.Callback.Virtual() || c.Callback.Result != "" {
		return
	}
	c.Callback.Result = cc.CallbackConnected
	if by == cc.HangupOperator {
		c.Callback.Result = cc.CallbackCancelled
	}
}

// retryCallback files the next attempt of a callback that ended without reaching its customer,
// while the queue's attempts last.
func (e *Engine) retryCallback(now time.Time, c *call) {
	if !c.Callback.Virtual() || c.Callback.Result == cc.CallbackConnected {
		return
	}
	attempts, spacing := cc.CallbackRules{}.Tries()
	if q := e.queues[c.Queue]; q != nil {
		attempts, spacing = q.Rules.Callback.Tries()
	}
	if c.Callback.Attempt >= attempts {
		c.Callback.GaveUp = true
		e.touchCall(c)
		return
	}
	next := c.Callback
	next.Attempt++
	next.NotBefore = now.Add(spacing)
	next.Result = ""
	e.fileCallback(now, c.Queue, c.ArrivedAt, c.Priority, c.DialedNumber, next)
}

// callbackNotStarted takes back a callback's offer whose scenario could not be started: nobody's
// fault among the operators; the callback is tried again after a growing pause, and after
// cc.UndeliveredDialsLoseCall failures in a row it is given up.
func (e *Engine) callbackNotStarted(now time.Time, c *call, of *cc.Offer, reason string) {
	e.notReached(now, c, of, "offer ended: the callback scenario could not be started ("+reason+")", false, false)
	if c.undelivered >= cc.UndeliveredDialsLoseCall {
		c.Callback.Result, c.Callback.GaveUp = cc.CallbackNotStarted, true
		e.lose(now, c, fmt.Sprintf("the callback scenario could not be started %d times in a row (last: %s)", c.undelivered, reason))
		return
	}
	c.Callback.NotBefore = now.Add(callbackStartPause << (c.undelivered - 1))
	e.touchCall(c)
}

// callbackStartPause is the pause after a callback scenario failed to start; it doubles with
// each failure in a row.
const callbackStartPause = 30 * time.Second

// When a callback may start. A callback is due at its NotBefore (a retry's spacing, a pause
// after a failed start), put off to its queue's next opening while the queue is closed then: it
// is never started at night (callbackStarts). A callback in line when its queue closes leaves
// the line for later (holdClosedCallbacks) and comes back at the opening at the same place: its
// place is its priority and arrival, which do not change. This holds whatever the queue's
// ExitWaitingAtClose: "calls waiting at closing are served" is about callers on the line, who
// would otherwise be cut off; a callback has nobody on the line, so it waits for the opening
// even while the callers waiting with it are served.

// fileDueCallbacks puts the callbacks that came due in their lines and takes those of queues
// that closed out of theirs (every step does, so no line misses or keeps one).
func (e *Engine) fileDueCallbacks() {
	now := e.lastStep // as indexCall judges them
	for _, c := range e.later {
		if !e.callbackStarts(c, now).After(now) {
			e.touchCall(c)
		}
	}
	e.holdClosedCallbacks()
}

// holdClosedCallbacks takes the callbacks out of the lines of the queues closed at the last
// step: they wait in later until the opening.
func (e *Engine) holdClosedCallbacks() {
	var held []cc.CallID
	for id, n := range e.lineCallbacks {
		if q := e.queues[id]; n == 0 || q == nil || e.openNow(q, e.lastStep) {
			continue
		}
		for _, c := range e.lines[id] {
			if c.Callback.Virtual() {
				held = append(held, c.ID)
			}
		}
	}
	for _, id := range held {
		e.indexCall(id)
	}
}

// callbacksDue is the next time a callback comes due or must leave its line: the earliest
// start of those waiting (callbackStarts), and the closing of a queue with callbacks in line.
func (e *Engine) callbacksDue() time.Time {
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, c := range e.later {
		consider(e.callbackStarts(c, e.lastStep))
	}
	for id, n := range e.lineCallbacks {
		if q := e.queues[id]; n > 0 && q != nil {
			if open, until := e.openAt(q, e.lastStep); open {
				consider(until)
			}
		}
	}
	return next
}

// callbackStarts is when callback c may be started, as seen at now: its NotBefore, or its
// queue's next opening when the queue is closed at the later of the two.
func (e *Engine) callbackStarts(c *call, now time.Time) time.Time {
	at := c.Callback.NotBefore
	if at.Before(now) {
		at = now
	}
	if q := e.queues[c.Queue]; q != nil {
		if open, until := e.openAt(q, at); !open {
			return until
		}
	}
	return at
}

// openSpell is a queue's hours between two changes: open or closed from from until until.
type openSpell struct {
	open        bool
	from, until time.Time
}

// openAt says whether queue q is open at t and until when that holds (zero: always open),
// from the queue's cached spell when t falls in it. A queue closed for good (no change within
// a year) is looked at again a day later.
func (e *Engine) openAt(q *cc.Queue, t time.Time) (bool, time.Time) {
	if !q.Rules.Hours.Set() {
		return true, time.Time{}
	}
	if s, ok := e.spells[q.ID]; ok && !t.Before(s.from) && t.Before(s.until) {
		return s.open, s.until
	}
	open, _ := q.Rules.Hours.Open(t)
	until, changes := q.Rules.Hours.NextChange(t)
	if !changes {
		until = t.Add(24 * time.Hour)
	}
	e.spells[q.ID] = openSpell{open: open, from: t, until: until}
	return open, until
}

// openNow reports whether queue q is open at now.
func (e *Engine) openNow(q *cc.Queue, now time.Time) bool {
	open, _ := e.openAt(q, now)
	return open
}

// waitingCallback reports whether c is a callback waiting for its turn: nobody is on the line.
func waitingCallback(c *call) bool { return c.Callback.Virtual() && c.State == cc.CallWaiting }

// Asking for a callback. A queue offers it to a caller who waited its OfferAfter, or whose
// trusted expected wait is past its OfferOverWait (once a call: offerCallbacks), and a callback
// exit offers it to a caller who may not wait (askCallback). The caller's answer comes back
// (callbackAnswer): accepted, his call ends by the callback exit and a callback takes its
// place; declined, he waits on — or, asked as an exit, hears goodbye.

// askCallback offers call c, which takes queue q's callback exit, a call back. It is out of
// the line until it answers.
func (e *Engine) askCallback(now time.Time, q *cc.Queue, c *call, text string, atIntake bool) {
	cmd := e.callbackQuestion(q, c, text)
	if atIntake {
		e.out.Next = &cmd
	} else {
		e.command(cmd)
	}
	c.askedCallback = true
	e.touchCall(c)
}

// callbackQuestion is the offer_callback command for call c of queue q.
func (e *Engine) callbackQuestion(q *cc.Queue, c *call, text string) cc.Command {
	r := q.Rules.Callback.OrDefaults()
	if text == "" {
		text = fmt.Sprintf(cc.DefaultCallbackPrompt, r.Digit)
	}
	_, err := r.CheckNumber("caller_number", c.CallerNumber)
	return cc.Command{Type: cc.CommandOfferCallback, Call: c.ID, AccessURL: c.AccessURL, Text: text, Digit: r.Digit, Words: r.Words, AskNumber: err != nil}
}

// offerCallbacks offers a call back to the callers of queues that offer it, once a call, when
// their wait calls for it.
func (e *Engine) offerCallbacks(now time.Time) {
	if !e.cfg.Callbacks {
		return
	}
	for _, q := range e.queues {
		r := q.Rules.Callback
		if !r.Offered() {
			continue
		}
		for _, c := range e.lines[q.ID] {
			if c.askedCallback || c.Callback.Virtual() || c.AccessURL == "" || !e.callbackDue(now, q, c) {
				continue
			}
			c.askedCallback = true
			e.command(e.callbackQuestion(q, c, ""))
		}
	}
}

// callbackDue reports whether caller c of queue q should be offered a call back at now.
func (e *Engine) callbackDue(now time.Time, q *cc.Queue, c *call) bool {
	r := q.Rules.Callback
	if r.OfferAfter > 0 && now.Sub(c.ArrivedAt) >= r.OfferAfter {
		return true
	}
	if r.OfferOverWait > 0 {
		if w, trusted := e.ExpectedWait(c.ID, now); trusted && w.Wait >= r.OfferOverWait {
			return true
		}
	}
	return false
}

// callbackOfferDue is when caller c should next be looked at for a callback offer by time.
func (e *Engine) callbackOfferDue(c *call) time.Time {
	q := e.queues[c.Queue]
	if q == nil || c.askedCallback || c.Callback.Virtual() || q.Rules.Callback.OfferAfter <= 0 {
		return time.Time{}
	}
	return c.ArrivedAt.Add(q.Rules.Callback.OfferAfter)
}

// callbackAnswer takes a caller's answer to a callback offer. The reply says what he hears:
// the confirmation and goodbye, why his number cannot be called, or goodbye when he declined
// the offer his queue's exit made; nothing when he declined and waits on.
func (e *Engine) callbackAnswer(now time.Time, c *call, accepted bool, number string) {
	if c.State != cc.CallWaiting || c.Callback.Virtual() {
		return
	}
	q := e.queues[c.Queue]
	if q == nil {
		return
	}
	asking := c.Exit.Asking()
	if accepted {
		n, err := q.Rules.Callback.OrDefaults().CheckNumber("number", cmp.Or(number, c.CallerNumber))
		if err == nil {
			e.callbackAccepted(now, q, c, n)
			return
		}
		if !asking {
			e.out.Next = &cc.Command{Type: cc.CommandSay, Call: c.ID, AccessURL: c.AccessURL, Text: cc.CallbackRefused}
			return
		}
		c.Exit.Why += "; " + strings.TrimPrefix(err.Error(), "number: ")
	}
	if !asking {
		return // he waits on
	}
	c.Exit.Answered = true
	text := "Goodbye."
	if c.Exit.Cause == cc.ExitClosed {
		text = cc.DefaultClosedText
	}
	if accepted {
		text = cc.CallbackRefused + " " + text
	}
	e.endByExit(now, c, cc.Command{Type: cc.CommandHangup, Text: text, Reason: c.Exit.Why}, true)
}

// callbackAccepted ends caller c's call by the callback exit and files the callback to number
// at its place; a closed queue calls back once it opens.
func (e *Engine) callbackAccepted(now time.Time, q *cc.Queue, c *call, number string) {
	e.withdraw(now, c, "the caller chose to be called back")
	if !c.Exit.Asking() {
		c.Exit = cc.CallExit{Kind: cc.ExitCallback, Cause: cc.ExitCallbackOffer, Queue: q.ID, Why: "callback offered after " + fmtDuration(now.Sub(c.ArrivedAt)), At: now}
	}
	c.Exit.Answered, c.Exit.Target = true, number
	e.endByExit(now, c, cc.Command{Type: cc.CommandHangup, Text: cc.CallbackConfirmation(number), Reason: "callback requested"}, true)
	e.fileCallback(now, q.ID, c.ArrivedAt, c.Priority, c.DialedNumber, cc.Callback{Of: c.ID, Number: number, Attempt: 1, NotBefore: e.opens(q, now)})
}

// opens is when queue q opens next, when it is closed at now; zero when it is open. A
// callback filed while it is closed carries it as its NotBefore (for the record: callbackStarts
// decides, and follows the hours as they are then).
func (e *Engine) opens(q *cc.Queue, now time.Time) time.Time {
	if open, until := e.openAt(q, now); !open {
		return until
	}
	return time.Time{}
}

// VoicemailLeft takes the message the caller of call c (ended by a voicemail exit, as the store
// has it) left: it is kept with the call, and a callback answering it takes a place at the end
// of the queue's line (once the queue opens). A second report changes nothing; a call that did
// not take a voicemail exit is refused.
func (e *Engine) VoicemailLeft(now time.Time, c cc.Call, url string, length time.Duration) (cc.Changes, error) {
	if c.Exit.Kind != cc.ExitVoicemail {
		return e.fail(cc.Errorf(cc.CodeFailedPrecondition, "call %s did not go to voicemail", c.ID))
	}
	if c.VoicemailURL != "" {
		return e.finish(now), nil
	}
	if err := cc.CheckURL("voicemail_recorded.url", url); err != nil {
		return e.fail(err)
	}
	c.VoicemailURL, c.VoicemailLength = url, length
	e.touchedCall[c.ID] = &c
	q := e.queues[c.Queue]
	if q == nil {
		return e.finish(now), nil
	}
	number, err := q.Rules.Callback.OrDefaults().CheckNumber("caller_number", c.CallerNumber)
	if err == nil && e.cfg.Callbacks { // else the message is listed alone: nobody can call it back
		e.fileCallback(now, q.ID, now, c.Priority, c.DialedNumber, cc.Callback{Of: c.ID, Number: number, Attempt: 1, NotBefore: e.opens(q, now), VoicemailURL: url, VoicemailLength: length})
	}
	return e.finish(now), nil
}
