package routing

import (
	"strings"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// These tests hold the rule that only an offer that reached the operator's phone and that he
// did not answer is his miss: a fault of Tandem's, the cloud's or the network's leaves his
// marks, misses and bans as they were and sends the call to the next operator.

// marksOf returns an operator's marks.
func (f *fixture) marksOf(name string) cc.Marks {
	f.t.Helper()
	v, err := f.e.View(cc.OperatorID(name))
	if err != nil {
		f.t.Fatal(err)
	}
	return v.Status.Marks
}

// settled returns the offer as the step's changes settled it.
func settled(t *testing.T, ch cc.Changes, id cc.OfferID) cc.Offer {
	t.Helper()
	for _, of := range ch.Offers {
		if of.ID == id && of.State != cc.OfferPending {
			return of
		}
	}
	t.Fatalf("offer %s not settled in %+v", id, ch.Offers)
	return cc.Offer{}
}

// unblamed checks that operator name came out of an offer that was not his fault: ready, his
// marks unchanged except for the count of unreached offers, which is want.
func (f *fixture) unblamed(name string, before cc.Marks, unreached int) {
	f.t.Helper()
	v, _ := f.e.View(cc.OperatorID(name))
	after := v.Status.Marks
	if v.Status.State != cc.OperatorReady {
		f.t.Fatalf("%s = %s (%s), want ready", name, v.Status.State, v.Status.Reason)
	}
	if after.Unreached != unreached {
		f.t.Fatalf("%s's unreached offers = %d, want %d", name, after.Unreached, unreached)
	}
	after.Unreached = before.Unreached
	if after.AnswerRate != before.AnswerRate || after.Score != before.Score || after.OffersMissed != before.OffersMissed ||
		after.ConsecutiveMisses != before.ConsecutiveMisses || len(after.RecentMisses) != len(before.RecentMisses) || after.Bans != before.Bans {
		f.t.Fatalf("%s's marks moved: %+v, were %+v", name, after, before)
	}
}

// twoOperators is a fixture where anna (idle longer) gets the call and boris is next.
func twoOperators(t *testing.T) (*fixture, cc.CallID, cc.OfferID) {
	f := newFixture(t, "anna", "boris")
	f.ready("anna")
	f.now = f.now.Add(time.Second)
	f.ready("boris")
	id := f.intake()
	c, _ := f.e.Call(id)
	if c.Operator != "anna" {
		t.Fatalf("call offered to %q, want anna", c.Operator)
	}
	return f, id, c.Offer
}

func TestUndeliveredDialIsNotAMiss(t *testing.T) {
	f, id, first := twoOperators(t)
	before := f.marksOf("anna")
	ch := f.e.DialUndelivered(f.now, id, first, "dial command failed 6 attempts, last: HTTP 500")
	of := settled(t, ch, first)
	if of.State != cc.OfferWithdrawn || !strings.Contains(of.Reason, "the dial command could not be delivered") {
		t.Fatalf("anna's offer = %s %q, want withdrawn: the dial could not be delivered", of.State, of.Reason)
	}
	f.unblamed("anna", before, 0)
	if c, _ := f.e.Call(id); c.Operator != "boris" || f.state("boris") != cc.OperatorReserved {
		t.Fatalf("call after an undelivered dial = %+v, want offered to boris", c)
	}
	// A late report of the same failure changes nothing.
	if ch := f.e.DialUndelivered(f.now, id, first, "again"); len(ch.Statuses) != 0 || len(ch.Offers) != 0 {
		t.Fatalf("a second report for a settled offer changed %+v", ch)
	}
}

func TestUndeliveredDialsInARowLoseTheCall(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	id := f.intake()
	for i := 1; i < cc.UndeliveredDialsLoseCall; i++ {
		f.e.DialUndelivered(f.now, id, f.offerOf(id), "HTTP 500")
		if c, ok := f.e.Call(id); !ok || c.Operator != "anna" {
			t.Fatalf("after %d undelivered dials the call = %+v %v, want offered to anna again", i, c, ok)
		}
	}
	ch := f.e.DialUndelivered(f.now, id, f.offerOf(id), "HTTP 500")
	if _, ok := f.e.Call(id); ok || len(ch.Calls) != 1 || ch.Calls[0].State != cc.CallLost {
		t.Fatalf("after %d undelivered dials: %+v, want the call lost", cc.UndeliveredDialsLoseCall, ch.Calls)
	}
	f.unblamed("anna", cc.NewMarks(), 0)
}

func TestAnyWordFromTheSessionResetsUndeliveredDials(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	id := f.intake()
	for i := 0; i < 2*cc.UndeliveredDialsLoseCall; i++ {
		f.e.DialUndelivered(f.now, id, f.offerOf(id), "HTTP 500")
		f.rings(id) // the session speaks: it is there
	}
	if _, ok := f.e.Call(id); !ok {
		t.Fatal("a call whose session keeps reporting was lost")
	}
}

func TestPlatformFailureCodesAreNotMisses(t *testing.T) {
	for _, tc := range []struct {
		name string
		rang bool
		code int
	}{
		{"unavailable, never rang", false, 480},
		{"no answer, never rang", false, 408},
		{"cancelled, never rang", false, 487},
		{"not found", false, 404},
		{"no funds", false, 402},
		{"server error after ringing", true, 503},
		{"service unavailable", false, 503},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, id, first := twoOperators(t)
			before := f.marksOf("anna")
			if tc.rang {
				f.rings(id)
			}
			ch := f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudDialFailed, Offer: first, Code: tc.code, Reason: "Platform"}))
			of := settled(t, ch, first)
			if of.State != cc.OfferWithdrawn || of.FailureCode != tc.code || !strings.Contains(of.Reason, "his phone") {
				t.Fatalf("anna's offer = %s %d %q, want withdrawn with the code and why", of.State, of.FailureCode, of.Reason)
			}
			f.unblamed("anna", before, 1)
			if c, _ := f.e.Call(id); c.Operator != "boris" {
				t.Fatalf("call = %+v, want offered to boris", c)
			}
			for _, cmd := range ch.Commands {
				if cmd.Type == cc.CommandCancel {
					t.Fatalf("a cancel for a leg the cloud reported ended: %+v", cmd)
				}
			}
		})
	}
}

