package simulate

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// recordedDay makes a recorded day: Poisson arrivals over eight hours from 9:00, exponential
// talk of mean aht, a share of the callers abandoning after waits of a few tens of seconds.
func recordedDay(callsPerHour float64, aht time.Duration, abandonShare float64) (from, to time.Time, calls []cc.RecordedCall) {
	from = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	to = from.Add(24 * time.Hour)
	r := rand.New(rand.NewPCG(1, 2))
	at := from.Add(9 * time.Hour)
	for at.Before(from.Add(17 * time.Hour)) {
		at = at.Add(seconds(r.ExpFloat64() * 3600 / callsPerHour).Truncate(time.Millisecond))
		if r.Float64() < abandonShare {
			calls = append(calls, cc.RecordedCall{ArrivedAt: at, EndedAt: at.Add(seconds(10 + 50*r.Float64())), State: cc.CallAbandoned})
			continue
		}
		answered := at.Add(seconds(20 * r.Float64()))
		talk := seconds(r.ExpFloat64() * aht.Seconds()).Truncate(time.Millisecond)
		calls = append(calls, cc.RecordedCall{ArrivedAt: at, AnsweredAt: answered, EndedAt: answered.Add(talk), State: cc.CallEnded, TalkTime: talk})
	}
	return from, to, calls
}

