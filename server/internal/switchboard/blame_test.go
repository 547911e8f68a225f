package switchboard

import (
	"strings"
	"testing"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// TestUndeliveredDialGoesToTheNextOperator: when the sender could not deliver a dial (every
// attempt failed), the switchboard stores the offer as withdrawn with why, the operator's marks
// as they were, and dials the next operator.
func TestUndeliveredDialGoesToTheNextOperator(t *testing.T) {
	b := newBoardOn(t, stillClock{clock.NewFake(start)})
	ctx := t.Context()
	anna, _ := b.annaThenBoris(t)
	call := b.call(t)
	cmds := b.cloud.commands()
	dial := cmds[len(cmds)-1]
	if dial.Type != cc.CommandDial || dial.Contact.Target != "anna" {
		t.Fatalf("last command %+v, want anna dialed", dial)
	}
	before, _ := b.OperatorView(ctx, anna)
	b.db.stored()

	b.Undelivered(cc.Command{Type: cc.CommandDial, Call: call, Offer: dial.Offer}, "dial command failed 6 attempts, last: HTTP 500")

	after, _ := b.OperatorView(ctx, anna)
	if after.Status.State != cc.OperatorReady || after.Status.Marks.OffersMissed != 0 || after.Status.Marks.Score != before.Status.Marks.Score ||
		after.Status.Marks.AnswerRate != before.Status.Marks.AnswerRate || after.Status.Marks.ConsecutiveMisses != 0 {
		t.Fatalf("anna after an undelivered dial: %s %+v, was %+v", after.Status.State, after.Status.Marks, before.Status.Marks)
	}
	cmds = b.cloud.commands()
	if next := cmds[len(cmds)-1]; next.Type != cc.CommandDial || next.Contact.Target != "boris" {
		t.Fatalf("last command %+v, want boris dialed", next)
	}
	var stored *cc.Offer
	for _, ch := range b.db.stored() {
		for _, of := range ch.Offers {
			if of.ID == dial.Offer {
				stored = &of
			}
		}
	}
	if stored == nil || stored.State != cc.OfferWithdrawn || !strings.Contains(stored.Reason, "could not be delivered") {
		t.Fatalf("anna's offer stored as %+v, want withdrawn: the dial could not be delivered", stored)
	}
	_, offers, err := b.db.Call(ctx, call)
	if err != nil || len(offers) != 2 {
		t.Fatalf("offers of the call in the store: %+v %v", offers, err)
	}
}