func TestReachedPhoneThatDidNotAnswerIsAMiss(t *testing.T) {
	for _, tc := range []struct {
		name string
		rang bool
		code int
	}{
		{"rang, no answer in time", true, 408},
		{"rang, cancelled at the ring timeout", true, 487},
		{"rang, then unavailable", true, 480},
		{"busy", false, 486},
		{"declined", false, 603},
		{"busy everywhere", false, 600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, id, first := twoOperators(t)
			if tc.rang {
				f.rings(id)
			}
			ch := f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudDialFailed, Offer: first, Code: tc.code}))
			if of := settled(t, ch, first); of.State != cc.OfferFailed {
				t.Fatalf("anna's offer = %s, want failed", of.State)
			}
			if m := f.marksOf("anna"); f.state("anna") != cc.OperatorAway || m.OffersMissed != 1 || m.ConsecutiveMisses != 1 || m.AnswerRate >= 1 {
				t.Fatalf("anna = %s with marks %+v, want away with one miss", f.state("anna"), m)
			}
		})
	}
}

func TestExpiryWithoutRingingIsNotAMiss(t *testing.T) {
	f, id, first := twoOperators(t)
	before := f.marksOf("anna")
	f.now = f.now.Add(25 * time.Second)
	ch := f.e.Tick(f.now)
	of := settled(t, ch, first)
	if of.State != cc.OfferWithdrawn || !strings.Contains(of.Reason, "no word from the cloud that his phone rang") {
		t.Fatalf("anna's offer = %s %q", of.State, of.Reason)
	}
	f.unblamed("anna", before, 0)
	if c, _ := f.e.Call(id); c.Operator != "boris" {
		t.Fatalf("call = %+v, want offered to boris", c)
	}
	if len(ch.Commands) != 2 || ch.Commands[0].Type != cc.CommandCancel || ch.Commands[0].Offer != first {
		t.Fatalf("commands = %+v, want anna's dial cancelled, then boris dialed", ch.Commands)
	}
}

// restartAt rebuilds the engine at now from what its steps stored.
func restartAt(t *testing.T, f *fixture, store *memStore) cc.Changes {
	t.Helper()
	q, _ := f.e.Queue("support")
	var ops []cc.Operator
	for _, n := range []cc.OperatorID{"anna", "boris"} {
		if o, ok := f.e.Operator(n); ok {
			ops = append(ops, o)
		}
	}
	f.e = New(f.e.cfg)
	return f.e.Load(f.now, []cc.Queue{q}, ops, store.runtime())
}

func TestLeaseThatRanOutWhileTandemWasDownIsNotAMiss(t *testing.T) {
	f := newFixture(t, "anna")
	store := newMemStore()
	store.apply(f.must(f.e.Connect(f.now, "anna")))
	store.apply(f.must(f.e.GoReady(f.now, "anna")))
	c, ch, err := f.e.Intake(f.now, cc.Intake{AccessURL: "http://cloud/x", DialedNumber: "+18005550100"})
	if err != nil {
		t.Fatal(err)
	}
	store.apply(ch)
	store.apply(f.must(f.e.Report(f.now, c.ID, cc.CloudEvent{Kind: cc.CloudOperatorRinging, Offer: f.offerOf(c.ID)})))
	first := f.offerOf(c.ID)
	before := f.marksOf("anna")

	f.now = f.now.Add(2 * time.Minute) // Tandem was down past the lease
	ch = restartAt(t, f, store)
	of := settled(t, ch, first)
	if of.State != cc.OfferWithdrawn || !strings.Contains(of.Reason, "Tandem was down") {
		t.Fatalf("the offer after the restart = %s %q, want withdrawn: Tandem was down", of.State, of.Reason)
	}
	if len(ch.Commands) != 1 || ch.Commands[0].Type != cc.CommandCancel || ch.Commands[0].Offer != first {
		t.Fatalf("commands = %+v, want the old dial cancelled", ch.Commands)
	}
	f.unblamed("anna", before, 0)
	if got, _ := f.e.Call(c.ID); got.State != cc.CallWaiting || got.Offer != "" {
		t.Fatalf("call after the restart = %+v, want waiting in line", got)
	}
}

