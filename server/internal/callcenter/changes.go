package callcenter

import (
	"fmt"
	"time"
)

// Changes is what one step of the switchboard changed. The store writes it in one transaction
// before anyone is answered; the commands are sent after that.
type Changes struct {
	Operators []Operator       // configuration created or updated
	Queues    []Queue          // configuration created or updated
	Statuses  []OperatorStatus // live states that moved
	Calls     []Call
	Offers    []Offer
	Decisions []Decision
	Requests  []CloudRequest         // the cloud requests answered, remembered for retries
	Cursors   map[QueueID]OperatorID // where round-robin queues stopped
	Clients   []Client
	Absences  []Absence
	Unabsent  []string // absences deleted, by id
	Spares    []Spare
	SpareUse  []SpareStatus
	Menus     []Menu     // IVR menus created or replaced
	Unmenu    []MenuID   // IVR menus deleted
	Notes     []CallNote // operators' notes on calls they handled
	// Dispositions set on calls: stored with the call, on its timeline.
	Dispositions []CallDisposition
	Tallies      []Tally     // figures to add to the history, from the analytics recorder
	Events       []CallEvent // calls' timelines, from the analytics recorder
	Next         *Command    // the next command for the scenario, in the reply to this request
	Commands     []Command   // for the cloud sender; not stored
	Repairs      []Repair    // stuck states the sweeper mended; logged, not stored
}

// CallNote is an operator's note on a call he answered: the latest one he saved replaces the
// others.
type CallNote struct {
	Call CallID
	Note string
}

// MaxNoteBytes bounds a note.
const MaxNoteBytes = 2000

// NoteWindow is how long after a call ended its operator may still save his note on it: the
// wrap-up may have run out before he finished typing, and his app sends the note after it.
const NoteWindow = time.Hour

// Check says whether operator by may save the note on call c (as it is now) at now: only on a
// call he answered, while it is talked on or in its wrap-up, and up to NoteWindow after it
// ended. Errors name the request's field at fault.
func (n CallNote) Check(c Call, by OperatorID, now time.Time) error {
	switch {
	case len(n.Note) > MaxNoteBytes:
		return Invalid("note", "longer than %d bytes", MaxNoteBytes)
	case c.Operator != by || c.AnsweredAt.IsZero():
		return &Error{Code: CodePermissionDenied, Field: "call_id", Message: fmt.Sprintf("call %s was not answered by you: you may note only calls you handled", c.ID)}
	case c.State.Finished() && now.Sub(c.EndedAt) > NoteWindow:
		return &Error{Code: CodeFailedPrecondition, Field: "call_id", Message: fmt.Sprintf("call %s ended at %s: a note may be saved up to %s after the call", c.ID, c.EndedAt.UTC().Format(time.RFC3339), NoteWindow)}
	}
	return nil
}

// Repair is a stuck state the sweeper found and mended.
type Repair struct {
	Kind     string // "stale_waiting_call", "stale_connected_call", "reserved_without_offer", "on_call_without_call"
	Call     CallID
	Operator OperatorID
}

// Merge appends the changes of a later step: the store writes both in one transaction, the
// later value of a row winning. Next, the reply to one request, is not carried over.
func (c *Changes) Merge(later Changes) {
	c.Operators = append(c.Operators, later.Operators...)
	c.Queues = append(c.Queues, later.Queues...)
	c.Statuses = append(c.Statuses, later.Statuses...)
	c.Calls = append(c.Calls, later.Calls...)
	c.Offers = append(c.Offers, later.Offers...)
	c.Decisions = append(c.Decisions, later.Decisions...)
	c.Requests = append(c.Requests, later.Requests...)
	for q, op := range later.Cursors {
		if c.Cursors == nil {
			c.Cursors = map[QueueID]OperatorID{}
		}
		c.Cursors[q] = op
	}
	c.Notes = append(c.Notes, later.Notes...)
	c.Dispositions = append(c.Dispositions, later.Dispositions...)
	c.Tallies = append(c.Tallies, later.Tallies...)
	c.Events = append(c.Events, later.Events...)
	c.Clients = append(c.Clients, later.Clients...)
	c.Absences = append(c.Absences, later.Absences...)
	c.Unabsent = append(c.Unabsent, later.Unabsent...)
	c.Spares = append(c.Spares, later.Spares...)
	c.SpareUse = append(c.SpareUse, later.SpareUse...)
	c.Menus = append(c.Menus, later.Menus...)
	c.Unmenu = append(c.Unmenu, later.Unmenu...)
	c.Commands = append(c.Commands, later.Commands...)
	c.Repairs = append(c.Repairs, later.Repairs...)
}

// Empty reports whether nothing needs writing.
func (c *Changes) Empty() bool {
	return len(c.Operators) == 0 && len(c.Queues) == 0 && len(c.Statuses) == 0 && len(c.Calls) == 0 &&
		len(c.Offers) == 0 && len(c.Decisions) == 0 && len(c.Requests) == 0 && len(c.Cursors) == 0 &&
		len(c.Clients) == 0 && len(c.Absences) == 0 && len(c.Unabsent) == 0 && len(c.Spares) == 0 && len(c.SpareUse) == 0 &&
		len(c.Menus) == 0 && len(c.Unmenu) == 0 && len(c.Notes) == 0 && len(c.Dispositions) == 0 &&
		len(c.Tallies) == 0 && len(c.Events) == 0
}

// CloudRequest is a request from the cloud that was carried out, with the answer it got: a retry
// with the same id gets this answer again and changes nothing.
type CloudRequest struct {
	ID    string
	Call  CallID
	At    time.Time
	Reply Reply
}

// Reply is Tandem's answer to a cloud request.
type Reply struct {
	Call         CallID
	Queue        QueueID
	Position     int
	HoldMusicURL string
	Greeting     string
	// Record: the scenario records the conversation, after saying RecordingNotice.
	Record          bool
	RecordingNotice string
	// Announcement is said to a caller who waits in line at intake, when his queue announces
	// positions: his place and, when trusted, his expected wait (ExpectedWait, 0 without one).
	Announcement string
	ExpectedWait time.Duration
	// Callback: whom a callback scenario that reported in calls once its operator answers.
	Callback *CustomerCall
	// Menu is the IVR menu the scenario runs for a call that entered one (Queue is then "").
	Menu *Menu `json:",omitempty"`
	// Queued: the reply to a menu choice that filed the call in Queue; the queue's fields
	// (Position to RecordingNotice) are set as for a new call of that queue.
	Queued bool     `json:",omitempty"`
	Next   *Command // the next thing the scenario should do, if any
}

// Session is an operator's login: the token itself is never stored, only its hash.
type Session struct {
	TokenHash string
	Operator  OperatorID
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Runtime is the live state the switchboard rebuilds itself from at start.
type Runtime struct {
	Statuses []OperatorStatus
	Calls    []Call  // calls not finished
	Offers   []Offer // offers still pending
	// Declined are the declined offers of the calls not finished: whoever declined a call is
	// not offered it again, across a restart too.
	Declined []Offer
	// WrappedUp are the finished calls operators are wrapping up: their wrap-up time counts in
	// the call's queue.
	WrappedUp []Call
	Cursors   map[QueueID]OperatorID
	Clients   []Client
	Absences  []Absence
	Spares    []Spare
	SpareUse  []SpareStatus
	Menus     []Menu
}
