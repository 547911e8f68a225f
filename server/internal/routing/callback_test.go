package routing

import (
	"strings"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// callback files a callback to number standing at the place of a call that arrived at arrived.
func (f *fixture) callback(number string, arrived time.Time, attempt int) cc.CallID {
	f.t.Helper()
	c := f.e.fileCallback(f.now, "support", arrived, 0, "+18005550100", cc.Callback{Of: "call_inbound", Number: number, Attempt: attempt})
	f.e.finish(f.now)
	return c.ID
}

func commandsOf(ch cc.Changes, t cc.CommandType) []cc.Command {
	var out []cc.Command
	for _, c := range ch.Commands {
		if c.Type == t {
			out = append(out, c)
		}
	}
	return out
}

// A callback keeps the place of the call it stands for: it is offered before a caller who came
// later; its offer starts the callback scenario, whose session gets the operator's dial; the
// customer answers and the call is an ordinary one from then on, with no attempt after it.
func TestCallbackKeepsItsPlaceAndReachesTheCustomer(t *testing.T) {
	f := newFixture(t, "anna")
	f.must(f.e.Connect(f.now, "anna"))
	arrived := f.now
	f.now = f.now.Add(10 * time.Second)
	later := f.intake()
	f.now = f.now.Add(10 * time.Second)
	cb := f.callback("+14155550100", arrived, 1)
	if p := f.e.Position(cb); p != 1 {
		t.Fatalf("the callback is number %d in line, want 1 (its call came first)", p)
	}
	f.e.NextDeadline() // the deadlines are known: the offer's lease updates them
	ch := f.must(f.e.GoReady(f.now, "anna"))
	start := commandsOf(ch, cc.CommandStartCallback)
	if f.offerOf(cb) == "" || f.offerOf(later) != "" || len(start) != 1 || len(commandsOf(ch, cc.CommandDial)) != 0 {
		t.Fatalf("offers: callback %q, later caller %q; commands %+v: want the callback's scenario started", f.offerOf(cb), f.offerOf(later), ch.Commands)
	}
	of := f.offerOf(cb)
	if start[0].Offer != of || start[0].Contact.Target != "anna" || start[0].AccessURL != "" {
		t.Fatalf("start command %+v", start[0])
	}
	for _, o := range ch.Offers {
		if o.ID == of && !o.ExpiresAt.Equal(f.now.Add(20*time.Second+5*time.Second+cc.CallbackStartAllowance)) {
			t.Fatalf("lease until %v: want ring, slack and the start allowance", o.ExpiresAt)
		}
	}
	// The first deadline is the lease with its allowance, not the shorter one of a plain offer
	// (past it, a stale one would have the switchboard tick without end).
	if due, ok := f.e.NextDeadline(); !ok || !due.After(f.now.Add(20*time.Second+5*time.Second)) {
		t.Fatalf("next deadline %v, want past the plain lease (the callback's has %s more)", due, cc.CallbackStartAllowance)
	}
	f.now = f.now.Add(3 * time.Second)
	c, ch, err := f.e.AttachCallback(f.now, cb, of, "s-1", "http://cloud/cb-1")
	if err != nil || c.AccessURL != "http://cloud/cb-1" {
		t.Fatalf("attach: %+v, %v", c, err)
	}
	dial := commandsOf(ch, cc.CommandDial)
	if len(dial) != 1 || dial[0].AccessURL != "http://cloud/cb-1" || dial[0].Offer != of || dial[0].Contact.Target != "anna" || dial[0].Timeout != 20*time.Second {
		t.Fatalf("after the attach: %+v, want anna dialed from the callback's session", ch.Commands)
	}
	if _, _, err := f.e.AttachCallback(f.now, cb, of, "s-2", "http://cloud/cb-2"); err == nil {
		t.Fatal("a second session for the same offer was taken")
	}
	f.must(f.e.Report(f.now, cb, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: of, RingTime: 2 * time.Second}))
	f.must(f.e.Report(f.now, cb, cc.CloudEvent{Kind: cc.CloudCustomerAnswered}))
	if got := f.live(cb); got.State != cc.CallConnected || got.Callback.Result != cc.CallbackConnected || f.state("anna") != cc.OperatorOnCall {
		t.Fatalf("connected: %+v, anna %s", got, f.state("anna"))
	}
	f.now = f.now.Add(time.Minute)
	ch = f.must(f.e.Report(f.now, cb, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller, TalkTime: time.Minute}))
	for _, c := range ch.Calls {
		if c.ID != cb && c.Callback.Virtual() {
			t.Fatalf("another attempt %+v after the customer talked", c)
		}
	}
}

