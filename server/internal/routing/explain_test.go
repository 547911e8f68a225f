package routing

import (
	"fmt"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// TestDecisionRecordIsBounded: in a queue of 40 operators — 25 free (ready in turn, a second
// apart), 10 connected but away, 5 never connected — the record lists the chosen operator,
// the next 10 free ones in rank order, and a few of the others as examples, and counts the
// rest by reason.
func TestDecisionRecordIsBounded(t *testing.T) {
	var names []string
	for i := range 40 {
		names = append(names, fmt.Sprintf("op%02d", i))
	}
	f := newFixture(t, names...)
	for i := range 25 {
		f.ready(names[i])
		f.now = f.now.Add(time.Second)
	}
	for i := 25; i < 35; i++ {
		f.must(f.e.Connect(f.now, cc.OperatorID(names[i])))
		f.must(f.e.GoAway(f.now, cc.OperatorID(names[i]), "lunch"))
	}
	_, ch, err := f.e.Intake(f.now, cc.Intake{AccessURL: "u", CallerNumber: "+200", DialedNumber: "+18005550100"})
	if err != nil || len(ch.Decisions) != 1 {
		t.Fatalf("decisions %+v, %v", ch.Decisions, err)
	}
	d := ch.Decisions[0]
	if d.Operator != "op00" || d.Rule != "op00 ranks first by longest_idle (idle 25s) of 25 free" {
		t.Fatalf("chose %s: %q", d.Operator, d.Rule)
	}
	if d.EligibleCount != 25 || d.ExcludedCount != 15 {
		t.Fatalf("eligible %d, excluded %d; want 25, 15", d.EligibleCount, d.ExcludedCount)
	}
	away, offline := d.ExcludedByReason[string(cc.OperatorAway)], d.ExcludedByReason[string(cc.OperatorOffline)]
	if away != 10 || offline != 5 || len(d.ExcludedByReason) != 2 {
		t.Fatalf("excluded by reason %v", d.ExcludedByReason)
	}
	if len(d.Candidates) != 1+cc.DecisionRanked+4 { // 2 examples of each of the 2 reasons
		t.Fatalf("%d candidates: %+v", len(d.Candidates), d.Candidates)
	}
	for i, c := range d.Candidates[:1+cc.DecisionRanked] {
		want := names[i] // the longest idle first
		if c.Operator != cc.OperatorID(want) || !c.Eligible || c.ExcludedBecause != "" ||
			c.ValueString != fmt.Sprintf("idle %ds", 25-i) || c.Idle != time.Duration(25-i)*time.Second {
			t.Errorf("candidate %d = %+v, want %s idle %ds", i, c, want, 25-i)
		}
	}
	for _, c := range d.Candidates[1+cc.DecisionRanked:] {
		if c.Eligible || c.ExcludedBecause != string(c.State) {
			t.Errorf("example %+v", c)
		}
	}
}

// BenchmarkOfferInBigQueue is one offer's decision in a queue of 600 operators of whom 400
// are free: the record is bounded, so it allocates the same whatever the queue's size.
func BenchmarkOfferInBigQueue(b *testing.B) { benchmarkOffer(b, 600, 400, 0) }

// BenchmarkOfferOneFreeInBigQueue is one offer's decision in a queue of 600 operators of whom
// one is free, 300 away and the rest offline, as when a call ends in a busy center: the record
// counts the 599 left out by reason from lists kept by reason, without walking them.
func BenchmarkOfferOneFreeInBigQueue(b *testing.B) { benchmarkOffer(b, 600, 1, 300) }

func benchmarkOffer(b *testing.B, total, free, away int) {
	var names []string
	for i := range total {
		names = append(names, fmt.Sprintf("op%03d", i))
	}
	f := newFixture(&testing.T{}, names...)
	for i := range free {
		f.ready(names[i])
		f.now = f.now.Add(time.Millisecond)
	}
	for _, name := range names[free : free+away] {
		f.must(f.e.Connect(f.now, cc.OperatorID(name)))
		f.must(f.e.GoAway(f.now, cc.OperatorID(name), "lunch"))
	}
	b.ReportAllocs()
	for b.Loop() {
		_, ch, err := f.e.Intake(f.now, cc.Intake{AccessURL: "u", CallerNumber: "+200", DialedNumber: "+18005550100"})
		if err != nil || len(ch.Commands) != 1 || ch.Decisions[0].ExcludedCount != total-free {
			b.Fatal(err, ch.Commands, ch.Decisions)
		}
		b.StopTimer()
		cmd := ch.Commands[0]
		if _, err := f.e.Report(f.now, cmd.Call, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: cmd.Offer}); err != nil {
			b.Fatal(err)
		}
		if _, err := f.e.Report(f.now, cmd.Call, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller}); err != nil {
			b.Fatal(err)
		}
		id := cc.OperatorID(fmt.Sprint(cmd.Contact.Target))
		if _, err := f.e.EndWrapUp(f.now, id, ""); err != nil {
			b.Fatal(err)
		}
		f.now = f.now.Add(time.Millisecond)
		b.StartTimer()
	}
}

