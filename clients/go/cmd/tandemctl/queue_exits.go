package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strings"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
)

// A queue's business hours, caps, exits and callbacks on the command line (issue 22).

const exitsSynopsis = "[--time-zone ZONE] [--hours 'mon-fri 09:00-18:00'...] [--closure 2026-12-31[..2027-01-01][=NAME]...] [--closed-exit message|number=N|queue=Q|voicemail|callback|none] [--closed-text TEXT] [--exit-waiting-at-close] [--max-waiting N] [--max-waiting-exit EXIT] [--max-waiting-text TEXT] [--longest-wait 5m] [--longest-wait-exit EXIT|overflow] [--longest-wait-text TEXT] " + callbackSynopsis

// exitFlags are a queue's hours, caps and exits.
type exitFlags struct {
	timeZone                                string
	hours, closures                         listFlag
	closedExit, maxWaitingExit, longestExit string
	closedText, maxWaitingText, longestText string
	exitAtClose                             bool
	maxWaiting                              uint
	longestWait                             duration
	callback                                callbackFlags
}

const callbackSynopsis = "[--callback-offer-after 2m] [--callback-offer-over-wait 5m] [--callback-digit 1] [--callback-words 'call me back'...] [--callback-attempts 3] [--callback-retry-after 5m] [--callback-caller-id +E164] [--callback-forbidden-prefix +1900...]"

// callbackFlags are a queue's callback settings (Queue.callback); each left at 0 or empty is
// the server's default.
type callbackFlags struct {
	offerAfter, offerOverWait, retryAfter duration
	digit, callerID                       string
	words                                 listFlag
	forbidden                             commaList
	attempts                              uint
}

func newExitFlags(fs *flag.FlagSet) *exitFlags {
	xf := &exitFlags{}
	fs.StringVar(&xf.timeZone, "time-zone", "", "the IANA time zone of the queue's hours and closures, e.g. Europe/Berlin")
	fs.Var(&xf.hours, "hours", `opening hours as "DAYS HH:MM-HH:MM[,HH:MM-HH:MM]", DAYS like mon, mon-fri or sat,sun; up to 24:00, a night shift is two spans (repeatable; replaces the week; --hours= empties it: open all week)`)
	fs.Var(&xf.closures, "closure", `whole local days closed, as FIRST[..LAST][=NAME], e.g. 2026-12-31..2027-01-01="New Year" (repeatable; replaces the list; --closure= empties it)`)
	exitHelp := "message, number=NUMBER (E.164, sip:… or user:NAME), queue=QUEUE, voicemail (the text: its prompt), callback (offer a call back; the text: the offer), or none"
	fs.StringVar(&xf.closedExit, "closed-exit", "", "what the queue does with a call while closed: "+exitHelp+" (default: a message)")
	fs.StringVar(&xf.closedText, "closed-text", "", "what a caller hears from the closed exit (message: required)")
	fs.BoolVar(&xf.exitAtClose, "exit-waiting-at-close", false, "calls still waiting when the queue closes take the closed exit (default: they are served)")
	fs.UintVar(&xf.maxWaiting, "max-waiting", 0, "at most this many calls wait; a new call over it takes --max-waiting-exit (0: no cap)")
	fs.StringVar(&xf.maxWaitingExit, "max-waiting-exit", "", "the exit of a call over --max-waiting: "+exitHelp)
	fs.StringVar(&xf.maxWaitingText, "max-waiting-text", "", "what a caller hears from the --max-waiting exit")
	fs.Var(&xf.longestWait, "longest-wait", "a call waiting this long takes --longest-wait-exit (0: no cap)"+durationHelp)
	fs.StringVar(&xf.longestExit, "longest-wait-exit", "", "the exit of a call past --longest-wait: "+exitHelp+", or overflow (the spare numbers)")
	fs.StringVar(&xf.longestText, "longest-wait-text", "", "what a caller hears from the --longest-wait exit")
	cb := &xf.callback
	fs.Var(&cb.offerAfter, "callback-offer-after", "offer a waiting caller a call back once he waited this long (0: not by time; needs the server's --voximplant-… flags)"+durationHelp)
	fs.Var(&cb.offerOverWait, "callback-offer-over-wait", "offer it at once when his expected wait is this long (0: not by the expected wait)"+durationHelp)
	fs.StringVar(&cb.digit, "callback-digit", "", "the key that accepts a callback: 0-9, * or # (empty: the default, 1)")
	fs.Var(&cb.words, "callback-words", `words that accept a callback, e.g. "call me back" (repeatable; replaces the list; --callback-words= goes back to the defaults: call me back, callback, call back)`)
	fs.UintVar(&cb.attempts, "callback-attempts", 0, "attempts to reach the customer, 1 to 10 (0: the default, 3)")
	fs.Var(&cb.retryAfter, "callback-retry-after", "time between attempts, 1m to 24h (0: the default, 5m)"+durationHelp)
	fs.StringVar(&cb.callerID, "callback-caller-id", "", "the number the customer sees, E.164 (empty: the number he called)")
	fs.Var(&cb.forbidden, "callback-forbidden-prefix", "numbers starting with this E.164 prefix, e.g. +1900, are never called back (repeatable or comma-separated; replaces the list; --callback-forbidden-prefix= empties it)")
	return xf
}

