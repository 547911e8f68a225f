package analytics

import (
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// TestFloorCountsCallbacksApart: a callback in line (a virtual call) is no caller on the line:
// the queue's Waiting holds the callers (with their expected waits), Callbacks the callbacks,
// each in line order, and positions stay the line's.
func TestFloorCountsCallbacksApart(t *testing.T) {
	q := cc.Queue{ID: "q"}
	cb := cc.Call{ID: "cb1", Queue: "q", State: cc.CallWaiting, ArrivedAt: at(0), Callback: cc.Callback{Of: "c0", Number: "+15550001111", Attempt: 2}}
	line := cc.QueueLine{Queue: q,
		Waiting: []cc.WaitingCall{{Call: cb, Position: 1}, {Call: waiting("c1", "q", min), Position: 2}, {Call: waiting("c2", "q", 2*min), Position: 3}},
		Expect:  []time.Duration{time.Minute, 2 * time.Minute, -1}, NewCallWait: 4 * time.Minute}
	f := New().Floor(at(3*min), cc.Floor{Queues: []cc.QueueLine{line}})
	got := f.Queue("q")
	if len(got.Waiting) != 2 || got.Waiting[0].Call.ID != "c1" || got.Waiting[1].Call.ID != "c2" || got.Waiting[0].Position != 2 {
		t.Fatalf("callers waiting %+v, want c1 (position 2) and c2", got.Waiting)
	}
	if len(got.Expect) != 2 || got.Expect[0] != 2*time.Minute || got.Expect[1] != -1 {
		t.Errorf("expected waits %v, want the callers' [2m -1]", got.Expect)
	}
	if len(got.Callbacks) != 1 || got.Callbacks[0].Call.ID != "cb1" || got.Callbacks[0].Position != 1 {
		t.Errorf("callbacks %+v, want cb1 at position 1", got.Callbacks)
	}
	if got.NewCallWait != 4*time.Minute {
		t.Errorf("a new call's wait %s: a new caller waits behind the callbacks too", got.NewCallWait)
	}

	// Without callbacks the line is as the engine gave it.
	plain := cc.QueueLine{Queue: q, Waiting: line.Waiting[1:], Expect: line.Expect[1:]}
	f = New().Floor(at(3*min), cc.Floor{Queues: []cc.QueueLine{plain}})
	if got := f.Queue("q"); len(got.Waiting) != 2 || len(got.Expect) != 2 || got.Callbacks != nil {
		t.Errorf("a line without callbacks: %+v", got)
	}
}