// A customer who does not answer ends the attempt: his operator is not blamed, and the next
// attempt waits the retry spacing at the same place, until the attempts run out.
func TestCallbackRetriesAreBoundedAndSpaced(t *testing.T) {
	f := newFixture(t, "anna")
	q, _ := f.e.Queue("support")
	q.Rules.Callback = cc.CallbackRules{OfferAfter: time.Minute, Attempts: 2, RetryAfter: 10 * time.Minute}
	f.must(f.e.UpdateQueue(f.now, q))
	f.ready("anna")
	arrived := f.now.Add(-time.Minute)
	cb := f.callback("+14155550100", arrived, 1)
	attempt := func(id cc.CallID) {
		t.Helper()
		of := f.offerOf(id)
		if of == "" {
			t.Fatalf("callback %s not offered", id)
		}
		if _, _, err := f.e.AttachCallback(f.now, id, of, "s-"+string(id), "http://cloud/"+string(id)); err != nil {
			t.Fatal(err)
		}
		f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: of}))
	}
	attempt(cb)
	missed := f.marksOf("anna").OffersMissed
	f.now = f.now.Add(30 * time.Second)
	ch := f.must(f.e.Report(f.now, cb, cc.CloudEvent{Kind: cc.CloudCustomerFailed, Code: 486, Reason: "Busy Here"}))
	var next cc.Call
	for _, c := range ch.Calls {
		switch {
		case c.ID == cb && (c.State != cc.CallEnded || c.Callback.Result != cc.CallbackBusy):
			t.Fatalf("the attempt: %+v, want ended busy", c)
		case c.ID != cb && c.Callback.Virtual():
			next = c
		}
	}
	if next.Callback.Attempt != 2 || !next.Callback.NotBefore.Equal(f.now.Add(10*time.Minute)) || !next.ArrivedAt.Equal(arrived) || next.Callback.Number != "+14155550100" {
		t.Fatalf("next attempt %+v", next)
	}
	if f.marksOf("anna").OffersMissed != missed || f.state("anna") != cc.OperatorWrapUp {
		t.Fatalf("anna: %s, misses %d→%d", f.state("anna"), missed, f.marksOf("anna").OffersMissed)
	}
	// Before its time the retry is in no line: a new caller goes first, and nobody hears it
	// counted in his place.
	f.now = f.now.Add(10 * time.Second)
	f.e.Tick(f.now) // anna's wrap-up is over
	caller := f.intake()
	if f.offerOf(caller) == "" || f.offerOf(next.ID) != "" || f.e.Position(next.ID) != 0 {
		t.Fatalf("before its retry time: caller offered %q, retry %q", f.offerOf(caller), f.offerOf(next.ID))
	}
	f.must(f.e.Report(f.now, caller, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(caller)}))
	f.hangUp(caller)
	if due, ok := f.e.NextDeadline(); !ok || due.After(next.Callback.NotBefore) {
		t.Fatalf("next deadline %v, want by the retry time %v", due, next.Callback.NotBefore)
	}
	f.now = next.Callback.NotBefore
	f.e.Tick(f.now)
	attempt(next.ID)
	ch = f.must(f.e.Report(f.now, next.ID, cc.CloudEvent{Kind: cc.CloudCustomerFailed, Code: 408}))
	for _, c := range ch.Calls {
		if c.ID != next.ID && c.Callback.Virtual() {
			t.Fatalf("a third attempt %+v with two allowed", c)
		}
		if c.ID == next.ID && c.Callback.Result != cc.CallbackNoAnswer {
			t.Fatalf("the second attempt: %+v", c)
		}
	}
}

// A callback scenario that cannot be started is nobody's miss: the operator is free at once,
// the callback waits a growing pause, and it is given up after three failures in a row.
func TestCallbackThatCannotStart(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	cb := f.callback("+14155550100", f.now, 1)
	for i := 1; i <= cc.UndeliveredDialsLoseCall; i++ {
		of := f.offerOf(cb)
		if of == "" {
			t.Fatalf("failure %d: the callback is not offered", i)
		}
		f.e.DialUndelivered(f.now, cb, of, "StartScenarios: 503")
		if m := f.marksOf("anna"); m.OffersMissed != 0 || m.Unreached != 0 || f.state("anna") != cc.OperatorReady {
			t.Fatalf("failure %d: anna %s %+v", i, f.state("anna"), m)
		}
		c, live := f.e.Call(cb)
		if i == cc.UndeliveredDialsLoseCall {
			if live {
				t.Fatalf("still in line after %d failures: %+v", i, c)
			}
			break
		}
		pause := 30 * time.Second << (i - 1)
		if !c.Callback.NotBefore.Equal(f.now.Add(pause)) || c.Offer != "" {
			t.Fatalf("failure %d: %+v, want a pause of %s", i, c.Callback, pause)
		}
		f.now = c.Callback.NotBefore
		f.e.Tick(f.now)
	}
}

