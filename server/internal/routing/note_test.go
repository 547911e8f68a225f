package routing

import (
	"errors"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// answered puts a call through to name (who must be ready and get it) and returns it.
func (f *fixture) answered(name string) cc.CallID {
	f.t.Helper()
	id := f.intake()
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(id), RingTime: time.Second}))
	if got := f.state(name); got != cc.OperatorOnCall {
		f.t.Fatalf("%s = %s, want on_call", name, got)
	}
	return id
}

func (f *fixture) view(name string) cc.OperatorView {
	f.t.Helper()
	v, err := f.e.View(cc.OperatorID(name))
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

// The view names the call in hand with whom, on the call and in its wrap-up, not after.
func TestViewCarriesTheCallInHand(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	id := f.answered("anna")
	v := f.view("anna")
	if v.Call == nil || v.Call.ID != id || v.Call.CallerNumber != "+200" || v.Call.Queue != "support" || !v.Call.AnsweredAt.Equal(f.now) {
		t.Fatalf("on the call: view's call = %+v", v.Call)
	}
	f.now = f.now.Add(time.Minute)
	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller, TalkTime: time.Minute}))
	v = f.view("anna")
	if v.Status.State != cc.OperatorWrapUp || v.Call == nil || v.Call.ID != id || v.Call.CallerNumber != "+200" || !v.Call.EndedAt.Equal(f.now) {
		t.Fatalf("in wrap-up: %s, view's call = %+v", v.Status.State, v.Call)
	}
	f.now = f.now.Add(10 * time.Second)
	f.e.Tick(f.now)
	if v = f.view("anna"); v.Status.State != cc.OperatorReady || v.Call != nil {
		t.Fatalf("after wrap-up: %s, view's call = %+v", v.Status.State, v.Call)
	}
}

// After a restart the wrap-up's call comes back from the stored runtime.
func TestViewCarriesTheWrappedUpCallAfterLoad(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	id := f.answered("anna")
	ch := f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller, TalkTime: time.Minute}))
	var ended cc.Call
	for _, c := range ch.Calls {
		if c.ID == id {
			ended = c
		}
	}
	v := f.view("anna")
	q, _ := f.e.Queue("support")
	f.e.Load(f.now, []cc.Queue{q}, []cc.Operator{v.Operator}, cc.Runtime{Statuses: []cc.OperatorStatus{v.Status}, WrappedUp: []cc.Call{ended}})
	if v = f.view("anna"); v.Status.State != cc.OperatorWrapUp || v.Call == nil || v.Call.CallerNumber != "+200" {
		t.Fatalf("after load: %s, view's call = %+v", v.Status.State, v.Call)
	}
}

func TestSaveCallNote(t *testing.T) {
	f := newFixture(t, "anna", "boris")
	f.ready("anna")
	id := f.answered("anna")
	note := func(by string, n cc.CallNote, stored *cc.Call) (cc.Changes, error) {
		return f.e.SaveCallNote(f.now, cc.OperatorID(by), n, stored)
	}
	// While talking: kept, and the view shows it.
	ch := f.must(note("anna", cc.CallNote{Call: id, Note: "invoice"}, nil))
	if len(ch.Notes) != 1 || ch.Notes[0] != (cc.CallNote{Call: id, Note: "invoice"}) {
		t.Fatalf("notes = %+v", ch.Notes)
	}
	if v := f.view("anna"); v.Call.Note != "invoice" {
		t.Fatalf("view's note = %q", v.Call.Note)
	}
	f.now = f.now.Add(time.Minute)
	ch = f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller, TalkTime: time.Minute}))
	var ended cc.Call
	for _, c := range ch.Calls {
		if c.ID == id {
			ended = c
		}
	}
	if ended.Note != "invoice" {
		t.Fatalf("the ended call's note = %q", ended.Note)
	}
	// The wrap-up runs out before he is done typing: the note after it is still his to save.
	f.now = f.now.Add(10 * time.Second)
	f.e.Tick(f.now)
	if got := f.state("anna"); got != cc.OperatorReady {
		t.Fatalf("anna = %s", got)
	}
	ch = f.must(note("anna", cc.CallNote{Call: id, Note: "invoice; call back Monday"}, &ended))
	if len(ch.Notes) != 1 || ch.Notes[0].Note != "invoice; call back Monday" {
		t.Fatalf("notes after the wrap-up = %+v", ch.Notes)
	}

	// Refused, naming the field, changing nothing.
	long := make([]byte, cc.MaxNoteBytes+1)
	for i := range long {
		long[i] = 'x'
	}
	late := ended
	late.EndedAt = f.now.Add(-cc.NoteWindow - time.Second)
	for what, c := range map[string]struct {
		by     string
		n      cc.CallNote
		stored *cc.Call
		code   cc.Code
		field  string
	}{
		"another's call": {"boris", cc.CallNote{Call: id, Note: "mine"}, &ended, cc.CodePermissionDenied, "call_id"},
		"unknown call":   {"anna", cc.CallNote{Call: "call_none", Note: "x"}, nil, cc.CodeNotFound, "call_id"},
		"too long":       {"anna", cc.CallNote{Call: id, Note: string(long)}, &ended, cc.CodeInvalid, "note"},
		"too late":       {"anna", cc.CallNote{Call: id, Note: "x"}, &late, cc.CodeFailedPrecondition, "call_id"},
		"unknown him":    {"nobody", cc.CallNote{Call: id, Note: "x"}, &ended, cc.CodeNotFound, ""},
	} {
		ch, err := note(c.by, c.n, c.stored)
		var e *cc.Error
		if cc.ErrorCode(err) != c.code || (c.field != "" && (!errors.As(err, &e) || e.Field != c.field)) {
			t.Errorf("%s: %v, want %s on %q", what, err, c.code, c.field)
		}
		if !ch.Empty() {
			t.Errorf("%s changed %+v", what, ch)
		}
	}
	// A call offered to him but never answered is not his to note.
	f.must(f.e.GoAway(f.now, "anna", "lunch"))
	f.ready("boris")
	other := f.intake()
	offered, _ := f.e.Call(other)
	if _, err := note("boris", cc.CallNote{Call: other, Note: "x"}, &offered); cc.ErrorCode(err) != cc.CodePermissionDenied {
		t.Errorf("note on a call only offered: %v", err)
	}
}
