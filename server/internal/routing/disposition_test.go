package routing

import (
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// withDispositions gives support two dispositions, required or not.
func (f *fixture) withDispositions(required bool) {
	f.t.Helper()
	q, _ := f.e.Queue("support")
	q.Rules.Dispositions = []cc.Disposition{{Code: "sale", Label: "Sale made"}, {Code: "callback", Label: "Call back later"}}
	q.Rules.DispositionRequired = required
	f.must(f.e.UpdateQueue(f.now, q))
}

func (f *fixture) dispose(by string, id cc.CallID, code string) (cc.Changes, error) {
	return f.e.SetDisposition(f.now, cc.OperatorID(by), cc.CallDisposition{Call: id, Code: code, By: by}, nil)
}

func (f *fixture) hangUp(id cc.CallID) cc.Changes {
	f.t.Helper()
	return f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller, TalkTime: time.Minute}))
}

func fieldOf(err error) (cc.Code, string) {
	e, ok := err.(*cc.Error)
	if !ok {
		return "", ""
	}
	return e.Code, e.Field
}

// Set while talking and changed in wrap-up: kept on the call, in the view and in the changes
// (the store's row); refused for another operator, an unknown code, and after the wrap-up.
func TestSetDisposition(t *testing.T) {
	f := newFixture(t, "anna", "boris")
	f.withDispositions(false)
	f.ready("anna")
	id := f.answered("anna")
	ch := f.must(f.dispose("anna", id, "callback"))
	if len(ch.Dispositions) != 1 || ch.Dispositions[0].Code != "callback" || ch.Dispositions[0].Label != "Call back later" || !ch.Dispositions[0].At.Equal(f.now) {
		t.Fatalf("changes = %+v", ch.Dispositions)
	}
	if v := f.view("anna"); v.Call.Disposition != "callback" || len(v.Dispositions) != 2 || v.DispositionRequired {
		t.Fatalf("view on the call: %q %v %v", v.Call.Disposition, v.Dispositions, v.DispositionRequired)
	}
	_, err := f.dispose("boris", id, "sale")
	if code, field := fieldOf(err); code != cc.CodePermissionDenied || field != "call_id" {
		t.Errorf("boris: %v", err)
	}
	_, err = f.dispose("anna", id, "nope")
	if code, field := fieldOf(err); code != cc.CodeInvalid || field != "code" {
		t.Errorf("unknown code: %v", err)
	}
	f.now = f.now.Add(time.Minute)
	ended := f.hangUp(id)
	for _, c := range ended.Calls {
		if c.ID == id && c.Disposition != "callback" {
			t.Errorf("the ended call's row lost its disposition: %q", c.Disposition)
		}
	}
	f.must(f.dispose("anna", id, "sale")) // changed in wrap-up
	if v := f.view("anna"); v.Status.State != cc.OperatorWrapUp || v.Call.Disposition != "sale" {
		t.Fatalf("in wrap-up: %s %q", v.Status.State, v.Call.Disposition)
	}
	// A supervisor may set it too, while the call is in anna's hands.
	if _, err := f.e.SetDisposition(f.now, "", cc.CallDisposition{Call: id, Code: "callback", By: "sue", Supervisor: true}, nil); err == nil {
		t.Errorf("a supervisor found an ended call without the stored one")
	}
	stored := cc.Call{ID: id, Queue: "support", Operator: "anna", AnsweredAt: t0, State: cc.CallEnded}
	if _, err := f.e.SetDisposition(f.now, "", cc.CallDisposition{Call: id, Code: "callback", By: "sue", Supervisor: true}, &stored); err != nil {
		t.Fatalf("supervisor: %v", err)
	}
	f.now = f.now.Add(10 * time.Second)
	f.e.Tick(f.now)
	if got := f.state("anna"); got != cc.OperatorReady {
		t.Fatalf("after the wrap-up: %s", got)
	}
	_, err = f.e.SetDisposition(f.now, "anna", cc.CallDisposition{Call: id, Code: "sale"}, &stored)
	if code, field := fieldOf(err); code != cc.CodeFailedPrecondition || field != "call_id" {
		t.Errorf("after the wrap-up: %v", err)
	}
}

// A required disposition: Done is refused without it, and when the wrap-up time runs out he
// stays in wrap-up (no end, reason "disposition needed") until he sets one and presses Done.
func TestRequiredDispositionKeepsTheOperatorInWrapUp(t *testing.T) {
	f := newFixture(t, "anna")
	f.withDispositions(true)
	f.ready("anna")
	id := f.answered("anna")
	f.hangUp(id)
	_, err := f.e.EndWrapUp(f.now, "anna", "")
	if code, field := fieldOf(err); code != cc.CodeFailedPrecondition || field != "disposition" {
		t.Fatalf("Done without a disposition: %v", err)
	}
	if v := f.view("anna"); !v.DispositionRequired || v.Status.WrapUpEndsAt.IsZero() {
		t.Fatalf("view: required %v, ends %v", v.DispositionRequired, v.Status.WrapUpEndsAt)
	}
	f.now = f.now.Add(10 * time.Second)
	f.e.Tick(f.now)
	v := f.view("anna")
	if v.Status.State != cc.OperatorWrapUp || v.Status.Reason != cc.ReasonDispositionNeeded || !v.Status.WrapUpEndsAt.IsZero() {
		t.Fatalf("after the wrap-up time: %s %q %v", v.Status.State, v.Status.Reason, v.Status.WrapUpEndsAt)
	}
	if at, ok := f.e.NextDeadline(); ok && !at.After(f.now) {
		t.Errorf("a kept operator is a deadline due now: %v", at)
	}
	f.now = f.now.Add(time.Hour)
	f.e.Tick(f.now)
	if got := f.state("anna"); got != cc.OperatorWrapUp {
		t.Fatalf("an hour on: %s", got)
	}
	f.must(f.dispose("anna", id, "sale"))
	if got := f.state("anna"); got != cc.OperatorWrapUp {
		t.Fatalf("setting it does not press Done: %s", got)
	}
	f.must(f.e.EndWrapUp(f.now, "anna", ""))
	if got := f.state("anna"); got != cc.OperatorReady {
		t.Fatalf("after Done: %s", got)
	}
}

