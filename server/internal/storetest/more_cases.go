package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// The rows LoadRuntime rebuilds the switchboard's people, spares and round-robin positions
// from, notes, batches, many rows at once, and caller history.

func (st suite) ApplyPeopleCursorsAndNotes(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	config(t, db)
	must(t, db.Apply(ctx, callcenter.Changes{Calls: []callcenter.Call{
		{ID: "c-1", Queue: "sales", State: callcenter.CallEnded, ArrivedAt: at(0), Note: "", RecordingURL: "https://records.example/c-1.mp3"},
	}}))
	clients := []callcenter.Client{
		{Number: "+15550100", Manager: "op-ann", How: callcenter.AssignedByAdmin, AssignedAt: at(time.Minute)},
		{Number: "+15550099", DeclinedAt: at(2 * time.Minute)},
	}
	absences := []callcenter.Absence{
		{ID: "ab-2", Operator: "op-ann", Kind: callcenter.AbsenceVacation, From: "2025-03-10", To: "2025-03-20"},
		{ID: "ab-1", Operator: "op-ann", Kind: callcenter.AbsenceVacation, From: "2025-03-01", To: "2025-03-02"},
		{ID: "ab-3", Operator: "op-bob", Kind: callcenter.AbsenceVacation, From: "2025-01-01", To: "2025-01-01"},
	}
	spares := []callcenter.Spare{
		{ID: "sp-b", Name: "Backoffice", Contact: callcenter.Contact{Kind: callcenter.ContactPSTN, Target: "+15550200"},
			Holidays: []string{"2025-12-25"}, MaxConcurrent: 2, DailyCap: 10, Priority: 1, Cooldown: time.Minute},
		{ID: "sp-a", Name: "Team A", Contact: callcenter.Contact{Kind: callcenter.ContactSIP, Target: "sip:a@pbx"}, MaxConcurrent: 1, Disabled: true},
	}
	use := []callcenter.SpareStatus{{Spare: "sp-b", Active: 1, Day: "2025-03-01", CallsToday: 3,
		CooldownUntil: at(time.Minute), Misses: 1, LastUsed: at(0)}}
	must(t, db.Apply(ctx, callcenter.Changes{
		Clients: clients, Absences: absences, Spares: spares, SpareUse: use,
		Cursors: map[callcenter.QueueID]callcenter.OperatorID{"sales": "op-ann", "support": "op-bob"},
		Notes:   []callcenter.CallNote{{Call: "c-1", Note: "called back"}},
	}))
	// Later: one absence deleted, a client changed, a cursor moved, the call written again
	// without its note and recording URL (both stay), the spare's use updated.
	clients[0].Manager, clients[0].How = "op-bob", callcenter.AssignedByVoice
	use[0].Active, use[0].CallsToday = 0, 4
	call, _, err := db.Call(ctx, "c-1")
	must(t, err)
	call.Note, call.RecordingURL = "", ""
	must(t, db.Apply(ctx, callcenter.Changes{
		Clients: clients[:1], Unabsent: []string{"ab-3"}, SpareUse: use, Calls: []callcenter.Call{call},
		Cursors: map[callcenter.QueueID]callcenter.OperatorID{"sales": "op-bob"},
	}))
	rt, err := db.LoadRuntime(ctx)
	must(t, err)
	equal(t, "clients by number", rt.Clients, []callcenter.Client{clients[1], clients[0]})
	equal(t, "absences by operator and start", rt.Absences, []callcenter.Absence{absences[1], absences[0]})
	equal(t, "spares by id", rt.Spares, []callcenter.Spare{spares[1], spares[0]})
	equal(t, "spare use", rt.SpareUse, use)
	equal(t, "cursors", rt.Cursors, map[callcenter.QueueID]callcenter.OperatorID{"sales": "op-bob", "support": "op-bob"})
	got, _, err := db.Call(ctx, "c-1")
	must(t, err)
	equal(t, "the note", got.Note, "called back")
	equal(t, "the recording URL", got.RecordingURL, "https://records.example/c-1.mp3")
}