// set copies flag f, if it is one of these, into q.
func (xf *exitFlags) set(f *flag.Flag, q *adminv1.Queue) (bool, error) {
	hours := func() *adminv1.QueueHours {
		if q.Hours == nil {
			q.Hours = &adminv1.QueueHours{}
		}
		return q.Hours
	}
	var err error
	switch f.Name {
	case "time-zone":
		hours().TimeZone = xf.timeZone
	case "hours":
		h := hours()
		h.Weekly = nil
		for _, v := range nonEmpty(xf.hours) {
			spans, perr := parseWeekSpans(v)
			if perr != nil {
				return true, perr
			}
			h.Weekly = append(h.Weekly, spans...)
		}
	case "closure":
		h := hours()
		h.Closures = nil
		for _, v := range nonEmpty(xf.closures) {
			days, name, _ := strings.Cut(v, "=")
			first, last, _ := strings.Cut(days, "..")
			h.Closures = append(h.Closures, &adminv1.Closure{First: strings.TrimSpace(first), Last: strings.TrimSpace(last), Name: strings.TrimSpace(name)})
		}
	case "closed-exit":
		q.ClosedExit, err = exitOf("--closed-exit", xf.closedExit, q.GetClosedExit())
	case "closed-text":
		q.ClosedExit = withText(q.GetClosedExit(), xf.closedText)
	case "exit-waiting-at-close":
		q.ExitWaitingAtClose = xf.exitAtClose
	case "max-waiting":
		q.MaxWaiting = uint32(min(xf.maxWaiting, math.MaxUint32))
	case "max-waiting-exit":
		q.MaxWaitingExit, err = exitOf("--max-waiting-exit", xf.maxWaitingExit, q.GetMaxWaitingExit())
	case "max-waiting-text":
		q.MaxWaitingExit = withText(q.GetMaxWaitingExit(), xf.maxWaitingText)
	case "longest-wait":
		q.LongestWaitS, err = wholeSeconds(f.Name, xf.longestWait.get())
	case "longest-wait-exit":
		q.LongestWaitExit, err = exitOf("--longest-wait-exit", xf.longestExit, q.GetLongestWaitExit())
	case "longest-wait-text":
		q.LongestWaitExit = withText(q.GetLongestWaitExit(), xf.longestText)
	default:
		return xf.callback.set(f, q)
	}
	return true, err
}

