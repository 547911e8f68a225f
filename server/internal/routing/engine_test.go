package routing

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

var t0 = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// fixture is an engine with one queue ("support", 20 s ring, 10 s wrap-up) and operators.
type fixture struct {
	t   *testing.T
	e   *Engine
	now time.Time
	ids int
}

func newFixture(t *testing.T, operators ...string) *fixture {
	t.Helper()
	f := &fixture{t: t, now: t0}
	f.e = New(Config{PresenceGrace: 10 * time.Second, OfferSlack: 5 * time.Second, Callbacks: true, NewID: func(p string) string {
		f.ids++
		return fmt.Sprintf("%s_%d", p, f.ids)
	}})
	f.must(f.e.CreateQueue(f.now, cc.Queue{ID: "support", DialedNumbers: []string{"+18005550100"}, OfferTimeout: 20 * time.Second, WrapUp: 10 * time.Second, IsDefault: true}))
	for _, name := range operators {
		f.must(f.e.CreateOperator(f.now, cc.Operator{ID: cc.OperatorID(name), Name: name, Contact: cc.Contact{Kind: cc.ContactUser, Target: name}, Queues: []cc.QueueSkill{{Queue: "support", Level: 3}}}))
	}
	return f
}

func (f *fixture) must(ch cc.Changes, err error) cc.Changes {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
	return ch
}

func (f *fixture) ready(name string) {
	f.t.Helper()
	f.must(f.e.Connect(f.now, cc.OperatorID(name)))
	f.must(f.e.GoReady(f.now, cc.OperatorID(name)))
}

func (f *fixture) intake() cc.CallID {
	f.t.Helper()
	c, _, err := f.e.Intake(f.now, cc.Intake{AccessURL: "http://cloud/x", CallerNumber: "+200", DialedNumber: "+18005550100"})
	if err != nil {
		f.t.Fatal(err)
	}
	return c.ID
}

func (f *fixture) state(name string) cc.OperatorState {
	v, err := f.e.View(cc.OperatorID(name))
	if err != nil {
		f.t.Fatal(err)
	}
	return v.Status.State
}

func (f *fixture) offerOf(id cc.CallID) cc.OfferID {
	c, _ := f.e.Call(id)
	return c.Offer
}

func TestLongestIdleGetsTheCall(t *testing.T) {
	f := newFixture(t, "anna", "boris")
	f.ready("boris")
	f.now = f.now.Add(time.Second)
	f.ready("anna")
	ch, _, _ := f.e.Intake(f.now, cc.Intake{AccessURL: "u", DialedNumber: "+18005550100"})
	_ = ch
	if got := f.state("boris"); got != cc.OperatorReserved {
		t.Fatalf("boris (idle longer) = %s, want reserved", got)
	}
	if got := f.state("anna"); got != cc.OperatorReady {
		t.Fatalf("anna = %s, want ready", got)
	}
}

func TestCallLifecycle(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	id := f.intake()
	of := f.offerOf(id)
	if of == "" {
		t.Fatal("no offer")
	}
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: of, RingTime: 3 * time.Second}))
	if got := f.state("anna"); got != cc.OperatorOnCall {
		t.Fatalf("after answer: %s", got)
	}
	second := f.intake()
	if f.offerOf(second) != "" {
		t.Fatal("second call offered while the only operator talks")
	}
	f.now = f.now.Add(time.Minute)
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupOperator, TalkTime: time.Minute}))
	if got := f.state("anna"); got != cc.OperatorWrapUp {
		t.Fatalf("after end: %s", got)
	}
	due, ok := f.e.NextDeadline()
	if !ok || !due.Equal(f.now.Add(10*time.Second)) {
		t.Fatalf("next deadline = %v %v, want wrap-up end", due, ok)
	}
	f.now = due
	ch := f.e.Tick(f.now)
	if got := f.state("anna"); got != cc.OperatorReserved {
		t.Fatalf("after wrap-up: %s, want reserved for the waiting call", got)
	}
	if len(ch.Commands) != 1 || ch.Commands[0].Type != cc.CommandDial || ch.Commands[0].Call != second {
		t.Fatalf("commands after wrap-up = %+v", ch.Commands)
	}
}

