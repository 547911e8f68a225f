package routing

import (
	"errors"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

func prio(p int) *int { return &p }

// A supervisor raises the priority of the last call in line: it moves to the front (its arrival
// kept among the calls of its new priority), the line stays in order, and it is the first
// offered when an operator is free.
func TestRequeueRaisesAWaitingCallsPriority(t *testing.T) {
	f := newFixture(t, "anna")
	first, second := f.intake(), f.intake()
	f.now = f.now.Add(time.Second)
	last := f.intake()
	if pos := f.e.Position(last); pos != 3 {
		t.Fatalf("position before = %d, want 3", pos)
	}
	c, ch, err := f.e.Requeue(f.now, cc.Requeue{Call: last, Priority: prio(5)})
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, 0, 0, f.e)
	if c.Priority != 5 || c.Queue != "support" {
		t.Fatalf("requeued call = priority %d in %s", c.Priority, c.Queue)
	}
	if stored := ch.Calls; len(stored) != 1 || stored[0].Priority != 5 {
		t.Fatalf("changes carry %+v, want the call at priority 5", stored)
	}
	for id, want := range map[cc.CallID]int{last: 1, first: 2, second: 3} {
		if pos := f.e.Position(id); pos != want {
			t.Errorf("position of %s = %d, want %d", id, pos, want)
		}
	}
	// Lowered again: back behind the others by its arrival.
	f.must2(f.e.Requeue(f.now, cc.Requeue{Call: last, Priority: prio(0)}))
	checkInvariants(t, 0, 0, f.e)
	if pos := f.e.Position(last); pos != 3 {
		t.Fatalf("position after lowering = %d, want 3", pos)
	}
	f.must2(f.e.Requeue(f.now, cc.Requeue{Call: second, Priority: prio(9)}))
	f.ready("anna")
	checkInvariants(t, 0, 0, f.e)
	if f.offerOf(second) == "" || f.offerOf(first) != "" {
		t.Fatalf("offers: second %q, first %q; want the raised call offered", f.offerOf(second), f.offerOf(first))
	}
}

func (f *fixture) must2(_ cc.Call, ch cc.Changes, err error) cc.Changes {
	f.t.Helper()
	return f.must(ch, err)
}

// Moving a call to another queue at another priority: it leaves the first line whole and is
// filed in the other by its new priority.
func TestRequeueMovesACallToAnotherQueueAtAPriority(t *testing.T) {
	f := newFixture(t, "anna")
	f.must(f.e.CreateQueue(f.now, cc.Queue{ID: "sales", DialedNumbers: []string{"+18005550200"}, OfferTimeout: 20 * time.Second, WrapUp: 10 * time.Second}))
	there, _, err := f.e.Intake(f.now, cc.Intake{AccessURL: "u", DialedNumber: "+18005550200"})
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Second)
	id := f.intake()
	c, _, err := f.e.Requeue(f.now, cc.Requeue{Call: id, Queue: "sales", Priority: prio(3)})
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, 0, 0, f.e)
	if c.Queue != "sales" || f.e.Position(id) != 1 || f.e.Position(there.ID) != 2 {
		t.Fatalf("moved call in %s at %d (other at %d), want sales first", c.Queue, f.e.Position(id), f.e.Position(there.ID))
	}
}

