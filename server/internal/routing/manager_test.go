package routing

import (
	"strings"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

const client = "+15557654321"

// callFrom registers a call from number and returns it with the commands of the step.
func (f *fixture) callFrom(number string) (cc.CallID, []cc.Command) {
	f.t.Helper()
	c, ch, err := f.e.Intake(f.now, cc.Intake{AccessURL: "http://cloud/x", CallerNumber: number, DialedNumber: "+18005550100"})
	if err != nil {
		f.t.Fatal(err)
	}
	return c.ID, ch.Commands
}

func (f *fixture) managerOf(number string, manager cc.OperatorID) {
	f.t.Helper()
	if _, _, err := f.e.SetClient(f.now, number, manager, cc.AssignedByAdmin); err != nil {
		f.t.Fatal(err)
	}
}

func TestCallGoesToTheManager(t *testing.T) {
	f := newFixture(t, "anna", "boris")
	f.withRules(cc.DefaultRules())
	f.ready("anna")
	f.now = f.now.Add(time.Second)
	f.ready("boris")
	f.managerOf(client, "boris")
	id, _ := f.callFrom("8 (555) 765-43-21") // another spelling: not the client
	if c, _ := f.e.Call(id); c.Operator != "anna" {
		t.Fatalf("a stranger's call went to %s, want anna (longest idle)", c.Operator)
	}
	id, _ = f.callFrom("+1 555 765 4321")
	c, _ := f.e.Call(id)
	if c.Operator != "boris" || c.Client != client {
		t.Fatalf("the client's call went to %q (client %q), want his manager boris", c.Operator, c.Client)
	}
	v, _ := f.e.View("boris")
	if v.Offer == nil || v.Offer.Call.Manager != "boris" {
		t.Fatal("boris's offer does not say the caller is his client")
	}
}

func TestCallWaitsForABusyManagerThenGoesToAnyone(t *testing.T) {
	f := newFixture(t, "anna", "boris")
	f.withRules(cc.DefaultRules()) // waits 30 s
	f.ready("boris")
	f.managerOf(client, "boris")
	first := f.intake() // boris takes a call
	f.must(f.e.Report(f.now, first, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(first)}))
	f.ready("anna")
	id, _ := f.callFrom(client)
	if f.offerOf(id) != "" {
		t.Fatal("the client's call went to anna at once instead of waiting for boris")
	}
	due, _ := f.e.NextDeadline()
	if !due.Equal(f.now.Add(30 * time.Second)) {
		t.Fatalf("next deadline %v, want the end of the 30 s hold", due)
	}
	f.now = due
	f.e.Tick(f.now)
	if c, _ := f.e.Call(id); c.Operator != "anna" {
		t.Fatalf("after 30 s the call went to %q, want anna", c.Operator)
	}
}

func TestAFreedManagerGetsHisWaitingClient(t *testing.T) {
	f := newFixture(t, "boris")
	f.withRules(cc.DefaultRules())
	f.ready("boris")
	f.managerOf(client, "boris")
	first := f.intake()
	f.must(f.e.Report(f.now, first, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(first)}))
	other := f.intake() // an earlier call in line
	f.now = f.now.Add(time.Second)
	id, _ := f.callFrom(client)
	f.now = f.now.Add(time.Minute) // past the hold: anyone may take it, but nobody is free
	f.e.Tick(f.now)
	f.must(f.e.Report(f.now, first, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller}))
	f.must(f.e.EndWrapUp(f.now, "boris", ""))
	if c, _ := f.e.Call(id); c.Operator != "boris" {
		t.Fatalf("freed manager got %q; the client's call (behind %s) should be his", c.Operator, other)
	}
}

