package storetest

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// notStored are the fields of callcenter.Changes that no store keeps: the reply's command, the
// cloud sender's commands and the sweeper's repairs (logged).
var notStored = []string{"Next", "Commands", "Repairs"}

// ApplyStoresEveryField sets every stored field of a callcenter.Changes, by name, from the table
// below, applies it, and reads each field back through the store's reads. A field the table
// does not know fails the test with its name: a field added to Changes must be stored by Apply
// (sqlstore's, the one place that writes Changes) and read back here, or be listed in notStored.
func (st suite) ApplyStoresEveryField(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	c := Changes()
	// The absence Unabsent deletes, stored first.
	gone := callcenter.Absence{ID: "ab-gone", Operator: "op-bob", Kind: callcenter.AbsenceVacation, From: "2025-02-01", To: "2025-02-02"}
	must(t, db.Apply(ctx, callcenter.Changes{Operators: c.Operators, Absences: []callcenter.Absence{gone}}))

	absences := []callcenter.Absence{{ID: "ab-1", Operator: "op-ann", Kind: callcenter.AbsenceVacation, From: "2025-03-01", To: "2025-03-02"}}
	clients := []callcenter.Client{{Number: "+15550100", Manager: "op-ann", How: callcenter.AssignedByAdmin, AssignedAt: at(time.Minute)}}
	spares := []callcenter.Spare{{ID: "sp-a", Name: "Team A", Contact: callcenter.Contact{Kind: callcenter.ContactSIP, Target: "sip:a@pbx"},
		Holidays: []string{"2025-12-25"}, MaxConcurrent: 2, DailyCap: 10, Priority: 1, Cooldown: time.Minute}}
	use := []callcenter.SpareStatus{{Spare: "sp-a", Active: 1, Day: "2025-03-01", CallsToday: 3, CooldownUntil: at(time.Minute), Misses: 1, LastUsed: at(0)}}
	notes := []callcenter.CallNote{{Call: "c-0", Note: "called back"}}
	dispositions := []callcenter.CallDisposition{{Call: "c-0", Code: "callback", At: at(time.Second)}, {Call: "c-0", Code: "sale", At: at(2 * time.Second)}}
	figures := callcenter.Figures{CallsReceived: 2, CallsAnswered: 1, AnswerTimeTotal: 12 * time.Second, AnswerTimeMax: 12 * time.Second}
	tallies := []callcenter.Tally{{Scope: callcenter.ScopeQueue, ID: "sales", Start: at(0), Figures: figures}}
	events := []callcenter.CallEvent{
		{Call: "c-1", At: at(0), Kind: callcenter.EventArrived, QueueAfter: "sales"},
		{Call: "c-1", At: at(time.Second), Kind: callcenter.EventOffered, Operator: "op-ann", Offer: "of-1"},
		{Call: "c-1", At: at(2 * time.Second), Kind: callcenter.EventMonitorSwitch, Text: "whisper", Party: "pa-2"},
	}
	cursors := map[callcenter.QueueID]callcenter.OperatorID{"sales": "op-ann"}
	menus := []callcenter.Menu{{ID: "main", Name: "Main", DialedNumbers: []string{"+15550001", "+15550002"}, Nodes: []callcenter.MenuNode{
		{ID: "start", Text: "Press 1.", Timeout: 5 * time.Second, Repeats: 2, Choices: []callcenter.MenuChoice{
			{Digit: "1", Words: []string{"sales", "buy"}, Action: callcenter.MenuAction{Kind: callcenter.MenuToNode, Node: "more"}},
			{Digit: "0", Action: callcenter.MenuAction{Kind: callcenter.MenuToNumber, Number: "sip:desk@pbx"}}},
			Default: callcenter.MenuAction{Kind: callcenter.MenuToQueue, Queue: "sales"}},
		{ID: "more", AudioURL: "https://cdn.example/more.mp3", Timeout: time.Second, Default: callcenter.MenuAction{Kind: callcenter.MenuToQueue, Queue: "support"}},
	}}}
	// The menu Unmenu deletes, stored first.
	must(t, db.Apply(ctx, callcenter.Changes{Menus: []callcenter.Menu{{ID: "gone", Nodes: []callcenter.MenuNode{{ID: "x"}}}}}))

	var rt callcenter.Runtime // read after the Apply, for the checks that need it
	fields := map[string]struct {
		value any                // the field's value
		check func(t *testing.T) // reads it back
	}{
		"Operators": {c.Operators, func(t *testing.T) {
			got, err := db.Operators(ctx)
			must(t, err)
			equal(t, "Operators", got, c.Operators)
		}},
		"Queues": {c.Queues, func(t *testing.T) {
			got, err := db.Queues(ctx)
			must(t, err)
			equal(t, "Queues", got, c.Queues)
		}},
		"Statuses": {c.Statuses, func(t *testing.T) { equal(t, "statuses", rt.Statuses, c.Statuses) }},
		"Calls": {c.Calls, func(t *testing.T) {
			for _, want := range c.Calls {
				got, _, err := db.Call(ctx, want.ID)
				must(t, err)
				if want.ID == notes[0].Call {
					want.Note = notes[0].Note
					want.Disposition = dispositions[1].Code
				}
				equal(t, "Call "+string(want.ID), got, want)
			}
		}},
		"Offers": {c.Offers, func(t *testing.T) {
			for _, want := range c.Offers {
				got, err := db.Offer(ctx, want.ID)
				must(t, err)
				equal(t, "Offer "+string(want.ID), got, want)
			}
		}},
		"Decisions": {c.Decisions, func(t *testing.T) {
			var got []callcenter.Decision
			for _, call := range []callcenter.CallID{"c-1", "c-0"} {
				ds, err := db.Decisions(ctx, call)
				must(t, err)
				got = append(got, ds...)
			}
			equal(t, "Decisions", got, c.Decisions)
		}},
		"Requests": {c.Requests, func(t *testing.T) {
			for _, want := range c.Requests {
				got, ok, err := db.CloudRequest(ctx, want.ID)
				must(t, err)
				if !ok {
					t.Fatalf("CloudRequest %s not found", want.ID)
				}
				equal(t, "CloudRequest "+want.ID, got, want)
			}
		}},
		"Cursors":  {cursors, func(t *testing.T) { equal(t, "cursors", rt.Cursors, cursors) }},
		"Clients":  {clients, func(t *testing.T) { equal(t, "clients", rt.Clients, clients) }},
		"Absences": {absences, func(t *testing.T) { equal(t, "absences", rt.Absences, absences) }},
		"Unabsent": {[]string{gone.ID}, func(t *testing.T) {
			for _, a := range rt.Absences {
				if a.ID == gone.ID {
					t.Errorf("absence %s was not deleted", gone.ID)
				}
			}
		}},
		"Spares":   {spares, func(t *testing.T) { equal(t, "spares", rt.Spares, spares) }},
		"SpareUse": {use, func(t *testing.T) { equal(t, "spare use", rt.SpareUse, use) }},
		"Menus":    {menus, func(t *testing.T) { equal(t, "menus", rt.Menus, menus) }},
		"Unmenu": {[]callcenter.MenuID{"gone"}, func(t *testing.T) {
			for _, m := range rt.Menus {
				if m.ID == "gone" {
					t.Errorf("menu gone was not deleted")
				}
			}
		}},
		"Notes": {notes, func(t *testing.T) {
			got, _, err := db.Call(ctx, notes[0].Call)
			must(t, err)
			equal(t, "the note", got.Note, notes[0].Note)
		}},
		"Dispositions": {dispositions, func(t *testing.T) {
			got, _, err := db.Call(ctx, "c-0")
			must(t, err)
			equal(t, "the disposition (the latest)", got.Disposition, "sale")
			found, err := db.SearchCalls(ctx, callcenter.CallQuery{Disposition: "sale", Limit: 10})
			must(t, err)
			if len(found) != 1 || found[0].ID != "c-0" {
				t.Errorf("search by disposition: %v", found)
			}
			found, err = db.SearchCalls(ctx, callcenter.CallQuery{Disposition: "callback", Limit: 10})
			must(t, err)
			equal(t, "search by a disposition replaced", len(found), 0)
			// Counted once, in the queue's and the operator's interval of its arrival.
			for _, who := range []struct {
				scope callcenter.TallyScope
				id    string
			}{{callcenter.ScopeQueue, string(got.Queue)}, {callcenter.ScopeOperator, string(got.Operator)}} {
				ts, err := db.Tallies(ctx, who.scope, who.id, got.ArrivedAt.Add(-24*time.Hour), got.ArrivedAt.Add(24*time.Hour))
				must(t, err)
				var sum callcenter.Figures
				for _, x := range ts {
					if !x.Start.Equal(callcenter.IntervalStart(got.ArrivedAt)) && len(x.Figures.Dispositions) > 0 {
						t.Errorf("%s %s: dispositions in the interval of %v", who.scope, who.id, x.Start)
					}
					sum.Add(x.Figures)
				}
				equal(t, string(who.scope)+" dispositions", sum.Dispositions, map[string]int64{"sale": 1})
				// And once in the whole range's total, with the tally's counts or alone.
				totals, err := db.TallyTotals(ctx, who.scope, who.id, got.ArrivedAt.Add(-24*time.Hour), got.ArrivedAt.Add(24*time.Hour))
				must(t, err)
				if len(totals) != 1 || totals[0].ID != who.id || !reflect.DeepEqual(totals[0].Figures.Dispositions, map[string]int64{"sale": 1}) {
					t.Errorf("%s %s: totals %+v, want one with sale=1", who.scope, who.id, totals)
				}
			}
		}},
		"Tallies": {tallies, func(t *testing.T) {
			got, err := db.Tallies(ctx, callcenter.ScopeQueue, "sales", at(0), at(time.Hour))
			must(t, err)
			equal(t, "Tallies", got, tallies)
		}},
		"Events": {events, func(t *testing.T) {
			got, err := db.CallEvents(ctx, "c-1")
			must(t, err)
			equal(t, "CallEvents", got, events)
		}},
	}

	var all callcenter.Changes
	v := reflect.ValueOf(&all).Elem()
	var names []string
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		if slices.Contains(notStored, name) {
			continue
		}
		f, ok := fields[name]
		if !ok {
			t.Errorf("callcenter.Changes.%s is not known to this case: store it in sqlstore's Apply and read it back here, or list it in notStored", name)
			continue
		}
		value := reflect.ValueOf(f.value)
		if value.Len() == 0 {
			t.Errorf("Changes.%s is empty in this case", name)
		}
		v.Field(i).Set(value)
		// Apply writes nothing for Changes that are Empty.
		var only callcenter.Changes
		reflect.ValueOf(&only).Elem().Field(i).Set(value)
		if only.Empty() {
			t.Errorf("Changes with only %s set are Empty: Apply would not store them", name)
		}
		names = append(names, name)
	}
	for name := range fields {
		if _, ok := v.Type().FieldByName(name); !ok {
			t.Errorf("this case sets Changes.%s, which callcenter.Changes has not", name)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	must(t, db.Apply(ctx, all))
	var err error
	rt, err = db.LoadRuntime(ctx)
	must(t, err)
	for _, name := range names {
		t.Run(name, fields[name].check)
	}
}