func TestDialFailureMovesOnAndSetsAway(t *testing.T) {
	f := newFixture(t, "anna", "boris")
	f.ready("anna")
	f.now = f.now.Add(time.Second)
	f.ready("boris")
	id := f.intake()
	first := f.offerOf(id)
	ch := f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudDialFailed, Offer: first, Code: 486, Reason: "Busy"}))
	if got := f.state("anna"); got != cc.OperatorAway {
		t.Fatalf("anna after 486 = %s", got)
	}
	if got := f.state("boris"); got != cc.OperatorReserved {
		t.Fatalf("boris = %s, want the call", got)
	}
	if len(ch.Commands) != 1 || ch.Commands[0].Contact.Target != "boris" {
		t.Fatalf("commands = %+v", ch.Commands)
	}
	// The same failure again, and a late answer on the dead lease, change nothing.
	for _, ev := range []cc.CloudEvent{{Kind: cc.CloudDialFailed, Offer: first, Code: 486}, {Kind: cc.CloudOperatorAnswered, Offer: first}} {
		ch := f.must(f.e.Report(f.now, id, ev))
		if !ch.Empty() || len(ch.Commands) != 0 {
			t.Fatalf("stale %v changed %+v", ev.Kind, ch)
		}
	}
}

func TestOfferExpires(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	id := f.intake()
	f.rings(id)
	f.now = f.now.Add(25 * time.Second)
	ch := f.e.Tick(f.now)
	if got := f.state("anna"); got != cc.OperatorAway {
		t.Fatalf("anna = %s", got)
	}
	if f.offerOf(id) != "" {
		t.Fatal("call kept its expired offer")
	}
	if len(ch.Commands) != 1 || ch.Commands[0].Type != cc.CommandCancel {
		t.Fatalf("commands = %+v", ch.Commands)
	}
}

func TestAbsentOperatorIsNotOfferedAndLoggedOff(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	f.e.Disconnect(f.now, "anna")
	id := f.intake()
	if f.offerOf(id) != "" {
		t.Fatal("offered to an operator without a live app")
	}
	f.now = f.now.Add(9 * time.Second)
	f.must(f.e.Connect(f.now, "anna")) // back within the grace period: still ready, gets the call
	if got := f.state("anna"); got != cc.OperatorReserved {
		t.Fatalf("anna = %s", got)
	}
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallerAbandoned}))
	if got := f.state("anna"); got != cc.OperatorReady {
		t.Fatalf("after abandon anna = %s", got)
	}
	f.e.Disconnect(f.now, "anna")
	f.now = f.now.Add(10 * time.Second)
	f.e.Tick(f.now)
	if got := f.state("anna"); got != cc.OperatorOffline {
		t.Fatalf("after grace anna = %s", got)
	}
}

func TestFailedCallReturnsToItsPlace(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	first := f.intake()
	f.now = f.now.Add(time.Second)
	second := f.intake()
	f.rings(first)
	f.must(f.e.Report(f.now, first, cc.CloudEvent{Kind: cc.CloudDialFailed, Offer: f.offerOf(first), Code: 480}))
	if p := f.e.Position(first); p != 1 {
		t.Fatalf("first call position = %d, want 1", p)
	}
	if p := f.e.Position(second); p != 2 {
		t.Fatalf("second call position = %d, want 2", p)
	}
}

