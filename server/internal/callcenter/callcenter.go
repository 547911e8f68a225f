// Package callcenter holds Tandem's domain: operators, queues, calls, offers and decisions,
// their states, and the errors the rest of the server speaks. It knows nothing of protobuf,
// SQL or HTTP; every other package translates to and from these types.
package callcenter

import (
	"fmt"
	"time"
)

// Typed ids keep an operator id from being passed where a call id belongs.
type (
	OperatorID string
	QueueID    string
	CallID     string
	OfferID    string
)

// ContactKind says how the cloud reaches an operator.
type ContactKind string

const (
	ContactUser ContactKind = "user" // a Voximplant user (VoxEngine.callUser)
	ContactSIP  ContactKind = "sip"  // a SIP URI (VoxEngine.callSIP)
	ContactPSTN ContactKind = "pstn" // a phone number (VoxEngine.callPSTN)
)

// Contact is where the cloud dials an operator.
type Contact struct {
	Kind   ContactKind
	Target string
}

// QueueSkill says an operator serves a queue at a level from 1 (learning) to 5 (expert).
type QueueSkill struct {
	Queue QueueID
	Level int
}

// Operator is a person who answers calls: his configuration, not his live state.
type Operator struct {
	ID           OperatorID
	Name         string // login name, unique
	DisplayName  string
	PasswordHash string
	Contact      Contact
	Queues       []QueueSkill
	Disabled     bool // dismissed: cannot log in or get calls; his history and clients stay
	CreatedAt    time.Time
	Hours        WeekHours // when he works, in his time zone; always when empty
	// SoftphoneHA1 is the hex MD5 of "user:voximplant.com:password" for his Voximplant user, with
	// which Tandem signs his browser phone's one-time login keys; empty: none set. Secret: no
	// read API returns it and nothing logs it.
	SoftphoneHA1 string
}

// Serves reports whether the operator takes calls from queue q.
func (o *Operator) Serves(q QueueID) bool {
	for _, s := range o.Queues {
		if s.Queue == q {
			return true
		}
	}
	return false
}

// Strategy names how a queue picks among free operators.
type Strategy string

const (
	StrategyLongestIdle Strategy = "longest_idle" // free the longest first (the default)
	StrategyRoundRobin  Strategy = "round_robin"  // in turn, from where the last offer stopped
	StrategyFewestCalls Strategy = "fewest_calls" // fewest calls handled today
	StrategyLeastTalk   Strategy = "least_talk"   // least talk time today
	StrategyBestMarks   Strategy = "best_marks"   // highest score
	StrategySkillLevel  Strategy = "skill_level"  // highest level in the queue, then longest idle
	StrategyRandom      Strategy = "random"       // any of them, by chance
	// StrategyRingAll rings up to Queue.RingAtOnce free operators at once, longest idle first:
	// the first to answer gets the call and the other legs are cancelled (OfferCancelled).
	StrategyRingAll Strategy = "ring_all"
)

// Strategies lists every strategy, the default first.
var Strategies = []Strategy{StrategyLongestIdle, StrategyRoundRobin, StrategyFewestCalls, StrategyLeastTalk, StrategyBestMarks, StrategySkillLevel, StrategyRandom, StrategyRingAll}

// The operators a ring_all queue rings at once for one call (Queue.RingAtOnce).
const (
	DefaultRingAtOnce = 5
	MinRingAtOnce     = 2
	MaxRingAtOnce     = 50
)

// Queue is a line of waiting calls and how it is routed.
type Queue struct {
	ID            QueueID
	Name          string
	DialedNumbers []string
	Strategy      Strategy
	OfferTimeout  time.Duration // how long an operator's phone rings
	WrapUp        time.Duration // after-call work
	Priority      int           // higher first, across the queues an operator serves
	HoldMusicURL  string
	Greeting      string
	IsDefault     bool // takes calls whose dialed number matches no queue
	Rules         QueueRules
	// RecordCalls: the scenario records each conversation from the operator's answer on, after
	// saying RecordingNotice (if any) to the caller.
	RecordCalls     bool
	RecordingNotice string
	// RingAtOnce is the most operators a ring_all queue rings at once for one call
	// (MinRingAtOnce..MaxRingAtOnce; Check sets DefaultRingAtOnce when a ring_all queue has
	// 0); other strategies ignore it (0 or a value in range, kept for a later ring_all).
	RingAtOnce int
}

