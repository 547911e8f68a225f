package callcenter

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Hours is when a queue takes calls, in its own time zone: weekly opening spans and one-off
// closures (holidays). The zero Hours is always open.
type Hours struct {
	// TimeZone is the IANA zone the spans and closures are in ("Europe/Berlin"); required when
	// there are spans or closures.
	TimeZone string
	// Weekly are the opening spans; a queue with none is open all week (closures aside). A span
	// ends by midnight: a night shift is two spans, which join up.
	Weekly []OpenSpan
	// Closures are whole local days the queue is closed, however the week says.
	Closures []Closure
}

// OpenSpan is one opening span of a weekday, From up to To, both since local midnight
// (To at most 24 h).
type OpenSpan struct {
	Day      time.Weekday
	From, To time.Duration
}

// Closure closes a queue from First to Last, both local dates ("2026-12-31") and both whole days.
type Closure struct {
	First, Last string
	Name        string // "New Year": said in why the queue is closed
}

const (
	maxOpenSpans = 7 * 8
	maxClosures  = 400
	dateLayout   = "2006-01-02"
)

// Set reports whether any hours are configured (the zero Hours: always open).
func (h Hours) Set() bool { return len(h.Weekly) > 0 || len(h.Closures) > 0 }

// Check validates the hours; field is where they sit in the request ("queue.hours").
func (h Hours) Check(field string) (Hours, error) {
	if !h.Set() {
		if h.TimeZone != "" {
			if _, err := time.LoadLocation(h.TimeZone); err != nil || h.TimeZone == "Local" {
				return h, Invalid(field+".time_zone", "unknown time zone %q", h.TimeZone)
			}
		}
		return h, nil
	}
	if h.TimeZone == "" {
		return h, Invalid(field+".time_zone", "required with opening hours or closures (an IANA zone such as Europe/Berlin)")
	}
	// "Local" is the server's own zone, which an admin cannot know.
	if _, err := time.LoadLocation(h.TimeZone); err != nil || h.TimeZone == "Local" {
		return h, Invalid(field+".time_zone", "unknown time zone %q", h.TimeZone)
	}
	if len(h.Weekly) > maxOpenSpans {
		return h, Invalid(field+".weekly", "at most %d spans", maxOpenSpans)
	}
	for i, s := range h.Weekly {
		f := fmt.Sprintf("%s.weekly[%d]", field, i)
		switch {
		case s.Day < time.Sunday || s.Day > time.Saturday:
			return h, Invalid(f+".day", "must be a weekday")
		case s.From < 0 || s.From%time.Minute != 0 || s.To%time.Minute != 0:
			return h, Invalid(f, "times are whole minutes from 00:00")
		case s.To > 24*time.Hour:
			return h, Invalid(f+".to", "must be 24:00 at the latest (a night shift is two spans)")
		case s.From >= s.To:
			return h, Invalid(f+".to", "must be after %s", clockTime(s.From))
		}
		for j, o := range h.Weekly[:i] {
			if o.Day == s.Day && s.From < o.To && o.From < s.To {
				return h, Invalid(f, "%s %s–%s overlaps span %d (%s–%s)", s.Day, clockTime(s.From), clockTime(s.To), j, clockTime(o.From), clockTime(o.To))
			}
		}
	}
	if len(h.Closures) > maxClosures {
		return h, Invalid(field+".closures", "at most %d closures", maxClosures)
	}
	for i, c := range h.Closures {
		f := fmt.Sprintf("%s.closures[%d]", field, i)
		first, err := time.Parse(dateLayout, c.First)
		if err != nil {
			return h, Invalid(f+".first", "must be a date like 2026-12-31")
		}
		if c.Last == "" {
			h.Closures[i].Last, c.Last = c.First, c.First
		}
		last, err := time.Parse(dateLayout, c.Last)
		if err != nil {
			return h, Invalid(f+".last", "must be a date like 2026-12-31")
		}
		if last.Before(first) {
			return h, Invalid(f+".last", "must not be before %s", c.First)
		}
		if err := maxLen(f+".name", c.Name, maxNameLen); err != nil {
			return h, err
		}
	}
	h.Weekly = slices.Clone(h.Weekly)
	slices.SortFunc(h.Weekly, func(a, b OpenSpan) int {
		if a.Day != b.Day {
			return int(a.Day) - int(b.Day)
		}
		return int(a.From - b.From)
	})
	return h, nil
}

// Open reports whether the queue is open at now and, closed, why ("New Year", "closed until
// Mon 09:00").
func (h Hours) Open(now time.Time) (bool, string) {
	loc, ok := h.location()
	if !ok {
		return true, ""
	}
	open, c := h.openAt(now.In(loc))
	switch {
	case open:
		return true, ""
	case c != nil:
		return false, cmp.Or(c.Name, "closed today")
	}
	if next, ok := h.NextChange(now); ok {
		return false, "closed until " + next.In(loc).Format("Mon 15:04")
	}
	return false, "closed"
}

// location is the hours' zone; false when they are not set (or unchecked with a bad zone,
// which never closes a queue).
func (h Hours) location() (*time.Location, bool) {
	if !h.Set() {
		return nil, false
	}
	loc, err := time.LoadLocation(h.TimeZone)
	return loc, err == nil
}

// NextChange returns when the queue next opens or closes after now (looking up to a year and
// a week ahead); false when it never changes (always open, or closed for good).
func (h Hours) NextChange(now time.Time) (time.Time, bool) {
	loc, ok := h.location()
	if !ok {
		return time.Time{}, false
	}
	local := now.In(loc)
	open, _ := h.openAt(local)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	for d := 0; d <= 373; d++ {
		date := day.AddDate(0, 0, d)
		for _, edge := range h.edges(date) {
			at := atClock(date, edge, loc)
			if !at.After(now) {
				continue
			}
			if o, _ := h.openAt(at); o != open {
				return at, true
			}
		}
	}
	return time.Time{}, false
}

// openAt is Open without the reason, on a local time.
func (h Hours) openAt(local time.Time) (bool, *Closure) {
	if c, ok := h.closure(local); ok {
		return false, &c
	}
	if len(h.Weekly) == 0 {
		return true, nil
	}
	since := sinceMidnight(local)
	for _, s := range h.Weekly {
		if s.Day == local.Weekday() && s.From <= since && since < s.To {
			return true, nil
		}
	}
	return false, nil
}

// edges are the moments of local date day when the queue may open or close: midnight and the
// ends of its spans that day.
func (h Hours) edges(day time.Time) []time.Duration {
	out := []time.Duration{0}
	for _, s := range h.Weekly {
		if s.Day == day.Weekday() {
			out = append(out, s.From, s.To)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (h Hours) closure(local time.Time) (Closure, bool) {
	date := local.Format(dateLayout)
	for _, c := range h.Closures {
		if c.First <= date && date <= cmp.Or(c.Last, c.First) {
			return c, true
		}
	}
	return Closure{}, false
}

// sinceMidnight is the wall-clock time of a local time, as a duration since 00:00.
func sinceMidnight(t time.Time) time.Duration {
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond())
}

// atClock is the moment the local wall clock of date shows d (24 h: the next midnight); a
// time skipped by a DST change comes out as Go normalises it (the hour after).
func atClock(date time.Time, d time.Duration, loc *time.Location) time.Time {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	return time.Date(date.Year(), date.Month(), date.Day(), h, m, 0, 0, loc)
}

func clockTime(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}
