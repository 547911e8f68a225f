package callcenter

// ReasonLoggedOutBySupervisor is the reason of an operator a supervisor logged out: his app
// tells him so when its stream ends.
const ReasonLoggedOutBySupervisor = "logged out by a supervisor"

// ReasonAnsweredElsewhere is why a leg of a ring_all offer was cancelled: another operator
// answered the call first. The operator rung is ready again with it as his reason (until his
// next change), so his app says why his phone stopped ringing.
const ReasonAnsweredElsewhere = "another operator answered first"

// Requeue is a supervisor putting a waiting call back in line: maybe in another queue, maybe at
// another priority. Its arrival time stays, so its place among the calls of its priority.
type Requeue struct {
	Call  CallID
	Queue QueueID // "": the queue it is in
	// Priority is the call's new priority in its queue; nil keeps the one it has.
	Priority *int
}

// Check refuses a requeue that names no call or a priority out of range (0..100, as a queue's).
func (r Requeue) Check() error {
	switch {
	case r.Call == "":
		return Invalid("call_id", "required")
	case r.Priority != nil && (*r.Priority < 0 || *r.Priority > maxPriority):
		return Invalid("priority", "must be 0 to %d, not %d", maxPriority, *r.Priority)
	}
	return nil
}

// NotWaiting is the error for a supervisor's action on call id, which is in state s (not
// waiting): it names call_id so that a page can show it by the call.
func NotWaiting(id CallID, s CallState) *Error {
	return &Error{Code: CodeFailedPrecondition, Field: "call_id", Message: "call " + string(id) + " is " + string(s) + ", not waiting"}
}
