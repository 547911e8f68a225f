package callcenter

import "time"

// Intake is an inbound call as the cloud registers it.
type Intake struct {
	SessionID    string
	AccessURL    string
	CallerNumber string
	CallerName   string
	DialedNumber string
	SIPHeaders   map[string]string
	CustomData   string
	ArrivedAt    time.Time // zero: now
	Priority     int       // higher first within the queue
}

// CloudEventKind is what a cloud event reports.
type CloudEventKind int

const (
	CloudOperatorAnswered CloudEventKind = iota + 1
	CloudDialFailed
	CloudCallEnded
	CloudCallerAbandoned
	CloudSpeechAnswer
	// CloudOperatorRinging: the operator's phone rings (the cloud got a progress signal from
	// it); the offer reached him.
	CloudOperatorRinging
	// CloudRecordingStarted: the cloud records the conversation, to be found at RecordingURL.
	CloudRecordingStarted
	// CloudPartyRinging, CloudPartyJoined, CloudPartyFailed (Code, Reason) and CloudPartyLeft:
	// what became of a party leg (Party).
	CloudPartyRinging
	CloudPartyJoined
	CloudPartyFailed
	CloudPartyLeft
	// CloudCustomerRinging, CloudCustomerAnswered and CloudCustomerFailed (Code, Reason): the
	// customer's leg of a callback, dialed once its operator answered.
	CloudCustomerRinging
	CloudCustomerAnswered
	CloudCustomerFailed
	// CloudCallbackAnswer: the caller's answer to an offer_callback (Accepted, with the Number
	// he keyed in when he was asked for one).
	CloudCallbackAnswer
	// CloudVoicemailRecorded: the caller's message (RecordingURL, Length), after his call ended.
	CloudVoicemailRecorded
	// CloudMenuChosen: the caller left the IVR menu by MenuExit (or hung up in it).
	CloudMenuChosen
)

// CloudEvent is one outcome of a call reported by the cloud.
type CloudEvent struct {
	Kind     CloudEventKind
	Offer    OfferID
	RingTime time.Duration
	Code     int    // CloudDialFailed
	Reason   string // CloudDialFailed
	HungUpBy HangupParty
	TalkTime time.Duration
	// CloudSpeechAnswer
	QuestionID string
	Verdict    Verdict
	// CloudRecordingStarted
	RecordingURL string
	// CloudParty*
	Party PartyID
	// CloudCallbackAnswer
	Accepted bool
	Number   string
	// CloudVoicemailRecorded (and RecordingURL)
	Length time.Duration
	// CloudMenuChosen
	MenuExit MenuExit
}

// Verdict is the scenario's reading of a spoken answer.
type Verdict int

const (
	VerdictUnclear Verdict = iota
	VerdictYes
	VerdictNo
)
