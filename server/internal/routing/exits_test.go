package routing

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// t0 is Thursday 26 November 2026, 09:00 UTC.

// officeHours are Monday to Friday 10:00–18:00 UTC: closed at t0.
func officeHours() cc.Hours {
	var h cc.Hours
	h.TimeZone = "UTC"
	for d := time.Monday; d <= time.Friday; d++ {
		h.Weekly = append(h.Weekly, cc.OpenSpan{Day: d, From: 10 * time.Hour, To: 18 * time.Hour})
	}
	return h
}

func (f *fixture) queue(q cc.Queue) {
	f.t.Helper()
	if q.Rules.AwayAfterMisses == 0 {
		q.Rules.AwayAfterMisses = 1
	}
	f.must(f.e.CreateQueue(f.now, q))
}

func (f *fixture) intakeTo(number string) (cc.Call, cc.Changes) {
	f.t.Helper()
	c, ch, err := f.e.Intake(f.now, cc.Intake{AccessURL: "http://cloud/x", CallerNumber: "+200", DialedNumber: number})
	if err != nil {
		f.t.Fatal(err)
	}
	return c, ch
}

func TestAClosedQueueSaysItsMessageAtOnce(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	r := cc.DefaultRules()
	r.Hours = officeHours()
	f.withRules(r)
	c, ch := f.intakeTo("+18005550100")
	if c.State != cc.CallEnded || c.Exit.Kind != cc.ExitMessage || c.Exit.Cause != cc.ExitClosed || c.Exit.Why != "closed until Thu 10:00" {
		t.Fatalf("call = %s, exit %+v", c.State, c.Exit)
	}
	if ch.Next == nil || ch.Next.Type != cc.CommandHangup || ch.Next.Text != cc.DefaultClosedText || ch.Next.Call != c.ID {
		t.Fatalf("reply's command = %+v", ch.Next)
	}
	if len(ch.Offers) != 0 || len(ch.Commands) != 0 || f.state("anna") != cc.OperatorReady {
		t.Fatalf("a closed queue's call was offered: %+v %+v", ch.Offers, ch.Commands)
	}
	if len(ch.Calls) != 1 || ch.Calls[0].Exit != c.Exit {
		t.Fatalf("stored calls = %+v", ch.Calls)
	}
	if _, live := f.e.Call(c.ID); live {
		t.Fatal("the call is still in progress")
	}
	// Open at 10:00: calls are served.
	f.now = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	c, _ = f.intakeTo("+18005550100")
	if c.State != cc.CallWaiting || c.Exit.Taken() || f.state("anna") != cc.OperatorReserved {
		t.Fatalf("open: call %s exit %+v, anna %s", c.State, c.Exit, f.state("anna"))
	}
}

func TestAClosureGivesItsNameAndAForwardCarriesTheNumber(t *testing.T) {
	f := newFixture(t)
	r := cc.DefaultRules()
	r.Hours = cc.Hours{TimeZone: "Europe/Berlin", Closures: []cc.Closure{{First: "2026-11-26", Name: "Staff day"}}}
	r.ClosedExit = cc.Exit{Kind: cc.ExitNumber, Number: "+14155550100", Text: "Our partners will help you."}
	f.withRules(r)
	c, ch := f.intakeTo("+18005550100")
	if c.Exit.Why != "closed: Staff day" || c.Exit.Target != "+14155550100" {
		t.Fatalf("exit = %+v", c.Exit)
	}
	want := cc.Command{Type: cc.CommandForward, Call: c.ID, AccessURL: "http://cloud/x", Contact: cc.Contact{Kind: cc.ContactPSTN, Target: "+14155550100"},
		Text: "Our partners will help you.", CallerID: "+200", Reason: "closed: Staff day"}
	if ch.Next == nil || !reflect.DeepEqual(*ch.Next, want) {
		t.Fatalf("reply's command = %+v, want %+v", ch.Next, want)
	}
}

