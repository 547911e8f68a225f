package switchboard

import (
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// TestRingAllIsStoredWholeAndSurvivesAReload: a ring_all call rings anna and boris at once;
// both legs are stored pending, both dialed with ring_all. The engine is rebuilt from the
// store (as after kill -9); boris answers: his leg is stored answered, anna's cancelled (not a
// miss: she is ready, her marks as they were), the cloud is told to stop ringing her, and
// her late answer is hung up.
func TestRingAllIsStoredWholeAndSurvivesAReload(t *testing.T) {
	b := newBoardOn(t, clock.NewFake(start))
	ctx := t.Context()
	var q cc.Queue
	_ = b.do(ctx, func(time.Time) (cc.Changes, error) { q, _ = b.engine.Queue("q"); return cc.Changes{}, nil })
	q.Strategy, q.RingAtOnce = cc.StrategyRingAll, 2
	if err := b.UpdateQueue(ctx, q); err != nil {
		t.Fatal(err)
	}
	anna, boris := b.annaThenBoris(t)
	call := b.call(t)
	legs := map[cc.OperatorID]cc.OfferID{}
	for _, id := range []cc.OperatorID{anna, boris} {
		v, err := b.OperatorView(ctx, id)
		if err != nil || v.Offer == nil || v.Status.State != cc.OperatorReserved {
			t.Fatalf("%s's view %+v (%v): want reserved for his leg", id, v, err)
		}
		legs[id] = v.Offer.Offer.ID
		if of, err := b.db.Offer(ctx, legs[id]); err != nil || of.State != cc.OfferPending || of.Call != call {
			t.Fatalf("stored leg %+v (%v), want pending", of, err)
		}
	}
	for _, cmd := range b.cloud.commands() {
		if cmd.Type == cc.CommandDial && !cmd.RingAll {
			t.Fatalf("dial %+v without ring_all", cmd)
		}
	}
	before, _ := b.OperatorView(ctx, anna)

	b.db.failOnce() // the next step is not stored: the engine is rebuilt from the store
	if _, err := b.ReportEvent(ctx, "req-2", call, cc.CloudEvent{Kind: cc.CloudOperatorRinging, Offer: legs[anna]}); err == nil {
		t.Fatal("a step the store refused succeeded")
	}
	for _, id := range []cc.OperatorID{anna, boris} { // their apps reconnect
		w, err := b.Watch(ctx, id, true, "login-again-"+string(id))
		if err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
	}
	if _, err := b.ReportEvent(ctx, "req-3", call, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: legs[boris], RingTime: 2 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if of, err := b.db.Offer(ctx, legs[boris]); err != nil || of.State != cc.OfferAnswered {
		t.Fatalf("boris's leg %+v (%v), want answered", of, err)
	}
	if of, err := b.db.Offer(ctx, legs[anna]); err != nil || of.State != cc.OfferCancelled {
		t.Fatalf("anna's leg %+v (%v), want cancelled", of, err)
	}
	if c, _, err := b.store.Call(ctx, call); err != nil || c.State != cc.CallConnected || c.Operator != boris {
		t.Fatalf("stored call %+v (%v), want connected to boris", c, err)
	}
	v, _ := b.OperatorView(ctx, anna)
	if v.Status.State != cc.OperatorReady || v.Status.Marks.OffersMissed != before.Status.Marks.OffersMissed || !v.Status.IdleSince.Equal(before.Status.IdleSince) {
		t.Fatalf("anna after boris answered: %s, marks %+v, idle since %v; want ready, no miss, her place kept", v.Status.State, v.Status.Marks, v.Status.IdleSince)
	}
	cancelled := 0
	for _, cmd := range b.cloud.commands() {
		if cmd.Type == cc.CommandCancel && cmd.Offer == legs[anna] {
			cancelled++
		}
	}
	if cancelled != 1 {
		t.Fatalf("%d cancels of anna's leg sent, want 1", cancelled)
	}
	reply, err := b.ReportEvent(ctx, "req-4", call, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: legs[anna], RingTime: 2 * time.Second})
	if err != nil || reply.Next == nil || reply.Next.Type != cc.CommandCancel || reply.Next.Offer != legs[anna] {
		t.Fatalf("anna's late answer: %+v (%v), want her leg hung up", reply, err)
	}
	if c, _, _ := b.store.Call(ctx, call); c.Operator != boris {
		t.Fatalf("the call went to %s", c.Operator)
	}
}
