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

// QueueNow is one queue now.
type QueueNow struct {
	cc.QueueLine
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
		if open, why := q.Queue.Rules.Hours.Open(now); !open {
			out.Queues[i].Closed, out.Queues[i].ClosedWhy = true, cc.ClosedWhy(why)
		}
	}
	for i, o := range f.Operators {
		out.Operators[i] = OperatorNow{OperatorView: o, Today: r.Today(now, cc.ScopeOperator, string(o.Operator.ID))}
	}
	return out
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
