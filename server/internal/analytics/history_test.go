package analytics

import (
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

func quarter(id string, start time.Time, received int64) cc.Tally {
	return cc.Tally{Scope: cc.ScopeQueue, ID: id, Start: start, Figures: cc.Figures{CallsReceived: received}}
}

func TestHoursFollowTheZone(t *testing.T) {
	kathmandu, err := time.LoadLocation("Asia/Kathmandu") // UTC+5:45
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	// 04:00–05:00 UTC is 09:45–10:45 in Kathmandu: its quarters fall in two local hours.
	base := time.Date(2026, 11, 26, 4, 0, 0, 0, time.UTC)
	var ts []cc.Tally
	for i := range 4 {
		ts = append(ts, quarter("sales", base.Add(time.Duration(i)*cc.TallyInterval), int64(i+1)))
	}
	rows := Group(ts, Hour, kathmandu, time.Time{}, false)
	if len(rows) != 2 {
		t.Fatalf("rows = %+v", rows)
	}
	if got := rows[0].Start.Format("15:04"); got != "09:00" || rows[0].Figures.CallsReceived != 1 {
		t.Errorf("first row %s with %d calls, want 09:00 with 1", got, rows[0].Figures.CallsReceived)
	}
	if got := rows[1].Start.Format("15:04"); got != "10:00" || rows[1].Figures.CallsReceived != 2+3+4 {
		t.Errorf("second row %s with %d calls, want 10:00 with 9", got, rows[1].Figures.CallsReceived)
	}
	if Total(rows).CallsReceived != 10 {
		t.Errorf("total = %d", Total(rows).CallsReceived)
	}
}

func TestDaysInTheZoneAcrossDaylightSaving(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	// 2026-10-25 has 25 hours in Berlin: 22:00 UTC on the 24th to 23:00 UTC on the 25th.
	ts := []cc.Tally{
		quarter("sales", time.Date(2026, 10, 24, 21, 45, 0, 0, time.UTC), 1), // the 24th, 23:45 local
		quarter("sales", time.Date(2026, 10, 24, 22, 0, 0, 0, time.UTC), 2),  // the 25th, 00:00
		quarter("sales", time.Date(2026, 10, 25, 22, 45, 0, 0, time.UTC), 4), // the 25th, 23:45
		quarter("sales", time.Date(2026, 10, 25, 23, 0, 0, 0, time.UTC), 8),  // the 26th
		quarter("support", time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC), 16),
	}
	rows := Group(ts, Day, berlin, time.Time{}, true)
	want := []struct {
		day   string
		queue cc.QueueID
		n     int64
	}{{"2026-10-24", "sales", 1}, {"2026-10-25", "sales", 6}, {"2026-10-25", "support", 16}, {"2026-10-26", "sales", 8}}
	if len(rows) != len(want) {
		t.Fatalf("rows = %+v", rows)
	}
	for i, w := range want {
		if rows[i].Start.Format("2006-01-02") != w.day || rows[i].Queue != w.queue || rows[i].Figures.CallsReceived != w.n {
			t.Errorf("row %d = %s %s %d, want %+v", i, rows[i].Start, rows[i].Queue, rows[i].Figures.CallsReceived, w)
		}
	}
	from, to := Day.Span(time.Date(2026, 10, 25, 12, 0, 0, 0, berlin), time.Date(2026, 10, 25, 13, 0, 0, 0, berlin), berlin)
	if to.Sub(from) != 25*time.Hour {
		t.Errorf("the 25th spans %v, want 25h", to.Sub(from))
	}
}

func TestCenterTakesCallsFromQueuesAndTimeFromItsRows(t *testing.T) {
	start := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	queues := []cc.Tally{quarter("sales", start, 3), quarter("support", start, 2)}
	center := []cc.Tally{{Scope: cc.ScopeCenter, Start: start, Figures: cc.Figures{Ready: time.Minute, OnCall: 3 * time.Minute}}}
	total := Total(Group(Center(queues, center), Quarter, time.UTC, time.Time{}, false))
	if total.CallsReceived != 5 || total.OnCall != 3*time.Minute {
		t.Errorf("center = %+v", total)
	}
	if occ, _ := total.Occupancy(); occ != 0.75 {
		t.Errorf("occupancy = %v", occ)
	}
}

func TestWholeRangeIsOneRowPerID(t *testing.T) {
	lo := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	ts := []cc.Tally{quarter("sales", lo, 1), quarter("support", lo.Add(time.Hour), 2), quarter("sales", lo.Add(50*time.Hour), 4)}
	split := Group(ts, Whole, time.UTC, lo, true)
	if len(split) != 2 || split[0].Queue != "sales" || split[0].Figures.CallsReceived != 5 || !split[0].Start.Equal(lo) ||
		split[1].Queue != "support" || split[1].Figures.CallsReceived != 2 {
		t.Errorf("split = %+v", split)
	}
	if all := Group(ts, Whole, time.UTC, lo, false); len(all) != 1 || all[0].Figures.CallsReceived != 7 {
		t.Errorf("summed = %+v", all)
	}
	if from, to := Whole.Span(lo.Add(7*time.Minute), lo.Add(24*time.Hour+time.Minute), time.UTC); !from.Equal(lo) || !to.Equal(lo.Add(24*time.Hour+15*time.Minute)) {
		t.Errorf("a whole range reads the quarters it touches: %v–%v", from, to)
	}
}

func TestLimitsCountTheZonesCalendarDays(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, berlin) }
	for _, tc := range []struct {
		w        Width
		from, to time.Time
		tooLong  bool
	}{
		{Quarter, day(2026, 10, 1), day(2026, 11, 1), false}, // 31 days and the hour daylight saving gives back
		{Quarter, day(2026, 10, 1), day(2026, 11, 1).Add(time.Minute), true},
		{Quarter, day(2027, 2, 1), day(2027, 3, 4), false},
		{Hour, day(2026, 10, 1), day(2027, 1, 1), false}, // 92 days
		{Hour, day(2026, 10, 1), day(2027, 1, 2), true},
		{Day, day(2024, 1, 1), day(2027, 1, 1), false},
		{Whole, day(2023, 1, 1), day(2027, 1, 1), true},
	} {
		if got := tc.w.TooLong(tc.from, tc.to, berlin); got != tc.tooLong {
			t.Errorf("%s %s–%s too long: %v, want %v", Names[tc.w], tc.from, tc.to, got, tc.tooLong)
		}
	}
}
