package routing

import (
	"errors"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

func callIn(t *testing.T, ch cc.Changes, id cc.CallID) cc.Call {
	t.Helper()
	for i := len(ch.Calls) - 1; i >= 0; i-- {
		if ch.Calls[i].ID == id {
			return ch.Calls[i]
		}
	}
	t.Fatalf("call %s not in the changes: %+v", id, ch.Calls)
	return cc.Call{}
}

func commandTypes(ch cc.Changes) []cc.CommandType {
	var out []cc.CommandType
	for _, c := range ch.Commands {
		out = append(out, c.Type)
	}
	return out
}

// A hold sends the queue's music to the call's session and is stored; a second hold changes
// nothing; resume sends resume and adds the hold to the call's hold time; the call's end closes
// a hold still in progress, so the stored call counts it, and its talk is no shorter.
func TestHoldAndResumeAreCountedOnce(t *testing.T) {
	f := newFixture(t, "anna")
	f.must(f.e.UpdateQueue(f.now, cc.Queue{ID: "support", DialedNumbers: []string{"+18005550100"}, OfferTimeout: 20 * time.Second, WrapUp: 10 * time.Second, IsDefault: true, HoldMusicURL: "https://cdn.example/hold.mp3"}))
	f.ready("anna")
	id := f.answered("anna")

	f.now = f.now.Add(10 * time.Second)
	ch := f.must(f.e.HoldCall(f.now, id, "anna", nil))
	if len(ch.Commands) != 1 || ch.Commands[0].Type != cc.CommandHold || ch.Commands[0].MusicURL != "https://cdn.example/hold.mp3" || ch.Commands[0].AccessURL != "http://cloud/x" {
		t.Fatalf("hold: commands = %+v", ch.Commands)
	}
	if c := callIn(t, ch, id); !c.HeldSince.Equal(f.now) {
		t.Fatalf("hold: stored call held since %v, want %v", c.HeldSince, f.now)
	}
	if v := f.view("anna"); v.Call == nil || !v.Call.HeldSince.Equal(f.now) {
		t.Fatalf("hold: view's call = %+v", v.Call)
	}
	f.now = f.now.Add(5 * time.Second)
	if ch := f.must(f.e.HoldCall(f.now, id, "anna", nil)); len(ch.Commands) != 0 || len(ch.Calls) != 0 {
		t.Fatalf("second hold changed %+v", ch)
	}
	f.now = f.now.Add(15 * time.Second)
	ch = f.must(f.e.ResumeCall(f.now, id, "anna", nil))
	if got := commandTypes(ch); len(got) != 1 || got[0] != cc.CommandResume {
		t.Fatalf("resume: commands = %v", got)
	}
	if c := callIn(t, ch, id); !c.HeldSince.IsZero() || c.HoldTime != 20*time.Second {
		t.Fatalf("resume: held since %v, hold time %v; want none, 20s", c.HeldSince, c.HoldTime)
	}
	if ch := f.must(f.e.ResumeCall(f.now, id, "anna", nil)); len(ch.Commands) != 0 || len(ch.Calls) != 0 {
		t.Fatalf("second resume changed %+v", ch)
	}

	f.must(f.e.HoldCall(f.now, id, "anna", nil))
	f.now = f.now.Add(7 * time.Second)
	// A scenario that clocked less talk than the holds: talk includes the holds, so it is raised.
	ch = f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller, TalkTime: 5 * time.Second}))
	if c := callIn(t, ch, id); !c.HeldSince.IsZero() || c.HoldTime != 27*time.Second || c.TalkTime != 27*time.Second {
		t.Fatalf("ended on hold: held since %v, hold time %v, talk %v; want none, 27s, 27s", c.HeldSince, c.HoldTime, c.TalkTime)
	}
}

// Only the operator on the call may hold it, and only while it is connected: refusals name
// call_id and change nothing.
func TestHoldRefusals(t *testing.T) {
	f := newFixture(t, "anna", "boris")
	f.ready("anna")
	id := f.answered("anna")
	waiting := f.intake()
	ended := cc.Call{ID: "gone", State: cc.CallEnded, Operator: "anna", AnsweredAt: f.now, EndedAt: f.now}
	for _, tc := range []struct {
		name string
		run  func() (cc.Changes, error)
		code cc.Code
	}{
		{"someone else's call", func() (cc.Changes, error) { return f.e.HoldCall(f.now, id, "boris", nil) }, cc.CodePermissionDenied},
		{"someone else's resume", func() (cc.Changes, error) { return f.e.ResumeCall(f.now, id, "boris", nil) }, cc.CodePermissionDenied},
		{"a waiting call", func() (cc.Changes, error) { return f.e.HoldCall(f.now, waiting, "anna", nil) }, cc.CodePermissionDenied},
		{"an ended call", func() (cc.Changes, error) { return f.e.HoldCall(f.now, "gone", "anna", &ended) }, cc.CodeFailedPrecondition},
		{"an unknown call", func() (cc.Changes, error) { return f.e.HoldCall(f.now, "nope", "anna", nil) }, cc.CodeNotFound},
	} {
		ch, err := tc.run()
		var e *cc.Error
		if !errors.As(err, &e) || e.Code != tc.code || e.Field != "call_id" {
			t.Errorf("%s: err = %v, want %s on call_id", tc.name, err, tc.code)
		}
		if len(ch.Calls) != 0 || len(ch.Commands) != 0 {
			t.Errorf("%s: changed %+v", tc.name, ch)
		}
	}
	if v := f.view("anna"); !v.Call.HeldSince.IsZero() {
		t.Fatalf("a refused hold held the call: %+v", v.Call)
	}
}

// A hold the scenario did not carry out is taken back, and the operator's view says why.
func TestUndeliveredHoldIsTakenBack(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	id := f.answered("anna")
	ch := f.must(f.e.HoldCall(f.now, id, "anna", nil))
	ch = f.e.HoldUndelivered(f.now.Add(time.Second), ch.Commands[0], "no media")
	if c := callIn(t, ch, id); !c.HeldSince.IsZero() || c.HoldTime != 0 {
		t.Fatalf("after the failed hold: %+v", c)
	}
	if v := f.view("anna"); v.HoldFailure != "hold failed: no media" {
		t.Fatalf("view's hold failure = %q", v.HoldFailure)
	}
	f.must(f.e.HoldCall(f.now, id, "anna", nil))
	if v := f.view("anna"); v.HoldFailure != "" || v.Call.HeldSince.IsZero() {
		t.Fatalf("a new hold keeps the old failure: %+v", v)
	}
}

// A held call whose session is lost ends its hold: nothing stays held on a finished call.
func TestLostCallEndsItsHold(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	id := f.answered("anna")
	f.must(f.e.HoldCall(f.now, id, "anna", nil))
	f.now = f.now.Add(5 * time.Second)
	ch := f.e.SessionGone(f.now, id, "gone")
	if c := callIn(t, ch, id); c.State != cc.CallLost || !c.HeldSince.IsZero() || c.HoldTime != 5*time.Second {
		t.Fatalf("lost while held: %+v", c)
	}
}
