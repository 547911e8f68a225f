package callcenter

import (
	"cmp"
	"fmt"
	"strings"
	"time"
)

// Callbacks: a waiting caller may ask to be called back instead of waiting on the line; his
// call keeps its place as a virtual call. When its turn comes and an operator is reserved for
// it, Tandem starts an outbound scenario at the cloud (Voximplant's StartScenarios), which rings
// the operator, then the customer, and reports like an inbound call. A voicemail becomes the
// same kind of work: a virtual call offered to a free operator to call the customer back.
//
// Each attempt is a call of its own, so call states stay forward-only: the inbound call ends
// when the caller asks (its exit is the callback), a virtual call takes its place in line (same
// queue, same arrival, same priority), and an attempt the customer does not answer ends with
// the next attempt filed behind it, not before NotBefore, until the queue's attempts run out.

// Callback is what makes a call virtual: a call back to a customer, not a caller on the line.
// The zero Callback: an ordinary inbound call.
type Callback struct {
	// Of is the inbound call the customer asked on (or left his voicemail on).
	Of CallID
	// Number is whom to call back (E.164), checked against the queue's forbidden prefixes.
	Number string
	// Attempt counts from 1; the queue's CallbackRules.Attempts bound it.
	Attempt int
	// NotBefore: a retry waits until then before it may be offered.
	NotBefore time.Time
	// VoicemailURL and VoicemailLength: the message the customer left, when the callback
	// answers a voicemail; the operator listens to it before he calls.
	VoicemailURL    string
	VoicemailLength time.Duration
	// Result is how the attempt ended; "" while it is in line or under way. GaveUp: it failed
	// and no attempt follows.
	Result CallbackResult
	GaveUp bool `json:",omitempty"`
	// ConnectedAt: when the customer answered (reported by the scenario); zero before, or when
	// the attempt was settled connected without the report.
	ConnectedAt time.Time `json:",omitzero"`
}

// CallbackResult is how one callback attempt ended.
type CallbackResult string

const (
	// CallbackConnected: the customer answered and talked with the operator.
	CallbackConnected CallbackResult = "connected"
	// CallbackNoAnswer, CallbackBusy, CallbackFailed: the customer's leg failed (no answer or
	// a ring timeout; busy; anything else): another attempt follows while there are any left.
	CallbackNoAnswer CallbackResult = "no_answer"
	CallbackBusy     CallbackResult = "busy"
	CallbackFailed   CallbackResult = "failed"
	// CallbackCancelled: the operator hung up before the customer answered.
	CallbackCancelled CallbackResult = "cancelled"
	// CallbackNotStarted: the callback scenario could not be started (UndeliveredDialsLoseCall
	// times in a row): a fault of ours or the cloud's, no operator's.
	CallbackNotStarted CallbackResult = "not_started"
)

// CustomerResult reads the code of the customer's failed leg.
func CustomerResult(code int) CallbackResult {
	switch code {
	case 408, 480, 487:
		return CallbackNoAnswer
	case 486, 600:
		return CallbackBusy
	}
	return CallbackFailed
}

// CallbackStartAllowance is added to a callback offer's lease: the time the cloud takes to start
// the scenario and for it to report in, before the operator's phone rings.
const CallbackStartAllowance = 15 * time.Second

// Virtual reports whether the call is a call back rather than a caller on the line.
func (c Callback) Virtual() bool { return c.Number != "" }

