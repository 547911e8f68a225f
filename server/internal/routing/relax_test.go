package routing

import (
	"errors"
	"strings"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// relaxFixture: support takes level 3 and up at first, level 2 after 30 s, the operators of
// sales too after 60 s, everyone after 90 s. lena serves support at 1, boris at 2, sam only
// sales (at 3).
func relaxFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	f.queue(cc.Queue{ID: "sales", DialedNumbers: []string{"+18005550200"}, OfferTimeout: 20 * time.Second})
	for _, o := range []struct {
		name  string
		queue cc.QueueID
		level int
	}{{"lena", "support", 1}, {"boris", "support", 2}, {"sam", "sales", 3}} {
		f.must(f.e.CreateOperator(f.now, cc.Operator{ID: cc.OperatorID(o.name), Name: o.name, Contact: cc.Contact{Kind: cc.ContactUser, Target: o.name},
			Queues: []cc.QueueSkill{{Queue: o.queue, Level: o.level}}}))
	}
	r := cc.DefaultRules()
	r.Relax = supportRelax()
	f.withRules(r)
	return f
}

func supportRelax() cc.Relaxation {
	return cc.Relaxation{MinLevel: 3, Steps: []cc.RelaxStep{
		{After: 30 * time.Second, MinLevel: 2},
		{After: 60 * time.Second, AlsoQueues: []cc.QueueID{"sales"}},
		{After: 90 * time.Second, MinLevel: 1},
	}}
}

func (f *fixture) deadline() time.Time {
	f.t.Helper()
	next, ok := f.e.NextDeadline()
	if !ok {
		f.t.Fatal("no deadline")
	}
	return next
}

// TestRelaxationWakesAtEachStep: a call nobody free may take waits; the engine wakes at the
// call's next step, and the operator the step brings in gets it then, the decision naming the
// step and why the others were left out.
func TestRelaxationWakesAtEachStep(t *testing.T) {
	f := relaxFixture(t)
	f.ready("lena")
	f.ready("sam")
	id := f.intake()
	if f.offerOf(id) != "" {
		t.Fatal("offered before any step: nobody free is of level 3")
	}
	if got := f.deadline(); !got.Equal(t0.Add(30 * time.Second)) {
		t.Fatalf("next deadline %v, want the first step at +30s", got.Sub(t0))
	}
	f.now = t0.Add(30 * time.Second)
	if ch := f.e.Tick(f.now); len(ch.Offers) != 0 {
		t.Fatalf("offered at the level-2 step with only lena (level 1) and sam (sales) free: %+v", ch.Offers)
	}
	if got := f.deadline(); !got.Equal(t0.Add(60 * time.Second)) {
		t.Fatalf("next deadline %v, want the second step at +60s", got.Sub(t0))
	}
	f.now = t0.Add(60 * time.Second)
	ch := f.e.Tick(f.now)
	if c, _ := f.e.Call(id); c.Operator != "sam" || len(ch.Decisions) != 1 {
		t.Fatalf("at the sales step: call %+v, decisions %+v; want sam", c, ch.Decisions)
	}
	d := ch.Decisions[0]
	if d.Relax == nil || d.Relax.Step != 2 || d.Relax.MinLevel != 2 || len(d.Relax.Also) != 1 || d.RelaxText != "relaxed at 1m0s: operators of sales too" {
		t.Fatalf("decision's relaxation %+v %q", d.Relax, d.RelaxText)
	}
	if !strings.HasSuffix(d.Rule, "; relaxed at 1m0s: operators of sales too") {
		t.Errorf("rule %q does not name the step", d.Rule)
	}
	if d.ExcludedByReason["level 1 below 2"] != 1 || d.ExcludedCount != 2 { // lena below; boris offline
		t.Errorf("excluded %d by reason %v", d.ExcludedCount, d.ExcludedByReason)
	}
	found := false
	for _, c := range d.Candidates {
		if c.Operator == "lena" {
			found = c.ExcludedBecause == "level 1 below 2" && !c.Eligible
		}
	}
	if !found {
		t.Errorf("lena is not listed as below the level: %+v", d.Candidates)
	}
	// The call stays support's: its offer runs on support's timeout, sam's miss counts there.
	if c, _ := f.e.Call(id); c.Queue != "support" {
		t.Errorf("call moved to %s", c.Queue)
	}
}

// TestRelaxationLetsInAnOperatorWhoBecomesFree: at a step, the operator the step admits gets
// the call as he becomes free; one the step does not admit yet does not.
func TestRelaxationLetsInAnOperatorWhoBecomesFree(t *testing.T) {
	f := relaxFixture(t)
	id := f.intake()
	f.now = t0.Add(10 * time.Second)
	f.ready("boris") // level 2: not yet
	if f.offerOf(id) != "" {
		t.Fatal("boris (level 2) got a call that takes level 3 for 30 s")
	}
	f.now = t0.Add(30 * time.Second)
	f.e.Tick(f.now)
	if c, _ := f.e.Call(id); c.Operator != "boris" {
		t.Fatalf("at +30s: call %+v, want boris", c)
	}
}

