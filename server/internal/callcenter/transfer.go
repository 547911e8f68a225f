package callcenter

import (
	"fmt"
	"time"
)

// TransferMode says how a transfer hands the caller over.
type TransferMode string

const (
	// TransferBlind: the operator lets go of the call at once; the caller hears music until the
	// target answers (or waits in the target queue's line).
	TransferBlind TransferMode = "blind"
	// TransferWarm: the caller holds while the operator consults the target, then completes
	// (the caller is bridged with the target) or cancels (the caller is back with him).
	TransferWarm TransferMode = "warm"
)

// TransferState is where a transfer is. It only moves forward: dialing, then consulting (warm,
// the target answered), then one of the ends.
type TransferState string

const (
	TransferDialing    TransferState = "dialing"    // the target's leg rings
	TransferConsulting TransferState = "consulting" // warm: the operator talks with the target, the caller holds
	TransferCompleted  TransferState = "completed"  // the caller was handed over
	TransferCancelled  TransferState = "cancelled"  // the operator took the caller back, or the caller left
	TransferFailed     TransferState = "failed"     // the target did not answer, or the scenario did not take it
)

// InProgress reports whether a transfer in state s is under way.
func (s TransferState) InProgress() bool { return s == TransferDialing || s == TransferConsulting }

// TransferTarget is where a call is transferred: exactly one of an operator, a queue or a
// number (a phone number or SIP URI, in the Contact the cloud dials).
type TransferTarget struct {
	Operator OperatorID
	Queue    QueueID
	Number   Contact
}

// Transfer is a call's latest transfer: the one in progress, or how the last one ended.
type Transfer struct {
	From      OperatorID // who transferred the call
	Mode      TransferMode
	Target    TransferTarget
	Priority  int // the call's priority in the target queue (to a queue)
	State     TransferState
	Offer     OfferID    // the lease of the target's leg (none for a blind transfer to a queue)
	Operator  OperatorID // the operator dialed: the target operator, or the one picked in the target queue (warm)
	StartedAt time.Time
	Reason    string // why it failed or was cancelled
	// The queue the call was in, and its priority there, when the transfer began: a blind
	// transfer to a queue the scenario does not carry out puts the call back there.
	Queue         QueueID
	QueuePriority int
}

// Active reports whether t is a transfer in progress.
func (t Transfer) Active() bool { return t.State.InProgress() }

// Transferred reports whether the call ended handed over to a number: its outcome is
// "transferred" rather than answered by an operator of Tandem's.
func (c Call) Transferred() bool {
	return c.Transfer.State == TransferCompleted && c.Transfer.Target.Number.Target != ""
}

// TransferRequest is an operator's TransferCall.
type TransferRequest struct {
	Call     CallID
	By       OperatorID
	Mode     TransferMode
	Target   TransferTarget
	Priority int
}

// Check says whether the request is well formed: one target, a known mode, a dialable number.
// Errors name the request's field at fault.
func (r TransferRequest) Check() error {
	n := 0
	if r.Target.Operator != "" {
		n++
	}
	if r.Target.Queue != "" {
		n++
	}
	if r.Target.Number != (Contact{}) {
		n++
	}
	switch {
	case r.Call == "":
		return Invalid("call_id", "required")
	case n != 1:
		return Invalid("target", "give exactly one of operator_id, queue_id or number")
	case r.Mode != TransferBlind && r.Mode != TransferWarm:
		return Invalid("mode", "must be blind or warm")
	case r.Target.Operator == r.By:
		return Invalid("operator_id", "you cannot transfer a call to yourself")
	case r.Target.Queue == "" && r.Priority != 0:
		return Invalid("priority", "only a transfer to a queue takes a priority")
	case r.Priority < 0 || r.Priority > 100:
		return Invalid("priority", "must be 0..100")
	}
	if r.Target.Number != (Contact{}) {
		switch r.Target.Number.Kind {
		case ContactSIP, ContactPSTN:
		default:
			return Invalid("number", "must be a phone number or a SIP URI")
		}
		if r.Target.Number.Target == "" {
			return Invalid("number", "required")
		}
	}
	return nil
}

// CheckTransfer says whether operator by may transfer call c, or complete or cancel its
// transfer: only the operator talking on it, while it is connected. Errors name the request's
// field at fault.
func (c Call) CheckTransfer(by OperatorID) error {
	switch {
	case c.Operator != by || c.AnsweredAt.IsZero():
		return &Error{Code: CodePermissionDenied, Field: "call_id", Message: fmt.Sprintf("call %s is not yours: you may transfer only the call you talk on", c.ID)}
	case c.State != CallConnected:
		return &Error{Code: CodeFailedPrecondition, Field: "call_id", Message: fmt.Sprintf("call %s is %s: only a connected call can be transferred", c.ID, c.State)}
	}
	return nil
}

// CheckTransferParties says whether call c may be handed on as far as its third legs go: the
// parties its operator added must leave first (the caller would otherwise be handed on with
// people his new operator never invited); a supervisor's monitoring is no obstacle: it ends
// with the transfer.
func (c Call) CheckTransferParties() error {
	for _, p := range c.Parties {
		if !p.Monitor && !p.State.Over() {
			return &Error{Code: CodeFailedPrecondition, Field: "call_id", Message: fmt.Sprintf("call %s has a party on it (%s): remove the parties you added before a transfer", c.ID, p.ID)}
		}
	}
	return nil
}

// Busy says, in the operator's words, why an operator in state s cannot take a transferred
// call now ("" when he can: ready).
func Busy(name string, s OperatorState) string {
	switch s {
	case OperatorReady:
		return ""
	case OperatorOnCall:
		return name + " is on a call"
	case OperatorReserved:
		return name + " is being offered a call"
	case OperatorWrapUp:
		return name + " is wrapping up a call"
	case OperatorOffline:
		return name + " is offline"
	case OperatorBanned:
		return name + " is banned for missed calls"
	}
	return name + " is " + string(s)
}

// TransferTargets is whom an operator may transfer a call to: his colleagues, the free first,
// and the queues.
type TransferTargets struct {
	Operators []TransferCandidate
	Queues    []TransferQueue
}

// TransferCandidate is a colleague as a transfer target; Busy says why a transfer to him would
// be refused now ("" when he is free).
type TransferCandidate struct {
	Operator    OperatorID
	Name        string
	DisplayName string
	State       OperatorState
	Busy        string
}

// TransferQueue is a queue as a transfer target, with how many of its operators are free.
type TransferQueue struct {
	Queue QueueID
	Name  string
	Free  int
}
