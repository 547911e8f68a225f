package callcenter

import (
	"errors"
	"testing"
	"time"
)

func span(day time.Weekday, from, to string) OpenSpan {
	p := func(s string) time.Duration {
		t, err := time.Parse("15:04", s)
		if s == "24:00" {
			return 24 * time.Hour
		}
		if err != nil {
			panic(err)
		}
		return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	}
	return OpenSpan{Day: day, From: p(from), To: p(to)}
}

// weekdays nine to six in Berlin, with a night line from Friday 22:00 to Saturday 06:00.
func officeHours() Hours {
	h := Hours{TimeZone: "Europe/Berlin", Closures: []Closure{{First: "2026-12-24", Last: "2026-12-26", Name: "Christmas"}, {First: "2027-01-01", Name: "New Year"}}}
	for d := time.Monday; d <= time.Friday; d++ {
		h.Weekly = append(h.Weekly, span(d, "09:00", "18:00"))
	}
	h.Weekly = append(h.Weekly, span(time.Friday, "22:00", "24:00"), span(time.Saturday, "00:00", "06:00"))
	return h
}

func berlin(t *testing.T, s string) time.Time {
	t.Helper()
	loc, _ := time.LoadLocation("Europe/Berlin")
	at, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func TestHoursOpenAndNextChange(t *testing.T) {
	h, err := officeHours().Check("queue.hours")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at, next string
		open     bool
		why      string
	}{
		{"2026-12-07 08:59", "2026-12-07 09:00", false, "closed until Mon 09:00"}, // a Monday
		{"2026-12-07 09:00", "2026-12-07 18:00", true, ""},
		{"2026-12-07 17:59", "2026-12-07 18:00", true, ""},
		{"2026-12-07 18:00", "2026-12-08 09:00", false, "closed until Tue 09:00"},
		// The night line joins up over midnight: it closes Saturday 06:00, not at midnight.
		{"2026-12-11 23:00", "2026-12-12 06:00", true, ""},
		{"2026-12-12 06:00", "2026-12-14 09:00", false, "closed until Mon 09:00"},
		// Christmas closes Thursday to Saturday (the night line too), whatever the week says.
		{"2026-12-24 10:00", "2026-12-28 09:00", false, "Christmas"}, // then a Sunday
		{"2026-12-26 03:00", "2026-12-28 09:00", false, "Christmas"},
		{"2026-12-31 17:00", "2026-12-31 18:00", true, ""},
		{"2027-01-01 12:00", "2027-01-02 00:00", false, "New Year"}, // no night line on the 1st
	} {
		at := berlin(t, c.at)
		open, why := h.Open(at)
		next, ok := h.NextChange(at)
		if open != c.open || why != c.why || !ok || !next.Equal(berlin(t, c.next)) {
			t.Errorf("at %s: open %v (%q), next %s %v; want %v (%q), next %s", c.at, open, why, next.In(at.Location()).Format("2006-01-02 15:04"), ok, c.open, c.why, c.next)
		}
	}
}

// The clock goes forward at 02:00 on 29 March 2026 in Berlin and back at 03:00 on 25 October:
// the spans follow the wall clock.
func TestHoursAcrossDaylightSaving(t *testing.T) {
	h, err := Hours{TimeZone: "Europe/Berlin", Weekly: []OpenSpan{span(time.Sunday, "01:00", "02:30"), span(time.Sunday, "09:00", "17:00")}}.Check("queue.hours")
	if err != nil {
		t.Fatal(err)
	}
	spring := berlin(t, "2026-03-29 01:30")
	if open, _ := h.Open(spring); !open {
		t.Fatal("closed at 01:30 on the day the clocks go forward")
	}
	// 02:30 does not exist that day: the span ends when the clock jumps (03:30 as Go counts it,
	// an hour of real time after 02:30 would have been).
	next, _ := h.NextChange(spring)
	if got := next.Sub(spring); got != time.Hour {
		t.Fatalf("closes %s after 01:30, want 1h (at the jump)", got)
	}
	if open, _ := h.Open(berlin(t, "2026-03-29 09:00")); !open {
		t.Fatal("closed at 09:00 after the change")
	}
	if next, _ := h.NextChange(berlin(t, "2026-03-29 09:00")); !next.Equal(berlin(t, "2026-03-29 17:00")) || next.Sub(berlin(t, "2026-03-29 09:00")) != 8*time.Hour {
		t.Fatalf("next change %s", next)
	}
	autumn := berlin(t, "2026-10-25 09:00")
	if next, _ := h.NextChange(autumn); next.Sub(autumn) != 8*time.Hour {
		t.Fatalf("after the clocks go back: closes %s after 09:00, want 8h", next.Sub(autumn))
	}
}

func TestHoursUnset(t *testing.T) {
	var h Hours
	if open, why := h.Open(time.Now()); !open || why != "" {
		t.Fatalf("no hours: open %v %q", open, why)
	}
	if _, ok := h.NextChange(time.Now()); ok {
		t.Fatal("no hours change")
	}
	always, err := Hours{TimeZone: "Asia/Tokyo", Weekly: []OpenSpan{span(time.Monday, "00:00", "24:00"), span(time.Tuesday, "00:00", "24:00")}}.Check("q")
	if err != nil {
		t.Fatal(err)
	}
	if next, ok := always.NextChange(time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)); !ok || next.In(next.Location()).Weekday() != time.Wednesday {
		t.Fatalf("Monday and Tuesday all day: next change %s %v, want Wednesday 00:00", next, ok)
	}
}

func TestHoursCheck(t *testing.T) {
	ok := officeHours()
	for _, c := range []struct {
		name  string
		edit  func(*Hours)
		field string
	}{
		{"no zone", func(h *Hours) { h.TimeZone = "" }, "queue.hours.time_zone"},
		{"unknown zone", func(h *Hours) { h.TimeZone = "Mars/Olympus" }, "queue.hours.time_zone"},
		{"overlap", func(h *Hours) { h.Weekly = append(h.Weekly, span(time.Monday, "17:00", "19:00")) }, "queue.hours.weekly[7]"},
		{"backwards", func(h *Hours) { h.Weekly[0] = span(time.Monday, "18:00", "09:00") }, "queue.hours.weekly[0].to"},
		{"empty", func(h *Hours) { h.Weekly[0] = span(time.Monday, "09:00", "09:00") }, "queue.hours.weekly[0].to"},
		{"past midnight", func(h *Hours) { h.Weekly[0].To = 25 * time.Hour }, "queue.hours.weekly[0].to"},
		{"seconds", func(h *Hours) { h.Weekly[0].From += time.Second }, "queue.hours.weekly[0]"},
		{"no day", func(h *Hours) { h.Weekly[0].Day = 9 }, "queue.hours.weekly[0].day"},
		{"bad date", func(h *Hours) { h.Closures[0].First = "24.12.2026" }, "queue.hours.closures[0].first"},
		{"reversed closure", func(h *Hours) { h.Closures[0].Last = "2026-12-01" }, "queue.hours.closures[0].last"},
	} {
		h := ok
		h.Weekly = append([]OpenSpan(nil), ok.Weekly...)
		h.Closures = append([]Closure(nil), ok.Closures...)
		c.edit(&h)
		_, err := h.Check("queue.hours")
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeInvalid || e.Field != c.field {
			t.Errorf("%s: %v, want invalid %s", c.name, err, c.field)
		}
	}
	checked, err := ok.Check("queue.hours")
	if err != nil || checked.Closures[1].Last != "2027-01-01" {
		t.Fatalf("a one-day closure: %+v %v", checked.Closures, err)
	}
}