func TestReplayMoreOperatorsServeBetter(t *testing.T) {
	from, to, calls := recordedDay(60, 4*time.Minute, 0.1) // 4 erlangs
	prev := cc.ReplayResult{ServiceLevel: -1, Abandoned: len(calls) + 1}
	for _, ops := range []int{3, 4, 5, 6, 8} {
		r, err := Replay(t.Context(), cc.Replay{Operators: ops, Calls: calls, From: from, To: to, WrapUp: 10 * time.Second, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if r.Calls != len(calls) || r.Answered+r.Abandoned != r.Calls {
			t.Fatalf("%d operators: %d calls, %d answered + %d abandoned, of %d", ops, r.Calls, r.Answered, r.Abandoned, len(calls))
		}
		if r.ServiceLevel <= prev.ServiceLevel || r.Abandoned > prev.Abandoned || (ops > 3 && r.Abandoned == prev.Abandoned && r.Abandoned > 0) {
			t.Errorf("%d operators: SL %.3f, %d abandoned; fewer gave SL %.3f, %d abandoned", ops, r.ServiceLevel, r.Abandoned, prev.ServiceLevel, prev.Abandoned)
		}
		if r.MeanPatience <= 0 || r.MeanTalk <= 0 {
			t.Errorf("patience %s, talk %s", r.MeanPatience, r.MeanTalk)
		}
		t.Logf("%d operators: SL %.3f, ASA %s, abandoned %.3f, occupancy %.3f", ops, r.ServiceLevel, r.ASA, r.AbandonRate, r.Occupancy)
		prev = r
	}
}

func TestReplayManyOperatorsAnswerAtOnce(t *testing.T) {
	from, to, calls := recordedDay(60, 4*time.Minute, 0.1)
	r, err := Replay(t.Context(), cc.Replay{Operators: 200, Calls: calls, From: from, To: to, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.ServiceLevel != 1 || r.Abandoned != 0 || r.ASA != 0 || r.Answered != len(calls) {
		t.Errorf("200 operators: SL %v, %d abandoned, ASA %s, %d of %d answered", r.ServiceLevel, r.Abandoned, r.ASA, r.Answered, len(calls))
	}
	// Everyone talks what he talked, the unanswered the mean: occupancy is that over the day.
	var talk time.Duration
	for _, c := range calls {
		if c.State == cc.CallEnded {
			talk += c.TalkTime
		} else {
			talk += r.MeanTalk
		}
	}
	want := talk.Seconds() / (200 * 24 * 3600)
	if d := r.Occupancy - want; d > 1e-6 || d < -1e-6 {
		t.Errorf("occupancy %.6f, want %.6f", r.Occupancy, want)
	}
}

func TestReplayWithoutAbandonsNobodyAbandons(t *testing.T) {
	from, to, calls := recordedDay(60, 4*time.Minute, 0)
	r, err := Replay(t.Context(), cc.Replay{Operators: 4, Calls: calls, From: from, To: to, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Abandoned != 0 || r.MeanPatience != 0 || r.Answered != len(calls) {
		t.Errorf("%d abandoned (patience %s), %d of %d answered", r.Abandoned, r.MeanPatience, r.Answered, len(calls))
	}
}

func TestRecordedFigures(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	s := time.Second
	calls := []cc.RecordedCall{
		{ArrivedAt: t0, AnsweredAt: t0.Add(10 * s), State: cc.CallEnded, TalkTime: 30 * s},
		{ArrivedAt: t0, AnsweredAt: t0.Add(40 * s), State: cc.CallConnected},
		{ArrivedAt: t0, EndedAt: t0.Add(3 * s), State: cc.CallAbandoned},
		{ArrivedAt: t0, EndedAt: t0.Add(15 * s), State: cc.CallAbandoned},
		{ArrivedAt: t0, EndedAt: t0.Add(90 * s), State: cc.CallAbandoned},
		{ArrivedAt: t0, EndedAt: t0.Add(9 * s), State: cc.CallLost},
		{ArrivedAt: t0, State: cc.CallWaiting},
	}
	want := cc.Figures{CallsReceived: 7, CallsAnswered: 2, CallsAbandoned: 3, CallsLost: 1, AnsweredWithin: 1, ShortAbandons: 1, AbandonedWithin: 1,
		AnswerTimeTotal: 50 * s, AnswerTimeMax: 40 * s, TalkTime: 30 * s}
	want.Histogram[cc.HistogramBucket(10*s)]++
	want.Histogram[cc.HistogramBucket(40*s)]++
	if got := recordedFigures(calls, cc.DefaultServiceLevel); !got.Equal(want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestReplayEdges(t *testing.T) {
	from := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	to := from.Add(24 * time.Hour)
	ctx := t.Context()
	r, err := Replay(ctx, cc.Replay{Operators: 1, From: from, To: to})
	if err != nil || !reflect.DeepEqual(r, cc.ReplayResult{}) {
		t.Errorf("empty day: %+v, %v", r, err)
	}
	outside := []cc.RecordedCall{
		{ArrivedAt: from.Add(-time.Second), AnsweredAt: from, State: cc.CallEnded, TalkTime: time.Minute},
		{ArrivedAt: to, AnsweredAt: to, State: cc.CallEnded, TalkTime: time.Minute},
		{ArrivedAt: from.Add(time.Hour), AnsweredAt: from.Add(time.Hour + 5*time.Second), State: cc.CallEnded, TalkTime: time.Minute},
		{ArrivedAt: from.Add(time.Hour + 10*time.Second), State: cc.CallWaiting}, // still waiting: talks the mean
	}
	r, err = Replay(ctx, cc.Replay{Operators: 1, Calls: outside, From: from, To: to, ServiceLevel: cc.ServiceLevel{ShortAbandon: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	// One operator: the first call is answered at once; the second waits 50 s of the first's
	// minute, past the 20 s threshold; nobody abandoned, so nobody gives up.
	if r.Calls != 2 || r.Answered != 2 || r.AnsweredWithin != 1 || r.ServiceLevel != 0.5 || r.ASA != 25*time.Second || r.MeanTalk != time.Minute {
		t.Errorf("two calls in the day: %+v", r)
	}
	want := cc.Figures{CallsReceived: 2, CallsAnswered: 1, AnsweredWithin: 1, AnswerTimeTotal: 5 * time.Second, AnswerTimeMax: 5 * time.Second, TalkTime: time.Minute}
	want.Histogram[cc.HistogramBucket(5*time.Second)]++
	if !r.Recorded.Equal(want) {
		t.Errorf("recorded %+v, want %+v", r.Recorded, want)
	}
	_, err = Replay(ctx, cc.Replay{Operators: 1, Calls: outside[3:], From: from, To: to})
	if cc.ErrorCode(err) != cc.CodeFailedPrecondition {
		t.Errorf("no answered call: error %v", err)
	}
	for _, bad := range []cc.Replay{{Operators: 0, From: from, To: to}, {Operators: 1, From: to, To: from}, {Operators: 1, From: from, To: to, WrapUp: -1}} {
		if _, err := Replay(ctx, bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// TestReplayCallbacks: a recorded day where some callers accepted a call back (each with the
// attempts that followed, a few unanswered) replays through the queue's callback offer: the
// attempts are no arrivals, those callers accept again when offered, and every caller is
// answered, abandoned or called back; with operators enough nobody is offered one.
func TestReplayCallbacks(t *testing.T) {
	from, to, day := recordedDay(60, 4*time.Minute, 0.1)
	var calls []cc.RecordedCall
	calledBack := 0
	for i, c := range day {
		if i%5 != 0 || c.State != cc.CallEnded {
			calls = append(calls, c)
			continue
		}
		calledBack++
		of := cc.CallID("call_" + c.ArrivedAt.Format("150405.000"))
		calls = append(calls, cc.RecordedCall{ArrivedAt: c.ArrivedAt, EndedAt: c.ArrivedAt.Add(time.Minute), State: cc.CallEnded, CalledBack: true})
		if calledBack%4 == 0 { // his first attempt was not answered
			calls = append(calls, cc.RecordedCall{ArrivedAt: c.ArrivedAt, AnsweredAt: c.AnsweredAt, EndedAt: c.AnsweredAt.Add(30 * time.Second), State: cc.CallEnded,
				Callback: cc.Callback{Of: of, Number: "+14155550100", Attempt: 1, Result: cc.CallbackNoAnswer}})
		}
		calls = append(calls, cc.RecordedCall{ArrivedAt: c.ArrivedAt, AnsweredAt: c.AnsweredAt, EndedAt: c.EndedAt, State: cc.CallEnded, TalkTime: c.TalkTime,
			Callback: cc.Callback{Of: of, Number: "+14155550100", Attempt: 1, Result: cc.CallbackConnected}})
	}
	arrivals := len(day)
	rules := cc.CallbackRules{OfferAfter: time.Minute, Attempts: 3, RetryAfter: 2 * time.Minute}
	r, err := Replay(t.Context(), cc.Replay{Operators: 4, Calls: calls, From: from, To: to, WrapUp: 10 * time.Second, Callback: rules, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("4 operators: %d calls, %d answered, %d abandoned, %d called back (%d reached, %d given up); SL %.3f, occupancy %.3f",
		r.Calls, r.Answered, r.Abandoned, r.CallbacksRequested, r.CallbacksConnected, r.CallbacksGivenUp, r.ServiceLevel, r.Occupancy)
	if r.Calls != arrivals || r.Recorded.CallbacksRequested != int64(calledBack) || int(r.Recorded.CallsReceived) != arrivals-calledBack || r.Recorded.CallbackAttemptsFailed != int64(calledBack/4) {
		t.Errorf("%d calls (want %d arrivals); recorded %+v", r.Calls, arrivals, r.Recorded)
	}
	if r.CallbacksRequested == 0 || r.CallbacksRequested > calledBack || r.Answered+r.Abandoned+r.CallbacksRequested != r.Calls || r.CallbacksConnected+r.CallbacksGivenUp != r.CallbacksRequested {
		t.Errorf("replayed: %+v", r)
	}
	r, err = Replay(t.Context(), cc.Replay{Operators: 200, Calls: calls, From: from, To: to, Callback: rules, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.CallbacksRequested != 0 || r.Answered != arrivals {
		t.Errorf("200 operators: %d called back, %d of %d answered", r.CallbacksRequested, r.Answered, arrivals)
	}
}
