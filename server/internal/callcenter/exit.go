package callcenter

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ExitKind is a way a call leaves its queue's line other than to an operator. A new kind is one
// constant here, its check in Exit.Check, and its handler in the engine (routing/exits.go).
type ExitKind string

const (
	// ExitMessage says Exit.Text to the caller, then hangs up.
	ExitMessage ExitKind = "message"
	// ExitNumber says Exit.Text (if any), then puts the caller through to Exit.Number.
	ExitNumber ExitKind = "number"
	// ExitQueue moves the call to Exit.Queue's line, keeping the time it arrived (its place).
	ExitQueue ExitKind = "queue"
	// ExitOverflow offers the call to the queue's spare numbers (QueueRules.Overflow): a
	// longest-wait exit only.
	ExitOverflow ExitKind = "overflow"
	// ExitVoicemail says Exit.Text (DefaultVoicemailPrompt when empty) and records the caller's
	// message; the message becomes a callback for the queue's operators (Callback.VoicemailURL).
	ExitVoicemail ExitKind = "voicemail"
	// ExitCallback offers the caller a call back (Exit.Text, DefaultCallbackPrompt when empty):
	// accepted, his call ends and a callback keeps its place (a closed queue calls back once
	// open); declined, he hears goodbye.
	ExitCallback ExitKind = "callback"
)

// ExitAny asks a call search for calls that took any exit.
const ExitAny ExitKind = "any"

// ExitKinds lists the kinds an admin may choose.
var ExitKinds = []ExitKind{ExitMessage, ExitNumber, ExitQueue, ExitOverflow, ExitVoicemail, ExitCallback}

// Exit is what a queue does with a call it will not (or no longer) keep in line: closed, over
// its cap of waiting calls, or waiting past its longest wait. The zero Exit is none.
type Exit struct {
	Kind   ExitKind `json:",omitempty"`
	Text   string   `json:",omitempty"` // message, number: said to the caller first
	Number string   `json:",omitempty"` // number: E.164, "sip:…" or "user:<name>"
	Queue  QueueID  `json:",omitempty"` // queue: the line the call joins
}

// DefaultClosedText is what a closed queue without a closed exit says before it hangs up.
const DefaultClosedText = "We are closed now. Please call again during our opening hours. Goodbye."

// Set reports whether an exit is configured.
func (x Exit) Set() bool { return x.Kind != "" }

// Check validates an exit at field ("queue.closed_exit"); overflow says whether the overflow
// kind is allowed there. Whether an exit's queue exists, and cycles of queue exits, the engine
// checks: they need the other queues.
func (x Exit) Check(field string, overflow bool) (Exit, error) {
	if err := maxLen(field+".text", x.Text, maxGreeting); err != nil {
		return x, err
	}
	switch x.Kind {
	case "":
		if x.Text != "" || x.Number != "" || x.Queue != "" {
			return x, Invalid(field+".kind", "required with a text, number or queue (%s)", kindList())
		}
	case ExitMessage:
		if x.Text == "" {
			return x, Invalid(field+".text", "required: what the caller hears before the call ends")
		}
	case ExitNumber:
		if x.Number == "" {
			return x, Invalid(field+".number", "required: an E.164 number like +14155550100, sip:… or user:<name>")
		}
		if _, err := ExitContact(field+".number", x.Number); err != nil {
			return x, err
		}
	case ExitQueue:
		if x.Queue == "" {
			return x, Invalid(field+".queue_id", "required: the queue the call moves to")
		}
		if !ValidSlug(string(x.Queue)) {
			return x, Invalid(field+".queue_id", "%q is not a queue id", x.Queue)
		}
	case ExitVoicemail, ExitCallback: // the text is optional: a default prompt is said
	case ExitOverflow:
		if !overflow {
			return x, Invalid(field+".kind", "overflow is a longest-wait exit only (the spare numbers take calls that waited)")
		}
	default:
		return x, Invalid(field+".kind", "unknown exit %q (%s)", x.Kind, kindList())
	}
	if x.Kind != ExitNumber && x.Number != "" {
		return x, Invalid(field+".number", "only a number exit has a number")
	}
	if x.Kind != ExitQueue && x.Queue != "" {
		return x, Invalid(field+".queue_id", "only a queue exit has a queue")
	}
	return x, nil
}

