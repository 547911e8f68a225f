package alerting_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/alerting"
	"github.com/tandemcc/tandem/server/internal/analytics"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/sqlite"
)

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// floor is a floor set by the test.
type floor struct {
	mu sync.Mutex
	f  analytics.Floor
}

func (f *floor) AlertFloor(context.Context) (analytics.Floor, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.f, nil
}

// set puts waiting calls (arrived at the given times) in the sales queue, with today's figures.
func (f *floor) set(thresholds cc.AlertThresholds, today cc.Figures, arrived ...time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := analytics.QueueNow{ID: "sales", Today: today}
	q.Queue = cc.Queue{ID: "sales", Rules: cc.QueueRules{Alerts: thresholds}}
	for i, at := range arrived {
		q.Waiting = append(q.Waiting, cc.WaitingCall{Call: cc.Call{ID: cc.CallID(rune('a' + i)), ArrivedAt: at}, Position: i + 1})
	}
	f.f = analytics.Floor{Queues: []analytics.QueueNow{q}}
}

type world struct {
	t     *testing.T
	clock *clock.Fake
	floor *floor
	path  string
	db    *sqlite.DB
	watch *alerting.Watch
	sent  []cc.Alert
}

func newWorld(t *testing.T) *world {
	w := &world{t: t, clock: clock.NewFake(start), floor: &floor{}, path: filepath.Join(t.TempDir(), "t.db")}
	w.open()
	return w
}

// open opens the store and a new watch on it, as a restart does.
func (w *world) open() {
	db, err := sqlite.Open(w.t.Context(), w.path)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { _ = db.Close() })
	w.db = db
	w.watch = alerting.NewWatch(db, w.floor, w.clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.watch.Sent = func(a cc.Alert) { w.sent = append(w.sent, a) }
	if err := w.watch.Load(w.t.Context()); err != nil {
		w.t.Fatal(err)
	}
}

// after advances the clock by d and checks once.
func (w *world) after(d time.Duration) []cc.Alert {
	w.t.Helper()
	w.clock.Advance(d)
	if err := w.watch.Check(w.t.Context()); err != nil {
		w.t.Fatal(err)
	}
	return w.watch.Open()
}

func wantOpen(t *testing.T, when string, open []cc.Alert, kinds ...cc.AlertKind) {
	t.Helper()
	var got []cc.AlertKind
	for _, a := range open {
		got = append(got, a.Kind)
	}
	if len(got) != len(kinds) {
		t.Fatalf("%s: open %v, want %v", when, got, kinds)
	}
	for i := range kinds {
		if got[i] != kinds[i] {
			t.Fatalf("%s: open %v, want %v", when, got, kinds)
		}
	}
}

