package routing

import (
	"fmt"
	"strings"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// withSpares gives the fixture's queue an overflow rule after 60 s and spare numbers s1..sn.
func (f *fixture) withSpares(o cc.Overflow, spares ...cc.Spare) {
	f.t.Helper()
	for _, sp := range spares {
		if sp.Contact.Kind == "" {
			sp.Contact = cc.Contact{Kind: cc.ContactSIP, Target: "sip:" + string(sp.ID) + "@spares.example"}
		}
		f.must(f.e.PutSpare(f.now, sp))
		o.Spares = append(o.Spares, sp.ID)
	}
	if o.After == 0 {
		o.After = 60 * time.Second
	}
	r := cc.DefaultRules()
	r.Overflow = o
	f.withRules(r)
}

func spareOf(f *fixture, id cc.CallID) cc.SpareID {
	c, _ := f.e.Call(id)
	return c.Spare
}

func TestOverflowAfterTheThreshold(t *testing.T) {
	f := newFixture(t, "anna")
	f.withSpares(cc.Overflow{}, cc.Spare{ID: "s1", Name: "support line", MaxConcurrent: 1})
	id := f.intake()
	f.now = f.now.Add(59 * time.Second)
	f.e.Tick(f.now)
	if spareOf(f, id) != "" {
		t.Fatal("overflowed before the threshold")
	}
	due, _ := f.e.NextDeadline()
	if !due.Equal(t0.Add(60 * time.Second)) {
		t.Fatalf("next deadline %v, want the overflow threshold", due)
	}
	f.now = due
	ch := f.e.Tick(f.now)
	if spareOf(f, id) != "s1" || len(ch.Commands) != 1 || ch.Commands[0].Contact.Target != "sip:s1@spares.example" {
		t.Fatalf("after 60 s: spare %q, commands %+v", spareOf(f, id), ch.Commands)
	}
	if len(ch.Decisions) != 1 || ch.Decisions[0].Spare != "s1" {
		t.Fatalf("decision = %+v", ch.Decisions)
	}
	// The spare answers and talks; when it hangs up, it is free again.
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(id)}))
	if c, _ := f.e.Call(id); c.State != cc.CallConnected {
		t.Fatalf("spare answered but the call is %s", c.State)
	}
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller}))
	if _, use, _ := f.e.Spare("s1", f.now); use.Active != 0 || use.CallsToday != 1 {
		t.Fatalf("spare use after the call = %+v", use)
	}
}

func TestOperatorsGoFirstAndAFailedSpareReturnsTheCall(t *testing.T) {
	f := newFixture(t, "anna")
	f.withSpares(cc.Overflow{}, cc.Spare{ID: "s1", MaxConcurrent: 1, Cooldown: 10 * time.Minute}, cc.Spare{ID: "s2", MaxConcurrent: 1})
	id := f.intake()
	f.now = f.now.Add(61 * time.Second)
	f.e.Tick(f.now)
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudDialFailed, Offer: f.offerOf(id), Code: 486}))
	// Back in its place, and the next spare (s1 cools down) gets it; then anna frees up first.
	if spareOf(f, id) != "s2" {
		t.Fatalf("after s1 was busy the call went to %q, want s2", spareOf(f, id))
	}
	if _, use, _ := f.e.Spare("s1", f.now); use.Active != 0 || use.CooldownUntil != f.now.Add(10*time.Minute) {
		t.Fatalf("s1 after a miss = %+v", use)
	}
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudDialFailed, Offer: f.offerOf(id), Code: 480}))
	f.ready("anna")
	if c, _ := f.e.Call(id); c.Operator != "anna" || c.Spare != "" {
		t.Fatalf("with anna free the call went to %+v", c)
	}
}

func TestForbiddenHoursAndHolidays(t *testing.T) {
	night := cc.Spare{ID: "s1", MaxConcurrent: 1, Hours: cc.WeekHours{TimeZone: "America/New_York"}}
	for d := range night.Hours.Days {
		night.Hours.Days[d] = []cc.Span{{From: 9 * 60, To: 17 * 60}} // 9 to 5, New York time
	}
	holiday := cc.Spare{ID: "s2", MaxConcurrent: 1, Holidays: []string{"2026-11-26"}} // Thanksgiving
	f := newFixture(t)
	f.e.cfg.StaleWaiting = 24 * time.Hour // the caller holds on for hours
	f.withSpares(cc.Overflow{}, night, holiday)
	id := f.intake() // 09:00 UTC is 04:00 in New York
	f.now = f.now.Add(2 * time.Minute)
	f.e.Tick(f.now)
	if s := spareOf(f, id); s != "" {
		t.Fatalf("overflowed to %s at a forbidden hour / on a holiday", s)
	}
	d, err := f.e.PreviewOverflow("support", f.now)
	if err != nil || d.Spare != "" || len(d.Candidates) != 2 || d.Candidates[0].ExcludedBecause != "forbidden hours (Thu 04:02 there)" || d.Candidates[1].ExcludedBecause != "holiday (2026-11-26)" {
		t.Fatalf("preview = %+v %v", d, err)
	}
	// At 14:00 UTC it is 09:00 in New York: the call, still waiting, overflows.
	f.now = time.Date(2026, 11, 26, 14, 0, 0, 0, time.UTC)
	f.e.Tick(f.now)
	if s := spareOf(f, id); s != "s1" {
		t.Fatalf("at 09:00 New York the call went to %q", s)
	}
}

