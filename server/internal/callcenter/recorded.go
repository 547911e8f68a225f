package callcenter

import "time"

// RecordedCall is what a day's replay needs of a stored call: when it arrived, whether and
// when it was answered, when it ended and how long it talked, and its part in callbacks. Zero
// times are "not yet" or "never".
type RecordedCall struct {
	ArrivedAt  time.Time
	AnsweredAt time.Time
	EndedAt    time.Time
	State      CallState
	TalkTime   time.Duration
	// Callback is set on a callback attempt (a virtual call: its queue called a customer
	// back), and CalledBack on a call whose caller accepted a call back.
	Callback   Callback `json:",omitzero"`
	CalledBack bool     `json:",omitempty"`
}

// Replay is a recorded stretch of one queue to run again with a given number of
// operators: "what if we had had N people that day".
type Replay struct {
	Operators int
	// Calls are the queue's calls that arrived in [From, To), in any order; others are left out.
	Calls    []RecordedCall
	From, To time.Time
	// The queue: its strategy ("" is longest idle), wrap-up and ring timeout (0: 30 s).
	Strategy     Strategy
	WrapUp       time.Duration
	OfferTimeout time.Duration
	// Callback is the queue's callback offer: the callers who accepted one that day accept
	// again when they are offered one (with more operators some are answered first), and their
	// callbacks are worked like any call.
	Callback CallbackRules
	// ServiceLevel is the queue's way of measuring it (zero fields: the defaults).
	ServiceLevel ServiceLevel
	Seed         uint64 // for the callers' patience
}

// ReplayResult is what the replay measured, and what it took from the recording.
type ReplayResult struct {
	Calls, Answered, Abandoned                     int
	AnsweredWithin, ShortAbandons, AbandonedWithin int
	AnswerTimeTotal                                time.Duration
	// ServiceLevel is by the rule of Replay.ServiceLevel (0 when there is nothing to
	// count).
	ServiceLevel float64
	ASA          time.Duration // over answered calls
	AbandonRate  float64       // Abandoned / Calls
	// Occupancy is the operators' time on calls and in wrap-up over operators × (To − From).
	Occupancy float64
	// MeanTalk is the recorded talk time given to calls never answered; MeanPatience is the
	// mean of the callers' exponential patience (0: nobody abandoned, nobody gives up).
	MeanTalk, MeanPatience time.Duration
	// CallbacksRequested, CallbacksConnected, CallbacksGivenUp: the callers who accepted a
	// call back in the replay, and what became of their callbacks.
	CallbacksRequested, CallbacksConnected, CallbacksGivenUp int
	// Recorded is what the recording itself shows (the calls' counts and times only), by the
	// same service-level settings.
	Recorded Figures
}