// QueueRules say how a queue treats operators who miss its calls, and what callers hear while
// they wait.
type QueueRules struct {
	// AnnounceEvery is how often a waiting caller hears his position; 0: never.
	AnnounceEvery time.Duration
	// AwayAfterMisses consecutive missed offers send an operator away until he presses Ready.
	AwayAfterMisses int
	// AwayAfterDeclines offers declined in a row (see DeclineOffer) send an operator away until
	// he presses Ready; 0: never. A decline is his choice, not a miss: it never bans.
	AwayAfterDeclines int
	// BanAfterMisses missed offers within BanWindow ban an operator (0: never), for the next of
	// BanSteps each time (the last step repeats).
	BanAfterMisses int
	BanWindow      time.Duration
	BanSteps       []time.Duration
	// ManagerWait is how long a call waits for a busy personal manager before anyone may take it.
	ManagerWait time.Duration
	// OptIn: after a call the operator ended, a caller without a manager is asked whether this
	// operator should answer his calls from now on; not again within OptInCooldown of a "no".
	OptIn         bool
	OptInCooldown time.Duration
	// AbsenceTemplates override DefaultAbsenceTemplates.
	AbsenceTemplates map[ManagerAbsence]string
	Overflow         Overflow
	// ServiceLevel is how the queue's service level is measured; see ServiceLevel.OrDefaults.
	ServiceLevel ServiceLevel
	// Alerts raise alerts on the wallboard and the alert webhook.
	Alerts AlertThresholds
	// Dispositions are the wrap-up codes its operators choose from for each call (see
	// Disposition); with DispositionRequired an operator is not free again after a call until
	// he set one.
	Dispositions        []Disposition `json:",omitempty"`
	DispositionRequired bool          `json:",omitempty"`
	// Hours are when the queue takes calls (the zero Hours: always). A call arriving while it
	// is closed takes ClosedExit (ClosedOr: a message by default) at once; calls waiting when
	// it closes are served, or take ClosedExit with ExitWaitingAtClose. Callbacks are neither:
	// they are never started while it is closed, and wait for the opening at their place.
	Hours              Hours `json:",omitzero"`
	ClosedExit         Exit  `json:",omitzero"`
	ExitWaitingAtClose bool  `json:",omitempty"`
	// MaxWaiting caps the calls waiting in line: a new call over it takes its exit at once.
	// LongestWait caps the wait: a call waiting that long takes its exit; with the overflow
	// exit it is the spare overflow (Overflow.After).
	MaxWaiting  CallsCap `json:",omitzero"`
	LongestWait WaitCap  `json:",omitzero"`
	// Callback: when its waiting callers are offered a call back, and how they are called.
	Callback CallbackRules `json:",omitzero"`
}

// DefaultRules are the rules of a queue that sets none: away after one miss; banned 5, 15,
// then 60 minutes after three misses within an hour; no announcements; a personal manager is
// waited for 30 s; callers are offered a manager by voice, not again for 90 days after a no;
// no overflow.
func DefaultRules() QueueRules {
	return QueueRules{
		AwayAfterMisses: 1,
		BanAfterMisses:  3,
		BanWindow:       time.Hour,
		BanSteps:        []time.Duration{5 * time.Minute, 15 * time.Minute, time.Hour},
		ManagerWait:     30 * time.Second,
		OptIn:           true,
		OptInCooldown:   90 * 24 * time.Hour,
		Overflow:        Overflow{Order: SpareInTurn},
	}
}

// OperatorState is where an operator is in his working cycle.
type OperatorState string

const (
	OperatorOffline  OperatorState = "offline"
	OperatorReady    OperatorState = "ready"
	OperatorReserved OperatorState = "reserved" // an offer is out to him
	OperatorOnCall   OperatorState = "on_call"
	OperatorWrapUp   OperatorState = "wrap_up"
	OperatorAway     OperatorState = "away"
	OperatorBanned   OperatorState = "banned"
)

// OperatorStatus is an operator's live state. It is persisted so a restart keeps it.
type OperatorStatus struct {
	Operator     OperatorID
	State        OperatorState
	Since        time.Time // when State began
	Reason       string    // why away or banned
	Offer        OfferID   // the pending offer, when reserved
	Call         CallID    // the call talked on (on call) or just finished (wrap-up)
	WrapUpEndsAt time.Time
	// IdleSince is when he last became free after work (ready after login or a call);
	// longest-idle routing orders by it. A withdrawn offer leaves it unchanged.
	IdleSince time.Time
	// BannedUntil is when a ban ends, while banned.
	BannedUntil time.Time
	Marks       Marks
}