// TestSpareLimitsUnderLoad puts 50 calls past the threshold at once and checks every cap.
func TestSpareLimitsUnderLoad(t *testing.T) {
	f := newFixture(t)
	f.e.cfg.MaxSpareCalls = 5
	f.withSpares(cc.Overflow{MaxAtOnce: 4, Order: cc.SpareLeastUsed},
		cc.Spare{ID: "s1", MaxConcurrent: 1},
		cc.Spare{ID: "s2", MaxConcurrent: 2, DailyCap: 3},
		cc.Spare{ID: "s3", MaxConcurrent: 3},
	)
	var calls []cc.CallID
	for range 50 {
		calls = append(calls, f.intake())
	}
	f.now = f.now.Add(time.Minute)
	f.e.Tick(f.now)
	count := func() map[cc.SpareID]int {
		n := map[cc.SpareID]int{}
		for _, id := range calls {
			if s := spareOf(f, id); s != "" {
				n[s]++
			}
		}
		return n
	}
	got := count()
	if got["s1"]+got["s2"]+got["s3"] != 4 || got["s1"] > 1 || got["s2"] > 2 || got["s3"] > 3 {
		t.Fatalf("spare calls at once = %v, want 4 (the queue's cap) within each number's own", got)
	}
	// Serve them one by one for a while: the caps hold at every step, s2 stops at 3 a day.
	for round := range 30 {
		for _, id := range calls {
			if c, ok := f.e.Call(id); ok && c.Spare != "" && c.State == cc.CallWaiting {
				f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: c.Offer}))
				f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller}))
				break
			}
		}
		f.now = f.now.Add(time.Second)
		f.e.Tick(f.now)
		got := count()
		if got["s1"]+got["s2"]+got["s3"] > 4 || got["s1"] > 1 || got["s2"] > 2 || got["s3"] > 3 {
			t.Fatalf("round %d: spare calls at once = %v", round, got)
		}
		if _, use, _ := f.e.Spare("s2", f.now); use.CallsToday > 3 {
			t.Fatalf("round %d: s2 took %d calls, cap 3", round, use.CallsToday)
		}
	}
	for _, s := range []cc.SpareID{"s1", "s2", "s3"} {
		if _, use, _ := f.e.Spare(s, f.now); use.Active != count()[s] {
			t.Fatalf("%s counts %d active, %d calls have it", s, use.Active, count()[s])
		}
	}
}

func TestSpareOrders(t *testing.T) {
	for _, tc := range []struct {
		order cc.SpareOrder
		want  []cc.SpareID
	}{
		{cc.SpareInTurn, []cc.SpareID{"s1", "s2", "s3", "s1"}},
		{cc.SparePriority, []cc.SpareID{"s3", "s3", "s3", "s3"}},
		{cc.SpareLeastUsed, []cc.SpareID{"s1", "s2", "s3", "s1"}},
	} {
		f := newFixture(t)
		f.withSpares(cc.Overflow{Order: tc.order}, cc.Spare{ID: "s1", MaxConcurrent: 1}, cc.Spare{ID: "s2", MaxConcurrent: 1}, cc.Spare{ID: "s3", MaxConcurrent: 1, Priority: 5})
		var got []cc.SpareID
		for range tc.want {
			id := f.intake()
			f.now = f.now.Add(time.Minute)
			f.e.Tick(f.now)
			got = append(got, spareOf(f, id))
			f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(id)}))
			f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller}))
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %v, want %v", tc.order, got, tc.want)
		}
	}
}

func TestOverflowOnPredictedWait(t *testing.T) {
	f := newFixture(t, "anna")
	f.withSpares(cc.Overflow{After: 2 * time.Minute, OnPredictedWait: true}, cc.Spare{ID: "s1", MaxConcurrent: 1})
	q, _ := f.e.Queue("support")
	q.WrapUp = 0
	f.must(f.e.UpdateQueue(f.now, q))
	f.ready("anna")
	// Anna handles one call of 3 minutes: the queue learns its handle time.
	first := f.intake()
	f.must(f.e.Report(f.now, first, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(first)}))
	second := f.intake() // next in line behind anna's call: about 3 minutes, past the 2-minute rule
	if spareOf(f, second) != "" {
		t.Fatal("overflowed before the queue had an estimate")
	}
	f.now = f.now.Add(3 * time.Minute)
	f.must(f.e.Report(f.now, first, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller, TalkTime: 3 * time.Minute}))
	if spareOf(f, second) != "" || f.offerOf(second) == "" {
		t.Fatal("with anna free again the second call should be hers, not a spare's")
	}
	f.must(f.e.Report(f.now, second, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(second)}))
	c, ch, _ := f.e.Intake(f.now, cc.Intake{AccessURL: "u", DialedNumber: "+18005550100"})
	if spareOf(f, c.ID) != "s1" || len(ch.Decisions) != 1 || !strings.Contains(ch.Decisions[0].Rule, "predicted wait 3m0s") {
		t.Fatalf("a call predicted to wait 3 minutes (rule: 2) did not overflow at once: %+v", ch.Decisions)
	}
}
