package callcenter

import (
	"maps"
	"reflect"
	"time"
)

// ServiceLevel is how a queue measures its service level: the share of calls answered within
// Threshold, aiming for Target, with abandoned calls counted as Abandoned says. Callers who hang
// up within ShortAbandon are short abandons, left out on both sides. Zero fields take the
// defaults of DefaultServiceLevel.
type ServiceLevel struct {
	Threshold    time.Duration
	Target       int // percent
	Abandoned    AbandonedRule
	ShortAbandon time.Duration
}

// AbandonedRule says how abandoned calls count in a service level.
type AbandonedRule string

const (
	// AbandonsCountAgainst: within / (answered + abandoned − short abandons). The default.
	AbandonsCountAgainst AbandonedRule = "count_against"
	// AbandonsIgnored: within / answered.
	AbandonsIgnored AbandonedRule = "ignore"
	// AbandonsWithinThresholdMet: (within + abandoned within the threshold) /
	// (answered + abandoned − short abandons).
	AbandonsWithinThresholdMet AbandonedRule = "count_within_threshold_as_met"
)

// AbandonedRules lists the rules, the default first.
var AbandonedRules = []AbandonedRule{AbandonsCountAgainst, AbandonsIgnored, AbandonsWithinThresholdMet}

// DefaultServiceLevel is 80 % of calls answered within 20 s, abandons counting against it,
// hang-ups within 5 s left out.
var DefaultServiceLevel = ServiceLevel{Threshold: 20 * time.Second, Target: 80, Abandoned: AbandonsCountAgainst, ShortAbandon: 5 * time.Second}

// OrDefaults fills the zero fields from DefaultServiceLevel. ShortAbandon cannot be turned
// off by zero; a negative one means none.
func (s ServiceLevel) OrDefaults() ServiceLevel {
	d := DefaultServiceLevel
	if s.Threshold > 0 {
		d.Threshold = s.Threshold
	}
	if s.Target > 0 {
		d.Target = s.Target
	}
	if s.Abandoned != "" {
		d.Abandoned = s.Abandoned
	}
	if s.ShortAbandon < 0 {
		d.ShortAbandon = 0
	} else if s.ShortAbandon > 0 {
		d.ShortAbandon = s.ShortAbandon
	}
	return d
}

// HistogramBounds are the upper bounds of the answer-time histogram's buckets; the last bucket
// takes the rest.
var HistogramBounds = [...]time.Duration{5 * time.Second, 10 * time.Second, 15 * time.Second, 20 * time.Second,
	30 * time.Second, 45 * time.Second, time.Minute, 90 * time.Second, 2 * time.Minute, 3 * time.Minute, 5 * time.Minute}

// HistogramBuckets is the number of buckets of the answer-time histogram.
const HistogramBuckets = len(HistogramBounds) + 1

// HistogramBucket is the bucket an answer time falls in.
func HistogramBucket(d time.Duration) int {
	for i, b := range HistogramBounds {
		if d < b {
			return i
		}
	}
	return len(HistogramBounds)
}

// Figures are the counts and times of a queue, an operator or the center over some time. The
// Analytics API's proto says what each means; the derived rates are methods.
type Figures struct {
	CallsReceived, CallsAnswered, AnsweredWithin   int64
	CallsAbandoned, ShortAbandons, AbandonedWithin int64
	CallsLost, CallsOverflowed, AnsweredBySpare    int64
	HungUpByCaller, HungUpByOperator, HungUpBySys  int64
	OffersMade, OffersMissed                       int64
	ManagerCalls, ManagerReached                   int64
	// Exits counts the calls that left the queue's line by an exit (CountExit), by why (closed,
	// its cap of calls waiting, its longest wait) and by kind; the spare overflow is
	// CallsOverflowed. A closed-hours call is outside the service level and the abandonment
	// (it was never in line); a cap exit counts as a call not answered in time (ServiceLevel).
	ExitsClosed, ExitsMaxWaiting, ExitsLongestWait int64
	ExitsMessage, ExitsNumber, ExitsQueue          int64
	ExitsVoicemail, ExitsCallback                  int64
	// Callbacks: callers who accepted a call back (their call is not in CallsReceived: its
	// service is the callback's), attempts that reached the customer or did not, callbacks given
	// up after their last attempt, and messages left at a voicemail exit. A callback's attempt
	// is no received call of its queue; its operator's talk counts as any call's.
	CallbacksRequested, CallbacksConnected, CallbackAttemptsFailed, CallbacksGivenUp int64
	Voicemails                                                                       int64
	AnswerTimeTotal, AnswerTimeMax                                                   time.Duration
	TalkTime, WrapUpTime, RingTimeTotal                                              time.Duration
	// HoldTime is the time answered calls spent on hold: part of their TalkTime.
	HoldTime time.Duration
	// Operators' time by state.
	Ready, Reserved, OnCall, WrapUp, Away time.Duration
	Histogram                             [HistogramBuckets]int64
	// Dispositions counts the calls by the disposition set on them (a code once per call),
	// in their queue's and operator's interval of arrival. Nil when none.
	Dispositions map[string]int64
}