// Marks are what Tandem learns about an operator from his calls. The moving averages weigh
// recent offers more: each new one counts for MarkWeight of the average.
type Marks struct {
	AnswerRate        float64       // moving average of answered (1) and missed (0) offers
	RingTime          time.Duration // moving average of the ring time of answered offers
	OffersMissed      int           // in total
	ConsecutiveMisses int
	RecentMisses      []time.Time // within the ban window of the queue that counted them
	Bans              int         // bans today: each is longer than the last
	CallsHandled      int         // in total
	TalkTime          time.Duration
	Day               int64 // the UTC day the "today" figures are for, in days since 1970-01-01
	CallsToday        int
	TalkToday         time.Duration
	Score             float64 // 0..100: ComputeScore().Points, kept for routing by marks
	// Unreached counts the offers in a row that never reached his phone for a reason of the
	// platform's (PhoneReached): not misses, nothing in the score; PhoneUnreachableAfter of
	// them take him out of routing. An offer that reaches his phone sets it back to 0.
	Unreached int
	// Declines counts the offers he declined (in total, today, and in a row since he last
	// answered one): not misses, nothing in the score; the queue's AwayAfterDeclines of them in
	// a row send him away.
	Declines            int
	DeclinesToday       int
	ConsecutiveDeclines int
}

// PhoneUnreachableAfter offers in a row that could not reach an operator's phone send him away
// ("phone unreachable") until he presses Ready, so a call does not go round a broken contact.
const PhoneUnreachableAfter = 3

// UndeliveredDialsLoseCall dial commands in a row that could not be delivered to a call's
// cloud session end the call as lost: its session is taken for unreachable.
const UndeliveredDialsLoseCall = 3

// MarkWeight is the weight of the newest offer in the moving averages.
const MarkWeight = 0.2

// NewMarks are a new operator's marks: no misses, a perfect score.
func NewMarks() Marks { return Marks{AnswerRate: 1, Score: 100} }

// Score is an operator's score and what took it below 100: Points, LostToMisses and
// LostToSlowAnswers add up to 100.
type Score struct {
	Points            float64 // 0..100
	LostToMisses      float64 // 100 × (1 − answer rate)
	LostToSlowAnswers float64 // what slow answers took off the rest
}

// ComputeScore gives the score and its parts in one place, so they cannot disagree: 100 times the
// answer rate, lowered by up to half for slow answers (a 20 s average ring time halves it).
func (m Marks) ComputeScore() Score {
	slow := float64(m.RingTime) / float64(20*time.Second)
	if slow > 1 {
		slow = 1
	}
	answered := 100 * m.AnswerRate
	points := answered * (1 - slow/2)
	return Score{Points: points, LostToMisses: 100 - answered, LostToSlowAnswers: answered - points}
}

// PhoneReached says whether a dial that failed with a cloud failure code had reached the
// operator's phone, making the failure his miss: his phone itself answered busy (486, 600) or
// declined (603); or it rang (rang: the cloud reported it ringing) and then was not answered
// in time (408, 487) or gave up (480). Any other code, or 408/480/487 without ringing, is the
// platform's: the cloud, the network or his contact could not get the call to him.
func PhoneReached(code int, rang bool) bool {
	switch code {
	case 486, 600, 603:
		return true
	case 408, 480, 487:
		return rang
	}
	return false
}

// CallState is where a call is in its life. It only moves forward.
type CallState string

const (
	// CallInMenu: the caller is in an IVR menu (Call.Menu), in no queue's line yet; nothing
	// offers it. It moves on to waiting (a queue chosen) or to a finished state.
	CallInMenu    CallState = "in_menu"
	CallWaiting   CallState = "waiting"
	CallConnected CallState = "connected"
	CallEnded     CallState = "ended"
	CallAbandoned CallState = "abandoned"
	CallLost      CallState = "lost"
)

// Finished reports whether the call's life is over.
func (s CallState) Finished() bool {
	return s == CallEnded || s == CallAbandoned || s == CallLost
}

// HangupParty says who ended a connected call.
type HangupParty string

const (
	HangupCaller   HangupParty = "caller"
	HangupOperator HangupParty = "operator"
	HangupSystem   HangupParty = "system"
)

