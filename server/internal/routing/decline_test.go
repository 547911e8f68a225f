package routing

import (
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// These tests hold the rule that a decline ends the offer at once, sends the call to the next
// operator, and is counted apart from a miss.

func (f *fixture) decline(offer cc.OfferID, by string) (cc.Changes, error) {
	f.t.Helper()
	return f.e.DeclineOffer(f.now, cc.Decline{Offer: offer, Operator: cc.OperatorID(by)}, nil)
}

func TestDeclineSendsTheCallToTheNextOperator(t *testing.T) {
	f, id, first := twoOperators(t)
	f.rings(id)
	before := f.marksOf("anna")
	ch := f.must(f.decline(first, "anna"))

	of := settled(t, ch, first)
	if of.State != cc.OfferDeclined || of.Reason != "declined by the operator" {
		t.Fatalf("anna's offer = %s %q, want declined by the operator", of.State, of.Reason)
	}
	var cancel, dial *cc.Command
	for i, cmd := range ch.Commands {
		switch {
		case cmd.Type == cc.CommandCancel && cmd.Offer == first:
			cancel = &ch.Commands[i]
		case cmd.Type == cc.CommandDial:
			dial = &ch.Commands[i]
		}
	}
	if cancel == nil || cancel.Call != id {
		t.Fatalf("commands %+v: want a cancel of anna's ringing leg %s", ch.Commands, first)
	}
	c, _ := f.e.Call(id)
	if c.Operator != "boris" || f.state("boris") != cc.OperatorReserved || dial == nil || dial.Offer != c.Offer {
		t.Fatalf("call after the decline = %+v, commands %+v: want offered and dialed to boris", c, ch.Commands)
	}
	after := f.marksOf("anna")
	if f.state("anna") != cc.OperatorReady {
		t.Fatalf("anna = %s, want ready", f.state("anna"))
	}
	if after.Declines != 1 || after.DeclinesToday != 1 || after.ConsecutiveDeclines != 1 {
		t.Fatalf("anna's declines = %d total, %d today, %d in a row; want 1, 1, 1", after.Declines, after.DeclinesToday, after.ConsecutiveDeclines)
	}
	after.Declines, after.DeclinesToday, after.ConsecutiveDeclines = before.Declines, before.DeclinesToday, before.ConsecutiveDeclines
	if after.AnswerRate != before.AnswerRate || after.Score != before.Score || after.OffersMissed != before.OffersMissed ||
		after.ConsecutiveMisses != before.ConsecutiveMisses || len(after.RecentMisses) != len(before.RecentMisses) || after.Bans != before.Bans {
		t.Fatalf("a decline moved anna's other marks: %+v, were %+v", after, before)
	}

	// Boris declines too: nobody else serves the queue, and neither is offered the call again.
	c, _ = f.e.Call(id)
	f.must(f.decline(c.Offer, "boris"))
	if c, _ := f.e.Call(id); c.Offer != "" || c.State != cc.CallWaiting {
		t.Fatalf("call after both declined = %+v, want waiting with no offer", c)
	}
	// An answer from anna's phone after the cancel does not give her the call.
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: first}))
	if c, _ := f.e.Call(id); c.State != cc.CallWaiting || f.state("anna") != cc.OperatorReady {
		t.Fatalf("late answer on a declined offer: call %+v, anna %s; want waiting, ready", c, f.state("anna"))
	}
}

func TestDeclineBadInputChangesNothing(t *testing.T) {
	f, id, first := twoOperators(t)
	answered := cc.Offer{ID: "of_old", Call: "c_old", Operator: "anna", State: cc.OfferAnswered}
	for _, tc := range []struct {
		name   string
		d      cc.Decline
		stored *cc.Offer
		code   cc.Code
	}{
		{"not his offer", cc.Decline{Offer: first, Operator: "boris"}, nil, cc.CodePermissionDenied},
		{"unknown offer", cc.Decline{Offer: "of_nope", Operator: "anna"}, nil, cc.CodeNotFound},
		{"already answered", cc.Decline{Offer: answered.ID, Operator: "anna"}, &answered, cc.CodeFailedPrecondition},
		{"someone else's settled offer", cc.Decline{Offer: answered.ID, Operator: "boris"}, &answered, cc.CodePermissionDenied},
		{"reason too long", cc.Decline{Offer: first, Operator: "anna", Reason: string(make([]byte, 201))}, nil, cc.CodeInvalid},
	} {
		ch, err := f.e.DeclineOffer(f.now, tc.d, tc.stored)
		if cc.ErrorCode(err) != tc.code || !ch.Empty() {
			t.Errorf("%s: err %v, changes %+v; want %s and no changes", tc.name, err, ch, tc.code)
		}
		if tc.code != cc.CodeInvalid {
			if e, ok := err.(*cc.Error); !ok || e.Field != "offer_id" {
				t.Errorf("%s: error %v does not name offer_id", tc.name, err)
			}
		}
	}
	if c, _ := f.e.Call(id); c.Offer != first || f.state("anna") != cc.OperatorReserved {
		t.Fatalf("after refused declines: call %+v, anna %s; want still offered to anna", c, f.state("anna"))
	}
}