func kindList() string {
	s := make([]string, len(ExitKinds))
	for i, k := range ExitKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// ExitContact reads a number exit's number as the contact the scenario dials: an E.164 number,
// "sip:…"/"sips:…" or "user:<name>" (a Voximplant user), the forms the scenario's fallback
// number takes.
func ExitContact(field, number string) (Contact, error) {
	var c Contact
	switch {
	case strings.HasPrefix(number, "user:"):
		c = Contact{Kind: ContactUser, Target: strings.TrimPrefix(number, "user:")}
	case strings.HasPrefix(number, "sip:") || strings.HasPrefix(number, "sips:"):
		c = Contact{Kind: ContactSIP, Target: number}
	case strings.HasPrefix(number, "+"):
		c = Contact{Kind: ContactPSTN, Target: number}
	default:
		return c, Invalid(field, "%q is not an E.164 number like +14155550100, sip:… or user:<name>", number)
	}
	if err := c.check(field); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return c, Invalid(field, "%q: %s", number, e.Message)
		}
		return c, err
	}
	return c, nil
}

// CallsCap caps how many calls wait in a queue's line: a new call over it takes Exit at once.
type CallsCap struct {
	Calls int // 0: no cap
	Exit  Exit
}

// WaitCap caps how long a call waits in a queue's line: a call waiting After takes Exit.
type WaitCap struct {
	After time.Duration // 0: no cap
	Exit  Exit
}

// CallExit is how a call left its queue's line other than to an operator: kept with the call.
type CallExit struct {
	Kind   ExitKind
	Cause  ExitCause
	Queue  QueueID // the queue it left
	Why    string  // "closed: New Year", "closed until Mon 09:00", "12 calls waiting (cap 12)", "waited 5m0s (longest wait 5m0s)"
	Target string  // number: the number; queue: the queue it joined; callback: the number to call back
	At     time.Time
	// Answered: a callback offer was answered, accepted (Target set) or declined.
	Answered bool `json:",omitempty"`
}

// Taken reports whether the call left by an exit.
func (x CallExit) Taken() bool { return x.Kind != "" }

// Ended reports whether the exit ended the call (message, number): Tandem is done with it.
func (x CallExit) Ended() bool {
	return x.Taken() && x.Kind != ExitQueue && (x.Kind != ExitCallback || x.Answered)
}

// Asking reports whether the call is being offered a callback as its exit and has not answered.
func (x CallExit) Asking() bool { return x.Kind == ExitCallback && !x.Answered }

// CountExit counts exit x in f, by cause and by kind.
func (f *Figures) CountExit(x CallExit) {
	switch x.Cause {
	case ExitClosed:
		f.ExitsClosed++
	case ExitMaxWaiting:
		f.ExitsMaxWaiting++
	case ExitLongestWait:
		f.ExitsLongestWait++
	}
	switch x.Kind {
	case ExitMessage:
		f.ExitsMessage++
	case ExitNumber:
		f.ExitsNumber++
	case ExitQueue:
		f.ExitsQueue++
	case ExitVoicemail:
		f.ExitsVoicemail++
	case ExitCallback:
		f.ExitsCallback++
	}
}

// ExitCause is why a queue sent a call to an exit.
type ExitCause string

const (
	ExitClosed      ExitCause = "closed"       // the queue is closed (its hours, a closure)
	ExitMaxWaiting  ExitCause = "max_waiting"  // its line was full
	ExitLongestWait ExitCause = "longest_wait" // the call waited its longest wait
	// ExitCallbackOffer: the caller accepted the callback his queue offered him as he waited
	// (CallbackRules), not an exit of the queue's.
	ExitCallbackOffer ExitCause = "callback_offer"
	// ExitMenu: the caller chose the queue's voicemail in an IVR menu; he was never in its line.
	ExitMenu ExitCause = "menu"
)

// The start of CallExit.Why for each cause.
const (
	ExitWhyClosed      = "closed"
	ExitWhyMaxWaiting  = "most calls waiting"
	ExitWhyLongestWait = "longest wait"
)