// Only the pending offer's scenario is attached: after the lease ran out it is refused.
func TestCallbackAttachAfterTheLease(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	cb := f.callback("+14155550100", f.now, 1)
	of := f.offerOf(cb)
	f.now = f.now.Add(time.Minute)
	f.e.Tick(f.now) // the lease ran out: nobody heard of a ringing phone, not anna's miss
	if _, _, err := f.e.AttachCallback(f.now, cb, of, "s-late", "http://cloud/late"); err == nil {
		t.Fatal("a scenario for an expired offer was attached")
	}
	if _, _, err := f.e.AttachCallback(f.now, "call_nope", of, "s", "http://cloud/x"); err == nil {
		t.Fatal("an unknown callback was attached")
	}
	if m := f.marksOf("anna"); m.OffersMissed != 0 {
		t.Fatalf("anna blamed: %+v", m)
	}
}

// A closed queue whose exit offers a callback: the caller is asked at once and is in no line
// meanwhile; he accepts, hears the confirmation, and a callback takes his place, due when the
// queue opens. Another caller declines and hears the closed message.
func TestAClosedQueueOffersACallback(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	r := cc.DefaultRules()
	r.Hours = officeHours() // 09:00 on a Thursday: opens at 10:00
	r.ClosedExit = cc.Exit{Kind: cc.ExitCallback}
	f.withRules(r)
	c, ch := f.intakeTo("+18005550100")
	// "+200" is no number to call back: he is asked for one.
	if ch.Next == nil || ch.Next.Type != cc.CommandOfferCallback || ch.Next.Digit != "1" || len(ch.Next.Words) == 0 || !ch.Next.AskNumber || !strings.Contains(ch.Next.Text, "press 1") {
		t.Fatalf("intake reply %+v, want the callback offer", ch.Next)
	}
	if f.offerOf(c.ID) != "" || f.e.Position(c.ID) != 0 || c.Exit.Kind != cc.ExitCallback || c.Exit.Cause != cc.ExitClosed {
		t.Fatalf("asked: %+v offered %q", c, f.offerOf(c.ID))
	}
	ch = f.must(f.e.Report(f.now, c.ID, cc.CloudEvent{Kind: cc.CloudCallbackAnswer, Accepted: true, Number: "+14155550111"}))
	if ch.Next == nil || ch.Next.Type != cc.CommandHangup || ch.Next.Text != cc.CallbackConfirmation("+14155550111") {
		t.Fatalf("reply %+v, want the confirmation", ch.Next)
	}
	var inbound, cb cc.Call
	for _, x := range ch.Calls {
		if x.ID == c.ID {
			inbound = x
		} else if x.Callback.Virtual() {
			cb = x
		}
	}
	if inbound.State != cc.CallEnded || !inbound.Exit.Answered || inbound.Exit.Target != "+14155550111" || !inbound.Exit.Ended() {
		t.Fatalf("the inbound call: %+v", inbound)
	}
	opens := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	if cb.Callback.Of != c.ID || cb.Callback.Number != "+14155550111" || !cb.Callback.NotBefore.Equal(opens) || !cb.ArrivedAt.Equal(c.ArrivedAt) || f.offerOf(cb.ID) != "" {
		t.Fatalf("the callback: %+v", cb)
	}
	declined, _ := f.intakeTo("+18005550100")
	ch = f.must(f.e.Report(f.now, declined.ID, cc.CloudEvent{Kind: cc.CloudCallbackAnswer}))
	if ch.Next == nil || ch.Next.Type != cc.CommandHangup || ch.Next.Text != cc.DefaultClosedText {
		t.Fatalf("declined: reply %+v", ch.Next)
	}
	if _, live := f.e.Call(declined.ID); live {
		t.Fatal("a caller who declined the callback of a closed queue is still in progress")
	}
	// At opening the callback is offered to anna.
	f.now = opens
	f.e.Tick(f.now)
	if f.offerOf(cb.ID) == "" || f.state("anna") != cc.OperatorReserved {
		t.Fatalf("at opening: callback offer %q, anna %s", f.offerOf(cb.ID), f.state("anna"))
	}
}