func (st suite) ApplyKeepsTheLastVersionOfARow(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	config(t, db)
	first := callcenter.Call{ID: "c-1", Queue: "sales", State: callcenter.CallWaiting, ArrivedAt: at(0)}
	second := first
	second.State, second.Operator, second.AnsweredAt = callcenter.CallConnected, "op-ann", at(time.Second)
	offer := callcenter.Offer{ID: "of-1", Call: "c-1", Operator: "op-ann", State: callcenter.OfferPending, OfferedAt: at(0)}
	settled := offer
	settled.State, settled.SettledAt = callcenter.OfferAnswered, at(time.Second)
	ready := callcenter.OperatorStatus{Operator: "op-ann", State: callcenter.OperatorReserved, Since: at(0), Offer: "of-1"}
	onCall := callcenter.OperatorStatus{Operator: "op-ann", State: callcenter.OperatorOnCall, Since: at(time.Second), Call: "c-1"}
	// One batch (group commit) holding two steps' versions of each row.
	must(t, db.Apply(ctx, callcenter.Changes{
		Calls: []callcenter.Call{first, second}, Offers: []callcenter.Offer{offer, settled},
		Statuses: []callcenter.OperatorStatus{ready, onCall},
	}))
	got, offers, err := db.Call(ctx, "c-1")
	must(t, err)
	equal(t, "call", got, second)
	equal(t, "offers", offers, []callcenter.Offer{settled})
	rt, err := db.LoadRuntime(ctx)
	must(t, err)
	equal(t, "statuses", rt.Statuses, []callcenter.OperatorStatus{onCall})
}

func (st suite) CallerHistory(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	config(t, db)
	var calls []callcenter.Call
	for i, id := range []callcenter.CallID{"c-a", "c-b", "c-c", "c-d"} {
		calls = append(calls, callcenter.Call{ID: id, Queue: "sales", State: callcenter.CallEnded,
			CallerNumber: "+15551111", ArrivedAt: at(time.Duration(i) * time.Minute)})
	}
	calls[3].State = callcenter.CallWaiting
	calls = append(calls, callcenter.Call{ID: "c-x", Queue: "sales", State: callcenter.CallEnded, CallerNumber: "+15552222", ArrivedAt: at(0)})
	must(t, db.Apply(ctx, callcenter.Changes{Calls: calls}))
	got, err := db.CallerHistory(ctx, "+15551111", "c-d", 2)
	must(t, err)
	equal(t, "the last two but the one in progress, newest first", got, []callcenter.Call{calls[2], calls[1]})
	got, err = db.CallerHistory(ctx, "+15559999", "", 5)
	must(t, err)
	equal(t, "an unknown number", len(got), 0)
}

func (st suite) CallerHistoryAndDisplayNames(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	c := Changes()
	c.Calls[1].CallerNumber = "+15551111" // c-0, the earlier call, from the same number
	must(t, db.Apply(ctx, c))
	for range 2 { // the second time from a statement prepared the first time, where it is
		past, err := db.CallerHistory(ctx, "+15551111", "c-1", 5)
		must(t, err)
		if len(past) != 1 || past[0].ID != "c-0" || past[0].Operator != "op-bob" {
			t.Fatalf("history = %+v", past)
		}
	}
	names, err := db.DisplayNames(ctx, []callcenter.OperatorID{"op-ann", "op-bob", "op-gone"})
	must(t, err)
	equal(t, "names", names, map[callcenter.OperatorID]string{"op-ann": "Ann Lee", "op-bob": ""})
	names, err = db.DisplayNames(ctx, nil)
	must(t, err)
	if len(names) != 0 {
		t.Errorf("names of nobody: %v", names)
	}
}

// ManyRowsAtOnce: 45 events (in SQLite 32 + 8 + 5 single rows) keep their order, and 45 cloud
// requests with one id twice keep the first of the two, as row-by-row writes would.
func (st suite) ManyRowsAtOnce(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	c := Changes()
	for i := range 45 {
		c.Events = append(c.Events, callcenter.CallEvent{Call: "c-1", At: at(time.Duration(i/3) * time.Second), Kind: "note", Text: fmt.Sprint(i)})
		c.Requests = append(c.Requests, callcenter.CloudRequest{ID: fmt.Sprintf("many-%02d", i), Call: "c-1", At: at(0), Reply: callcenter.Reply{Position: i}})
	}
	c.Requests[40].ID = "many-03" // a retry of request 3 in the same batch: the first reply stands
	must(t, db.Apply(ctx, c))
	events, err := db.CallEvents(ctx, "c-1")
	must(t, err)
	if len(events) != 45 {
		t.Fatalf("%d events, want 45", len(events))
	}
	for i, e := range events {
		if e.Text != fmt.Sprint(i) {
			t.Fatalf("event %d is %q", i, e.Text)
		}
	}
	r, ok, err := db.CloudRequest(ctx, "many-03")
	must(t, err)
	if !ok || r.Reply.Position != 3 {
		t.Fatalf("many-03 = %+v, %v", r, ok)
	}
	if _, ok, _ := db.CloudRequest(ctx, "many-44"); !ok {
		t.Fatal("the last request was not stored")
	}
}
