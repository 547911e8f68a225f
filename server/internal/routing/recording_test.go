package routing

import (
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// changedCall is the change to call id in ch, if any.
func changedCall(ch cc.Changes, id cc.CallID) (cc.Call, bool) {
	for _, c := range ch.Calls {
		if c.ID == id {
			return c, true
		}
	}
	return cc.Call{}, false
}

// A connected call keeps the first recording URL the cloud reports, through its end; a report
// before the answer or a second one changes nothing.
func TestRecordingStartedIsStoredOnceOnAConnectedCall(t *testing.T) {
	f := newFixture(t, "anna")
	f.ready("anna")
	id := f.intake()
	early := f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudRecordingStarted, RecordingURL: "https://records.example/early.mp3"}))
	if c, ok := changedCall(early, id); ok {
		t.Fatalf("a recording before the answer changed the call: %+v", c)
	}
	if c, _ := f.e.Call(id); c.RecordingURL != "" {
		t.Fatalf("waiting call's recording URL = %q", c.RecordingURL)
	}

	f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: f.offerOf(id), RingTime: time.Second}))
	first := "https://records.example/first.mp3"
	ch := f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudRecordingStarted, RecordingURL: first}))
	if c, ok := changedCall(ch, id); !ok || c.RecordingURL != first {
		t.Fatalf("stored call after the recording started = %+v (%v), want its URL", c, ok)
	}

	again := f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudRecordingStarted, RecordingURL: "https://records.example/second.mp3"}))
	if c, ok := changedCall(again, id); ok {
		t.Fatalf("a second recording report changed the call: %+v", c)
	}
	if c, _ := f.e.Call(id); c.RecordingURL != first {
		t.Fatalf("recording URL after a second report = %q, want %q", c.RecordingURL, first)
	}

	f.now = f.now.Add(time.Minute)
	end := f.must(f.e.Report(f.now, id, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller, TalkTime: time.Minute}))
	if c, ok := changedCall(end, id); !ok || c.State != cc.CallEnded || c.RecordingURL != first {
		t.Fatalf("ended call = %+v (%v), want it to keep its recording URL", c, ok)
	}
}