// set copies flag f, if it is a callback flag, into q.Callback.
func (cf *callbackFlags) set(f *flag.Flag, q *adminv1.Queue) (bool, error) {
	if !strings.HasPrefix(f.Name, "callback-") {
		return false, nil
	}
	if q.Callback == nil {
		q.Callback = &adminv1.QueueCallback{}
	}
	cb := q.Callback
	var err error
	switch f.Name {
	case "callback-offer-after":
		cb.OfferAfterS, err = wholeSeconds(f.Name, cf.offerAfter.get())
	case "callback-offer-over-wait":
		cb.OfferOverWaitS, err = wholeSeconds(f.Name, cf.offerOverWait.get())
	case "callback-digit":
		cb.Digit = cf.digit
	case "callback-words":
		cb.Words = nonEmpty(cf.words)
	case "callback-attempts":
		cb.Attempts = uint32(min(cf.attempts, math.MaxUint32))
	case "callback-retry-after":
		cb.RetryAfterS, err = wholeSeconds(f.Name, cf.retryAfter.get())
	case "callback-caller-id":
		cb.CallerId = cf.callerID
	case "callback-forbidden-prefix":
		cb.ForbiddenPrefixes = nonEmpty(cf.forbidden)
	default:
		return false, nil
	}
	return true, err
}

// exitOf reads an exit flag's value, keeping the text of the exit it replaces.
func exitOf(flagName, v string, old *adminv1.QueueExit) (*adminv1.QueueExit, error) {
	if v == "" || v == "none" {
		return nil, nil
	}
	kind, target, _ := strings.Cut(v, "=")
	x := &adminv1.QueueExit{Kind: kind, Text: old.GetText()}
	switch kind {
	case "number":
		x.Number = target
	case "queue":
		x.QueueId = target
	case "message", "overflow", "voicemail", "callback":
		if target != "" {
			return nil, usagef("%s %q: %s takes no =VALUE", flagName, v, kind)
		}
	default:
		return nil, usagef("%s %q: want message, number=NUMBER, queue=QUEUE, voicemail, callback, overflow or none", flagName, v)
	}
	return x, nil
}

// withText sets an exit's text; an exit not set yet is a message (no text: none).
func withText(x *adminv1.QueueExit, text string) *adminv1.QueueExit {
	if x == nil && text == "" {
		return nil
	}
	if x == nil {
		x = &adminv1.QueueExit{Kind: "message"}
	}
	x.Text = text
	return x
}

var dayOrder = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// parseWeekSpans reads "mon-fri 09:00-18:00,19:00-21:00" into one span per day and time.
func parseWeekSpans(v string) ([]*adminv1.OpenSpan, error) {
	bad := usagef(`--hours %q: want "DAYS HH:MM-HH:MM[,HH:MM-HH:MM]", like "mon-fri 09:00-18:00"`, v)
	daysPart, timesPart, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		return nil, bad
	}
	var days []string
	for _, d := range strings.Split(strings.ToLower(daysPart), ",") {
		from, to, isRange := strings.Cut(d, "-")
		i, j := indexOf(dayOrder, from), indexOf(dayOrder, to)
		switch {
		case !isRange && i >= 0:
			days = append(days, from)
		case isRange && i >= 0 && j >= i:
			days = append(days, dayOrder[i:j+1]...)
		default:
			return nil, bad
		}
	}
	var out []*adminv1.OpenSpan
	for _, span := range strings.Split(strings.TrimSpace(timesPart), ",") {
		from, to, ok := strings.Cut(strings.TrimSpace(span), "-")
		if !ok {
			return nil, bad
		}
		for _, d := range days {
			out = append(out, &adminv1.OpenSpan{Day: d, From: from, To: to}) // the server checks the times
		}
	}
	return out, nil
}

