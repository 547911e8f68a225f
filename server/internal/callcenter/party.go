package callcenter

import (
	"fmt"
	"time"
)

// PartyID names one third leg of a call; the cloud's party events carry it.
type PartyID string

// PartyMode says what a third party on a call hears and who hears him.
type PartyMode string

const (
	// PartyConference: added by the operator; caller, operator and party all hear one another.
	PartyConference PartyMode = "conference"
	// PartyListen: a supervisor hears caller and operator; nobody hears him.
	PartyListen PartyMode = "listen"
	// PartyWhisper: a supervisor hears caller and operator; only the operator hears him.
	PartyWhisper PartyMode = "whisper"
	// PartyBarge: a supervisor joins the conversation; all hear all.
	PartyBarge PartyMode = "barge"
)

// MonitorModes are the modes a supervisor may monitor a call in.
var MonitorModes = []PartyMode{PartyListen, PartyWhisper, PartyBarge}

// PartyState is where a party's leg is. It only moves forward: dialing, then joined, then
// left; or dialing, then failed.
type PartyState string

const (
	PartyDialing PartyState = "dialing"
	PartyJoined  PartyState = "joined"
	PartyLeft    PartyState = "left"
	PartyFailed  PartyState = "failed"
)

// Over reports whether the party's leg has ended.
func (s PartyState) Over() bool { return s == PartyLeft || s == PartyFailed }

// MaxParties bounds the legs a call may have besides caller and operator, ended ones excluded:
// a call center's conference is a few people, and every leg costs a media mix in the cloud.
const MaxParties = 4

// Party is a third leg on a call: someone its operator added (a contact or another operator)
// or a supervisor monitoring it. Parties are facts of their call: stored with it, shown in its
// read model, and every leg ends when the call does.
type Party struct {
	ID      PartyID
	Call    CallID
	Mode    PartyMode
	State   PartyState
	Contact Contact
	// Operator is the operator brought in, when the party is one: he is reserved for the leg
	// under its lease (ExpiresAt) and marked like any offer (answer speed, miss).
	Operator OperatorID
	// AddedBy is who brought him: the operator's id (AddToCall) or the API key's name
	// (MonitorCall).
	AddedBy   string
	Monitor   bool // a supervisor's monitoring leg: never marked
	InvitedAt time.Time
	ExpiresAt time.Time // the lease of an operator's leg: no answer by then is a miss
	JoinedAt  time.Time
	LeftAt    time.Time
	Reason    string
	Rang      bool // the cloud said his phone rang: an unanswered ring is then a miss
	Missed    bool // an operator's leg that ended as his miss (see Rang)
}

// HeardByOperator reports whether the call's operator may be told of this party: everyone but a
// supervisor who only listens (peers such as Twilio Flex and Genesys Cloud do not show a silent
// monitor to the agent either).
func (p Party) HeardByOperator() bool { return p.Mode != PartyListen }

// LiveParties counts the call's parties whose leg has not ended.
func (c Call) LiveParties() int {
	n := 0
	for _, p := range c.Parties {
		if !p.State.Over() {
			n++
		}
	}
	return n
}

// Monitoring is the call's live monitoring leg, if any.
func (c Call) Monitoring() (Party, bool) {
	for _, p := range c.Parties {
		if p.Monitor && !p.State.Over() {
			return p, true
		}
	}
	return Party{}, false
}

// PartyOf finds party id on the call.
func (c Call) PartyOf(id PartyID) (Party, bool) {
	for _, p := range c.Parties {
		if p.ID == id {
			return p, true
		}
	}
	return Party{}, false
}

// CheckAddParty says whether operator by may bring a third party into call c: only the operator
// talking on it, while it is connected and has room. Errors name the request's field at fault.
func (c Call) CheckAddParty(by OperatorID) error {
	switch {
	case c.Operator != by || c.AnsweredAt.IsZero():
		return &Error{Code: CodePermissionDenied, Field: "call_id", Message: fmt.Sprintf("call %s is not yours: you may add people only to the call you talk on", c.ID)}
	case c.State != CallConnected:
		return &Error{Code: CodeFailedPrecondition, Field: "call_id", Message: fmt.Sprintf("call %s is %s: only a connected call takes more parties", c.ID, c.State)}
	case c.Transfer.Active():
		return &Error{Code: CodeFailedPrecondition, Field: "call_id", Message: fmt.Sprintf("call %s is being transferred: add people once the transfer is over", c.ID)}
	case c.LiveParties() >= MaxParties:
		return &Error{Code: CodeFailedPrecondition, Field: "call_id", Message: fmt.Sprintf("call %s has %d parties already (at most %d)", c.ID, MaxParties, MaxParties)}
	}
	return nil
}

// CheckMonitor says whether a supervisor may monitor call c in mode: the call must be connected
// and the mode one of MonitorModes. Errors name the request's field at fault.
func (c Call) CheckMonitor(mode PartyMode) error {
	if err := CheckMonitorMode(mode); err != nil {
		return err
	}
	if c.State != CallConnected {
		return &Error{Code: CodeFailedPrecondition, Field: "call_id", Message: fmt.Sprintf("call %s is %s: only a connected call can be monitored", c.ID, c.State)}
	}
	if c.Transfer.Active() {
		return &Error{Code: CodeFailedPrecondition, Field: "call_id", Message: fmt.Sprintf("call %s is being transferred: monitor it once the transfer is over", c.ID)}
	}
	return nil
}

// CheckMonitorMode says whether mode is one a supervisor may monitor in.
func CheckMonitorMode(mode PartyMode) error {
	for _, m := range MonitorModes {
		if m == mode {
			return nil
		}
	}
	return Invalid("mode", "must be listen, whisper or barge")
}

// CheckPartyContact says whether contact is one the cloud can dial as a party; field is the
// request's name for it.
func CheckPartyContact(field string, contact Contact) error { return contact.check(field) }

// CheckPartyOperator says whether operator o (in state st, present or not) may be brought into
// call c by operator by: someone else, at work, ready and free. Errors name operator_id.
func CheckPartyOperator(c Call, by OperatorID, o Operator, st OperatorStatus, present bool) error {
	switch {
	case o.ID == by:
		return Invalid("operator_id", "you are on the call already")
	case o.Disabled:
		return &Error{Code: CodeFailedPrecondition, Field: "operator_id", Message: fmt.Sprintf("operator %s is dismissed", o.Name)}
	case !present || st.State != OperatorReady:
		state := string(st.State)
		if !present && st.State == OperatorReady {
			state = "not connected"
		}
		return &Error{Code: CodeFailedPrecondition, Field: "operator_id", Message: fmt.Sprintf("operator %s is %s: only a ready, free operator can be added to a call", o.Name, state)}
	}
	for _, p := range c.Parties {
		if p.Operator == o.ID && !p.State.Over() {
			return &Error{Code: CodeAlreadyExists, Field: "operator_id", Message: fmt.Sprintf("operator %s is on call %s already", o.Name, c.ID)}
		}
	}
	return nil
}