func TestAbsentManagerIsExplained(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(f *fixture)
		want  string
	}{
		{"vacation", func(f *fixture) {
			f.must(f.e.PutAbsence(f.now, cc.Absence{ID: "a1", Operator: "boris", Kind: cc.AbsenceVacation, From: "2026-11-20", To: "2026-12-02"}))
		}, "Your manager Boris is on vacation until 3 December. I will connect you with a colleague."},
		{"sick", func(f *fixture) {
			f.must(f.e.PutAbsence(f.now, cc.Absence{ID: "a2", Operator: "boris", Kind: cc.AbsenceSick, From: "2026-11-26", To: "2026-11-26"}))
		}, "Your manager Boris is on sick leave until 27 November."},
		{"off hours", func(f *fixture) {
			o, _ := f.e.Operator("boris")
			o.Hours = cc.WeekHours{TimeZone: "Europe/Berlin"}
			o.Hours.Days[time.Monday] = []cc.Span{{From: 9 * 60, To: 18 * 60}}
			f.must(f.e.UpdateOperator(f.now, o))
		}, "will be back at 09:00 on Monday"},
		{"dismissed", func(f *fixture) {
			o, _ := f.e.Operator("boris")
			o.Disabled = true
			f.must(f.e.UpdateOperator(f.now, o))
		}, "Your manager Boris no longer works with us."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, "anna", "boris")
			f.withRules(cc.DefaultRules())
			o, _ := f.e.Operator("boris")
			o.DisplayName = "Boris"
			f.must(f.e.UpdateOperator(f.now, o))
			f.managerOf(client, "boris")
			tc.setup(f) // on Thursday 26 November 2026, 09:00 UTC
			f.ready("anna")
			id, cmds := f.callFrom(client)
			if len(cmds) < 1 || cmds[0].Type != cc.CommandSay || !strings.Contains(cmds[0].Text, tc.want) {
				t.Fatalf("commands = %+v, want a say with %q", cmds, tc.want)
			}
			if c, _ := f.e.Call(id); c.Operator != "anna" {
				t.Fatalf("the call went to %q, want anna at once", c.Operator)
			}
		})
	}
}

func TestDismissedManagersClientsAreListedForReassignment(t *testing.T) {
	f := newFixture(t, "anna", "boris")
	f.managerOf(client, "boris")
	f.managerOf("+15550000001", "anna")
	if got := f.e.Clients("", true); len(got) != 0 {
		t.Fatalf("orphans before any dismissal: %v", got)
	}
	o, _ := f.e.Operator("boris")
	o.Disabled = true
	f.must(f.e.UpdateOperator(f.now, o))
	got := f.e.Clients("", true)
	if len(got) != 1 || got[0].Number != client || got[0].Manager != "boris" {
		t.Fatalf("orphans = %v", got)
	}
	if _, _, err := f.e.SetClient(f.now, "+15550000002", "boris", cc.AssignedByAdmin); cc.ErrorCode(err) != cc.CodeFailedPrecondition {
		t.Fatalf("assigning a dismissed manager: %v", err)
	}
}

// optIn ends a call with the operator hanging up and returns the reply's next command.
func (f *fixture) optIn(number string) (cc.CallID, *cc.Command) {
	f.t.Helper()
	id, _ := f.callFrom(number)
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(id)}))
	ch := f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupOperator}))
	f.must(f.e.EndWrapUp(f.now, "anna", ""))
	return id, ch.Next
}