func TestRepeatedDeclinesSendAwayByTheQueueRule(t *testing.T) {
	for _, tc := range []struct {
		awayAfter int
		wantAway  bool
	}{{0, false}, {3, true}, {4, false}} {
		f := newFixture(t, "anna")
		rules := cc.DefaultRules()
		rules.AwayAfterDeclines = tc.awayAfter
		f.withRules(rules)
		f.ready("anna")
		for i := range 4 {
			id := f.intake()
			f.must(f.decline(f.offerOf(id), "anna"))
			f.now = f.now.Add(time.Second)
			if i == 0 { // an answered offer in between starts the count afresh
				id := f.intake()
				f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(id)}))
				f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller}))
				f.must(f.e.EndWrapUp(f.now, "anna", ""))
				f.now = f.now.Add(time.Minute)
			}
		}
		// One decline, an answer, then three in a row: each on a fresh call, as the calls she
		// declined wait for someone else.
		v := f.view("anna")
		m := v.Status.Marks
		if m.Declines != 4 || m.OffersMissed != 0 || m.AnswerRate != 1 {
			t.Errorf("away after %d: marks %+v, want 4 declines, no misses, answer rate 1", tc.awayAfter, m)
		}
		if away := v.Status.State == cc.OperatorAway; away != tc.wantAway {
			t.Errorf("away after %d: anna %s (%q), want away %v", tc.awayAfter, v.Status.State, v.Status.Reason, tc.wantAway)
		}
		if tc.wantAway && v.Status.Reason != "declined 3 offers in a row" {
			t.Errorf("away reason %q, want \"declined 3 offers in a row\"", v.Status.Reason)
		}
	}
}

// TestDeclinerIsLeftOutOfTheNextDecision: the decision record of the next offer does not count
// the operator who declined among the free, and says why he was left out.
func TestDeclinerIsLeftOutOfTheNextDecision(t *testing.T) {
	f, _, first := twoOperators(t)
	ch := f.must(f.decline(first, "anna"))
	if len(ch.Decisions) != 1 {
		t.Fatalf("decisions %+v, want the one offering the call to boris", ch.Decisions)
	}
	d := ch.Decisions[0]
	if d.Operator != "boris" || d.EligibleCount != 1 || d.ExcludedByReason["declined this call, or taken by an earlier call in line"] != 1 {
		t.Fatalf("decision after anna declined: %+v", d)
	}
}

// TestTheBrowserPhonesDeclineAfterDeclineOfferIsNoMiss: the browser phone declines its SDK call
// after DeclineOffer (so the scenario reports the leg failed with 603): that report is about a
// declined offer and blames nobody.
func TestTheBrowserPhonesDeclineAfterDeclineOfferIsNoMiss(t *testing.T) {
	f, id, first := twoOperators(t)
	f.rings(id)
	f.must(f.decline(first, "anna"))
	before := f.marksOf("anna")
	ch := f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudDialFailed, Offer: first, Code: 603, Reason: "Decline"}))
	for _, of := range ch.Offers {
		if of.ID == first {
			t.Fatalf("the 603 after the decline changed anna's offer: %+v", of)
		}
	}
	f.unblamed("anna", before, 0)
	if f.state("anna") != cc.OperatorReady {
		t.Fatalf("anna = %s, want ready", f.state("anna"))
	}
	if c, _ := f.e.Call(id); c.Operator != "boris" {
		t.Fatalf("call = %+v, want still offered to boris", c)
	}
}

// Declines come back with the stored declined offers at Load: anna, who declined the waiting
// call, is not offered it again after a restart; but a blind transfer to a queue since her
// decline started the call afresh (as it does without a restart), so then she is.
func TestDeclinesAreRebuiltAtLoad(t *testing.T) {
	for _, tc := range []struct {
		name     string
		transfer cc.Transfer
		offered  bool
	}{
		{"declined", cc.Transfer{}, false},
		{"declined, then transferred blind to the queue", cc.Transfer{From: "boris", Mode: cc.TransferBlind, Target: cc.TransferTarget{Queue: "support"}, State: cc.TransferCompleted, StartedAt: t0.Add(time.Minute)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, "anna")
			anna := f.view("anna")
			anna.Status.State = cc.OperatorReady
			c := cc.Call{ID: "call_x", Queue: "support", State: cc.CallWaiting, AccessURL: "http://cloud/x", ArrivedAt: t0, Transfer: tc.transfer}
			declined := cc.Offer{ID: "offer_x", Call: c.ID, Operator: "anna", State: cc.OfferDeclined, OfferedAt: t0.Add(time.Second), SettledAt: t0.Add(2 * time.Second)}
			f.now = t0.Add(2 * time.Minute)
			queues := []cc.Queue{*f.e.queues["support"]}
			f.e.Load(f.now, queues, []cc.Operator{anna.Operator}, cc.Runtime{Statuses: []cc.OperatorStatus{anna.Status}, Calls: []cc.Call{c}, Declined: []cc.Offer{declined}})
			f.must(f.e.Connect(f.now, "anna"))
			if got, _ := f.e.Call(c.ID); (got.Operator == "anna") != tc.offered || (f.state("anna") == cc.OperatorReserved) != tc.offered {
				t.Fatalf("call %+v, anna %s; want offered to her: %v", got, f.state("anna"), tc.offered)
			}
		})
	}
}
