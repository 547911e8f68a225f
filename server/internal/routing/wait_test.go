package routing

import (
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// The expected wait from staffing needs cc.MinHandleSamples handled calls; before that the
// recent answers (every caller answered at once) say nothing to a caller who has waited at all.
func TestExpectedWaitFromStaffing(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	handle := func() {
		id := f.answered("anna")
		f.now = f.now.Add(time.Minute)
		f.hangUp(id) // a minute's talk and support's 10 s wrap-up: 70 s handled
		f.now = f.now.Add(10 * time.Second)
		f.e.Tick(f.now)
	}
	for range cc.MinHandleSamples - 1 {
		handle()
	}
	busy := f.answered("anna")
	first, second := f.intake(), f.intake()
	f.now = f.now.Add(time.Second)
	if w, trusted := f.e.ExpectedWait(first, f.now); trusted {
		t.Fatalf("after %d calls handled: expected wait %+v trusted", cc.MinHandleSamples-1, w)
	}
	f.now = f.now.Add(time.Minute)
	f.hangUp(busy)
	f.now = f.now.Add(10 * time.Second)
	f.e.Tick(f.now) // the tenth handled: anna is ready and takes the first call
	if f.offerOf(first) == "" {
		t.Fatal("the first call was not offered to anna")
	}
	if _, trusted := f.e.ExpectedWait(first, f.now); trusted {
		t.Fatal("a call being offered has an expected wait")
	}
	w, trusted := f.e.ExpectedWait(second, f.now)
	if !trusted || w.Basis != cc.WaitFromStaffing || w.Wait != 70*time.Second {
		t.Fatalf("next in line behind a 70 s call with one operator: %+v trusted %v, want 70 s from staffing", w, trusted)
	}
	if got := cc.PositionAnnouncement(f.e.Position(second), w, trusted); got != "You are next in line. Your expected wait is about a minute." {
		t.Fatalf("announcement %q", got)
	}
	// With anna gone there is nobody at work: the staffing says nothing, and every recent
	// caller was answered at once, so the second caller has waited longer than they did.
	f.e.Disconnect(f.now, "anna")
	f.now = f.now.Add(time.Minute)
	if w, trusted := f.e.ExpectedWait(second, f.now); trusted {
		t.Fatalf("nobody at work: expected wait %+v trusted", w)
	}
}

// With too few calls handled, the recent answers are the basis: what they waited, less what
// the caller has waited; nothing once he has waited longer, or when the answers are old.
func TestExpectedWaitFromRecentAnswers(t *testing.T) {
	f := newFixture(t, "anna")
	f.must(f.e.Connect(f.now, "anna"))
	for i := range cc.MinRecentAnswers {
		id := f.intake()
		f.now = f.now.Add(2 * time.Minute)
		if i == 0 {
			f.must(f.e.GoReady(f.now, "anna"))
		} else {
			f.e.Tick(f.now) // her wrap-up is over: she takes the call
		}
		if f.offerOf(id) == "" {
			t.Fatalf("call %d was not offered after two minutes", i)
		}
		f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(id)}))
		f.hangUp(id) // anna is in wrap-up for 10 s
	}
	id := f.intake()
	f.now = f.now.Add(30 * time.Second)
	w, trusted := f.e.ExpectedWait(id, f.now)
	if !trusted || w.Basis != cc.WaitFromRecentAnswers || w.Wait != 90*time.Second {
		t.Fatalf("recent callers waited 2 minutes, he 30 s: %+v trusted %v, want 90 s from recent answers", w, trusted)
	}
	if got := cc.PositionAnnouncement(1, w, trusted); got != "You are next in line. Your expected wait is about two minutes." {
		t.Fatalf("announcement %q", got)
	}
	f.must(f.e.GoAway(f.now, "anna", "lunch"))
	f.now = f.now.Add(100 * time.Second)
	if w, trusted := f.e.ExpectedWait(id, f.now); trusted {
		t.Fatalf("he waited longer than the recent callers: %+v trusted", w)
	}
	later := f.intake()
	f.now = f.now.Add(cc.RecentAnswerWindow)
	if w, trusted := f.e.ExpectedWait(later, f.now); trusted {
		t.Fatalf("the answers are older than %s: %+v trusted", cc.RecentAnswerWindow, w)
	}
}