func TestAClosedQueuesExitToAnotherQueueKeepsTheArrival(t *testing.T) {
	f := newFixture(t, "anna")
	f.queue(cc.Queue{ID: "night", DialedNumbers: []string{"+18005550199"}})
	f.must(f.e.UpdateOperator(f.now, cc.Operator{ID: "anna", Name: "anna", Contact: cc.Contact{Kind: cc.ContactUser, Target: "anna"}, Queues: []cc.QueueSkill{{Queue: "night", Level: 3}}}))
	r := cc.DefaultRules()
	r.Hours = officeHours()
	r.ClosedExit = cc.Exit{Kind: cc.ExitQueue, Queue: "night"}
	f.withRules(r)
	f.ready("anna")
	arrived := f.now.Add(-3 * time.Second)
	c, ch, err := f.e.Intake(f.now, cc.Intake{AccessURL: "http://cloud/x", DialedNumber: "+18005550100", ArrivedAt: arrived})
	if err != nil {
		t.Fatal(err)
	}
	if c.Queue != "night" || c.State != cc.CallWaiting || !c.ArrivedAt.Equal(arrived) || c.Exit.Target != "night" || c.Exit.Queue != "support" || ch.Next != nil {
		t.Fatalf("call in %s (%s, arrived %v), exit %+v, next %+v", c.Queue, c.State, c.ArrivedAt, c.Exit, ch.Next)
	}
	if len(ch.Commands) != 1 || ch.Commands[0].Type != cc.CommandDial || ch.Commands[0].Contact.Target != "anna" {
		t.Fatalf("the night queue's operator was not dialed: %+v", ch.Commands)
	}
}

func TestCallsWaitingAtClosingAreServedOrSentOut(t *testing.T) {
	for _, out := range []bool{false, true} {
		f := newFixture(t)
		f.now = time.Date(2026, 11, 26, 17, 59, 0, 0, time.UTC)
		r := cc.DefaultRules()
		r.Hours = officeHours()
		r.ExitWaitingAtClose = out
		r.ClosedExit = cc.Exit{Kind: cc.ExitMessage, Text: "We closed."}
		f.withRules(r)
		id := f.intake()
		due, ok := f.e.NextDeadline()
		closing := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)
		if out && (!ok || !due.Equal(closing)) {
			t.Fatalf("next deadline %v %v, want the closing at %v", due, ok, closing)
		}
		f.now = closing
		ch := f.e.Tick(f.now)
		c, live := f.e.Call(id)
		if !out {
			if !live || c.State != cc.CallWaiting || len(ch.Commands) != 0 {
				t.Fatalf("served by default: live %v, %+v, %+v", live, c, ch.Commands)
			}
			continue
		}
		if live || len(ch.Commands) != 1 || ch.Commands[0].Type != cc.CommandHangup || ch.Commands[0].Text != "We closed." {
			t.Fatalf("sent out at closing: live %v, commands %+v", live, ch.Commands)
		}
		if len(ch.Calls) != 1 || ch.Calls[0].Exit.Cause != cc.ExitClosed || ch.Calls[0].State != cc.CallEnded {
			t.Fatalf("stored = %+v", ch.Calls)
		}
	}
}

func TestAFullLineSendsANewCallToItsExit(t *testing.T) {
	f := newFixture(t, "anna")
	r := cc.DefaultRules()
	r.MaxWaiting = cc.CallsCap{Calls: 2, Exit: cc.Exit{Kind: cc.ExitMessage, Text: "Too many calls."}}
	f.withRules(r)
	f.ready("anna")
	a := f.intake() // offered to anna: still waiting
	b := f.intake()
	c, ch := f.intakeTo("+18005550100")
	if c.State != cc.CallEnded || c.Exit.Cause != cc.ExitMaxWaiting || ch.Next == nil || ch.Next.Text != "Too many calls." {
		t.Fatalf("third call: %s %+v, next %+v", c.State, c.Exit, ch.Next)
	}
	if !strings.Contains(c.Exit.Why, "2 calls waiting (cap 2)") {
		t.Fatalf("why = %q", c.Exit.Why)
	}
	if f.offerOf(a) == "" || f.offerOf(b) != "" {
		t.Fatal("the first two calls changed")
	}
	// One leaves: there is room again.
	f.must(f.e.Report(f.now, b, cc.CloudEvent{Kind: cc.CloudCallerAbandoned}))
	if c, _ := f.intakeTo("+18005550100"); c.State != cc.CallWaiting {
		t.Fatalf("with room: %s", c.State)
	}
}