func indexOf(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

// hoursText is a queue's hours in a line: "Europe/Berlin: mon 09:00-18:00, tue 09:00-18:00", or
// "always open".
func hoursText(h *adminv1.QueueHours) string {
	if len(h.GetWeekly()) == 0 {
		if len(h.GetClosures()) > 0 {
			return h.GetTimeZone() + ": all week"
		}
		return "always open"
	}
	var spans []string
	for _, s := range h.GetWeekly() {
		spans = append(spans, s.GetDay()+" "+s.GetFrom()+"-"+s.GetTo())
	}
	return h.GetTimeZone() + ": " + strings.Join(spans, ", ")
}

// closuresText lists a queue's closures as --closure takes them, or "none".
func closuresText(h *adminv1.QueueHours) string {
	var out []string
	for _, c := range h.GetClosures() {
		s := c.GetFirst()
		if c.GetLast() != "" && c.GetLast() != c.GetFirst() {
			s += ".." + c.GetLast()
		}
		if c.GetName() != "" {
			s += "=" + c.GetName()
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// exitText is an exit in words: `number=+14155550100 ("Our partners…")`, or "none".
func exitText(x *adminv1.QueueExit) string {
	if x == nil {
		return "none"
	}
	s := x.GetKind()
	switch x.GetKind() {
	case "number":
		s += "=" + x.GetNumber()
	case "queue":
		s += "=" + x.GetQueueId()
	}
	if x.GetText() != "" {
		s += fmt.Sprintf(" (%q)", x.GetText())
	}
	return s
}

// exitsTable adds a queue's hours, caps and exits to its table.
func exitsTable(w io.Writer, q *adminv1.Queue) {
	row(w, "Hours", hoursText(q.GetHours()))
	row(w, "Closures", closuresText(q.GetHours()))
	closed := exitText(q.GetClosedExit())
	if q.GetClosedExit() == nil && (len(q.GetHours().GetWeekly()) > 0 || len(q.GetHours().GetClosures()) > 0) {
		closed = "message (the default)"
	}
	if q.GetExitWaitingAtClose() {
		closed += ", waiting calls too"
	}
	row(w, "Closed exit", closed)
	if q.GetClosedNow() {
		row(w, "Now", q.GetClosedWhy())
	} else {
		row(w, "Now", "open")
	}
	if q.GetMaxWaiting() > 0 {
		row(w, "Max waiting", fmt.Sprintf("%d, then %s", q.GetMaxWaiting(), exitText(q.GetMaxWaitingExit())))
	} else {
		row(w, "Max waiting", "no cap")
	}
	if q.GetLongestWaitS() > 0 {
		row(w, "Longest wait", fmt.Sprintf("%s, then %s", seconds(q.GetLongestWaitS()), exitText(q.GetLongestWaitExit())))
	} else {
		row(w, "Longest wait", "no cap")
	}
	row(w, "Callback", callbackText(q.GetCallback()))
}

// callbackText is a queue's callback settings in a line: "offered after 2m0s or an expected
// wait over 5m0s; key 1, words call me back|callback; 3 attempts 5m0s apart; caller id
// +14155550100; never +1900"; "not offered while waiting" when neither offer is set (a
// callback exit still offers one).
func callbackText(cb *adminv1.QueueCallback) string {
	var when []string
	if cb.GetOfferAfterS() > 0 {
		when = append(when, "after "+seconds(cb.GetOfferAfterS()))
	}
	if cb.GetOfferOverWaitS() > 0 {
		when = append(when, "an expected wait over "+seconds(cb.GetOfferOverWaitS()))
	}
	s := "not offered while waiting"
	if len(when) > 0 {
		s = "offered " + strings.Join(when, " or ")
	}
	orDefault := func(v, d string) string {
		if v == "" {
			return d + " (default)"
		}
		return v
	}
	attempts, retry := "", ""
	if cb.GetAttempts() > 0 {
		attempts = fmt.Sprint(cb.GetAttempts())
	}
	if cb.GetRetryAfterS() > 0 {
		retry = seconds(cb.GetRetryAfterS())
	}
	s += fmt.Sprintf("; key %s, words %s; %s attempts %s apart", orDefault(cb.GetDigit(), "1"), orDefault(strings.Join(cb.GetWords(), "|"), "call me back|callback|call back"),
		orDefault(attempts, "3"), orDefault(retry, seconds(300)))
	if cb.GetCallerId() != "" {
		s += "; caller id " + cb.GetCallerId()
	}
	if len(cb.GetForbiddenPrefixes()) > 0 {
		s += "; never " + strings.Join(cb.GetForbiddenPrefixes(), ",")
	}
	return s
}