// Set before the wrap-up runs out: he is ready when it does, as without the rule.
func TestRequiredDispositionSetInTime(t *testing.T) {
	f := newFixture(t, "anna")
	f.withDispositions(true)
	f.ready("anna")
	id := f.answered("anna")
	f.must(f.dispose("anna", id, "sale"))
	f.hangUp(id)
	f.now = f.now.Add(10 * time.Second)
	f.e.Tick(f.now)
	if got := f.state("anna"); got != cc.OperatorReady {
		t.Fatalf("%s", got)
	}
}

// No wrap-up time but a required disposition: he goes to wrap-up (kept) instead of ready.
func TestRequiredDispositionWithoutWrapUpTime(t *testing.T) {
	f := newFixture(t, "anna")
	q, _ := f.e.Queue("support")
	q.WrapUp = 0
	q.Rules.Dispositions = []cc.Disposition{{Code: "sale"}}
	q.Rules.DispositionRequired = true
	f.must(f.e.UpdateQueue(f.now, q))
	f.ready("anna")
	id := f.answered("anna")
	f.hangUp(id)
	if v := f.view("anna"); v.Status.State != cc.OperatorWrapUp || v.Status.Reason != cc.ReasonDispositionNeeded {
		t.Fatalf("%s %q", v.Status.State, v.Status.Reason)
	}
	f.must(f.dispose("anna", id, "sale"))
	f.must(f.e.EndWrapUp(f.now, "anna", ""))
	if got := f.state("anna"); got != cc.OperatorReady {
		t.Fatalf("%s", got)
	}
}

// A fault of configuration never traps him: the queue stops requiring one (or loses its
// dispositions) and whoever it kept is ready; Done works; logging out works all along.
func TestKeptOperatorIsFreedWhenTheQueueNoLongerRequiresOne(t *testing.T) {
	for _, change := range []struct {
		name string
		to   func(q *cc.Queue)
	}{
		{"not required", func(q *cc.Queue) { q.Rules.DispositionRequired = false }},
		{"dispositions removed", func(q *cc.Queue) { q.Rules.Dispositions, q.Rules.DispositionRequired = nil, false }},
	} {
		t.Run(change.name, func(t *testing.T) {
			f := newFixture(t, "anna")
			f.withDispositions(true)
			f.ready("anna")
			f.hangUp(f.answered("anna"))
			f.now = f.now.Add(10 * time.Second)
			f.e.Tick(f.now)
			if got := f.state("anna"); got != cc.OperatorWrapUp {
				t.Fatalf("kept: %s", got)
			}
			q, _ := f.e.Queue("support")
			change.to(&q)
			f.must(f.e.UpdateQueue(f.now, q))
			if got := f.state("anna"); got != cc.OperatorReady {
				t.Fatalf("after the queue changed: %s", got)
			}
		})
	}
	f := newFixture(t, "anna")
	f.withDispositions(true)
	f.ready("anna")
	f.hangUp(f.answered("anna"))
	f.must(f.e.LogOut(f.now, "anna", false))
	if got := f.state("anna"); got != cc.OperatorOffline {
		t.Fatalf("log out while a disposition is needed: %s", got)
	}
}

// Across a restart: the kept operator's call comes back with its disposition (none): still
// kept; a wrap-up whose call the store lost frees him.
func TestKeptOperatorAfterLoad(t *testing.T) {
	f := newFixture(t, "anna")
	f.withDispositions(true)
	f.ready("anna")
	id := f.answered("anna")
	ch := f.hangUp(id)
	var ended cc.Call
	for _, c := range ch.Calls {
		if c.ID == id {
			ended = c
		}
	}
	f.now = f.now.Add(10 * time.Second)
	f.e.Tick(f.now)
	v := f.view("anna")
	q, _ := f.e.Queue("support")
	f.e.Load(f.now, []cc.Queue{q}, []cc.Operator{v.Operator}, cc.Runtime{Statuses: []cc.OperatorStatus{v.Status}, WrappedUp: []cc.Call{ended}})
	if v := f.view("anna"); v.Status.State != cc.OperatorWrapUp || v.Status.Reason != cc.ReasonDispositionNeeded || !v.DispositionRequired {
		t.Fatalf("after load: %s %q", v.Status.State, v.Status.Reason)
	}
	_, err := f.e.EndWrapUp(f.now, "anna", "")
	if code, _ := fieldOf(err); code != cc.CodeFailedPrecondition {
		t.Fatalf("Done after load: %v", err)
	}
	f.e.Load(f.now, []cc.Queue{q}, []cc.Operator{v.Operator}, cc.Runtime{Statuses: []cc.OperatorStatus{v.Status}})
	if got := f.state("anna"); got != cc.OperatorReady {
		t.Fatalf("after a load without the call: %s", got)
	}
}
