package callcenter

import "time"

// RecordedCall is what a day's replay needs of a stored call: when it arrived, whether and
// when it was answered, when it ended and how long it talked. Zero times are "not yet" or
// "never".
type RecordedCall struct {
	ArrivedAt  time.Time
	AnsweredAt time.Time
	EndedAt    time.Time
	State      CallState
	TalkTime   time.Duration
}