// TestInvariantsUnderRandomEvents drives the engine with random operations, duplicated and
// out-of-order events included, and checks after each step that no operator holds two calls,
// no call is offered to two operators, and states agree with offers.
func TestInvariantsUnderRandomEvents(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		r := rand.New(rand.NewPCG(seed, seed))
		names := []string{"a", "b", "c", "d"}
		f := newFixture(t, names...)
		var calls []cc.CallID
		var offers []struct {
			call  cc.CallID
			offer cc.OfferID
		}
		for step := 0; step < 300; step++ {
			f.now = f.now.Add(time.Duration(r.IntN(4000)) * time.Millisecond)
			op := cc.OperatorID(names[r.IntN(len(names))])
			var ch cc.Changes
			switch r.IntN(12) {
			case 0:
				ch, _ = f.e.Connect(f.now, op)
			case 1:
				ch = f.e.Disconnect(f.now, op)
			case 2:
				ch, _ = f.e.GoReady(f.now, op)
			case 3:
				ch, _ = f.e.GoAway(f.now, op, "break")
			case 4:
				ch, _ = f.e.EndWrapUp(f.now, op, "")
			case 5:
				c, chg, err := f.e.Intake(f.now, cc.Intake{AccessURL: "u", DialedNumber: "+18005550100"})
				if err == nil {
					calls = append(calls, c.ID)
				}
				ch = chg
			case 6:
				ch = f.e.Tick(f.now)
			default:
				if len(offers) == 0 {
					continue
				}
				o := offers[r.IntN(len(offers))]
				kinds := []cc.CloudEvent{
					{Kind: cc.CloudOperatorAnswered, Offer: o.offer},
					{Kind: cc.CloudDialFailed, Offer: o.offer, Code: 486},
					{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller},
					{Kind: cc.CloudCallerAbandoned},
				}
				ch, _ = f.e.Report(f.now, o.call, kinds[r.IntN(len(kinds))])
			}
			for _, of := range ch.Offers {
				offers = append(offers, struct {
					call  cc.CallID
					offer cc.OfferID
				}{of.Call, of.ID})
			}
			checkInvariants(t, seed, step, f.e)
		}
		_ = calls
	}
}

// fatalf is what checkInvariants needs of a test: *testing.T and *rapid.T both have it.
type fatalf interface {
	Helper()
	Fatalf(format string, args ...any)
}

