package callcenter

import "time"

// CallOutcome is how an ended call went, as a supervisor searches for it.
type CallOutcome string

const (
	OutcomeAnswered    CallOutcome = "answered"    // an operator talked to the caller
	OutcomeAbandoned   CallOutcome = "abandoned"   // the caller hung up before anyone answered
	OutcomeLost        CallOutcome = "lost"        // the cloud session went away
	OutcomeTransferred CallOutcome = "transferred" // handed on by a transfer
	OutcomeAtSpare     CallOutcome = "at_spare"    // answered at a spare number
	OutcomeDeclined    CallOutcome = "declined"    // an operator declined one of its offers
	OutcomeExited      CallOutcome = "exited"      // its queue's exit ended it (message, number)
)

// CallOutcomes are the outcomes a search may ask for.
var CallOutcomes = []CallOutcome{OutcomeAnswered, OutcomeAbandoned, OutcomeLost, OutcomeTransferred, OutcomeAtSpare, OutcomeDeclined, OutcomeExited}

// MaxCallPage bounds a page of a call search.
const MaxCallPage = 200

// CallQuery asks for ended calls, newest first. Empty fields match every call.
type CallQuery struct {
	Number         string // the caller number begins with it (or contains it, with NumberContains)
	NumberContains bool
	Operator       OperatorID
	Queue          QueueID
	From, To       time.Time // ended in [From, To)
	Outcome        CallOutcome
	Disposition    string     // only calls with this disposition
	ExitKind       ExitKind   // only calls that took an exit of this kind; ExitAny: any exit
	Limit          int        // 1..MaxCallPage
	After          CallCursor // where the previous page stopped; zero for the first page
}

// CallCursor is the place of a call in a search's order (ended_at, then id, both descending).
type CallCursor struct {
	EndedAt time.Time
	Call    CallID
}

// Check says what is wrong with q.
func (q CallQuery) Check() error {
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return Invalid("range", "from must be before to")
	}
	if q.Limit < 1 || q.Limit > MaxCallPage {
		return Invalid("page_size", "page size must be 1..%d, not %d", MaxCallPage, q.Limit)
	}
	if q.Disposition != "" && !ValidSlug(q.Disposition) {
		return Invalid("disposition", "%q is not a disposition code", q.Disposition)
	}
	if q.ExitKind != "" && q.ExitKind != ExitAny && q.ExitKind != ExitMessage && q.ExitKind != ExitNumber && q.ExitKind != ExitQueue {
		return Invalid("exit_kind", "unknown exit kind %q (message, number, queue or any)", q.ExitKind)
	}
	if q.Outcome != "" {
		known := false
		for _, o := range CallOutcomes {
			known = known || o == q.Outcome
		}
		if !known {
			return Invalid("outcome", "unknown outcome %q", q.Outcome)
		}
	}
	return nil
}

// StateSpan is a state an operator entered, and why.
type StateSpan struct {
	Operator OperatorID
	Since    time.Time
	State    OperatorState
	Reason   string
}

// DayScore is an operator's score as it stood at the end of a UTC day (or now, for today).
type DayScore struct {
	Operator OperatorID
	Day      int64 // days since 1970-01-01, UTC
	At       time.Time
	Score    Score
}
