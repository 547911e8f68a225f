package routing

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file sends calls out of their queue's line by an exit (cc.Exit): a closed queue, a line
// over its cap of waiting calls, a call past its longest wait. The spare overflow is the
// longest-wait exit of kind overflow and stays in spare.go.

// maxExitHops bounds a chain of queue exits a call follows in one step (the configuration
// refuses cycles; this keeps a bug from looping).
const maxExitHops = 16

// arrivalExit sends a call that just joined queue q (arriving, or moved there by an exit) to
// q's exit when q is closed or its line is full. atIntake: the exit's command is the reply to
// the intake. It returns whether the call left q.
func (e *Engine) arrivalExit(now time.Time, q *cc.Queue, c *call, atIntake bool, hops int) bool {
	if open, why := q.Rules.Hours.Open(now); !open {
		e.takeExit(now, q, c, q.Rules.ClosedOr(), cc.ExitClosed, cc.ClosedWhy(why), atIntake, hops)
		return true
	}
	if limit := q.Rules.MaxWaiting.Calls; limit > 0 {
		if n := e.waiting(q.ID, c.ID); n >= limit {
			e.takeExit(now, q, c, q.Rules.MaxWaiting.Exit, cc.ExitMaxWaiting, fmt.Sprintf("%s: %d calls waiting (cap %d)", cc.ExitWhyMaxWaiting, n, limit), atIntake, hops)
			return true
		}
	}
	return false
}

// waiting counts the callers waiting in queue q's line, in line or being offered, but for call
// but (the one that asks); callbacks have nobody on the line and do not count.
func (e *Engine) waiting(q cc.QueueID, but cc.CallID) int {
	n := 0
	for _, c := range e.lines[q] {
		if c.ID != but && e.calls[c.ID] == c && c.Queue == q && c.State == cc.CallWaiting && !c.Callback.Virtual() {
			n++
		}
	}
	for _, of := range e.offers {
		if c := e.calls[of.Call]; c != nil && c.ID != but && c.Queue == q && c.State == cc.CallWaiting && c.Offer == of.ID && !c.Callback.Virtual() {
			if _, filed := e.inLine[c.ID]; !filed {
				n++
			}
		}
	}
	return n
}

// takeExit carries out exit x of queue q for call c, which waits (in line or just arriving):
// message and number end the call here (the scenario says the text and hangs up or puts the
// caller through); queue moves it to another line, keeping its arrival.
func (e *Engine) takeExit(now time.Time, q *cc.Queue, c *call, x cc.Exit, cause cc.ExitCause, why string, atIntake bool, hops int) {
	e.withdraw(now, c, "the call takes its queue's exit: "+why)
	c.Exit = cc.CallExit{Kind: x.Kind, Cause: cause, Queue: q.ID, Why: why, At: now}
	e.touchCall(c)
	switch x.Kind {
	case cc.ExitQueue:
		to := e.queues[x.Queue]
		if to == nil || hops >= maxExitHops {
			// Refused when saved; a queue cannot go away. Say goodbye rather than loop.
			e.endByExit(now, c, cc.Command{Type: cc.CommandHangup, Text: cc.DefaultClosedText, Reason: why}, atIntake)
			return
		}
		c.Exit.Target = string(to.ID)
		e.moveCall(c, to.ID, c.Priority)
		c.tried = nil
		c.announceAt = time.Time{}
		if !e.arrivalExit(now, to, c, atIntake, hops+1) {
			e.scheduleAnnouncement(c, now)
			e.indexCall(c.ID) // in its new line now: the next call moved there this step counts it
		}
	case cc.ExitNumber:
		c.Exit.Target = x.Number
		contact, err := cc.ExitContact("number", x.Number)
		if err != nil { // checked when saved
			e.endByExit(now, c, cc.Command{Type: cc.CommandHangup, Text: x.Text, Reason: why}, atIntake)
			return
		}
		e.endByExit(now, c, cc.Command{Type: cc.CommandForward, Contact: contact, Text: x.Text, CallerID: c.CallerNumber, Reason: why}, atIntake)
	case cc.ExitVoicemail:
		e.endByExit(now, c, cc.Command{Type: cc.CommandVoicemail, Text: cmp.Or(x.Text, cc.DefaultVoicemailPrompt), Timeout: cc.MaxVoicemail, Reason: why}, atIntake)
	case cc.ExitCallback:
		if !e.cfg.Callbacks { // saved while they were on: the caller hears why, never silence
			e.endByExit(now, c, cc.Command{Type: cc.CommandHangup, Text: cc.DefaultClosedText, Reason: why + "; callbacks are off"}, atIntake)
			return
		}
		e.askCallback(now, q, c, x.Text, atIntake)
	default: // message (and any kind without a handler: the caller hears why, never silence)
		e.endByExit(now, c, cc.Command{Type: cc.CommandHangup, Text: x.Text, Reason: why}, atIntake)
	}
}

