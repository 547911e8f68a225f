package routing

import (
	"strings"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// withRules gives the fixture's queue rules.
func (f *fixture) withRules(r cc.QueueRules) {
	f.t.Helper()
	q, _ := f.e.Queue("support")
	q.Rules = r
	f.must(f.e.UpdateQueue(f.now, q))
}

// rings reports that the operator's phone rings for the call's pending offer.
func (f *fixture) rings(id cc.CallID) {
	f.t.Helper()
	c, _ := f.e.Call(id)
	if c.Offer == "" {
		f.t.Fatal("no offer to ring")
	}
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorRinging, Offer: c.Offer}))
}

// miss makes the call's pending offer ring, then fail with 480, and returns the operator it
// was for.
func (f *fixture) miss(id cc.CallID) cc.OperatorID {
	f.t.Helper()
	c, _ := f.e.Call(id)
	if c.Offer == "" {
		f.t.Fatal("no offer to miss")
	}
	f.rings(id)
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudDialFailed, Offer: c.Offer, Code: 480}))
	return c.Operator
}

func TestAwayAfterConsecutiveMisses(t *testing.T) {
	f := newFixture(t, "anna")
	f.withRules(cc.QueueRules{AwayAfterMisses: 2})
	f.ready("anna")
	id := f.intake()
	f.miss(id)
	if got := f.state("anna"); got != cc.OperatorReserved {
		t.Fatalf("after one miss (limit 2) anna = %s, want offered the call again", got)
	}
	f.miss(id)
	if got := f.state("anna"); got != cc.OperatorAway {
		t.Fatalf("after two misses anna = %s", got)
	}
	v, _ := f.e.View("anna")
	if m := v.Status.Marks; m.OffersMissed != 2 || m.ConsecutiveMisses != 2 || m.Score >= 100 {
		t.Fatalf("marks = %+v", m)
	}
	// An answer resets the run of misses and raises the score again.
	f.must(f.e.GoReady(f.now, "anna"))
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(id), RingTime: 2 * time.Second}))
	v, _ = f.e.View("anna")
	if m := v.Status.Marks; m.ConsecutiveMisses != 0 || m.Score <= 64 {
		t.Fatalf("marks after an answer = %+v", m)
	}
}

func TestBansGrowAndEnd(t *testing.T) {
	f := newFixture(t, "anna")
	f.withRules(cc.QueueRules{AwayAfterMisses: 1, BanAfterMisses: 2, BanWindow: time.Hour, BanSteps: []time.Duration{5 * time.Minute, 15 * time.Minute}})
	f.ready("anna")
	id := f.intake()
	for ban, want := range []time.Duration{5 * time.Minute, 15 * time.Minute, 15 * time.Minute} {
		f.miss(id)
		if got := f.state("anna"); got != cc.OperatorAway {
			t.Fatalf("ban %d: after the first miss anna = %s", ban, got)
		}
		f.must(f.e.GoReady(f.now, "anna"))
		f.miss(id)
		v, _ := f.e.View("anna")
		if v.Status.State != cc.OperatorBanned || !v.Status.BannedUntil.Equal(f.now.Add(want)) || !strings.Contains(v.Status.Reason, "banned for") {
			t.Fatalf("ban %d: %+v", ban, v.Status)
		}
		if _, err := f.e.GoReady(f.now, "anna"); cc.ErrorCode(err) != cc.CodeFailedPrecondition {
			t.Fatalf("banned anna pressed Ready: %v", err)
		}
		due, _ := f.e.NextDeadline()
		if due.After(v.Status.BannedUntil) {
			t.Fatalf("next deadline %v is after the ban ends %v", due, v.Status.BannedUntil)
		}
		f.now = v.Status.BannedUntil
		f.e.Tick(f.now)
		if got := f.state("anna"); got != cc.OperatorAway {
			t.Fatalf("after the ban anna = %s, want away until she presses Ready", got)
		}
		f.must(f.e.GoReady(f.now, "anna"))
	}
}

func TestMissesOutsideTheWindowDoNotBan(t *testing.T) {
	f := newFixture(t, "anna")
	f.withRules(cc.QueueRules{AwayAfterMisses: 1, BanAfterMisses: 2, BanWindow: 10 * time.Minute, BanSteps: []time.Duration{5 * time.Minute}})
	f.ready("anna")
	id := f.intake()
	f.miss(id)
	f.now = f.now.Add(11 * time.Minute)
	f.must(f.e.GoReady(f.now, "anna"))
	f.miss(id)
	if got := f.state("anna"); got != cc.OperatorAway {
		t.Fatalf("two misses 11 minutes apart (window 10) gave %s", got)
	}
}