// Call is one inbound call.
type Call struct {
	ID           CallID
	Queue        QueueID
	State        CallState
	SessionID    string
	AccessURL    string // where commands go (the secure one when the cloud gave it)
	CallerNumber string
	CallerName   string
	DialedNumber string
	SIPHeaders   map[string]string
	CustomData   string
	ArrivedAt    time.Time  // its place in line: a failed offer does not lose it
	Priority     int        // higher first within its queue (e.g. a VIP caller)
	Client       string     // the caller number normalised, "" when it is not a usable number
	Manager      OperatorID // the caller's personal manager, when he has one who is at work
	ManagerUntil time.Time  // until then only the manager may take the call
	Spare        SpareID    // the spare number offered or talking, when the call overflowed
	Operator     OperatorID
	Offer        OfferID // the pending or answered offer
	AnsweredAt   time.Time
	EndedAt      time.Time
	HungUpBy     HangupParty
	TalkTime     time.Duration // from answer to end as the cloud measured it: holds included
	HeldSince    time.Time     // when the operator put the caller on hold; zero while they talk
	HoldTime     time.Duration // the holds that ended: the caller heard the queue's hold music
	Note         string        // the operator's note from his wrap-up
	Disposition  string        // the code its operator (or a supervisor) set: one of its queue's dispositions
	RecordingURL string        // where the cloud keeps the conversation's recording, when it was recorded
	// VoicemailURL and VoicemailLength: the message the caller left (his call's exit was
	// voicemail).
	VoicemailURL    string
	VoicemailLength time.Duration
	// Parties are the call's third legs, oldest first: added by its operator or monitoring it.
	// Never changed in place: a step that changes one replaces the slice, so a copy handed out
	// stays as it was.
	Parties  []Party
	Transfer Transfer // the transfer in progress, or how the latest one ended; zero: never transferred
	// Exit is how the call left its queue's line other than to an operator (closed queue, a
	// cap), when it did: a message or number exit ended it, a queue exit moved it (Queue then
	// is where it went; Exit.Queue where it came from).
	Exit CallExit
	// Callback makes the call a call back to a customer (see Callback); zero for a caller on
	// the line.
	Callback Callback
	// Menu is the IVR menu the call came through ("" for none). MenuAt is when it reached
	// Tandem and entered the menu; once the caller chose a queue, ArrivedAt is his entry into
	// that queue, which his wait and the queue's service level count from. MenuPath is the way
	// he took through the menu and MenuExit how he left it (MenuExit.Name: "queue:sales",
	// "number:+14155550177", "hangup"), "" while he is in it.
	Menu     MenuID
	MenuAt   time.Time
	MenuPath []MenuStep
	MenuExit string
}

// HeldFor is how long call c has been on hold by now, the hold in progress included.
func (c Call) HeldFor(now time.Time) time.Duration {
	if c.HeldSince.IsZero() || now.Before(c.HeldSince) {
		return c.HoldTime
	}
	return c.HoldTime + now.Sub(c.HeldSince)
}

// CheckHold says whether operator by may put call c on hold or take it off hold: only the
// operator talking on it, while it is connected. Errors name the request's field at fault.
func (c Call) CheckHold(by OperatorID) error {
	switch {
	case c.Operator != by || c.AnsweredAt.IsZero():
		return &Error{Code: CodePermissionDenied, Field: "call_id", Message: fmt.Sprintf("call %s is not yours: you may hold only the call you talk on", c.ID)}
	case c.State != CallConnected:
		return &Error{Code: CodeFailedPrecondition, Field: "call_id", Message: fmt.Sprintf("call %s is %s: only a connected call can be held or resumed", c.ID, c.State)}
	}
	return nil
}

// OfferState is where an offer is. It only moves forward: pending, then one of the others.
type OfferState string

const (
	OfferPending   OfferState = "pending"
	OfferAnswered  OfferState = "answered"
	OfferFailed    OfferState = "failed"
	OfferExpired   OfferState = "expired"
	OfferWithdrawn OfferState = "withdrawn"
	OfferDeclined  OfferState = "declined" // the operator said no (DeclineOffer): not a miss
	// OfferCancelled: a leg of a ring_all call stopped because another operator answered it
	// first. Not a miss, not a decline: nothing in his marks.
	OfferCancelled OfferState = "cancelled"
)

// Offer is a lease on one operator for one call: the cloud dials him, and only events naming
// this offer while it is pending change anything.
type Offer struct {
	ID          OfferID
	Call        CallID
	Operator    OperatorID // "" for an offer to a spare number
	Spare       SpareID
	State       OfferState
	OfferedAt   time.Time
	ExpiresAt   time.Time
	SettledAt   time.Time
	RingTime    time.Duration
	FailureCode int
	Reason      string
}