// Bad requeues change nothing: a priority out of range names priority, a call talking or gone
// names call_id, an unknown queue names queue_id.
func TestRequeueRefusals(t *testing.T) {
	f := newFixture(t, "anna")
	waiting := f.intake()
	f.ready("anna")
	if f.offerOf(waiting) == "" {
		t.Fatal("no offer")
	}
	f.must(f.e.Report(f.now, waiting, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(waiting), RingTime: time.Second}))
	talking := waiting
	inLine := f.intake()
	before, _ := f.e.Call(inLine)
	for _, tc := range []struct {
		name  string
		r     cc.Requeue
		code  cc.Code
		field string
	}{
		{"priority too high", cc.Requeue{Call: inLine, Priority: prio(101)}, cc.CodeInvalid, "priority"},
		{"priority below zero", cc.Requeue{Call: inLine, Priority: prio(-1)}, cc.CodeInvalid, "priority"},
		{"no call", cc.Requeue{Priority: prio(1)}, cc.CodeInvalid, "call_id"},
		{"unknown queue", cc.Requeue{Call: inLine, Queue: "nowhere", Priority: prio(4)}, cc.CodeNotFound, "queue_id"},
		{"call talking", cc.Requeue{Call: talking, Priority: prio(4)}, cc.CodeFailedPrecondition, "call_id"},
		{"call gone", cc.Requeue{Call: "call_gone", Priority: prio(4)}, cc.CodeNotFound, "call_id"},
	} {
		_, ch, err := f.e.Requeue(f.now, tc.r)
		var e *cc.Error
		if cc.ErrorCode(err) != tc.code || !errors.As(err, &e) || e.Field != tc.field {
			t.Errorf("%s: %v, want %s on %s", tc.name, err, tc.code, tc.field)
		}
		if !ch.Empty() {
			t.Errorf("%s: changes %+v", tc.name, ch)
		}
	}
	if after, _ := f.e.Call(inLine); after.Priority != before.Priority || after.Queue != before.Queue || f.e.Position(inLine) != 1 {
		t.Fatalf("call after refusals = %+v", after)
	}
	checkInvariants(t, 0, 0, f.e)
}

// A supervisor logging out an operator whose phone rings: the offer is withdrawn (no miss), the
// call is offered to the next operator, and the operator is offline. The operator himself is
// refused, as is anyone while he talks (operator_id).
func TestSupervisorLogsOutAnOperatorWithAnOfferOut(t *testing.T) {
	f := newFixture(t, "anna", "boris")
	f.ready("anna")
	id := f.intake()
	of := f.offerOf(id)
	if of == "" || f.state("anna") != cc.OperatorReserved {
		t.Fatal("anna has no offer")
	}
	marks := f.marksOf("anna")
	var e *cc.Error
	if _, err := f.e.LogOut(f.now, "anna", false); cc.ErrorCode(err) != cc.CodeFailedPrecondition || !errors.As(err, &e) || e.Field != "operator_id" {
		t.Fatalf("log-out without withdrawing: %v", err)
	}
	f.ready("boris")
	ch := f.must(f.e.LogOut(f.now, "anna", true))
	checkInvariants(t, 0, 0, f.e)
	if v := f.view("anna").Status; v.State != cc.OperatorOffline || v.Reason != cc.ReasonLoggedOutBySupervisor {
		t.Fatalf("anna = %s (%s), want offline, logged out by a supervisor", v.State, v.Reason)
	}
	if after := f.marksOf("anna"); after.OffersMissed != marks.OffersMissed || after.ConsecutiveMisses != marks.ConsecutiveMisses || len(after.RecentMisses) != len(marks.RecentMisses) || after.Score != marks.Score {
		t.Fatalf("marks changed: %+v, were %+v", f.marksOf("anna"), marks)
	}
	cancelled := false
	for _, cmd := range ch.Commands {
		cancelled = cancelled || cmd.Type == cc.CommandCancel && cmd.Offer == of
	}
	if !cancelled {
		t.Fatalf("no cancel of anna's dial in %+v", ch.Commands)
	}
	if next := f.offerOf(id); next == "" || next == of || f.state("boris") != cc.OperatorReserved {
		t.Fatalf("the call's offer is %q, boris %s; want it offered to boris", next, f.state("boris"))
	}
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(id), RingTime: time.Second}))
	if _, err := f.e.LogOut(f.now, "boris", true); cc.ErrorCode(err) != cc.CodeFailedPrecondition || !errors.As(err, &e) || e.Field != "operator_id" {
		t.Fatalf("log-out while he talks: %v", err)
	}
	if got := f.state("boris"); got != cc.OperatorOnCall {
		t.Fatalf("boris = %s, want on call", got)
	}
	if _, err := f.e.LogOut(f.now, "nobody", true); cc.ErrorCode(err) != cc.CodeNotFound {
		t.Fatalf("unknown operator: %v", err)
	}
}