// ClosedWhy is the reason a closed queue gives, from Hours.Open's: "closed: New Year",
// "closed until Mon 09:00".
func ClosedWhy(reason string) string {
	if strings.HasPrefix(reason, "closed") {
		return reason
	}
	return ExitWhyClosed + ": " + cmp.Or(reason, "closed")
}

// checkExits validates a queue's hours, caps and their exits (see QueueRules).
func (r QueueRules) checkExits() (QueueRules, error) {
	var err error
	if r.Hours, err = r.Hours.Check("queue.hours"); err != nil {
		return r, err
	}
	if r.ClosedExit, err = r.ClosedExit.Check("queue.closed_exit", false); err != nil {
		return r, err
	}
	if !r.Hours.Set() && (r.ClosedExit.Set() || r.ExitWaitingAtClose) {
		return r, Invalid("queue.hours", "a closed exit needs opening hours or closures")
	}
	if r.MaxWaiting.Calls < 0 || r.MaxWaiting.Calls > maxWaitingCap {
		return r, Invalid("queue.max_waiting", "must be 0 (no cap) to %d calls", maxWaitingCap)
	}
	if r.MaxWaiting.Exit, err = r.MaxWaiting.Exit.Check("queue.max_waiting_exit", false); err != nil {
		return r, err
	}
	if r.MaxWaiting.Calls > 0 && !r.MaxWaiting.Exit.Set() {
		return r, Invalid("queue.max_waiting_exit.kind", "required with a cap of calls waiting (%s)", kindList())
	}
	lw := &r.LongestWait
	if lw.After < 0 || lw.After > maxLongestWait || lw.After%time.Second != 0 {
		return r, Invalid("queue.longest_wait_s", "must be 0 (no cap) to %d whole seconds", int(maxLongestWait/time.Second))
	}
	if lw.Exit, err = lw.Exit.Check("queue.longest_wait_exit", true); err != nil {
		return r, err
	}
	if lw.After > 0 && !lw.Exit.Set() {
		return r, Invalid("queue.longest_wait_exit.kind", "required with a longest wait (%s)", kindList())
	}
	if lw.Exit.Kind == ExitOverflow {
		// The spare overflow is the longest-wait cap with the overflow exit: one threshold.
		switch {
		case lw.After == 0:
			return r, Invalid("queue.longest_wait_s", "required with the overflow exit")
		case r.Overflow.After != 0 && r.Overflow.After != lw.After:
			return r, Invalid("queue.longest_wait_s", "the overflow exit's longest wait is overflow.after_s (%s): set one of them", r.Overflow.After)
		}
		r.Overflow.After = lw.After
	}
	return r, nil
}

// OverflowIsExit reports whether the longest wait's exit is the spare overflow (tick handles it
// as today's overflow rule, not as an exit).
func (r QueueRules) OverflowIsExit() bool { return r.LongestWait.Exit.Kind == ExitOverflow }

// ExitTo is a queue exit of a queue's rules and the field that sets it.
type ExitTo struct {
	Field string
	Queue QueueID
}

// ExitQueues are the queues r's exits send calls to, with the field naming each, in the order
// of the fields.
func (r QueueRules) ExitQueues() []ExitTo {
	var out []ExitTo
	for _, f := range []struct {
		field string
		x     Exit
	}{{"queue.closed_exit", r.ClosedExit}, {"queue.max_waiting_exit", r.MaxWaiting.Exit}, {"queue.longest_wait_exit", r.LongestWait.Exit}} {
		if f.x.Kind == ExitQueue {
			out = append(out, ExitTo{f.field + ".queue_id", f.x.Queue})
		}
	}
	return out
}

// ClosedOr is the closed exit, or the default message when none is set.
func (r QueueRules) ClosedOr() Exit {
	if r.ClosedExit.Set() {
		return r.ClosedExit
	}
	return Exit{Kind: ExitMessage, Text: DefaultClosedText}
}

const (
	maxWaitingCap  = 10000
	maxLongestWait = 4 * time.Hour
)

func (x Exit) String() string {
	switch x.Kind {
	case ExitNumber:
		return fmt.Sprintf("%s %s", x.Kind, x.Number)
	case ExitQueue:
		return fmt.Sprintf("%s %s", x.Kind, x.Queue)
	}
	return string(x.Kind)
}