func TestTheLongestWaitMovesACallToAnotherQueue(t *testing.T) {
	f := newFixture(t)
	f.queue(cc.Queue{ID: "backup"})
	r := cc.DefaultRules()
	r.LongestWait = cc.WaitCap{After: 2 * time.Minute, Exit: cc.Exit{Kind: cc.ExitQueue, Queue: "backup"}}
	f.withRules(r)
	id := f.intake()
	due, _ := f.e.NextDeadline()
	if !due.Equal(t0.Add(2 * time.Minute)) {
		t.Fatalf("next deadline %v, want the longest wait", due)
	}
	f.now = t0.Add(119 * time.Second)
	f.e.Tick(f.now)
	if c, _ := f.e.Call(id); c.Queue != "support" {
		t.Fatal("moved before its longest wait")
	}
	f.now = due
	ch := f.e.Tick(f.now)
	c, _ := f.e.Call(id)
	if c.Queue != "backup" || c.Exit.Cause != cc.ExitLongestWait || c.Exit.Why != "longest wait: waited 2m0s (longest wait 2m0s)" || !c.ArrivedAt.Equal(t0) {
		t.Fatalf("after 2 min: %+v", c)
	}
	if len(ch.Calls) != 1 || ch.Calls[0].Queue != "backup" {
		t.Fatalf("stored = %+v", ch.Calls)
	}
}

func TestTheOverflowExitIsTheSpareOverflow(t *testing.T) {
	f := newFixture(t)
	f.must(f.e.PutSpare(f.now, cc.Spare{ID: "s1", Contact: cc.Contact{Kind: cc.ContactSIP, Target: "sip:s1@spares.example"}, MaxConcurrent: 1}))
	r := cc.DefaultRules()
	r.Overflow.Spares = []cc.SpareID{"s1"}
	r.LongestWait = cc.WaitCap{After: time.Minute, Exit: cc.Exit{Kind: cc.ExitOverflow}}
	f.withRules(r)
	if q, _ := f.e.Queue("support"); q.Rules.Overflow.After != time.Minute {
		t.Fatalf("overflow after %v", q.Rules.Overflow.After)
	}
	id := f.intake()
	f.now = t0.Add(time.Minute)
	f.e.Tick(f.now)
	if c, _ := f.e.Call(id); c.Spare != "s1" || c.Exit.Taken() {
		t.Fatalf("after a minute: spare %q, exit %+v", c.Spare, c.Exit)
	}
}