func TestVoiceOptIn(t *testing.T) {
	f := newFixture(t, "anna", "boris")
	f.withRules(cc.DefaultRules())
	o, _ := f.e.Operator("anna")
	o.DisplayName = "Anna"
	f.must(f.e.UpdateOperator(f.now, o))
	f.ready("anna")
	_, ask := f.optIn(client)
	if ask == nil || ask.Type != cc.CommandAsk || !strings.Contains(ask.Text, "Would you like Anna") || ask.QuestionID == "" {
		t.Fatalf("after the operator hung up: %+v", ask)
	}
	// Unclear: asked once more, same question.
	ch := f.must(f.e.Report(f.now, "", cc.CloudEvent{Kind: cc.CloudSpeechAnswer, QuestionID: ask.QuestionID, Verdict: cc.VerdictUnclear}))
	if ch.Next == nil || ch.Next.Type != cc.CommandAsk || ch.Next.QuestionID != ask.QuestionID {
		t.Fatalf("after an unclear answer: %+v", ch.Next)
	}
	ch = f.must(f.e.Report(f.now, "", cc.CloudEvent{Kind: cc.CloudSpeechAnswer, QuestionID: ask.QuestionID, Verdict: cc.VerdictYes}))
	if ch.Next == nil || ch.Next.Type != cc.CommandSay || len(ch.Clients) != 1 || ch.Clients[0].Manager != "anna" || ch.Clients[0].How != cc.AssignedByVoice {
		t.Fatalf("after yes: next %+v, clients %+v", ch.Next, ch.Clients)
	}
	// A repeated answer changes nothing; the next call goes to anna even with boris idle longer.
	if ch := f.must(f.e.Report(f.now, "", cc.CloudEvent{Kind: cc.CloudSpeechAnswer, QuestionID: ask.QuestionID, Verdict: cc.VerdictNo})); !ch.Empty() || ch.Next != nil {
		t.Fatalf("a repeated answer changed %+v", ch)
	}
	f.now = f.now.Add(time.Minute)
	f.ready("boris")
	f.now = f.now.Add(time.Minute)
	if c, _ := f.e.Call(mustCall(f, client)); c.Operator != "anna" {
		t.Fatalf("the next call went to %q, want his new manager anna", c.Operator)
	}
}

func mustCall(f *fixture, number string) cc.CallID {
	id, _ := f.callFrom(number)
	return id
}

func TestOptInNoIsNotAskedAgainSoon(t *testing.T) {
	f := newFixture(t, "anna")
	r := cc.DefaultRules()
	r.OptInCooldown = 30 * 24 * time.Hour
	f.withRules(r)
	f.ready("anna")
	_, ask := f.optIn(client)
	f.must(f.e.Report(f.now, "", cc.CloudEvent{Kind: cc.CloudSpeechAnswer, QuestionID: ask.QuestionID, Verdict: cc.VerdictNo}))
	f.now = f.now.Add(29 * 24 * time.Hour)
	f.ready("anna")
	if _, again := f.optIn(client); again != nil {
		t.Fatalf("asked again after 29 days: %+v", again)
	}
	f.now = f.now.Add(2 * 24 * time.Hour)
	f.ready("anna")
	if _, again := f.optIn(client); again == nil {
		t.Fatal("not asked after the 30-day cooldown")
	}
	// Only when the operator hung up, and never an anonymous caller.
	f.ready("anna")
	id, _ := f.callFrom("anonymous")
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(id)}))
	if ch := f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupOperator})); ch.Next != nil {
		t.Fatalf("asked an anonymous caller: %+v", ch.Next)
	}
}

func TestManagerDecisionShowsTheOthersAsFree(t *testing.T) {
	f := newFixture(t, "anna", "boris")
	f.withRules(cc.DefaultRules())
	f.ready("anna")
	f.now = f.now.Add(time.Second)
	f.ready("boris")
	f.managerOf(client, "boris")
	_, ch, err := f.e.Intake(f.now, cc.Intake{AccessURL: "u", CallerNumber: client, DialedNumber: "+18005550100"})
	if err != nil || len(ch.Decisions) != 1 {
		t.Fatalf("decisions %+v, %v", ch.Decisions, err)
	}
	d := ch.Decisions[0]
	if d.Operator != "boris" || !strings.Contains(d.Rule, "personal manager") {
		t.Fatalf("decision = %+v", d)
	}
	found := false
	for _, c := range d.Candidates {
		if c.Operator == "anna" {
			found = true
			if !c.Eligible || c.Idle != time.Second || !strings.Contains(c.ExcludedBecause, "personal manager") {
				t.Fatalf("anna in the record: %+v", c)
			}
		}
	}
	if !found || d.EligibleCount != 1 || d.ExcludedCount != 1 {
		t.Fatalf("anna not in the record (eligible %d, excluded %d): %+v", d.EligibleCount, d.ExcludedCount, d.Candidates)
	}
}