// A queue offers callbacks to callers who waited long enough, once each. A caller without a
// usable number is asked to key one in; a number the queue forbids is refused and he waits on.
func TestWaitingCallersAreOfferedACallbackOnce(t *testing.T) {
	f := newFixture(t)
	q, _ := f.e.Queue("support")
	q.Rules.Callback = cc.CallbackRules{OfferAfter: time.Minute, ForbiddenPrefixes: []string{"+1900"}}
	f.must(f.e.UpdateQueue(f.now, q))
	c, _, err := f.e.Intake(f.now, cc.Intake{AccessURL: "http://cloud/x", CallerNumber: "anonymous", DialedNumber: "+18005550100"})
	if err != nil {
		t.Fatal(err)
	}
	if due, _ := f.e.NextDeadline(); due.After(f.now.Add(time.Minute)) {
		t.Fatalf("next deadline %v, want by the offer at %v", due, f.now.Add(time.Minute))
	}
	f.now = f.now.Add(time.Minute)
	offers := commandsOf(f.e.Tick(f.now), cc.CommandOfferCallback)
	if len(offers) != 1 || offers[0].Call != c.ID || !offers[0].AskNumber || offers[0].AccessURL != "http://cloud/x" {
		t.Fatalf("offers %+v, want one asking for a number", offers)
	}
	f.now = f.now.Add(time.Minute)
	if again := commandsOf(f.e.Tick(f.now), cc.CommandOfferCallback); len(again) != 0 {
		t.Fatalf("offered again: %+v", again)
	}
	ch := f.must(f.e.Report(f.now, c.ID, cc.CloudEvent{Kind: cc.CloudCallbackAnswer, Accepted: true, Number: "+19005550100"}))
	if ch.Next == nil || ch.Next.Type != cc.CommandSay || ch.Next.Text != cc.CallbackRefused {
		t.Fatalf("a forbidden number: reply %+v", ch.Next)
	}
	if got := f.live(c.ID); got.State != cc.CallWaiting || f.e.Position(c.ID) != 1 || got.Exit.Taken() {
		t.Fatalf("after a refused number: %+v", got)
	}
	ch = f.must(f.e.Report(f.now, c.ID, cc.CloudEvent{Kind: cc.CloudCallbackAnswer, Accepted: true, Number: "8 916 123 45 67"}))
	if ch.Next == nil || ch.Next.Type != cc.CommandHangup || ch.Next.Text != cc.CallbackConfirmation("+79161234567") {
		t.Fatalf("accepted: reply %+v", ch.Next)
	}
	for _, x := range ch.Calls {
		if x.ID == c.ID && (x.Exit.Cause != cc.ExitCallbackOffer || x.State != cc.CallEnded) {
			t.Fatalf("the inbound call: %+v", x)
		}
		if x.Callback.Virtual() && (x.Callback.Number != "+79161234567" || !x.ArrivedAt.Equal(c.ArrivedAt) || !x.Callback.NotBefore.IsZero()) {
			t.Fatalf("the callback: %+v", x)
		}
	}
}

// A voicemail exit ends the call with the voicemail command; the message left files a callback
// carrying it, once.
func TestVoicemailBecomesACallback(t *testing.T) {
	f := newFixture(t)
	r := cc.DefaultRules()
	r.MaxWaiting = cc.CallsCap{Calls: 1, Exit: cc.Exit{Kind: cc.ExitVoicemail}}
	f.withRules(r)
	f.intakeTo("+18005550100")
	c, ch, err := f.e.Intake(f.now, cc.Intake{AccessURL: "http://cloud/x", CallerNumber: "+14155550123", DialedNumber: "+18005550100"}) // over the cap
	if err != nil {
		t.Fatal(err)
	}
	if ch.Next == nil || ch.Next.Type != cc.CommandVoicemail || ch.Next.Text != cc.DefaultVoicemailPrompt || ch.Next.Timeout != cc.MaxVoicemail {
		t.Fatalf("reply %+v, want the voicemail command", ch.Next)
	}
	if c.State != cc.CallEnded || c.Exit.Kind != cc.ExitVoicemail {
		t.Fatalf("the call: %+v", c)
	}
	ch = f.must(f.e.VoicemailLeft(f.now, c, "https://records.example.com/vm1.mp3", 12*time.Second))
	var cb cc.Call
	for _, x := range ch.Calls {
		if x.ID == c.ID && x.VoicemailURL != "https://records.example.com/vm1.mp3" {
			t.Fatalf("the call keeps no message: %+v", x)
		}
		if x.Callback.Virtual() {
			cb = x
		}
	}
	if cb.Callback.VoicemailURL != "https://records.example.com/vm1.mp3" || cb.Callback.VoicemailLength != 12*time.Second || cb.Callback.Number != "+14155550123" || cb.Callback.Of != c.ID {
		t.Fatalf("the callback: %+v", cb)
	}
	c.VoicemailURL = "https://records.example.com/vm1.mp3"
	if ch := f.must(f.e.VoicemailLeft(f.now, c, "https://records.example.com/vm1.mp3", 12*time.Second)); len(ch.Calls) != 0 {
		t.Fatalf("a second report filed %+v", ch.Calls)
	}
	if _, err := f.e.VoicemailLeft(f.now, cc.Call{ID: "call_x", Queue: "support"}, "https://records.example.com/vm2.mp3", time.Second); cc.ErrorCode(err) != cc.CodeFailedPrecondition {
		t.Fatalf("a call without a voicemail exit: %v", err)
	}
}
