package callcenter

import "time"

// OperatorView is everything the operator app shows about its operator.
type OperatorView struct {
	Operator Operator
	Status   OperatorStatus
	Present  bool
	Offer    *OfferedCall // when reserved
	Call     *Call        // the call he talks on (on call) or wraps up (wrap-up)
	// Dispositions are the dispositions of Call's queue to choose from, as the queue has them
	// now; DispositionRequired: it requires one (Queue.NeedsDisposition).
	Dispositions        []Disposition
	DispositionRequired bool
	// HoldFailure says why the scenario did not carry out his last hold or resume of Call
	// (the hold state was put back); "" when it did.
	HoldFailure string
	// CallbackAttempts: the attempts the queue makes at most, when Offer's or Call's call is a
	// callback (Queue's CallbackRules.Tries).
	CallbackAttempts int
}

// OfferedCall is the call offered to an operator, with what he needs to greet the caller.
type OfferedCall struct {
	Offer Offer
	Call  Call
}

// WaitingCall is a call in progress with its place in line.
type WaitingCall struct {
	Call     Call
	Position int // from 1 among the calls of its queue without an offer; 0 otherwise
	Offer    *Offer
}

// Floor is everything in progress, for the supervisors' live views: each queue's line and
// operators, every operator's view.
type Floor struct {
	Queues    []QueueLine    // by id
	Operators []OperatorView // by name
}

// QueueLine is one queue now.
type QueueLine struct {
	Queue Queue
	// Calls waiting, in line order, with an expected wait each when one can be predicted.
	Waiting []WaitingCall
	Expect  []time.Duration // Expect[i] is Waiting[i]'s expected wait; -1: unknown
	// NewCallWait is the expected wait of a call arriving now; -1: unknown.
	NewCallWait time.Duration
	States      map[OperatorState]int // operators serving the queue, by state
	Connected   int                   // calls talking now
}

// OperatorWatch follows one operator's view as the switchboard changes it: his app's stream.
// A slow reader misses intermediate views, never the latest.
type OperatorWatch interface {
	// Changed is signalled after the view changed.
	Changed() <-chan struct{}
	// Ended is closed when the watch's login was taken over by a newer one or logged out.
	Ended() <-chan struct{}
	// View is the latest view.
	View() OperatorView
	// Stop ends the watch; with presence, the operator's app is gone from routing.
	Stop()
}