func TestWaitingRaisedAfterTheHoldClearedAfterTheHoldAndKeptOverARestart(t *testing.T) {
	w := newWorld(t)
	th := cc.AlertThresholds{WaitingOver: 1, Hold: 10 * time.Second}
	w.floor.set(th, cc.Figures{}, start, start)
	wantOpen(t, "crossed for 0 s", w.after(0))
	wantOpen(t, "crossed for 9 s", w.after(9*time.Second))
	open := w.after(time.Second)
	wantOpen(t, "crossed for 10 s", open, cc.AlertWaiting)
	want := cc.Alert{ID: open[0].ID, Queue: "sales", Kind: cc.AlertWaiting, Value: 2, Threshold: 1, RaisedAt: start.Add(10 * time.Second)}
	if open[0] != want {
		t.Fatalf("raised %+v, want %+v", open[0], want)
	}
	if len(w.sent) != 1 || w.sent[0] != want {
		t.Fatalf("sent %+v", w.sent)
	}

	// Back for less than the hold, then crossed again: no flap.
	w.floor.set(th, cc.Figures{}, start)
	wantOpen(t, "back for 0 s", w.after(time.Second), cc.AlertWaiting)
	wantOpen(t, "back for 5 s", w.after(5*time.Second), cc.AlertWaiting)
	w.floor.set(th, cc.Figures{}, start, start)
	wantOpen(t, "crossed again", w.after(time.Second), cc.AlertWaiting)
	w.floor.set(th, cc.Figures{}, start)
	wantOpen(t, "back again for 9 s", w.after(9*time.Second), cc.AlertWaiting)
	if len(w.sent) != 1 {
		t.Fatalf("a wavering figure sent %d alerts", len(w.sent))
	}

	// Acknowledged, then a restart keeps it open and acknowledged.
	acked, err := w.watch.Acknowledge(t.Context(), want.ID, "sup")
	if err != nil {
		t.Fatal(err)
	}
	if acked.AckedBy != "sup" || !acked.AckedAt.Equal(w.clock.Now()) {
		t.Fatalf("acknowledged %+v", acked)
	}
	w.open()
	open = w.watch.Open()
	wantOpen(t, "after a restart", open, cc.AlertWaiting)
	if open[0].AckedBy != "sup" || open[0].ID != want.ID {
		t.Fatalf("after a restart %+v", open[0])
	}

	// Back for the hold: cleared, in the history, sent.
	wantOpen(t, "back, restarted", w.after(time.Second), cc.AlertWaiting)
	clearedAt := w.clock.Now().Add(10 * time.Second)
	wantOpen(t, "back for 10 s", w.after(10*time.Second))
	all, err := w.db.Alerts(t.Context(), cc.AlertQuery{Since: start, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || !all[0].ClearedAt.Equal(clearedAt) || all[0].AckedBy != "sup" {
		t.Fatalf("history %+v", all)
	}
	if last := w.sent[len(w.sent)-1]; last.ID != want.ID || !last.ClearedAt.Equal(clearedAt) {
		t.Fatalf("clearing sent %+v", last)
	}
}

func TestLongestWaitAndOffThresholds(t *testing.T) {
	w := newWorld(t)
	w.floor.set(cc.AlertThresholds{}, cc.Figures{}, start, start, start) // all off
	wantOpen(t, "off", w.after(time.Hour))
	th := cc.AlertThresholds{LongestWaitOver: 90 * time.Second, Hold: time.Second}
	w.floor.set(th, cc.Figures{}, w.clock.Now().Add(-80*time.Second))
	wantOpen(t, "80 s", w.after(0))
	wantOpen(t, "89 s", w.after(9*time.Second))
	wantOpen(t, "91 s", w.after(2*time.Second))
	open := w.after(time.Second)
	wantOpen(t, "92 s, held 1 s", open, cc.AlertLongestWait)
	if open[0].Value != 92 || open[0].Threshold != 90 {
		t.Fatalf("%+v", open[0])
	}
	w.floor.set(cc.AlertThresholds{}, cc.Figures{}) // turned off: cleared
	w.after(time.Second)
	wantOpen(t, "turned off", w.after(10*time.Second))
}

func TestServiceLevelAndAbandonmentOverTheWindow(t *testing.T) {
	w := newWorld(t)
	th := cc.AlertThresholds{ServiceLevelUnder: 80, AbandonmentOver: 20, Window: 10 * time.Minute, Hold: time.Second}
	// Yesterday-like figures from before the window began count for nothing.
	before := cc.Figures{CallsReceived: 100, CallsAnswered: 10, AnsweredWithin: 1, CallsAbandoned: 90}
	w.floor.set(th, before)
	wantOpen(t, "at start", w.after(0))
	wantOpen(t, "nothing new", w.after(time.Minute))
	// Four more calls, all abandoned: too few to judge.
	f := before
	f.CallsReceived, f.CallsAbandoned = f.CallsReceived+4, f.CallsAbandoned+4
	w.floor.set(th, f)
	w.after(time.Second)
	wantOpen(t, "4 calls", w.after(time.Second))
	// A fifth, answered late: service level 0 %, abandonment 80 %.
	f.CallsReceived, f.CallsAnswered = f.CallsReceived+1, f.CallsAnswered+1
	w.floor.set(th, f)
	w.after(time.Second)
	open := w.after(time.Second)
	wantOpen(t, "5 calls", open, cc.AlertServiceLevel, cc.AlertAbandonment)
	// The window moves past them: cleared.
	w.after(11 * time.Minute)
	wantOpen(t, "window moved on", w.after(time.Second))
}

func TestMissesInRow(t *testing.T) {
	w := newWorld(t)
	th := cc.AlertThresholds{MissesInRow: 2, Hold: time.Second}
	w.floor.set(th, cc.Figures{})
	ann := analytics.OperatorNow{}
	ann.Operator = cc.Operator{ID: "ann", Queues: []cc.QueueSkill{{Queue: "sales"}}}
	ann.Status.Marks.ConsecutiveMisses = 2
	bob := ann
	bob.Operator = cc.Operator{ID: "bob", Queues: []cc.QueueSkill{{Queue: "support"}}}
	w.floor.f.Operators = []analytics.OperatorNow{ann, bob}
	w.after(0)
	open := w.after(time.Second)
	wantOpen(t, "ann missed 2", open, cc.AlertMissesInRow)
	if open[0].Operator != "ann" {
		t.Fatalf("%+v", open[0])
	}
}

func TestAWindowAlertIsNotClearedOnAWindowNotSeenWhole(t *testing.T) {
	w := newWorld(t)
	th := cc.AlertThresholds{ServiceLevelUnder: 80, Window: 10 * time.Minute, Hold: time.Second}
	w.floor.set(th, cc.Figures{})
	w.after(0)
	bad := cc.Figures{CallsReceived: 5, CallsAnswered: 5} // none answered within the target
	w.floor.set(th, bad)
	w.after(time.Second)
	wantOpen(t, "5 calls answered late", w.after(time.Second), cc.AlertServiceLevel)

	// A restart: the new watch has seen none of the window, so the calls before it are not
	// known to have left it; the alert stays until a whole window has been seen.
	w.open()
	wantOpen(t, "restarted", w.after(0), cc.AlertServiceLevel)
	wantOpen(t, "9 min after", w.after(9*time.Minute), cc.AlertServiceLevel)
	w.after(time.Minute + time.Second)
	wantOpen(t, "a whole window seen, empty", w.after(time.Second))
}

// TestCallbacksRaiseNoWaitingAlerts: callbacks in line (nobody on the line) are not callers
// waiting: long-waiting callbacks raise neither the waiting nor the longest-wait alert; one
// caller past both thresholds raises both.
func TestCallbacksRaiseNoWaitingAlerts(t *testing.T) {
	th := cc.AlertThresholds{WaitingOver: 1, LongestWaitOver: time.Minute, Hold: time.Second}
	q := cc.Queue{ID: "sales", Rules: cc.QueueRules{Alerts: th}}
	callback := func(id cc.CallID) cc.WaitingCall {
		return cc.WaitingCall{Call: cc.Call{ID: id, Queue: "sales", State: cc.CallWaiting, ArrivedAt: start.Add(-time.Hour),
			Callback: cc.Callback{Of: "c0", Number: "+15550001111", Attempt: 1}}}
	}
	line := cc.QueueLine{Queue: q, Waiting: []cc.WaitingCall{callback("cb1"), callback("cb2"), callback("cb3")}}
	e := alerting.NewEvaluator()
	now := start
	for range 3 {
		raise, _ := e.Step(now, analytics.New().Floor(now, cc.Floor{Queues: []cc.QueueLine{line}}), nil)
		if len(raise) != 0 {
			t.Fatalf("callbacks raised %+v", raise)
		}
		now = now.Add(time.Second)
	}
	caller := cc.WaitingCall{Call: cc.Call{ID: "c1", Queue: "sales", State: cc.CallWaiting, ArrivedAt: start.Add(-2 * time.Minute)}}
	line.Waiting = append(line.Waiting, caller, caller)
	line.Waiting[4].Call.ID = "c2"
	var raise []cc.Alert
	for range 3 {
		raise, _ = e.Step(now, analytics.New().Floor(now, cc.Floor{Queues: []cc.QueueLine{line}}), nil)
		now = now.Add(time.Second)
		if len(raise) > 0 {
			break
		}
	}
	if len(raise) != 2 || raise[0].Kind != cc.AlertWaiting || raise[0].Value != 2 || raise[1].Kind != cc.AlertLongestWait || raise[1].Value > 130 {
		t.Fatalf("two callers past the thresholds raised %+v", raise)
	}
}