func TestSupervisorLiftsABan(t *testing.T) {
	f := newFixture(t, "anna")
	f.withRules(cc.QueueRules{AwayAfterMisses: 1, BanAfterMisses: 1, BanWindow: time.Hour, BanSteps: []time.Duration{time.Hour}})
	f.ready("anna")
	f.miss(f.intake())
	if got := f.state("anna"); got != cc.OperatorBanned {
		t.Fatalf("anna = %s", got)
	}
	f.must(f.e.LiftBan(f.now, "anna"))
	if got := f.state("anna"); got != cc.OperatorAway {
		t.Fatalf("after lifting anna = %s", got)
	}
	if _, err := f.e.LiftBan(f.now, "anna"); cc.ErrorCode(err) != cc.CodeFailedPrecondition {
		t.Fatalf("lifting again: %v", err)
	}
}

func TestLateAnswerOnAnExpiredOfferKeepsTheCall(t *testing.T) {
	f := newFixture(t, "anna", "boris")
	f.ready("anna")
	f.now = f.now.Add(time.Second)
	f.ready("boris")
	id := f.intake()
	first := f.offerOf(id)
	f.now = f.now.Add(25 * time.Second)
	f.e.Tick(f.now) // anna's lease runs out; boris is offered the call
	if got := f.state("boris"); got != cc.OperatorReserved {
		t.Fatalf("boris = %s", got)
	}
	// ...but anna's phone was answered after all: the call is hers, boris is freed.
	ch := f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: first, RingTime: 24 * time.Second}))
	c, _ := f.e.Call(id)
	if c.State != cc.CallConnected || c.Operator != "anna" {
		t.Fatalf("call after a late answer = %+v", c)
	}
	if f.state("anna") != cc.OperatorOnCall || f.state("boris") != cc.OperatorReady {
		t.Fatalf("anna %s, boris %s", f.state("anna"), f.state("boris"))
	}
	if len(ch.Commands) != 1 || ch.Commands[0].Type != cc.CommandCancel {
		t.Fatalf("commands = %+v, want boris's dial cancelled", ch.Commands)
	}
}

func TestCallPriorityGoesFirst(t *testing.T) {
	f := newFixture(t, "anna")
	plain, _, _ := f.e.Intake(f.now, cc.Intake{AccessURL: "u", DialedNumber: "+18005550100"})
	f.now = f.now.Add(time.Minute)
	vip, _, _ := f.e.Intake(f.now, cc.Intake{AccessURL: "u", DialedNumber: "+18005550100", Priority: 10})
	if p := f.e.Position(vip.ID); p != 1 {
		t.Fatalf("VIP position = %d", p)
	}
	f.ready("anna")
	if f.offerOf(vip.ID) == "" || f.offerOf(plain.ID) != "" {
		t.Fatal("the VIP call was not offered first")
	}
}

func TestWaitingCallersHearTheirPosition(t *testing.T) {
	f := newFixture(t)
	f.withRules(cc.QueueRules{AnnounceEvery: 30 * time.Second})
	first := f.intake()
	second := f.intake()
	f.now = f.now.Add(30 * time.Second)
	ch := f.e.Tick(f.now)
	said := map[cc.CallID]string{}
	for _, cmd := range ch.Commands {
		if cmd.Type == cc.CommandSay {
			said[cmd.Call] = cmd.Text
		}
	}
	if said[first] != "You are next in line." || said[second] != "You are number 2 in line." {
		t.Fatalf("announcements = %v", said)
	}
	if due, _ := f.e.NextDeadline(); !due.Equal(f.now.Add(30 * time.Second)) {
		t.Fatalf("next announcement at %v", due)
	}
}

func TestSweeperEndsCallsTheCloudForgot(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	id := f.intake()
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(id)}))
	waiting := f.intake()
	f.now = f.now.Add(2 * time.Hour)
	ch := f.e.Tick(f.now)
	if _, live := f.e.Call(waiting); live {
		t.Fatal("a call waiting two hours without a word is still in line")
	}
	if _, live := f.e.Call(id); !live {
		t.Fatal("a connected call was swept after two hours")
	}
	if len(ch.Repairs) != 1 || ch.Repairs[0].Kind != "stale_waiting_call" || f.e.Repairs()["stale_waiting_call"] != 1 {
		t.Fatalf("repairs = %+v", ch.Repairs)
	}
	f.now = f.now.Add(10 * time.Hour)
	f.e.Tick(f.now)
	if _, live := f.e.Call(id); live {
		t.Fatal("a connected call silent for twelve hours is still live")
	}
	if got := f.state("anna"); got != cc.OperatorReady {
		t.Fatalf("anna after her call was swept = %s", got)
	}
}
