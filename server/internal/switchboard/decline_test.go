package switchboard

import (
	"testing"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// TestDeclineIsStoredAndCancelsTheLeg: anna declines the call offered to her. The step stores
// her offer declined and her declines, the cloud is told to stop ringing her and to dial boris.
// Declining it again, or boris declining her offer, or an unknown offer, is refused and stores
// nothing.
func TestDeclineIsStoredAndCancelsTheLeg(t *testing.T) {
	b := newBoardOn(t, clock.NewFake(start))
	ctx := t.Context()
	anna, boris := b.annaThenBoris(t)
	call, first := b.offered(t, anna)
	b.db.stored()

	v, err := b.DeclineOffer(ctx, cc.Decline{Offer: first, Operator: anna, Reason: "headset broken"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Status.State != cc.OperatorReady || v.Status.Marks.Declines != 1 || v.Status.Marks.OffersMissed != 0 {
		t.Fatalf("anna after declining: %s, marks %+v; want ready, 1 decline, no miss", v.Status.State, v.Status.Marks)
	}
	if of, err := b.db.Offer(ctx, first); err != nil || of.State != cc.OfferDeclined || of.Reason != "declined by the operator: headset broken" {
		t.Fatalf("stored offer %+v (%v), want declined with her reason", of, err)
	}
	if len(b.db.stored()) != 1 {
		t.Fatal("a decline is one step: one batch stored")
	}
	var cancelled, dialedBoris bool
	for _, cmd := range b.cloud.commands() {
		cancelled = cancelled || cmd.Type == cc.CommandCancel && cmd.Offer == first && cmd.Call == call
		dialedBoris = dialedBoris || cmd.Type == cc.CommandDial && cmd.Offer != first && cmd.Call == call && cmd.Contact.Target == "boris"
	}
	if !cancelled || !dialedBoris {
		t.Fatalf("commands %+v: want a cancel of %s and a dial to boris", b.cloud.commands(), first)
	}
	bv, _ := b.OperatorView(ctx, boris)
	if bv.Offer == nil {
		t.Fatal("boris has no offer after anna declined")
	}
	for what, c := range map[string]struct {
		d    cc.Decline
		code cc.Code
	}{
		"anna again":           {cc.Decline{Offer: first, Operator: anna}, cc.CodeFailedPrecondition},
		"anna on boris' offer": {cc.Decline{Offer: bv.Offer.Offer.ID, Operator: anna}, cc.CodePermissionDenied},
		"an unknown offer":     {cc.Decline{Offer: "offer_none", Operator: anna}, cc.CodeNotFound},
	} {
		if _, err := b.DeclineOffer(ctx, c.d); cc.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", what, err, c.code)
		}
	}
	for _, ch := range b.db.stored() {
		if !ch.Empty() {
			t.Errorf("a refused decline stored %+v", ch)
		}
	}
}

// TestDeclinesSurviveAReload: whoever declined a call is not offered it again after the engine
// is rebuilt from the store (as after a restart): anna declined, boris declines after the
// reload, and the call waits for someone else rather than ringing anna again.
func TestDeclinesSurviveAReload(t *testing.T) {
	b := newBoardOn(t, clock.NewFake(start))
	ctx := t.Context()
	anna, boris := b.annaThenBoris(t)
	call, offer := b.offered(t, anna)
	if _, err := b.DeclineOffer(ctx, cc.Decline{Offer: offer, Operator: anna}); err != nil {
		t.Fatal(err)
	}
	bv, _ := b.OperatorView(ctx, boris)
	if bv.Offer == nil {
		t.Fatal("boris has no offer after anna declined")
	}
	b.db.failOnce() // the next step is not stored: the engine is rebuilt from the store
	if _, err := b.ReportEvent(ctx, "req-2", call, cc.CloudEvent{Kind: cc.CloudOperatorRinging, Offer: bv.Offer.Offer.ID}); err == nil {
		t.Fatal("a step the store refused succeeded")
	}
	// Her app reconnects, as after a restart: she is ready and free.
	w, err := b.Watch(ctx, anna, true, "login-anna-again")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if _, err := b.DeclineOffer(ctx, cc.Decline{Offer: bv.Offer.Offer.ID, Operator: boris}); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.OperatorView(ctx, anna); v.Offer != nil || v.Status.State != cc.OperatorReady {
		t.Fatalf("anna after the reload and boris' decline: %s, offer %+v; want ready with no offer", v.Status.State, v.Offer)
	}
	if c, _, err := b.store.Call(ctx, call); err != nil || c.State != cc.CallWaiting || c.Offer != "" {
		t.Fatalf("call %+v (%v): want waiting with no offer", c, err)
	}
}