// Add adds g to f.
func (f *Figures) Add(g Figures) {
	f.CallsReceived += g.CallsReceived
	f.CallsAnswered += g.CallsAnswered
	f.AnsweredWithin += g.AnsweredWithin
	f.CallsAbandoned += g.CallsAbandoned
	f.ShortAbandons += g.ShortAbandons
	f.AbandonedWithin += g.AbandonedWithin
	f.CallsLost += g.CallsLost
	f.CallsOverflowed += g.CallsOverflowed
	f.AnsweredBySpare += g.AnsweredBySpare
	f.HungUpByCaller += g.HungUpByCaller
	f.HungUpByOperator += g.HungUpByOperator
	f.HungUpBySys += g.HungUpBySys
	f.OffersMade += g.OffersMade
	f.OffersMissed += g.OffersMissed
	f.ManagerCalls += g.ManagerCalls
	f.ManagerReached += g.ManagerReached
	f.ExitsClosed += g.ExitsClosed
	f.ExitsMaxWaiting += g.ExitsMaxWaiting
	f.ExitsLongestWait += g.ExitsLongestWait
	f.ExitsMessage += g.ExitsMessage
	f.ExitsNumber += g.ExitsNumber
	f.ExitsQueue += g.ExitsQueue
	f.ExitsVoicemail += g.ExitsVoicemail
	f.ExitsCallback += g.ExitsCallback
	f.CallbacksRequested += g.CallbacksRequested
	f.CallbacksConnected += g.CallbacksConnected
	f.CallbackAttemptsFailed += g.CallbackAttemptsFailed
	f.CallbacksGivenUp += g.CallbacksGivenUp
	f.Voicemails += g.Voicemails
	f.AnswerTimeTotal += g.AnswerTimeTotal
	f.AnswerTimeMax = max(f.AnswerTimeMax, g.AnswerTimeMax)
	f.TalkTime += g.TalkTime
	f.HoldTime += g.HoldTime
	f.WrapUpTime += g.WrapUpTime
	f.RingTimeTotal += g.RingTimeTotal
	f.Ready += g.Ready
	f.Reserved += g.Reserved
	f.OnCall += g.OnCall
	f.WrapUp += g.WrapUp
	f.Away += g.Away
	for i := range f.Histogram {
		f.Histogram[i] += g.Histogram[i]
	}
	for code, n := range g.Dispositions {
		if f.Dispositions == nil {
			f.Dispositions = map[string]int64{}
		}
		f.Dispositions[code] += n
	}
}

// Equal reports whether f and g hold the same figures.
func (f Figures) Equal(g Figures) bool {
	a, b := f, g
	a.Dispositions, b.Dispositions = nil, nil
	return maps.Equal(f.Dispositions, g.Dispositions) && reflect.DeepEqual(a, b)
}

// IsZero reports whether nothing was counted.
func (f Figures) IsZero() bool {
	counts := f
	counts.Dispositions = nil
	return len(f.Dispositions) == 0 && reflect.ValueOf(counts).IsZero()
}

// AddStateTime adds d to the time in state st.
func (f *Figures) AddStateTime(st OperatorState, d time.Duration) {
	switch st {
	case OperatorReady:
		f.Ready += d
	case OperatorReserved:
		f.Reserved += d
	case OperatorOnCall:
		f.OnCall += d
	case OperatorWrapUp:
		f.WrapUp += d
	case OperatorAway, OperatorBanned:
		f.Away += d
	}
}

func ratio(num, den float64) (float64, bool) {
	if den <= 0 {
		return 0, false
	}
	return num / den, true
}

func meanOf(total time.Duration, n int64) (time.Duration, bool) {
	if n <= 0 {
		return 0, false
	}
	return total / time.Duration(n), true
}

// ServiceLevel is the share of calls answered within the threshold, by rule (false: no call to
// measure). A call that took a cap exit (most calls waiting, longest wait) counts as not
// answered in time under every rule; a closed-hours call is not counted.
func (f Figures) ServiceLevel(rule AbandonedRule) (float64, bool) {
	capped := f.ExitsMaxWaiting + f.ExitsLongestWait
	counted := float64(f.CallsAnswered + f.CallsAbandoned - f.ShortAbandons + capped)
	switch rule {
	case AbandonsIgnored:
		return ratio(float64(f.AnsweredWithin), float64(f.CallsAnswered+capped))
	case AbandonsWithinThresholdMet:
		return ratio(float64(f.AnsweredWithin+f.AbandonedWithin), counted)
	default:
		return ratio(float64(f.AnsweredWithin), counted)
	}
}

