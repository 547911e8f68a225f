package callcenter

import (
	"fmt"
	"strings"
	"time"
)

// Disposition is one of a queue's wrap-up codes: what came of a call ("sale", "callback"), set
// by the operator who handled it while he talks or wraps up, kept with the call and counted in
// the history.
type Disposition struct {
	Code  string // lowercase letters, digits, _ or -; unique in its queue
	Label string // what the operator reads; the code when empty
}

// Limits of a queue's dispositions.
const (
	MaxDispositions     = 50
	maxDispositionLabel = 100
)

// ReasonDispositionNeeded is the reason of an operator kept in wrap-up after its time ran out
// because the call's queue requires a disposition and he has not set one: he is free again once
// he sets it and presses Done.
const ReasonDispositionNeeded = "disposition needed"

// checkDispositions checks a queue's dispositions, filling in each empty label with its code.
func checkDispositions(ds []Disposition, required bool) ([]Disposition, error) {
	if len(ds) > MaxDispositions {
		return ds, Invalid("queue.dispositions", "at most %d dispositions", MaxDispositions)
	}
	seen := map[string]bool{}
	out := make([]Disposition, 0, len(ds))
	for i, d := range ds {
		field := fmt.Sprintf("queue.dispositions[%d]", i)
		d.Code = strings.TrimSpace(d.Code)
		d.Label = strings.TrimSpace(d.Label)
		switch {
		case d.Code == "":
			return ds, Invalid(field+".code", "required")
		case !ValidSlug(d.Code):
			return ds, Invalid(field+".code", "%q must be 1-63 lowercase letters, digits, _ or -", d.Code)
		case seen[d.Code]:
			return ds, Invalid(field+".code", "%q is listed twice", d.Code)
		}
		seen[d.Code] = true
		if d.Label == "" {
			d.Label = d.Code
		}
		if err := maxLen(field+".label", d.Label, maxDispositionLabel); err != nil {
			return ds, err
		}
		out = append(out, d)
	}
	if required && len(out) == 0 {
		return ds, Invalid("queue.disposition_required", "a queue that requires a disposition needs at least one")
	}
	if len(out) == 0 {
		out = nil
	}
	return out, nil
}

// NeedsDisposition says whether the queue keeps an operator from being free again after one of
// its calls until he set its disposition: it requires one and has some to choose from.
func (q *Queue) NeedsDisposition() bool {
	return q != nil && q.Rules.DispositionRequired && len(q.Rules.Dispositions) > 0
}

// DispositionOf finds a code among the queue's dispositions.
func (q *Queue) DispositionOf(code string) (Disposition, bool) {
	if q != nil {
		for _, d := range q.Rules.Dispositions {
			if d.Code == code {
				return d, true
			}
		}
	}
	return Disposition{}, false
}

// CallDisposition sets a call's disposition.
type CallDisposition struct {
	Call  CallID
	Code  string
	Label string // its label, as its queue had it when it was set
	// By is who set it: the operator's id, or a supervisor's name (Supervisor set) for the
	// call's timeline.
	By         string
	Supervisor bool
	At         time.Time
}

// Check says whether d may be set on call c, of queue q (nil when the queue is gone), by
// operator by ("" for a supervisor). inHand says whether the call is still in its operator's
// hands: he talks on it or wraps it up. Errors name the request's field at fault.
func (d CallDisposition) Check(c Call, q *Queue, by OperatorID, inHand bool) error {
	switch {
	case d.Code == "":
		return Invalid("code", "required")
	case by != "" && (c.Operator != by || c.AnsweredAt.IsZero()):
		return &Error{Code: CodePermissionDenied, Field: "call_id", Message: fmt.Sprintf("call %s is not yours: you may set the disposition only of a call you handled", c.ID)}
	case !inHand:
		return &Error{Code: CodeFailedPrecondition, Field: "call_id", Message: fmt.Sprintf("call %s is no longer talked on or wrapped up: a disposition may be set until its wrap-up ends", c.ID)}
	}
	if _, ok := q.DispositionOf(d.Code); !ok {
		var codes []string
		if q != nil {
			for _, x := range q.Rules.Dispositions {
				codes = append(codes, x.Code)
			}
		}
		if len(codes) == 0 {
			return Invalid("code", "queue %s has no dispositions", c.Queue)
		}
		return Invalid("code", "%q is not one of queue %s's dispositions (%s)", d.Code, c.Queue, strings.Join(codes, ", "))
	}
	return nil
}
