package main

import (
	"testing"
	"time"
)

func TestReportDays(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	for _, tc := range []struct {
		period, date, first, last string
		from, to                  string // in Berlin, "2006-01-02 15:04"
	}{
		{"day", "2026-10-25", "", "", "2026-10-25 00:00", "2026-10-26 00:00"},
		{"week", "2026-10-21", "", "", "2026-10-19 00:00", "2026-10-26 00:00"},
		{"week", "2026-10-25", "", "", "2026-10-19 00:00", "2026-10-26 00:00"}, // a Sunday
		{"month", "2028-02-10", "", "", "2028-02-01 00:00", "2028-03-01 00:00"},
		{"custom", "", "2026-12-30", "2027-01-02", "2026-12-30 00:00", "2027-01-03 00:00"},
	} {
		from, to, err := reportDays(tc.period, tc.date, tc.first, tc.last, berlin)
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		if got := from.In(berlin).Format("2006-01-02 15:04"); got != tc.from {
			t.Errorf("%+v: from %s", tc, got)
		}
		if got := to.In(berlin).Format("2006-01-02 15:04"); got != tc.to {
			t.Errorf("%+v: to %s", tc, got)
		}
	}
	// The week of the autumn change is 7 days and an hour.
	from, to, _ := reportDays("week", "2026-10-21", "", "", berlin)
	if to.Sub(from) != 7*24*time.Hour+time.Hour {
		t.Errorf("the week of the change lasts %v", to.Sub(from))
	}
}