// ASA is the average speed of answer.
func (f Figures) ASA() (time.Duration, bool) { return meanOf(f.AnswerTimeTotal, f.CallsAnswered) }

// AHT is the average handle time: talk and wrap-up per answered call.
func (f Figures) AHT() (time.Duration, bool) {
	return meanOf(f.TalkTime+f.WrapUpTime, f.CallsAnswered)
}

// AbandonmentRate is the share of calls received that were abandoned.
func (f Figures) AbandonmentRate() (float64, bool) {
	return ratio(float64(f.CallsAbandoned), float64(f.CallsReceived))
}

// Occupancy is the time on calls and in wrap-up over the time logged in and not away.
func (f Figures) Occupancy() (float64, bool) {
	return ratio(float64(f.OnCall+f.WrapUp), float64(f.Ready+f.Reserved+f.OnCall+f.WrapUp))
}

// ManagerReach is the share of calls from clients with a manager at work that reached him.
func (f Figures) ManagerReach() (float64, bool) {
	return ratio(float64(f.ManagerReached), float64(f.ManagerCalls))
}

// AverageRingTime is the mean ring time of answered offers (an operator's figure).
func (f Figures) AverageRingTime() (time.Duration, bool) {
	return meanOf(f.RingTimeTotal, f.CallsAnswered)
}

// TallyScope says whose figures a tally row holds.
type TallyScope string

const (
	ScopeQueue    TallyScope = "queue"
	ScopeOperator TallyScope = "operator"
	// ScopeCenter rows (id "") hold all operators' time by state, so the center's occupancy
	// reads one row per interval instead of one per operator.
	ScopeCenter TallyScope = "center"
)

// TallyInterval is the width of the stored history rows; hours and days are sums of them (every
// time zone's offset is a multiple of 15 minutes).
const TallyInterval = 15 * time.Minute

// IntervalStart is the start of the stored interval t falls in.
func IntervalStart(t time.Time) time.Time { return t.UTC().Truncate(TallyInterval) }

// Tally is what to add to one stored history row: a queue's or an operator's figures in the
// interval starting at Start.
type Tally struct {
	Scope   TallyScope
	ID      string
	Start   time.Time
	Figures Figures
}

// CallEvent is one thing that happened to a call, for its timeline.
type CallEvent struct {
	Call       CallID
	At         time.Time
	Kind       CallEventKind
	Operator   OperatorID
	Spare      SpareID
	Offer      OfferID
	Text       string
	Code       int
	RingTime   time.Duration
	HungUpBy   HangupParty
	TalkTime   time.Duration
	QueueAfter QueueID // for requeued
	Party      PartyID // for the party events
}

// CallEventKind names a CallEvent.
type CallEventKind string

const (
	EventArrived         CallEventKind = "arrived"
	EventAnnounced       CallEventKind = "announced"
	EventOffered         CallEventKind = "offered"
	EventOfferFailed     CallEventKind = "offer_failed"
	EventOfferExpired    CallEventKind = "offer_expired"
	EventOfferWithdrawn  CallEventKind = "offer_withdrawn"
	EventOfferDeclined   CallEventKind = "offer_declined"
	EventOfferCancelled  CallEventKind = "offer_cancelled" // a ring_all leg another operator beat
	EventAnswered        CallEventKind = "answered"
	EventRequeued        CallEventKind = "requeued"
	EventEnded           CallEventKind = "ended"
	EventAbandoned       CallEventKind = "abandoned"
	EventLost            CallEventKind = "lost"
	EventAsked           CallEventKind = "asked"
	EventManagerAccepted CallEventKind = "manager_accepted"
	EventManagerDeclined CallEventKind = "manager_declined"
	// A third leg: dialed (Text: its mode; Operator when an operator was brought in), joined,
	// failed (Code, Text: why), left (Text: why); and a monitor's mode switched (Text: the new
	// mode). Party names the leg.
	EventPartyDialed   CallEventKind = "party_dialed"
	EventPartyJoined   CallEventKind = "party_joined"
	EventPartyFailed   CallEventKind = "party_failed"
	EventPartyLeft     CallEventKind = "party_left"
	EventMonitorSwitch CallEventKind = "monitor_mode"
	// EventTransfer: a transfer began or moved on (Text says which, Operator who transferred);
	// its target leg's offer has events of its own.
	EventTransfer CallEventKind = "transfer"
	// EventDisposition: a disposition was set (Text: its code; Operator: who set it, "" for a
	// supervisor).
	EventDisposition CallEventKind = "disposition"
	// EventExited: the call left its queue's line by an exit (Text: the kind and why;
	// QueueAfter: the queue it joined, for a queue exit).
	EventExited CallEventKind = "exited"
	// EventMenu: the caller left the IVR menu (Text: MenuTripText; QueueAfter: the queue he
	// chose, if any).
	EventMenu CallEventKind = "menu"
)