// endByExit ends call c as its exit's command is sent: the scenario carries it out (says the
// text, hangs up or puts the caller through) without Tandem. At intake the command is the
// intake's reply.
func (e *Engine) endByExit(now time.Time, c *call, cmd cc.Command, atIntake bool) {
	cmd.Call, cmd.AccessURL = c.ID, c.AccessURL
	if atIntake {
		e.out.Next = &cmd
	} else {
		e.command(cmd)
	}
	c.State, c.EndedAt, c.HungUpBy = cc.CallEnded, now, cc.HangupSystem
	e.touchCall(c)
	delete(e.calls, c.ID)
}

// exits sends the calls waiting in line to their queue's exits where due at now: past the
// longest wait, or in a queue that closed and sends its waiting calls out at closing.
func (e *Engine) exits(now time.Time) {
	for _, q := range e.exiting {
		closed := false
		var why string
		if q.Rules.ExitWaitingAtClose && q.Rules.Hours.Set() {
			var open bool
			open, why = q.Rules.Hours.Open(now)
			closed = !open
		}
		after := q.Rules.LongestWait.After
		if q.Rules.OverflowIsExit() {
			after = 0 // the spare overflow's
		}
		if !closed && after <= 0 {
			continue
		}
		for _, c := range append([]*call(nil), e.lines[q.ID]...) {
			if e.calls[c.ID] != c || c.State != cc.CallWaiting || c.Offer != "" || c.Queue != q.ID || c.Callback.Virtual() {
				continue // a callback has nobody on the line to send out
			}
			switch {
			case closed:
				e.takeExit(now, q, c, q.Rules.ClosedOr(), cc.ExitClosed, cc.ClosedWhy(why), false, 0)
			case now.Sub(c.ArrivedAt) >= after:
				e.takeExit(now, q, c, q.Rules.LongestWait.Exit, cc.ExitLongestWait, fmt.Sprintf("%s: waited %s (longest wait %s)", cc.ExitWhyLongestWait, fmtDuration(now.Sub(c.ArrivedAt)), fmtDuration(after)), false, 0)
			}
		}
	}
}

// exitsDeadline is the next time a queue's hours change for a queue that sends its waiting
// calls out at closing (the longest waits are the calls' own deadlines: callDeadline).
func (e *Engine) exitsDeadline(now time.Time) time.Time {
	var next time.Time
	for _, q := range e.exiting {
		if !q.Rules.ExitWaitingAtClose || !q.Rules.Hours.Set() || len(e.lines[q.ID]) == 0 {
			continue
		}
		_, due := e.openAt(q, now) // the queue's cached spell: no search of its hours every step
		if !due.IsZero() && (next.IsZero() || due.Before(next)) {
			next = due
		}
	}
	return next
}

// longestWaitDue is when call c passes its queue's longest wait (an exit other than overflow).
func (e *Engine) longestWaitDue(c *call) time.Time {
	q := e.queues[c.Queue]
	if q == nil || q.Rules.LongestWait.After <= 0 || q.Rules.OverflowIsExit() || c.Callback.Virtual() {
		return time.Time{}
	}
	return c.ArrivedAt.Add(q.Rules.LongestWait.After)
}

// checkExitQueues refuses exits of queue q to unknown queues, to itself, and cycles of queue
// exits through the other queues (which could bounce a call forever).
func (e *Engine) checkExitQueues(q cc.Queue) error {
	for _, x := range q.Rules.ExitQueues() {
		if x.Queue == q.ID {
			return cc.Invalid(x.Field, "a queue's exit cannot lead to the queue itself")
		}
		if e.queues[x.Queue] == nil {
			return cc.NotFound(x.Field, "no queue %q", x.Queue)
		}
		if path := e.exitPath(q, x.Queue, []cc.QueueID{q.ID}, map[cc.QueueID]bool{}); path != nil {
			return cc.Invalid(x.Field, "exits would send calls round in a cycle: %s", joinQueues(path))
		}
	}
	return nil
}

// exitPath follows the queue exits from queue at (q with its new rules) and returns the path
// back to q, or nil when there is none.
func (e *Engine) exitPath(q cc.Queue, at cc.QueueID, path []cc.QueueID, seen map[cc.QueueID]bool) []cc.QueueID {
	path = append(path, at)
	if at == q.ID {
		return path
	}
	other := e.queues[at]
	if seen[at] || other == nil {
		return nil
	}
	seen[at] = true
	for _, x := range other.Rules.ExitQueues() {
		if p := e.exitPath(q, x.Queue, path, seen); p != nil {
			return p
		}
	}
	return nil
}

func joinQueues(path []cc.QueueID) string {
	s := make([]string, len(path))
	for i, id := range path {
		s[i] = string(id)
	}
	return strings.Join(s, " → ")
}

// QueueOpen says whether queue id is open at now and, closed, why ("closed: New Year",
// "closed until Mon 09:00"): for the wallboard.
func (e *Engine) QueueOpen(id cc.QueueID, now time.Time) (bool, string) {
	q := e.queues[id]
	if q == nil {
		return true, ""
	}
	open, why := q.Rules.Hours.Open(now)
	if open {
		return true, ""
	}
	return false, cc.ClosedWhy(why)
}
