package switchboard

import (
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// TestPartiesSurviveAReload: an operator's party leg is stored with its call, so an engine
// rebuilt from the store (as after a restart) still knows it: the operator stays reserved for
// it and its answer puts him on the call; an add_party the scenario refused ends the leg.
func TestPartiesSurviveAReload(t *testing.T) {
	b := newBoardOn(t, clock.NewFake(start))
	ctx := t.Context()
	anna, boris := b.operator(t, "anna"), b.operator(t, "boris")
	b.ready(t, anna)
	call := b.answered(t, anna)
	b.ready(t, boris)

	p, c, err := b.AddToCall(ctx, call, anna, cc.Contact{}, boris)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Parties) != 1 || c.Parties[0].ID != p.ID || c.Parties[0].Operator != boris {
		t.Fatalf("stored call's parties %+v", c.Parties)
	}
	b.db.failOnce() // the next step is not stored: the engine is rebuilt from the store
	if _, err := b.ReportEvent(ctx, "req-3", call, cc.CloudEvent{Kind: cc.CloudPartyRinging, Party: p.ID}); err == nil {
		t.Fatal("a step the store refused succeeded")
	}
	if v, _ := b.OperatorView(ctx, boris); v.Status.State != cc.OperatorReserved || v.Status.Call != call {
		t.Fatalf("boris after the reload: %+v", v.Status)
	}
	// The reloaded engine knows the leg: its answer puts boris on the call.
	if _, err := b.ReportEvent(ctx, "req-4", call, cc.CloudEvent{Kind: cc.CloudPartyJoined, Party: p.ID, RingTime: 2 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.OperatorView(ctx, boris); v.Status.State != cc.OperatorOnCall || v.Status.Call != call {
		t.Fatalf("boris after answering the reloaded leg: %+v", v.Status)
	}
	stored, _, err := b.store.Call(ctx, call)
	if err != nil || len(stored.Parties) != 1 || stored.Parties[0].State != cc.PartyJoined {
		t.Fatalf("stored parties %+v (%v)", stored.Parties, err)
	}

	q, _, err := b.AddToCall(ctx, call, anna, cc.Contact{Kind: cc.ContactPSTN, Target: "+14155550177"}, "")
	if err != nil {
		t.Fatal(err)
	}
	b.Undelivered(cc.Command{Type: cc.CommandAddParty, Call: call, Party: q.ID}, "the scenario did not add_party: no talk")
	stored, _, _ = b.store.Call(ctx, call)
	if got, _ := stored.PartyOf(q.ID); got.State != cc.PartyFailed || got.Reason != "add_party failed: the scenario did not add_party: no talk" {
		t.Fatalf("refused party %+v", got)
	}
}
