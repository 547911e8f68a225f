package analytics

import (
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// Floor is the live picture the wallboard shows: every queue's line and today's figures, every
// operator's state and today's figures, as of At.
type Floor struct {
	At        time.Time
	Version   uint64 // grows with every stored change; equal versions are equal floors
	Queues    []QueueNow
	Operators []OperatorNow
}

// QueueNow is one queue now. Its Waiting (and Expect) are the callers on the line only;
// callbacks in line (virtual calls: a customer to call back, nobody on the line) are Callbacks,
// so that they never count as callers waiting nor make the longest wait. Positions stay the
// line's: a caller behind a callback is not first.
type QueueNow struct {
	cc.QueueLine
	Callbacks    []cc.WaitingCall // in line order
	ID           cc.QueueID
	ServiceLevel cc.ServiceLevel // with the defaults filled in
	Today        cc.Figures
	// Closed: the queue's hours (or a closure) close it at the floor's time; ClosedWhy says
	// until when or why ("closed until Mon 09:00", "closed: New Year").
	Closed    bool
	ClosedWhy string
}

// OperatorNow is one operator now.
type OperatorNow struct {
	cc.OperatorView
	Today cc.Figures // his time in the present state counted up to At
}

// Floor joins the engine's floor with today's figures.
func (r *Recorder) Floor(now time.Time, f cc.Floor) Floor {
	out := Floor{At: now, Queues: make([]QueueNow, len(f.Queues)), Operators: make([]OperatorNow, len(f.Operators))}
	for i, q := range f.Queues {
		out.Queues[i] = QueueNow{QueueLine: q, ID: q.Queue.ID, ServiceLevel: q.Queue.Rules.ServiceLevel.OrDefaults(),
			Today: r.Today(now, cc.ScopeQueue, string(q.Queue.ID))}
		out.Queues[i].splitCallbacks()
		if open, why := q.Queue.Rules.Hours.Open(now); !open {
			out.Queues[i].Closed, out.Queues[i].ClosedWhy = true, cc.ClosedWhy(why)
		}
	}
	for i, o := range f.Operators {
		out.Operators[i] = OperatorNow{OperatorView: o, Today: r.Today(now, cc.ScopeOperator, string(o.Operator.ID))}
	}
	return out
}

// splitCallbacks moves the callbacks of the line from Waiting to Callbacks.
func (q *QueueNow) splitCallbacks() {
	var waiting []cc.WaitingCall
	var expect []time.Duration
	for i, w := range q.Waiting {
		if w.Call.Callback.Virtual() {
			q.Callbacks = append(q.Callbacks, w)
			continue
		}
		waiting = append(waiting, w)
		if i < len(q.Expect) {
			expect = append(expect, q.Expect[i])
		}
	}
	if len(q.Callbacks) > 0 {
		q.Waiting, q.Expect = waiting, expect
	}
}

// Queue finds a queue by id.
func (f *Floor) Queue(id cc.QueueID) *QueueNow {
	for i := range f.Queues {
		if f.Queues[i].ID == id {
			return &f.Queues[i]
		}
	}
	return nil
}

// Operator finds an operator by id.
func (f *Floor) Operator(id cc.OperatorID) *OperatorNow {
	for i := range f.Operators {
		if f.Operators[i].Operator.ID == id {
			return &f.Operators[i]
		}
	}
	return nil
}
