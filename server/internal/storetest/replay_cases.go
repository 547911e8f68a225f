package storetest

import (
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

func (st suite) DayArrivals(t *testing.T) {
	db := st.openTest(t)
	config(t, db)
	const s, m, h = time.Second, time.Minute, time.Hour
	must(t, db.Apply(t.Context(), callcenter.Changes{Calls: []callcenter.Call{
		{ID: "before", Queue: "sales", State: callcenter.CallEnded, ArrivedAt: at(-time.Millisecond)},
		{ID: "c2", Queue: "sales", State: callcenter.CallAbandoned, ArrivedAt: at(5 * m), EndedAt: at(5*m + 40*s)},
		{ID: "c1", Queue: "sales", State: callcenter.CallEnded, ArrivedAt: at(0), AnsweredAt: at(12 * s),
			EndedAt: at(12*s + 90*s), TalkTime: 90 * s},
		{ID: "c3b", Queue: "sales", State: callcenter.CallWaiting, ArrivedAt: at(h - time.Millisecond)},
		{ID: "c3a", Queue: "sales", State: callcenter.CallConnected, ArrivedAt: at(h - time.Millisecond), AnsweredAt: at(h)},
		{ID: "other", Queue: "support", State: callcenter.CallEnded, ArrivedAt: at(10 * m)},
		{ID: "at-end", Queue: "sales", State: callcenter.CallEnded, ArrivedAt: at(h)},
		// A caller who accepted a call back, and the attempt that reached him.
		{ID: "c4", Queue: "sales", State: callcenter.CallEnded, ArrivedAt: at(20 * m), EndedAt: at(22 * m),
			Exit: callcenter.CallExit{Kind: callcenter.ExitCallback, Cause: callcenter.ExitCallbackOffer, Queue: "sales", Answered: true, Target: "+14155550100", At: at(22 * m)}},
		{ID: "c4-back", Queue: "sales", State: callcenter.CallEnded, ArrivedAt: at(20 * m), AnsweredAt: at(30 * m), EndedAt: at(32 * m), TalkTime: 2 * m,
			Callback: callcenter.Callback{Of: "c4", Number: "+14155550100", Attempt: 1, Result: callcenter.CallbackConnected}},
	}}))
	got, err := db.DayArrivals(t.Context(), "sales", at(0), at(h))
	must(t, err)
	equal(t, "DayArrivals", got, []callcenter.RecordedCall{
		{ArrivedAt: at(0), AnsweredAt: at(12 * s), EndedAt: at(102 * s), State: callcenter.CallEnded, TalkTime: 90 * s},
		{ArrivedAt: at(5 * m), EndedAt: at(5*m + 40*s), State: callcenter.CallAbandoned},
		{ArrivedAt: at(20 * m), EndedAt: at(22 * m), State: callcenter.CallEnded, CalledBack: true},
		{ArrivedAt: at(20 * m), AnsweredAt: at(30 * m), EndedAt: at(32 * m), State: callcenter.CallEnded, TalkTime: 2 * m,
			Callback: callcenter.Callback{Of: "c4", Number: "+14155550100", Attempt: 1, Result: callcenter.CallbackConnected}},
		{ArrivedAt: at(h - time.Millisecond), AnsweredAt: at(h), State: callcenter.CallConnected},
		{ArrivedAt: at(h - time.Millisecond), State: callcenter.CallWaiting},
	})

	got, err = db.DayArrivals(t.Context(), "empty-or-unknown", at(0), at(h))
	must(t, err)
	if len(got) != 0 {
		t.Errorf("unknown queue: %d calls", len(got))
	}
	got, err = db.DayArrivals(t.Context(), "support", at(-h), at(24*h))
	must(t, err)
	if len(got) != 1 || !got[0].ArrivedAt.Equal(at(10*m)) {
		t.Errorf("support: %+v", got)
	}
}
