package callcenter

import (
	"fmt"
	"time"
)

// What a waiting caller is told about his wait. The engine works the figure out from live
// figures of his queue (ExpectedWait); these are the rules for when it is trusted and how it is
// said.

// WaitBasis says what an expected wait was worked out from.
type WaitBasis string

const (
	// WaitFromStaffing: Erlang C on the queue's current staffing. With every operator at work
	// busy, calls leave the line at c/AHT a second (c operators at work, AHT the queue's average
	// handle time), so the caller at position k waits k·AHT/c on average — the M/M/c model's
	// mean wait given his place.
	WaitFromStaffing WaitBasis = "staffing"
	// WaitFromRecentAnswers: how long the queue's recent answered callers waited, less what he
	// has waited already; used when the queue has not handled enough calls to know its handle
	// time (after a start), or nobody at work could take the call.
	WaitFromRecentAnswers WaitBasis = "recent_answers"
)

// ExpectedWait is how much longer a waiting caller should wait, and from what.
type ExpectedWait struct {
	Wait  time.Duration
	Basis WaitBasis
}

// The trust rules: below these counts, or past MaxTrustedWait, no figure is given.
const (
	// MinHandleSamples calls handled in a queue since the start make its handle time trusted.
	MinHandleSamples = 10
	// MinRecentAnswers answers within RecentAnswerWindow make the recent answers a basis.
	MinRecentAnswers   = 5
	RecentAnswerWindow = 30 * time.Minute
	// MaxTrustedWait: a longer estimate says more about a stalled floor than about the wait.
	MaxTrustedWait = time.Hour
)

var numberWords = [...]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
	"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"}

var tensWords = [...]string{2: "twenty", 3: "thirty", 4: "forty", 5: "fifty"}

// SayWait says a wait the way a caller wants to hear it, in words: "less than a minute",
// "about a minute", "about three minutes", past ten minutes to the nearest five ("about twenty-five
// minutes"), "about half an hour", "about an hour".
func SayWait(w time.Duration) string {
	switch {
	case w < 45*time.Second:
		return "less than a minute"
	case w < 90*time.Second:
		return "about a minute"
	}
	m := int(w.Round(time.Minute) / time.Minute)
	if m > 10 {
		m = (m + 2) / 5 * 5
	}
	switch {
	case m == 30:
		return "about half an hour"
	case m >= 60:
		return "about an hour"
	}
	return "about " + minutesInWords(m) + " minutes"
}

func minutesInWords(m int) string {
	if m < len(numberWords) {
		return numberWords[m]
	}
	if m%10 == 0 {
		return tensWords[m/10]
	}
	return tensWords[m/10] + "-" + numberWords[m%10]
}

// PositionAnnouncement is what a waiting caller at position pos hears, with his expected wait
// when there is a trusted one.
func PositionAnnouncement(pos int, w ExpectedWait, trusted bool) string {
	text := fmt.Sprintf("You are number %d in line.", pos)
	if pos == 1 {
		text = "You are next in line."
	}
	if trusted {
		text += " Your expected wait is " + SayWait(w.Wait) + "."
	}
	return text
}
