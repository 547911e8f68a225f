package callcenter

import (
	"fmt"
	"strings"
	"time"
)

// AssignedHow says how a caller got his personal manager.
type AssignedHow string

const (
	AssignedByVoice  AssignedHow = "voice"  // he said yes when asked after a call
	AssignedByAdmin  AssignedHow = "admin"  // an admin assigned him
	AssignedByImport AssignedHow = "import" // a CSV import
)

// Client is a caller number Tandem knows: his personal manager, or that he declined one.
type Client struct {
	Number     string     // E.164, see NormalizeNumber
	Manager    OperatorID // "" when he has none
	How        AssignedHow
	AssignedAt time.Time
	DeclinedAt time.Time // when he last said no to having a manager
}

// AbsenceKind is why an operator is away for days.
type AbsenceKind string

const (
	AbsenceVacation AbsenceKind = "vacation"
	AbsenceSick     AbsenceKind = "sick"
)

// Absence is a stretch of days an operator is not at work, in his own time zone. From and To
// are dates (2006-01-02), both included.
type Absence struct {
	ID       string
	Operator OperatorID
	Kind     AbsenceKind
	From, To string
}

// Covers reports whether the absence includes the date d (2006-01-02).
func (a Absence) Covers(d string) bool { return a.From <= d && d <= a.To }

// Span is a stretch of a day, in minutes since midnight: [From, To).
type Span struct {
	From, To int
}

// WeekHours are hours of each weekday in a time zone: when an operator works, or when a spare
// number may be called. A week with no spans at all means "always".
type WeekHours struct {
	TimeZone string    // IANA name; "" means UTC
	Days     [7][]Span // by time.Weekday
}

// Location is the time zone of the hours.
func (h WeekHours) Location() *time.Location {
	if h.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(h.TimeZone)
	if err != nil {
		return time.UTC // checked when set; a zone that vanished from the system falls back to UTC
	}
	return loc
}

// Always reports whether the hours have no spans, meaning no restriction.
func (h WeekHours) Always() bool {
	for _, d := range h.Days {
		if len(d) > 0 {
			return false
		}
	}
	return true
}

// Within reports whether t falls in the hours.
func (h WeekHours) Within(t time.Time) bool {
	if h.Always() {
		return true
	}
	lt := t.In(h.Location())
	m := lt.Hour()*60 + lt.Minute()
	for _, s := range h.Days[lt.Weekday()] {
		if s.From <= m && m < s.To {
			return true
		}
	}
	return false
}

// NextStart is the next time at or after t that the hours begin, within a week.
func (h WeekHours) NextStart(t time.Time) (time.Time, bool) {
	if h.Always() {
		return t, true
	}
	lt := t.In(h.Location())
	midnight := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, lt.Location())
	for d := 0; d <= 7; d++ {
		day := midnight.AddDate(0, 0, d)
		for _, s := range h.Days[day.Weekday()] {
			start := day.Add(time.Duration(s.From) * time.Minute)
			if !start.Before(lt) {
				return start, true
			}
		}
	}
	return time.Time{}, false
}

// ParseSpans reads "09:00-13:00,14:00-18:00" into spans.
func ParseSpans(s string) ([]Span, error) {
	var out []Span
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		var fh, fm, th, tm int
		if n, err := fmt.Sscanf(part, "%d:%d-%d:%d", &fh, &fm, &th, &tm); err != nil || n != 4 {
			return nil, fmt.Errorf("%q is not like 09:00-18:00", part)
		}
		from, to := fh*60+fm, th*60+tm
		if fh > 24 || th > 24 || fm > 59 || tm > 59 || from >= to || to > 24*60 {
			return nil, fmt.Errorf("%q is not a span within a day", part)
		}
		out = append(out, Span{From: from, To: to})
	}
	return out, nil
}

// FormatSpans writes spans as ParseSpans reads them.
func FormatSpans(spans []Span) string {
	var parts []string
	for _, s := range spans {
		parts = append(parts, fmt.Sprintf("%02d:%02d-%02d:%02d", s.From/60, s.From%60, s.To/60, s.To%60))
	}
	return strings.Join(parts, ",")
}

// ManagerAbsence is why a caller's manager cannot take his call now.
type ManagerAbsence string

const (
	AbsentOnVacation ManagerAbsence = "vacation"
	AbsentSick       ManagerAbsence = "sick"
	AbsentDismissed  ManagerAbsence = "dismissed"
	AbsentOffHours   ManagerAbsence = "off_hours"
)

// DefaultAbsenceTemplates are what the caller hears when his manager is absent. {name} is the
// manager's display name, {until} when he is back.
var DefaultAbsenceTemplates = map[ManagerAbsence]string{
	AbsentOnVacation: "Your manager {name} is on vacation until {until}. I will connect you with a colleague.",
	AbsentSick:       "Your manager {name} is on sick leave until {until}. I will connect you with a colleague.",
	AbsentDismissed:  "Your manager {name} no longer works with us. I will connect you with a colleague.",
	AbsentOffHours:   "Your manager {name} is not at work right now and will be back {until}. I will connect you with a colleague.",
}

// Spare numbers ------------------------------------------------------------------------------

// SpareID names a spare number.
type SpareID string

// Spare is a number outside the queue's operators (another team, technical support) that
// takes calls when nobody is free for too long.
type Spare struct {
	ID            SpareID
	Name          string
	Contact       Contact       // sip or pstn
	Hours         WeekHours     // when it may be called; always when empty
	Holidays      []string      // dates (2006-01-02) in its time zone when it may not be called
	MaxConcurrent int           // calls at once (at least 1)
	DailyCap      int           // calls a day; 0: no cap
	Priority      int           // higher first in the "priority" order
	Cooldown      time.Duration // skipped this long after a failed offer
	Disabled      bool
}

// SpareStatus is a spare number's live use.
type SpareStatus struct {
	Spare         SpareID
	Active        int    // calls offered to it or talking now
	Day           string // the day CallsToday counts
	CallsToday    int
	CooldownUntil time.Time
	Misses        int
	LastUsed      time.Time
}

// SpareOrder is how a queue picks among its eligible spares.
type SpareOrder string

const (
	SpareInTurn    SpareOrder = "in_turn"    // round the pool, from the one used last
	SpareLeastUsed SpareOrder = "least_used" // fewest calls today
	SparePriority  SpareOrder = "priority"   // highest priority first
)

// Overflow is a queue's rule for spare numbers.
type Overflow struct {
	After time.Duration // a call waiting this long with nobody free overflows; 0: never
	// OnPredictedWait overflows a call at once when its predicted wait is longer than After.
	OnPredictedWait bool
	Spares          []SpareID // the pool, in order
	MaxAtOnce       int       // spare calls of this queue at once; 0: no limit but the pool's
	Order           SpareOrder
}
