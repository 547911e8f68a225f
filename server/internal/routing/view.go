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
	if c == nil || c.State != cc.CallWaiting || c.Offer != "" {
		return 0
	}
	n := 1
	for _, other := range e.calls {
		if other != c && other.Queue == c.Queue && other.State == cc.CallWaiting && other.Offer == "" && e.before(other, c) < 0 {
			n++
		}
	}
	return n
}

// learnHandleTime adds a finished call's handle time (talk and wrap-up) to its queue's average.
func (e *Engine) learnHandleTime(q cc.QueueID, d time.Duration) {
	if avg, ok := e.handle[q]; ok {
		e.handle[q] = time.Duration(ewma(float64(avg), float64(d)))
	} else {
		e.handle[q] = d
	}
}

// PredictedWait estimates how much longer a waiting call will wait: its position in line times
// the queue's average handle time, shared among the operators at work in the queue (ready, being
// offered, talking or in wrap-up, with a live app). With nobody at work it is "forever" (a day);
// before the queue has handled a call there is no estimate.
func (e *Engine) PredictedWait(id cc.CallID) (time.Duration, bool) {
	c := e.calls[id]
	if c == nil {
		return 0, false
	}
	aht, ok := e.handle[c.Queue]
	if !ok {
		return 0, false
	}
	working := 0
	for _, o := range e.operators {
		switch o.st.State {
		case cc.OperatorReady, cc.OperatorReserved, cc.OperatorOnCall, cc.OperatorWrapUp:
			if o.present() && o.cfg.Serves(c.Queue) {
				working++
			}
		}
	}
	if working == 0 {
		return 24 * time.Hour, true
	}
	return time.Duration(e.Position(id)) * aht / time.Duration(working), true
}