func checkInvariants(t fatalf, seed uint64, step int, e *Engine) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("seed %d step %d: %s", seed, step, fmt.Sprintf(format, args...))
	}
	perOperator := map[cc.OperatorID]int{}
	perCall := map[cc.CallID]int{}
	for id, of := range e.offers {
		if of.State != cc.OfferPending {
			fail("offer %s in live set is %s", id, of.State)
		}
		if of.Operator != "" {
			perOperator[of.Operator]++
		}
		perCall[of.Call]++
		c := e.calls[of.Call]
		// A live offer is its call's: the offer of a waiting call (a leg of its ring), or the
		// target leg of a connected call's transfer.
		if c == nil || (!c.hasLeg(id) || c.State != cc.CallWaiting) && !transferLeg(c, of) {
			fail("offer %s does not match its call %+v", id, c)
		}
	}
	// A ring is of a waiting call; its legs are pending, to operators, and the call's offer is
	// one of them, its operator the call's.
	for id, c := range e.calls {
		if len(c.ring) == 0 {
			continue
		}
		if c.State != cc.CallWaiting || !slices.Contains(c.ring, c.Offer) {
			fail("call %s is %s with offer %s outside its ring %v", id, c.State, c.Offer, c.ring)
		}
		for _, leg := range c.ring {
			if of := e.offers[leg]; of == nil || of.Call != id || of.Operator == "" {
				fail("call %s has leg %s in its ring, not pending", id, leg)
			}
		}
		if of := e.offers[c.Offer]; of != nil && of.Operator != c.Operator {
			fail("call %s is offered to %s under %s, which is %s's", id, c.Operator, c.Offer, of.Operator)
		}
	}
	for id, n := range perOperator {
		if n > 1 {
			fail("operator %s has %d offers", id, n)
		}
	}
	for id, n := range perCall {
		if c := e.calls[id]; n > 1 && (c == nil || n != len(c.ring)) {
			fail("call %s has %d offers", id, n)
		}
	}
	// The lines hold exactly the calls waiting without an offer, each under its queue once, in
	// line order (assign and overflow go through them; a stale entry is a call served twice).
	// A callback in a line is due: past its retry time, and its queue open.
	lined := 0
	for q, line := range e.lines {
		callbacks := 0
		for i, c := range line {
			if e.calls[c.ID] != c || c.State != cc.CallWaiting || c.Offer != "" || c.Queue != q {
				fail("call %s in the line of %s is %s in %s with offer %q", c.ID, q, c.State, c.Queue, c.Offer)
			}
			if i > 0 && callOrder(line[i-1], c) >= 0 {
				fail("the line of %s has %s before %s", q, line[i-1].ID, c.ID)
			}
			if c.Callback.Virtual() {
				callbacks++
				if due := e.callbackStarts(c, e.lastStep); due.After(e.lastStep) {
					fail("callback %s is in the line of %s but not due before %v (last step %v)", c.ID, q, due, e.lastStep)
				}
				if queue := e.queues[q]; queue != nil && !e.openNow(queue, e.lastStep) {
					fail("callback %s is in the line of %s, closed at %v", c.ID, q, e.lastStep)
				}
			}
		}
		if callbacks != e.lineCallbacks[q] {
			fail("the line of %s has %d callbacks, %d counted", q, callbacks, e.lineCallbacks[q])
		}
		lined += len(line)
	}
	// ...but for the callbacks not due yet (retry time ahead, queue closed: they wait in later
	// alone) and the callers asked whether they want a callback as their queue's exit.
	waiting := 0
	for _, c := range e.calls {
		if c.State == cc.CallWaiting && c.Offer == "" && e.later[c.ID] == nil && !c.Exit.Asking() {
			waiting++
		}
	}
	if lined != waiting || len(e.inLine) != waiting {
		fail("%d calls wait without an offer, %d in the lines, %d filed", waiting, lined, len(e.inLine))
	}
	for id, c := range e.later {
		if e.calls[id] != c || !c.Callback.Virtual() || c.State != cc.CallWaiting || c.Offer != "" || !e.callbackStarts(c, e.lastStep).After(e.lastStep) {
			fail("callback %s waits for its time but is %s with offer %q, due %v (last step %v)", id, c.State, c.Offer, e.callbackStarts(c, e.lastStep), e.lastStep)
		}
		if _, lined := e.inLine[id]; lined {
			fail("callback %s waits for its retry and is in a line", id)
		}
	}
	// A call in an IVR menu is in no queue and nobody's; one that came through a menu has left
	// it by a recorded exit.
	for _, c := range e.calls {
		switch {
		case c.State == cc.CallInMenu && (c.Menu == "" || c.Queue != "" || c.Offer != "" || c.Operator != "" || c.Spare != "" || c.MenuExit != ""):
			fail("call %s in menu %q has queue %q, offer %q, operator %q, spare %q, exit %q", c.ID, c.Menu, c.Queue, c.Offer, c.Operator, c.Spare, c.MenuExit)
		case c.State != cc.CallInMenu && c.Menu != "" && (c.MenuExit == "" || c.Queue == ""):
			fail("call %s left menu %s for queue %q by exit %q", c.ID, c.Menu, c.Queue, c.MenuExit)
		}
	}
	spareUse := map[cc.SpareID]int{}
	for _, c := range e.calls {
		if c.Spare != "" {
			spareUse[c.Spare]++
			if of := e.offers[c.Offer]; c.State == cc.CallWaiting && (of == nil || of.Spare != c.Spare) {
				fail("call %s waits on spare %s without its offer", c.ID, c.Spare)
			}
		}
	}
	for id, s := range e.spares {
		if s.st.Active != spareUse[id] {
			fail("spare %s counts %d active, %d calls have it", id, s.st.Active, spareUse[id])
		}
		if s.st.Active > max(s.cfg.MaxConcurrent, 1) {
			fail("spare %s has %d calls, at most %d", id, s.st.Active, s.cfg.MaxConcurrent)
		}
	}
	onCall := map[cc.OperatorID]int{}
	for _, c := range e.calls {
		if c.State == cc.CallConnected {
			onCall[c.Operator]++
			if c.Transfer.State == cc.TransferConsulting {
				onCall[c.Transfer.Operator]++
			}
		}
	}
	for id, o := range e.operators {
		switch o.st.State {
		case cc.OperatorReserved:
			if of := e.offers[o.st.Offer]; of == nil || of.Operator != id {
				fail("operator %s reserved without his offer", id)
			}
		default:
			if perOperator[id] != 0 {
				fail("operator %s is %s with a pending offer", id, o.st.State)
			}
		}
		if onCall[id] > 1 {
			fail("operator %s talks on %d calls", id, onCall[id])
		}
		if o.st.State == cc.OperatorOnCall {
			if c := e.calls[o.st.Call]; c == nil || c.State != cc.CallConnected || c.Operator != id && !consulted(c, id) {
				fail("operator %s on call without a connected call", id)
			}
		}
	}
}