// CallbackRules say when a queue offers its waiting callers a callback and how it calls them.
type CallbackRules struct {
	// OfferAfter: a caller who waited this long hears the offer (0: not by time).
	OfferAfter time.Duration `json:",omitempty"`
	// OfferOverWait: a caller whose trusted expected wait is longer hears it at once (0: not).
	OfferOverWait time.Duration `json:",omitempty"`
	// Digit he presses to accept (default "1"); he may also say one of Words.
	Digit string   `json:",omitempty"`
	Words []string `json:",omitempty"`
	// Attempts to reach him at most (default 3), RetryAfter apart (default 5 minutes).
	Attempts   int           `json:",omitempty"`
	RetryAfter time.Duration `json:",omitempty"`
	// CallerID is the number the customer sees (default: the number he dialed).
	CallerID string `json:",omitempty"`
	// ForbiddenPrefixes: numbers starting with one of these (E.164 prefixes such as "+1900")
	// are never called back; the caller is told so and keeps waiting.
	ForbiddenPrefixes []string `json:",omitempty"`
}

// Callback defaults and limits.
const (
	DefaultCallbackDigit      = "1"
	DefaultCallbackAttempts   = 3
	DefaultCallbackRetryAfter = 5 * time.Minute
	maxCallbackAttempts       = 10
	maxCallbackWords          = 10
	maxForbiddenPrefixes      = 100
)

// What the caller hears when a queue sets no text.
const (
	DefaultCallbackPrompt  = "To be called back instead of waiting, press %s or say call me back. You keep your place in line."
	DefaultVoicemailPrompt = "Please leave your message and your number after the tone. We will call you back."
	// MaxVoicemail bounds a recorded message.
	MaxVoicemail = 2 * time.Minute
)

// CallbackConfirmation is what a caller who accepted a callback hears before the call ends.
func CallbackConfirmation(number string) string {
	return "Thank you. We will call you back at " + number + " when your turn comes. Goodbye."
}

// CallbackRefused is what a caller hears when his number cannot be called back.
const CallbackRefused = "We are sorry, we cannot call you back at that number."

// DefaultCallbackWords are what a caller may say to accept the offer.
var DefaultCallbackWords = []string{"call me back", "callback", "call back"}

// OrDefaults fills in the defaults of a callback made without the queue's rules (a callback
// exit, a voicemail in a queue that does not offer callbacks while waiting).
func (r CallbackRules) OrDefaults() CallbackRules {
	if r.Digit == "" {
		r.Digit = DefaultCallbackDigit
	}
	if len(r.Words) == 0 {
		r.Words = DefaultCallbackWords
	}
	if r.Attempts == 0 {
		r.Attempts = DefaultCallbackAttempts
	}
	if r.RetryAfter == 0 {
		r.RetryAfter = DefaultCallbackRetryAfter
	}
	return r
}

// Tries is how many attempts a queue with rules r makes to call a customer back, and how far
// apart: its own when it offers callbacks, else the defaults (a callback exit, a voicemail).
func (r CallbackRules) Tries() (int, time.Duration) {
	if r.Offered() {
		return r.Attempts, r.RetryAfter
	}
	return DefaultCallbackAttempts, DefaultCallbackRetryAfter
}

// Offered reports whether the queue offers callbacks at all.
func (r CallbackRules) Offered() bool { return r.OfferAfter > 0 || r.OfferOverWait > 0 }

