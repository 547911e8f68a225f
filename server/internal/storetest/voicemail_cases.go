package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// Voicemails lists the messages left in a range, newest first, each with where its callback
// stands: the latest attempt decides, and a pending offer names the operator it rings.
func (st suite) Voicemails(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	config(t, db)
	vm := func(id callcenter.CallID, q callcenter.QueueID, i int) callcenter.Call {
		return callcenter.Call{ID: id, Queue: q, State: callcenter.CallEnded, CallerNumber: "+1555000" + string(id[len(id)-1]),
			ArrivedAt: at(time.Duration(i) * time.Minute), EndedAt: at(time.Duration(i)*time.Minute + 20*time.Second),
			Exit:         callcenter.CallExit{Kind: callcenter.ExitVoicemail, Queue: q, At: at(time.Duration(i) * time.Minute)},
			VoicemailURL: "https://records.example/" + string(id) + ".mp3", VoicemailLength: 12 * time.Second}
	}
	attempt := func(id, of callcenter.CallID, n int, state callcenter.CallState, cb callcenter.Callback) callcenter.Call {
		cb.Of, cb.Number, cb.Attempt = of, "+15550001", n
		return callcenter.Call{ID: id, Queue: "sales", State: state, CallerNumber: cb.Number, ArrivedAt: at(time.Hour), Callback: cb}
	}
	called := attempt("cb-1b", "vm-1", 2, callcenter.CallEnded, callcenter.Callback{Result: callcenter.CallbackConnected, ConnectedAt: at(2*time.Hour + 10*time.Second)})
	called.Operator, called.AnsweredAt, called.EndedAt = "op-ann", at(2*time.Hour), at(2*time.Hour+time.Minute)
	ringing := attempt("cb-3a", "vm-3", 1, callcenter.CallWaiting, callcenter.Callback{})
	ringing.Offer = "o-cb3"
	calls := []callcenter.Call{
		vm("vm-1", "sales", 1), vm("vm-2", "support", 2), vm("vm-3", "sales", 3), vm("vm-4", "sales", 4), vm("vm-5", "sales", 5),
		{ID: "plain", Queue: "sales", State: callcenter.CallEnded, ArrivedAt: at(3 * time.Minute), EndedAt: at(4 * time.Minute)},
		attempt("cb-1a", "vm-1", 1, callcenter.CallEnded, callcenter.Callback{Result: callcenter.CallbackNoAnswer}), called,
		ringing,
		attempt("cb-4a", "vm-4", 1, callcenter.CallWaiting, callcenter.Callback{NotBefore: at(3 * time.Hour)}),
		attempt("cb-5c", "vm-5", 3, callcenter.CallEnded, callcenter.Callback{Result: callcenter.CallbackBusy, GaveUp: true}),
	}
	offers := []callcenter.Offer{{ID: "o-cb3", Call: "cb-3a", Operator: "op-bob", State: callcenter.OfferPending, OfferedAt: at(time.Hour)}}
	must(t, db.Apply(ctx, callcenter.Changes{Calls: calls, Offers: offers}))

	list := func(q callcenter.VoicemailQuery) []callcenter.Voicemail {
		t.Helper()
		if q.Limit == 0 {
			q.Limit = 50
		}
		if q.From.IsZero() {
			q.From, q.To = at(0), at(time.Hour)
		}
		must(t, q.Check())
		got, err := db.Voicemails(ctx, q)
		must(t, err)
		return got
	}
	type row struct {
		Call callcenter.CallID
		Work callcenter.VoicemailWork
	}
	rows := func(vs []callcenter.Voicemail) []row {
		out := []row{}
		for _, v := range vs {
			out = append(out, row{v.Call.ID, v.Work()})
		}
		return out
	}
	got := list(callcenter.VoicemailQuery{})
	want := []row{
		{"vm-5", callcenter.VoicemailWork{State: callcenter.VoicemailGaveUp, Attempt: 3, Callback: "cb-5c"}},
		{"vm-4", callcenter.VoicemailWork{State: callcenter.VoicemailWaiting, Attempt: 1, At: at(3 * time.Hour), Callback: "cb-4a"}},
		{"vm-3", callcenter.VoicemailWork{State: callcenter.VoicemailCalling, Attempt: 1, Operator: "op-bob", Callback: "cb-3a"}},
		{"vm-2", callcenter.VoicemailWork{State: callcenter.VoicemailNotCalledBack}},
		{"vm-1", callcenter.VoicemailWork{State: callcenter.VoicemailCalledBack, Attempt: 2, Operator: "op-ann", At: at(2*time.Hour + 10*time.Second), Callback: "cb-1b"}},
	}
	if g := rows(got); !reflect.DeepEqual(g, want) {
		t.Fatalf("voicemails:\n got %+v\nwant %+v", g, want)
	}
	if v := got[4].Call; v.VoicemailURL != "https://records.example/vm-1.mp3" || v.VoicemailLength != 12*time.Second || v.CallerNumber != "+15550001" {
		t.Errorf("vm-1 = %+v, want its message and caller", v)
	}

	ids := func(vs []callcenter.Voicemail) []callcenter.CallID {
		out := []callcenter.CallID{}
		for _, v := range vs {
			out = append(out, v.Call.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    callcenter.VoicemailQuery
		want []callcenter.CallID
	}{
		{"queue", callcenter.VoicemailQuery{Queue: "support"}, []callcenter.CallID{"vm-2"}},
		{"range of arrivals", callcenter.VoicemailQuery{From: at(2 * time.Minute), To: at(4 * time.Minute)}, []callcenter.CallID{"vm-3", "vm-2"}},
		{"page", callcenter.VoicemailQuery{Limit: 2}, []callcenter.CallID{"vm-5", "vm-4"}},
		{"next page", callcenter.VoicemailQuery{Limit: 2, After: callcenter.CallCursor{EndedAt: at(4 * time.Minute), Call: "vm-4"}}, []callcenter.CallID{"vm-3", "vm-2"}},
		{"nothing in range", callcenter.VoicemailQuery{From: at(2 * time.Hour), To: at(3 * time.Hour)}, []callcenter.CallID{}},
	} {
		if got := ids(list(tc.q)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
