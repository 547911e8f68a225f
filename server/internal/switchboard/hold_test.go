package switchboard

import (
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
)

func typesOf(cmds []cc.Command) []cc.CommandType {
	var out []cc.CommandType
	for _, c := range cmds {
		out = append(out, c.Type)
	}
	return out
}

// TestHoldIsStoredAndSent: HoldCall stores the hold and sends hold with the queue's music; a
// second hold sends nothing; ResumeCall stores the hold time and sends resume; a hold the
// scenario did not carry out is taken back in the store and shown to the operator; a hold on
// another's call or an ended one is refused and stores nothing.
func TestHoldIsStoredAndSent(t *testing.T) {
	b := newBoardOn(t, clock.NewFake(start))
	ctx := t.Context()
	q, err := b.Queue(ctx, "q")
	if err != nil {
		t.Fatal(err)
	}
	q.HoldMusicURL = "https://cdn.example/hold.mp3"
	if err := b.UpdateQueue(ctx, q); err != nil {
		t.Fatal(err)
	}
	anna, boris := b.operator(t, "anna"), b.operator(t, "boris")
	b.ready(t, anna)
	call := b.answered(t, anna)
	sent := len(b.cloud.commands())

	c, err := b.HoldCall(ctx, call, anna)
	if err != nil || !c.HeldSince.Equal(start) {
		t.Fatalf("hold: %+v, %v", c, err)
	}
	if _, err := b.HoldCall(ctx, call, anna); err != nil {
		t.Fatal(err)
	}
	cmds := b.cloud.commands()[sent:]
	if len(cmds) != 1 || cmds[0].Type != cc.CommandHold || cmds[0].MusicURL != q.HoldMusicURL || cmds[0].AccessURL != "http://cloud/s1" {
		t.Fatalf("sent %+v, want one hold with the queue's music", cmds)
	}
	if _, err := b.HoldCall(ctx, call, boris); cc.ErrorCode(err) != cc.CodePermissionDenied {
		t.Fatalf("boris holds anna's call: %v", err)
	}
	b.clock.Advance(30 * time.Second)
	if c, err = b.ResumeCall(ctx, call, anna); err != nil || !c.HeldSince.IsZero() || c.HoldTime != 30*time.Second {
		t.Fatalf("resume: %+v, %v", c, err)
	}
	if got := typesOf(b.cloud.commands()[sent:]); len(got) != 2 || got[1] != cc.CommandResume {
		t.Fatalf("sent %v, want hold, resume", got)
	}

	if _, err := b.HoldCall(ctx, call, anna); err != nil {
		t.Fatal(err)
	}
	b.Undelivered(cc.Command{Type: cc.CommandHold, Call: call}, "the scenario did not hold: no media")
	stored, _, err := b.store.Call(ctx, call)
	if err != nil || !stored.HeldSince.IsZero() || stored.HoldTime != 30*time.Second {
		t.Fatalf("stored after the failed hold: %+v, %v", stored, err)
	}
	if v, _ := b.OperatorView(ctx, anna); v.HoldFailure != "hold failed: the scenario did not hold: no media" {
		t.Fatalf("anna's view says %q", v.HoldFailure)
	}

	if _, err := b.ReportEvent(ctx, "req-3", call, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller, TalkTime: time.Minute}); err != nil {
		t.Fatal(err)
	}
	n := len(b.cloud.commands())
	if _, err := b.HoldCall(ctx, call, anna); cc.ErrorCode(err) != cc.CodeFailedPrecondition {
		t.Fatalf("hold of the ended call: %v", err)
	}
	if len(b.cloud.commands()) != n {
		t.Fatalf("a refused hold sent %+v", b.cloud.commands()[n:])
	}
}
