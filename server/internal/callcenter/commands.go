package callcenter

// This file holds what the switchboard's commands take and give that is not a record of its
// own: a change to an operator, a list of clients to import.

// OperatorUpdate is a change to an operator's configuration: what is nil (or empty) stays.
type OperatorUpdate struct {
	DisplayName   *string
	Contact       *Contact
	Queues        []QueueSkill // added, or replacing his skill in the same queue
	ReplaceQueues bool         // Queues replace all his queues (none: he serves no queue)
	PasswordHash  *string
	Disabled      *bool
	Hours         *WeekHours
	SoftphoneHA1  *string // "": removes it
}

// Apply returns op changed by u.
func (u OperatorUpdate) Apply(op Operator) Operator {
	if u.DisplayName != nil {
		op.DisplayName = *u.DisplayName
	}
	if u.Contact != nil {
		if *u.Contact != op.Contact {
			op.SoftphoneHA1 = "" // the digest names his old user: it cannot sign for the new one
		}
		op.Contact = *u.Contact
	}
	switch {
	case u.ReplaceQueues:
		op.Queues = u.Queues
	case len(u.Queues) > 0:
		op.Queues = mergeSkills(op.Queues, u.Queues)
	}
	if u.PasswordHash != nil {
		op.PasswordHash = *u.PasswordHash
	}
	if u.Disabled != nil {
		op.Disabled = *u.Disabled
	}
	if u.Hours != nil {
		op.Hours = *u.Hours
	}
	if u.SoftphoneHA1 != nil {
		op.SoftphoneHA1 = *u.SoftphoneHA1
	}
	return op
}

// mergeSkills adds or replaces skills by queue.
func mergeSkills(cur, add []QueueSkill) []QueueSkill {
	out := append([]QueueSkill(nil), cur...)
	for _, a := range add {
		replaced := false
		for i := range out {
			if out[i].Queue == a.Queue {
				out[i], replaced = a, true
			}
		}
		if !replaced {
			out = append(out, a)
		}
	}
	return out
}

// ClientLine is one line of a client list to import: a caller number (E.164) and his manager,
// by operator id or login name.
type ClientLine struct {
	Line    int // in the list, for the errors
	Number  string
	Manager string
}

// LineError is why a line of an imported list was left out.
type LineError struct {
	Line    int
	Message string
}