// Decision records why a call was offered to an operator. It is bounded whatever the size of
// the queue: Candidates lists the chosen operator, then the next best of the free ones in the
// order the strategy ranked them (up to DecisionRanked), then a few of the others as examples
// of why they were left out (up to DecisionExamples); the counts cover everyone. An overflow
// decision lists every spare number of the queue.
type Decision struct {
	Call       CallID
	Offer      OfferID
	DecidedAt  time.Time
	Strategy   Strategy
	Operator   OperatorID
	Spare      SpareID
	Rule       string
	Candidates []Candidate
	// EligibleCount is how many operators were free to take the call (the chosen one among
	// them); ExcludedCount how many others serve the queue, and ExcludedByReason why, by reason.
	// Records from before the bound (which listed every operator) have zero counts.
	EligibleCount    int
	ExcludedCount    int
	ExcludedByReason map[string]int
}

// The bounds of a decision record.
const (
	DecisionRanked   = 10 // free operators listed after the chosen one, best first
	DecisionExamples = 5  // operators left out, listed as examples (at most 2 per reason)
)

// Candidate is one operator a decision looked at.
type Candidate struct {
	Operator        OperatorID
	Spare           SpareID // for overflow decisions
	State           OperatorState
	Eligible        bool
	ExcludedBecause string
	Idle            time.Duration
	Level           int
	Score           float64
	CallsToday      int
	// Value is what the strategy ranked by (lower first), as a number and in words.
	Value       float64
	ValueString string
}

// Command is what Tandem tells a call's cloud session to do.
type Command struct {
	Type       CommandType
	Call       CallID
	AccessURL  string
	Offer      OfferID
	Contact    Contact
	Timeout    time.Duration
	CallerID   string
	Text       string
	QuestionID string
	Reason     string
	MusicURL   string       // hold, transfer: what the caller hears; "" for the scenario's default
	Mode       TransferMode // transfer: blind or warm
	Party      PartyID      // add_party, party_mode, drop_party
	PartyMode  PartyMode    // add_party, party_mode
	// offer_callback: the key and the words that accept; AskNumber: the caller's number cannot
	// be called back, so he is asked to key one in.
	Digit     string
	Words     []string
	AskNumber bool
	// RingAll (dial): this leg is one of several rung at once for the call (ring_all); the
	// scenario keeps the call's other ringing legs, bridges the first to answer and hangs up
	// the rest.
	RingAll bool
}

// CommandType is the kind of a Command.
type CommandType string

const (
	CommandDial   CommandType = "dial"
	CommandSay    CommandType = "say"
	CommandAsk    CommandType = "ask"
	CommandHangup CommandType = "hangup"
	// CommandCancel stops dialing the operator of an offer that was taken back; the caller stays.
	CommandCancel CommandType = "cancel"
	// CommandHold plays the queue's hold music (URL) to the caller instead of the operator.
	CommandHold CommandType = "hold"
	// CommandResume puts the caller and the operator back in talk after a hold.
	CommandResume CommandType = "resume"
	// CommandAddParty dials Contact as Party and mixes him into the call by Mode once he answers.
	CommandAddParty CommandType = "add_party"
	// CommandPartyMode mixes Party by another Mode, without dialing him again.
	CommandPartyMode CommandType = "party_mode"
	// CommandDropParty hangs up Party's leg; the caller and the operator stay.
	CommandDropParty CommandType = "drop_party"
	// CommandTransfer hands the caller on (Mode): blind ends the operator's leg and, with a
	// contact, dials the target under Offer while the caller hears MusicURL (without one the
	// caller waits in line); warm holds the caller and dials the target for the operator.
	CommandTransfer CommandType = "transfer"
	// CommandStartCallback starts the outbound callback scenario for Offer of a virtual call
	// (Callback): its session reports in (AttachCallback) and is sent the operator's dial then.
	// The cloud sender carries it out through the Management API, not a session's accessURL.
	CommandStartCallback CommandType = "start_callback"
	// CommandOfferCallback asks a waiting caller (Text) whether he wants a call back: Digit or
	// one of Words accepts; the answer comes as CloudCallbackAnswer.
	CommandOfferCallback CommandType = "offer_callback"
	// CommandVoicemail says Text, then records the caller's message for at most Timeout; the
	// record comes as CloudVoicemailRecorded.
	CommandVoicemail CommandType = "voicemail"
	// CommandCompleteTransfer bridges the caller with the consulted target and ends the
	// operator's leg.
	CommandCompleteTransfer CommandType = "complete_transfer"
	// CommandCancelTransfer hangs up the target's leg (Offer) and puts the caller back with the
	// operator.
	CommandCancelTransfer CommandType = "cancel_transfer"
	// CommandForward says Text (if any), then dials Contact and bridges the caller with it; the
	// session ends with either side. Tandem is done with the call (a number exit, a menu's
	// number choice).
	CommandForward CommandType = "forward"
)