func TestBadExitsAreRefusedNamingTheField(t *testing.T) {
	f := newFixture(t)
	f.queue(cc.Queue{ID: "a"})
	f.queue(cc.Queue{ID: "b", Rules: cc.QueueRules{MaxWaiting: cc.CallsCap{Calls: 5, Exit: cc.Exit{Kind: cc.ExitQueue, Queue: "a"}}}})
	overlapping := officeHours()
	overlapping.Weekly = append(overlapping.Weekly, cc.OpenSpan{Day: time.Monday, From: 17 * time.Hour, To: 20 * time.Hour})
	for _, tc := range []struct {
		name  string
		rules func(r *cc.QueueRules)
		field string
		code  cc.Code
	}{
		{"overlapping hours", func(r *cc.QueueRules) { r.Hours = overlapping }, "queue.hours.weekly[5]", cc.CodeInvalid},
		{"unknown zone", func(r *cc.QueueRules) { r.Hours = cc.Hours{TimeZone: "Mars/Olympus", Weekly: officeHours().Weekly} }, "queue.hours.time_zone", cc.CodeInvalid},
		{"unknown kind", func(r *cc.QueueRules) {
			r.Hours = officeHours()
			r.ClosedExit = cc.Exit{Kind: "teleport"}
		}, "queue.closed_exit.kind", cc.CodeInvalid},
		{"closed exit without hours", func(r *cc.QueueRules) { r.ClosedExit = cc.Exit{Kind: cc.ExitMessage, Text: "x"} }, "queue.hours", cc.CodeInvalid},
		{"message without text", func(r *cc.QueueRules) {
			r.MaxWaiting = cc.CallsCap{Calls: 3, Exit: cc.Exit{Kind: cc.ExitMessage}}
		}, "queue.max_waiting_exit.text", cc.CodeInvalid},
		{"cap without exit", func(r *cc.QueueRules) { r.MaxWaiting = cc.CallsCap{Calls: 3} }, "queue.max_waiting_exit.kind", cc.CodeInvalid},
		{"number missing", func(r *cc.QueueRules) {
			r.LongestWait = cc.WaitCap{After: time.Minute, Exit: cc.Exit{Kind: cc.ExitNumber}}
		}, "queue.longest_wait_exit.number", cc.CodeInvalid},
		{"bad number", func(r *cc.QueueRules) {
			r.LongestWait = cc.WaitCap{After: time.Minute, Exit: cc.Exit{Kind: cc.ExitNumber, Number: "555-0100"}}
		}, "queue.longest_wait_exit.number", cc.CodeInvalid},
		{"bad sip", func(r *cc.QueueRules) {
			r.LongestWait = cc.WaitCap{After: time.Minute, Exit: cc.Exit{Kind: cc.ExitNumber, Number: "+1"}}
		}, "queue.longest_wait_exit.number", cc.CodeInvalid},
		{"queue missing", func(r *cc.QueueRules) {
			r.LongestWait = cc.WaitCap{After: time.Minute, Exit: cc.Exit{Kind: cc.ExitQueue}}
		}, "queue.longest_wait_exit.queue_id", cc.CodeInvalid},
		{"unknown queue", func(r *cc.QueueRules) {
			r.LongestWait = cc.WaitCap{After: time.Minute, Exit: cc.Exit{Kind: cc.ExitQueue, Queue: "nowhere"}}
		}, "queue.longest_wait_exit.queue_id", cc.CodeNotFound},
		{"to itself", func(r *cc.QueueRules) {
			r.LongestWait = cc.WaitCap{After: time.Minute, Exit: cc.Exit{Kind: cc.ExitQueue, Queue: "support"}}
		}, "queue.longest_wait_exit.queue_id", cc.CodeInvalid},
		{"overflow on a closed queue", func(r *cc.QueueRules) {
			r.Hours = officeHours()
			r.ClosedExit = cc.Exit{Kind: cc.ExitOverflow}
		}, "queue.closed_exit.kind", cc.CodeInvalid},
		{"overflow without spares", func(r *cc.QueueRules) {
			r.LongestWait = cc.WaitCap{After: time.Minute, Exit: cc.Exit{Kind: cc.ExitOverflow}}
		}, "queue.overflow.spare_ids", cc.CodeInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := f.e.Queue("support")
			before := q
			tc.rules(&q.Rules)
			_, err := f.e.UpdateQueue(f.now, q)
			var e *cc.Error
			if !errors.As(err, &e) || e.Field != tc.field || e.Code != tc.code {
				t.Fatalf("err = %v, want %s on %s", err, tc.code, tc.field)
			}
			if after, _ := f.e.Queue("support"); after.Rules.MaxWaiting != before.Rules.MaxWaiting || after.Rules.Hours.Set() {
				t.Fatal("a refused update changed the queue")
			}
		})
	}
	// a → b → a: a cycle through the other queue.
	a, _ := f.e.Queue("a")
	a.Rules.LongestWait = cc.WaitCap{After: time.Minute, Exit: cc.Exit{Kind: cc.ExitQueue, Queue: "b"}}
	_, err := f.e.UpdateQueue(f.now, a)
	var e *cc.Error
	if !errors.As(err, &e) || e.Field != "queue.longest_wait_exit.queue_id" || !strings.Contains(e.Message, "a → b → a") {
		t.Fatalf("cycle: err = %v", err)
	}
}
