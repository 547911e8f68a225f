package switchboard

import (
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// TestNoteAfterTheWrapUpRanOutIsStored: the wrap-up runs out (the engine ends it itself) before
// the operator saved his note; SaveCallNote after it stores the note, and a later one replaces
// it. His view names the caller on the call and in the wrap-up. Notes on another's call or an
// unknown one are refused and store nothing.
func TestNoteAfterTheWrapUpRanOutIsStored(t *testing.T) {
	b := newBoardOn(t, clock.NewFake(start))
	ctx := t.Context()
	q, err := b.Queue(ctx, "q")
	if err != nil {
		t.Fatal(err)
	}
	q.WrapUp = 10 * time.Second
	if err := b.UpdateQueue(ctx, q); err != nil {
		t.Fatal(err)
	}
	anna, boris := b.operator(t, "anna"), b.operator(t, "boris")
	w := b.ready(t, anna)
	call := b.answered(t, anna)
	if v, _ := b.OperatorView(ctx, anna); v.Status.State != cc.OperatorOnCall || v.Call == nil || v.Call.CallerNumber != "+15550001" || v.Call.CallerName != "Jane" {
		t.Fatalf("on the call: %s, call %+v", v.Status.State, v.Call)
	}
	if _, err := b.ReportEvent(ctx, "req-3", call, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller, TalkTime: time.Second}); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.OperatorView(ctx, anna); v.Status.State != cc.OperatorWrapUp || v.Call == nil || v.Call.CallerNumber != "+15550001" {
		t.Fatalf("in wrap-up: %s, call %+v", v.Status.State, v.Call)
	}

	// The wrap-up runs out: the engine's own deadline makes her ready.
	b.clock.Advance(10 * time.Second)
	for w.View().Status.State != cc.OperatorReady {
		<-w.Changed()
	}
	if err := b.SaveCallNote(ctx, anna, cc.CallNote{Call: call, Note: "invoice"}); err != nil {
		t.Fatal(err)
	}
	if c, _, err := b.db.Call(ctx, call); err != nil || c.Note != "invoice" {
		t.Fatalf("stored note %q (%v)", c.Note, err)
	}
	b.clock.Advance(cc.NoteWindow - 20*time.Second)
	if err := b.SaveCallNote(ctx, anna, cc.CallNote{Call: call, Note: "invoice; call back Monday"}); err != nil {
		t.Fatal(err)
	}
	b.db.stored()
	for what, c := range map[string]struct {
		by   cc.OperatorID
		call cc.CallID
		code cc.Code
	}{
		"boris on anna's call": {boris, call, cc.CodePermissionDenied},
		"an unknown call":      {anna, "call_none", cc.CodeNotFound},
	} {
		if err := b.SaveCallNote(ctx, c.by, cc.CallNote{Call: c.call, Note: "mine"}); cc.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", what, err, c.code)
		}
	}
	b.clock.Advance(time.Minute) // past the window
	if err := b.SaveCallNote(ctx, anna, cc.CallNote{Call: call, Note: "too late"}); cc.ErrorCode(err) != cc.CodeFailedPrecondition {
		t.Errorf("after the window: %v", err)
	}
	for _, ch := range b.db.stored() {
		if len(ch.Notes) > 0 {
			t.Errorf("a refused note stored %+v", ch.Notes)
		}
	}
	if c, _, err := b.db.Call(ctx, call); err != nil || c.Note != "invoice; call back Monday" {
		t.Fatalf("stored note %q (%v), want the latest of hers", c.Note, err)
	}
}