func TestOfferInFlightAcrossARestartIsNotAMiss(t *testing.T) {
	f := newFixture(t, "anna")
	store := newMemStore()
	store.apply(f.must(f.e.Connect(f.now, "anna")))
	store.apply(f.must(f.e.GoReady(f.now, "anna")))
	c, ch, err := f.e.Intake(f.now, cc.Intake{AccessURL: "http://cloud/x", DialedNumber: "+18005550100"})
	if err != nil {
		t.Fatal(err)
	}
	store.apply(ch)
	first := f.offerOf(c.ID)
	before := f.marksOf("anna")

	f.now = f.now.Add(5 * time.Second) // back before the lease ran out
	store.apply(restartAt(t, f, store))
	f.must(f.e.Connect(f.now, "anna"))
	if f.state("anna") != cc.OperatorReserved || f.offerOf(c.ID) != first {
		t.Fatalf("after the restart anna = %s, offer %s: want the offer kept", f.state("anna"), f.offerOf(c.ID))
	}
	f.now = f.now.Add(25 * time.Second)
	ch = f.e.Tick(f.now)
	of := settled(t, ch, first)
	if of.State != cc.OfferWithdrawn || !strings.Contains(of.Reason, "Tandem restarted while it rang") {
		t.Fatalf("the offer = %s %q", of.State, of.Reason)
	}
	// She is ready, and the call goes back to her: she is the only one.
	if m := f.marksOf("anna"); m.OffersMissed != before.OffersMissed || m.Score != before.Score || f.state("anna") != cc.OperatorReserved {
		t.Fatalf("anna = %s with marks %+v, were %+v", f.state("anna"), m, before)
	}
}

func TestPhoneUnreachableTakesHimOutWithoutMisses(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	id := f.intake()
	for i := 1; i <= cc.PhoneUnreachableAfter; i++ {
		f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudDialFailed, Offer: f.offerOf(id), Code: 480, Reason: "Temporarily Unavailable"}))
		want := cc.OperatorReserved // the call comes straight back to her: nobody else is free
		if i == cc.PhoneUnreachableAfter {
			want = cc.OperatorAway
		}
		if got := f.state("anna"); got != want {
			t.Fatalf("after %d unreached offers anna = %s, want %s", i, got, want)
		}
	}
	v, _ := f.e.View("anna")
	if !strings.HasPrefix(v.Status.Reason, "phone unreachable") {
		t.Fatalf("away reason = %q, want phone unreachable", v.Status.Reason)
	}
	if m := v.Status.Marks; m.OffersMissed != 0 || m.ConsecutiveMisses != 0 || m.AnswerRate != 1 || m.Score != 100 || m.Unreached != cc.PhoneUnreachableAfter {
		t.Fatalf("marks = %+v, want no misses", m)
	}
	// Back at work, his phone rings again: the count starts over.
	f.must(f.e.GoReady(f.now, "anna"))
	f.rings(id)
	if m := f.marksOf("anna"); m.Unreached != 0 {
		t.Fatalf("unreached after a ring = %d", m.Unreached)
	}
}

// TestRestartSendsThePendingDialAgain: the dial of an offer is sent after the offer is stored,
// so a crash between the two leaves an offer nobody dials; the caller would wait out its lease.
// The restart sends the dial again (the scenario ignores a dial for an offer it already has).
func TestRestartSendsThePendingDialAgain(t *testing.T) {
	f := newFixture(t, "anna")
	store := newMemStore()
	store.apply(f.must(f.e.Connect(f.now, "anna")))
	store.apply(f.must(f.e.GoReady(f.now, "anna")))
	c, ch, err := f.e.Intake(f.now, cc.Intake{AccessURL: "http://cloud/x", CallerNumber: "+15550001111", DialedNumber: "+18005550100"})
	if err != nil {
		t.Fatal(err)
	}
	store.apply(ch)
	offer := f.offerOf(c.ID)

	f.now = f.now.Add(8 * time.Second) // killed before the dial went out; back within the lease
	ch = restartAt(t, f, store)
	var dials []cc.Command
	for _, cmd := range ch.Commands {
		if cmd.Type == cc.CommandDial {
			dials = append(dials, cmd)
		}
	}
	if len(dials) != 1 {
		t.Fatalf("restart commands = %+v, want the pending offer's dial once", ch.Commands)
	}
	d := dials[0]
	if d.Offer != offer || d.Call != c.ID || d.AccessURL != "http://cloud/x" || d.Contact.Target != "anna" || d.CallerID != "+15550001111" {
		t.Fatalf("dial after the restart = %+v", d)
	}
	if d.Timeout <= 0 || d.Timeout > 12*time.Second {
		t.Fatalf("dial timeout %s: want what is left of the 20 s ring (12 s)", d.Timeout)
	}
}