// BenchmarkOfferWithOffersOut is an offer's decision and the NextDeadline the switchboard asks
// after it, with 500 other offers out (ringing operators who have not answered yet): the
// earliest expiry among them is kept, not looked for again over all of them at every step.
func BenchmarkOfferWithOffersOut(b *testing.B) {
	var names []string
	for i := range 600 {
		names = append(names, fmt.Sprintf("op%03d", i))
	}
	f := newFixture(&testing.T{}, names...)
	for _, name := range names[:500] {
		f.ready(name)
		f.intake() // offered to him; he never answers
		f.now = f.now.Add(time.Millisecond)
	}
	f.ready(names[500])
	b.ReportAllocs()
	for b.Loop() {
		_, ch, err := f.e.Intake(f.now, cc.Intake{AccessURL: "u", CallerNumber: "+200", DialedNumber: "+18005550100"})
		if err != nil || len(ch.Commands) != 1 {
			b.Fatal(err, ch.Commands)
		}
		if _, ok := f.e.NextDeadline(); !ok {
			b.Fatal("no deadline")
		}
		b.StopTimer()
		cmd := ch.Commands[0]
		if _, err := f.e.Report(f.now, cmd.Call, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: cmd.Offer}); err != nil {
			b.Fatal(err)
		}
		if _, err := f.e.Report(f.now, cmd.Call, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller}); err != nil {
			b.Fatal(err)
		}
		if _, err := f.e.EndWrapUp(f.now, cc.OperatorID(fmt.Sprint(cmd.Contact.Target)), ""); err != nil {
			b.Fatal(err)
		}
		f.now = f.now.Add(time.Millisecond)
		b.StartTimer()
	}
}

// BenchmarkStateChangeInBigQueue is an operator of a queue of 600 going ready and away again
// (two steps), the others away: each change of state updates his place among the queue's
// operators by reason, which the decision record counts from.
func BenchmarkStateChangeInBigQueue(b *testing.B) {
	var names []string
	for i := range 600 {
		names = append(names, fmt.Sprintf("op%03d", i))
	}
	f := newFixture(&testing.T{}, names...)
	for _, name := range names {
		f.must(f.e.Connect(f.now, cc.OperatorID(name)))
		f.must(f.e.GoAway(f.now, cc.OperatorID(name), "lunch"))
	}
	b.ReportAllocs()
	for b.Loop() {
		f.now = f.now.Add(time.Millisecond)
		if _, err := f.e.GoReady(f.now, "op300"); err != nil {
			b.Fatal(err)
		}
		if _, err := f.e.GoAway(f.now, "op300", "lunch"); err != nil {
			b.Fatal(err)
		}
	}
}