// TestRelaxationLooksPastAStricterCallFirstInLine: a VIP call first in line is still at its
// strict start; a call behind it, of a lower priority, waited past the step: the operator the
// step admits takes the later call, not nobody.
func TestRelaxationLooksPastAStricterCallFirstInLine(t *testing.T) {
	f := relaxFixture(t)
	old, _, err := f.e.Intake(f.now, cc.Intake{AccessURL: "http://cloud/x", CallerNumber: "+201", DialedNumber: "+18005550100"})
	if err != nil {
		t.Fatal(err)
	}
	f.now = t0.Add(40 * time.Second)
	vip, _, err := f.e.Intake(f.now, cc.Intake{AccessURL: "http://cloud/y", CallerNumber: "+202", DialedNumber: "+18005550100", Priority: 5})
	if err != nil {
		t.Fatal(err)
	}
	f.ready("boris")
	if c, _ := f.e.Call(old.ID); c.Operator != "boris" {
		t.Fatalf("the call at its level-2 step: %+v, want boris", c)
	}
	if c, _ := f.e.Call(vip.ID); c.Offer != "" {
		t.Fatalf("the VIP call at its start went to %s (level 2)", c.Operator)
	}
}

// TestRelaxationSurvivesARestart: the step is worked out from the stored arrival.
func TestRelaxationSurvivesARestart(t *testing.T) {
	f := relaxFixture(t)
	store := newMemStore()
	store.apply(f.must(f.e.Connect(f.now, "boris")))
	store.apply(f.must(f.e.GoReady(f.now, "boris")))
	c, ch, err := f.e.Intake(f.now, cc.Intake{AccessURL: "http://cloud/x", DialedNumber: "+18005550100"})
	if err != nil {
		t.Fatal(err)
	}
	store.apply(ch)
	if c.Offer != "" {
		t.Fatal("offered at once")
	}
	var queues []cc.Queue
	for _, id := range []cc.QueueID{"support", "sales"} {
		q, _ := f.e.Queue(id)
		queues = append(queues, q)
	}
	var ops []cc.Operator
	for _, n := range []cc.OperatorID{"lena", "boris", "sam"} {
		o, _ := f.e.Operator(n)
		ops = append(ops, o)
	}
	f.now = t0.Add(20 * time.Second)
	f.e = New(f.e.cfg)
	store.apply(f.e.Load(f.now, queues, ops, store.runtime()))
	store.apply(f.must(f.e.Connect(f.now, "boris")))
	if got, _ := f.e.Call(c.ID); got.Offer != "" {
		t.Fatal("offered after the restart before the step")
	}
	if got := f.deadline(); !got.Equal(t0.Add(30 * time.Second)) {
		t.Fatalf("after the restart the next deadline is %v, want the step at +30s", got.Sub(t0))
	}
	f.now = t0.Add(30 * time.Second)
	f.e.Tick(f.now)
	if got, _ := f.e.Call(c.ID); got.Operator != "boris" {
		t.Fatalf("after the restart, at the step: %+v, want boris", got)
	}
}

// TestRelaxationQueuesMustExist: a step naming an unknown queue is refused, naming the field,
// and nothing changes.
func TestRelaxationQueuesMustExist(t *testing.T) {
	f := newFixture(t)
	q, _ := f.e.Queue("support")
	q.Rules.Relax = cc.Relaxation{Steps: []cc.RelaxStep{{After: time.Minute, AlsoQueues: []cc.QueueID{"nosuch"}}}}
	_, err := f.e.UpdateQueue(f.now, q)
	var ce *cc.Error
	if !errors.As(err, &ce) || ce.Code != cc.CodeNotFound || ce.Field != "queue.relax[0].also_queue_ids[0]" {
		t.Fatalf("err = %v", err)
	}
	if got, _ := f.e.Queue("support"); got.Rules.Relax.Active() {
		t.Fatal("the refused relaxation was saved")
	}
}

// TestRelaxationSetWhileCallsWait: a relaxation given to a queue with a call waiting takes
// effect for it at once, and the engine wakes at its step.
func TestRelaxationSetWhileCallsWait(t *testing.T) {
	f := relaxFixture(t)
	r := cc.DefaultRules()
	f.withRules(r) // no relaxation
	id := f.intake()
	f.e.NextDeadline() // cached
	r.Relax = supportRelax()
	f.withRules(r)
	f.now = t0.Add(10 * time.Second)
	f.ready("lena") // level 1: not before +90s
	if f.offerOf(id) != "" {
		t.Fatal("lena got the call at its start")
	}
	if got := f.deadline(); !got.Equal(t0.Add(30 * time.Second)) {
		t.Fatalf("next deadline %v, want the first step at +30s", got.Sub(t0))
	}
	f.now = t0.Add(90 * time.Second)
	f.e.Tick(f.now)
	if c, _ := f.e.Call(id); c.Operator != "lena" {
		t.Fatalf("at +90s: %+v, want lena", c)
	}
}
