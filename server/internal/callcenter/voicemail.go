package callcenter

import "time"

// Voicemails as work: a message a caller left at a voicemail exit is listed for the queue's
// supervisors with what became of it — the callback filed to answer it waits for its turn, is
// being made by an operator, connected, or was given up; or no callback was filed (no dialer
// configured, or a number that cannot be called back).

// VoicemailQuery asks for the voicemails of calls that arrived in [From, To), newest first.
type VoicemailQuery struct {
	Queue    QueueID // "": every queue
	From, To time.Time
	Limit    int        // 1..MaxCallPage
	After    CallCursor // where the previous page stopped (the call's arrival and id); zero for the first
}

// MaxVoicemailRange bounds the range a voicemail list reads.
const MaxVoicemailRange = 92 * 24 * time.Hour

// Check says what is wrong with q.
func (q VoicemailQuery) Check() error {
	switch {
	case q.From.IsZero() || q.To.IsZero():
		return Invalid("range", "from and to are required")
	case !q.From.Before(q.To):
		return Invalid("range", "from must be before to")
	case q.To.Sub(q.From) > MaxVoicemailRange:
		return Invalid("range", "at most %d days", int(MaxVoicemailRange/(24*time.Hour)))
	case q.Limit < 1 || q.Limit > MaxCallPage:
		return Invalid("page_size", "page size must be 1..%d, not %d", MaxCallPage, q.Limit)
	}
	return nil
}

// Voicemail is a call whose caller left a message, with the latest callback attempt filed to
// answer it (nil: none was filed) and the operator its pending offer rings ("" when none).
type Voicemail struct {
	Call    Call
	Latest  *Call
	Offered OperatorID
}

// VoicemailState is what became of a voicemail's work.
type VoicemailState string

const (
	// VoicemailNotCalledBack: no callback was filed (no dialer configured, or a number that
	// cannot be called back); the message is listed alone.
	VoicemailNotCalledBack VoicemailState = "not_called_back"
	// VoicemailWaiting: a callback attempt waits for its turn (not before NextAttemptAt).
	VoicemailWaiting VoicemailState = "waiting"
	// VoicemailCalling: an operator is offered the callback, or is calling the customer.
	VoicemailCalling VoicemailState = "calling"
	// VoicemailCalledBack: the customer answered an operator's call.
	VoicemailCalledBack VoicemailState = "called_back"
	// VoicemailGaveUp: the last attempt failed and none follows.
	VoicemailGaveUp VoicemailState = "gave_up"
)

// VoicemailWork is where a voicemail's callback stands.
type VoicemailWork struct {
	State    VoicemailState
	Attempt  int        // the latest attempt (from 1); 0 when none was filed
	Operator OperatorID // calling: whom it is offered to or who calls; called back: who talked
	At       time.Time  // waiting: the next attempt's earliest time (zero: at once); called back: when the customer answered (or, unreported, the operator)
	Callback CallID     // the latest attempt's call
}

// Work says where v's callback stands.
func (v Voicemail) Work() VoicemailWork {
	c := v.Latest
	if c == nil {
		return VoicemailWork{State: VoicemailNotCalledBack}
	}
	w := VoicemailWork{Attempt: c.Callback.Attempt, Callback: c.ID}
	switch {
	case c.Callback.Result == CallbackConnected:
		w.State, w.Operator, w.At = VoicemailCalledBack, c.Operator, c.Callback.ConnectedAt
		if w.At.IsZero() { // settled connected without the customer's report: the operator's answer
			w.At = c.AnsweredAt
		}
	case c.Callback.GaveUp:
		w.State = VoicemailGaveUp
	case c.State == CallConnected:
		w.State, w.Operator = VoicemailCalling, c.Operator
	case c.State == CallWaiting && v.Offered != "":
		w.State, w.Operator = VoicemailCalling, v.Offered
	case c.State == CallWaiting:
		w.State, w.At = VoicemailWaiting, c.Callback.NotBefore
	default:
		// Ended without a result that settles it, its next attempt not filed yet (the same
		// change files it): the callback is still owed.
		w.State = VoicemailWaiting
	}
	return w
}
