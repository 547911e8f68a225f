package routing

import (
	"slices"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// View returns an operator's view.
func (e *Engine) View(id cc.OperatorID) (cc.OperatorView, error) {
	o, err := e.operatorOr404(id)
	if err != nil {
		return cc.OperatorView{}, err
	}
	v := cc.OperatorView{Operator: o.cfg, Status: o.st, Present: o.present()}
	if of := e.offers[o.st.Offer]; of != nil {
		if c := e.calls[of.Call]; c != nil {
			v.Offer = &cc.OfferedCall{Offer: *of, Call: c.Call}
		}
	}
	if c := e.callInHand(o); c != nil {
		cp := *c
		v.Call = &cp
		if live := e.calls[c.ID]; live != nil {
			v.HoldFailure = live.holdFailure
		}
		if q := e.queues[c.Queue]; q != nil {
			v.Dispositions, v.DispositionRequired = q.Rules.Dispositions, q.NeedsDisposition()
		}
	}
	// A callback offered or in hand: how many tries its queue makes.
	c := v.Call
	if v.Offer != nil {
		c = &v.Offer.Call
	}
	if c != nil && c.Callback.Virtual() {
		var rules cc.CallbackRules
		if q := e.queues[c.Queue]; q != nil {
			rules = q.Rules.Callback
		}
		v.CallbackAttempts, _ = rules.Tries()
	}
	return v, nil
}

// callInHand is the call an operator talks on (on call) or wraps up (wrap-up), as the engine
// holds it; nil in the other states.
func (e *Engine) callInHand(o *operator) *cc.Call {
	switch o.st.State {
	case cc.OperatorOnCall:
		if c := e.calls[o.st.Call]; c != nil {
			return &c.Call
		}
	case cc.OperatorWrapUp:
		if o.wrapping != nil && o.wrapping.ID == o.st.Call {
			return o.wrapping
		}
	}
	return nil
}

// Calls lists the calls in progress (of one queue, or all when q is ""), in line order.
func (e *Engine) Calls(q cc.QueueID) []cc.WaitingCall {
	var all []*call
	for _, c := range e.calls {
		if q == "" || c.Queue == q {
			all = append(all, c)
		}
	}
	slices.SortFunc(all, e.before)
	pos := map[cc.QueueID]int{}
	out := make([]cc.WaitingCall, 0, len(all))
	for _, c := range all {
		w := cc.WaitingCall{Call: c.Call}
		if of := e.offers[c.Offer]; of != nil {
			cp := *of
			w.Offer = &cp
		}
		if c.State == cc.CallWaiting && c.Offer == "" {
			pos[c.Queue]++
			w.Position = pos[c.Queue]
		}
		out = append(out, w)
	}
	return out
}

// Position is a waiting call's place in its queue's line, from 1; 0 when it has an offer out
// or is not waiting.
func (e *Engine) Position(id cc.CallID) int {
	c := e.calls[id]
	if c == nil || c.State != cc.CallWaiting || c.Offer != "" || e.later[id] != nil || c.Exit.Asking() {
		return 0
	}
	n := 1
	for _, other := range e.calls {
		if other != c && other.Queue == c.Queue && other.State == cc.CallWaiting && other.Offer == "" && e.later[other.ID] == nil && !other.Exit.Asking() && e.before(other, c) < 0 {
			n++
		}
	}
	return n
}

// waitFigures are what a queue's expected waits are worked out from, learned since the start.
type waitFigures struct {
	handle  time.Duration // moving average of handle time (talk and wrap-up)
	handled int           // calls behind handle
	// answers are the latest answered calls' waits, a ring: next is where the next one goes.
	answers [2 * cc.MinRecentAnswers]answeredWait
	next    int
}

type answeredWait struct {
	at   time.Time
	wait time.Duration
}

func (e *Engine) waitFigures(q cc.QueueID) *waitFigures {
	w := e.waits[q]
	if w == nil {
		w = &waitFigures{}
		e.waits[q] = w
	}
	return w
}

// learnHandleTime adds a finished call's handle time (talk and wrap-up) to its queue's average.
func (e *Engine) learnHandleTime(q cc.QueueID, d time.Duration) {
	w := e.waitFigures(q)
	if w.handled == 0 {
		w.handle = d
	} else {
		w.handle = time.Duration(ewma(float64(w.handle), float64(d)))
	}
	w.handled++
}

// learnAnswerWait adds how long a call waited for its first answer to its queue's recent answers.
func (e *Engine) learnAnswerWait(q cc.QueueID, at time.Time, wait time.Duration) {
	w := e.waitFigures(q)
	w.answers[w.next] = answeredWait{at: at, wait: wait}
	w.next = (w.next + 1) % len(w.answers)
}

// working counts the operators at work in queue q: ready, being offered, talking or in
// wrap-up, with a live app.
func (e *Engine) working(q cc.QueueID) int {
	n := 0
	for _, o := range e.byQueue[q] { // the queue's own staff, not the whole fleet: it runs at every intake
		switch o.st.State {
		case cc.OperatorReady, cc.OperatorReserved, cc.OperatorOnCall, cc.OperatorWrapUp:
			if o.present() {
				n++
			}
		}
	}
	return n
}

// PredictedWait estimates how much longer a waiting call will wait: its position in line times
// the queue's average handle time, shared among the operators at work in the queue (the
// staffing basis of cc.ExpectedWait, trusted or not). With nobody at work it is "forever" (a
// day); before the queue has handled a call there is no estimate. The spare overflow's
// predicted-wait rule and the floor use it.
func (e *Engine) PredictedWait(id cc.CallID) (time.Duration, bool) {
	c := e.calls[id]
	if c == nil {
		return 0, false
	}
	w := e.waits[c.Queue]
	if w == nil || w.handled == 0 {
		return 0, false
	}
	working := e.working(c.Queue)
	if working == 0 {
		return 24 * time.Hour, true
	}
	return time.Duration(e.Position(id)) * w.handle / time.Duration(working), true
}

// ExpectedWait is what a waiting caller is told about his wait at now: from the queue's staffing
// when its handle time is known from enough calls and someone is at work, else from its recent
// answers; false when neither can be trusted (see cc.MinHandleSamples and the rest), when the
// call is not waiting in line, or the figure is past cc.MaxTrustedWait.
func (e *Engine) ExpectedWait(id cc.CallID, now time.Time) (cc.ExpectedWait, bool) {
	c := e.calls[id]
	if c == nil || c.State != cc.CallWaiting || c.Offer != "" || c.Callback.Virtual() {
		return cc.ExpectedWait{}, false
	}
	w := e.waits[c.Queue]
	if w == nil {
		return cc.ExpectedWait{}, false
	}
	if working := e.working(c.Queue); w.handled >= cc.MinHandleSamples && working > 0 {
		wait := time.Duration(e.Position(id)) * w.handle / time.Duration(working)
		return cc.ExpectedWait{Wait: wait, Basis: cc.WaitFromStaffing}, wait <= cc.MaxTrustedWait
	}
	var n int
	var sum time.Duration
	for _, a := range w.answers {
		if !a.at.IsZero() && now.Sub(a.at) <= cc.RecentAnswerWindow {
			n++
			sum += a.wait
		}
	}
	if n < cc.MinRecentAnswers {
		return cc.ExpectedWait{}, false
	}
	left := sum/time.Duration(n) - now.Sub(c.ArrivedAt)
	// He waited longer than the recent callers did: the line moves slower than they saw.
	return cc.ExpectedWait{Wait: left, Basis: cc.WaitFromRecentAnswers}, left > 0 && left <= cc.MaxTrustedWait
}