// check fills in the defaults of a queue that offers callbacks; field is where the rules sit
// ("queue.callback").
func (r CallbackRules) check(field string) (CallbackRules, error) {
	if r.OfferAfter < 0 || r.OfferAfter > time.Hour {
		return r, Invalid(field+".offer_after_s", "must be 0 (not by time) to 3600 seconds")
	}
	if r.OfferOverWait < 0 || r.OfferOverWait > 4*time.Hour {
		return r, Invalid(field+".offer_over_wait_s", "must be 0 (not by the expected wait) to 14400 seconds")
	}
	switch {
	case r.Digit == "" && r.Offered():
		r.Digit = DefaultCallbackDigit
	case r.Digit != "" && (len(r.Digit) != 1 || !strings.Contains("0123456789*#", r.Digit)):
		return r, Invalid(field+".digit", "one key: 0-9, * or #")
	}
	if len(r.Words) > maxCallbackWords {
		return r, Invalid(field+".words", "at most %d", maxCallbackWords)
	}
	for i, w := range r.Words {
		if strings.TrimSpace(w) == "" || len(w) > 100 {
			return r, Invalid(fmt.Sprintf("%s.words[%d]", field, i), "1 to 100 characters")
		}
	}
	if len(r.Words) == 0 && r.Offered() {
		r.Words = append([]string(nil), DefaultCallbackWords...)
	}
	switch {
	case r.Attempts < 0 || r.Attempts > maxCallbackAttempts:
		return r, Invalid(field+".attempts", "must be 1 to %d (0: the default, %d)", maxCallbackAttempts, DefaultCallbackAttempts)
	case r.Attempts == 0 && r.Offered():
		r.Attempts = DefaultCallbackAttempts
	}
	switch {
	case r.RetryAfter != 0 && (r.RetryAfter < time.Minute || r.RetryAfter > 24*time.Hour):
		return r, Invalid(field+".retry_after_s", "must be 60 to 86400 seconds (0: the default, 300)")
	case r.RetryAfter == 0 && r.Offered():
		r.RetryAfter = DefaultCallbackRetryAfter
	}
	if r.CallerID != "" && !e164Pattern.MatchString(r.CallerID) {
		return r, Invalid(field+".caller_id", "%q is not an E.164 number like +14155550100", r.CallerID)
	}
	if len(r.ForbiddenPrefixes) > maxForbiddenPrefixes {
		return r, Invalid(field+".forbidden_prefixes", "at most %d", maxForbiddenPrefixes)
	}
	for i, p := range r.ForbiddenPrefixes {
		if !prefixPattern.MatchString(p) {
			return r, Invalid(fmt.Sprintf("%s.forbidden_prefixes[%d]", field, i), "%q is not the start of an E.164 number like +1900", p)
		}
	}
	return r, nil
}

// CheckNumber says whether number may be called back: an E.164 number (as NormalizeNumber
// reads it) that starts with none of the forbidden prefixes. It returns the number normalised;
// errors name field.
func (r CallbackRules) CheckNumber(field, number string) (string, error) {
	n, ok := NormalizeNumber(number)
	if !ok {
		return "", Invalid(field, "%q is not a number that can be called back (E.164, like +14155550100)", number)
	}
	for _, p := range r.ForbiddenPrefixes {
		if strings.HasPrefix(n, p) {
			return "", Invalid(field, "numbers starting with %s are not called back", p)
		}
	}
	return n, nil
}

// CallbackField names the first setting of r that makes callbacks ("" when none does): a
// callback offer while waiting, or a callback exit.
func (r QueueRules) CallbackField() string {
	switch {
	case r.Callback.Offered():
		return "queue.callback"
	case r.ClosedExit.Kind == ExitCallback:
		return "queue.closed_exit.kind"
	case r.MaxWaiting.Exit.Kind == ExitCallback:
		return "queue.max_waiting_exit.kind"
	case r.LongestWait.Exit.Kind == ExitCallback:
		return "queue.longest_wait_exit.kind"
	}
	return ""
}

// CustomerCall is the customer's leg of a callback, as its scenario dials it.
type CustomerCall struct {
	Number       string
	CallerID     string // what he sees: the queue's CallerID, or the number he called
	OperatorText string // said to the operator while the customer's phone rings
	Timeout      time.Duration
}

// CustomerRingTimeout is how long a callback's customer's phone rings.
const CustomerRingTimeout = 30 * time.Second

// CustomerLeg is the customer's leg of callback c in queue q.
func CustomerLeg(q Queue, c Call) *CustomerCall {
	text := "Calling back " + c.Callback.Number + "."
	if c.Callback.VoicemailURL != "" {
		text = "Calling back " + c.Callback.Number + ", who left a message."
	}
	return &CustomerCall{Number: c.Callback.Number, CallerID: cmp.Or(q.Rules.Callback.CallerID, c.DialedNumber), OperatorText: text, Timeout: CustomerRingTimeout}
}
