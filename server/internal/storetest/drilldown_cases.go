package storetest

import (
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// drillCalls are ended calls of every outcome, one a minute from base, and one still waiting.
// c-3 went from op-bob to op-ann (a blind transfer: it ended with her); op-bob joined c-1 as a
// party, was invited to c-6 but never joined, and declined c-6's offer.
func drillCalls() ([]callcenter.Call, []callcenter.Offer) {
	end := func(i int) time.Time { return at(time.Duration(i)*time.Minute + 30*time.Second) }
	calls := []callcenter.Call{
		{ID: "c-1", Queue: "sales", State: callcenter.CallEnded, CallerNumber: "+15551111", Operator: "op-ann",
			ArrivedAt: at(0), AnsweredAt: at(5 * time.Second), EndedAt: end(0),
			Parties: []callcenter.Party{{ID: "p-1", Call: "c-1", Mode: callcenter.PartyConference, State: callcenter.PartyLeft, Operator: "op-bob",
				AddedBy: "op-ann", InvitedAt: at(10 * time.Second), JoinedAt: at(15 * time.Second), LeftAt: at(20 * time.Second)}}},
		{ID: "c-2", Queue: "sales", State: callcenter.CallAbandoned, CallerNumber: "+15552222", ArrivedAt: at(time.Minute), EndedAt: end(1),
			// support's line was full: its exit moved the call to sales.
			Exit: callcenter.CallExit{Kind: callcenter.ExitQueue, Cause: callcenter.ExitMaxWaiting, Queue: "support", Target: "sales", At: at(time.Minute)}},
		{ID: "c-3", Queue: "support", State: callcenter.CallEnded, CallerNumber: "+4930111", Operator: "op-ann",
			ArrivedAt: at(2 * time.Minute), AnsweredAt: at(2*time.Minute + time.Second), EndedAt: end(2),
			Transfer: callcenter.Transfer{From: "op-bob", Target: callcenter.TransferTarget{Operator: "op-ann"}, Mode: callcenter.TransferBlind,
				State: callcenter.TransferCompleted, Offer: "o-3b", Operator: "op-ann"}},
		{ID: "c-4", Queue: "support", State: callcenter.CallEnded, CallerNumber: "+15553333", Spare: "sp-1",
			ArrivedAt: at(3 * time.Minute), AnsweredAt: at(3*time.Minute + time.Second), EndedAt: end(3)},
		{ID: "c-5", Transfer: callcenter.Transfer{Target: callcenter.TransferTarget{Queue: "support"}, State: callcenter.TransferCancelled}, Queue: "sales", State: callcenter.CallLost, CallerNumber: "+15551119", ArrivedAt: at(4 * time.Minute), EndedAt: end(4)},
		{ID: "c-6", Queue: "sales", State: callcenter.CallEnded, CallerNumber: "+15551111", Operator: "op-ann",
			ArrivedAt: at(5 * time.Minute), AnsweredAt: at(5*time.Minute + time.Second), EndedAt: end(5),
			Parties: []callcenter.Party{{ID: "p-6", Call: "c-6", Mode: callcenter.PartyConference, State: callcenter.PartyFailed, Operator: "op-bob",
				AddedBy: "op-ann", InvitedAt: at(5*time.Minute + 10*time.Second), LeftAt: at(5*time.Minute + 40*time.Second), Reason: "no answer"}}},
		{ID: "c-w", Queue: "sales", State: callcenter.CallWaiting, CallerNumber: "+15551111", ArrivedAt: at(6 * time.Minute)},
	}
	offers := []callcenter.Offer{
		{ID: "o-3a", Call: "c-3", Operator: "op-bob", State: callcenter.OfferAnswered, OfferedAt: at(2 * time.Minute)},
		{ID: "o-3b", Call: "c-3", Operator: "op-ann", State: callcenter.OfferAnswered, OfferedAt: at(2*time.Minute + 10*time.Second)},
		{ID: "o-6a", Call: "c-6", Operator: "op-bob", State: callcenter.OfferDeclined, OfferedAt: at(5 * time.Minute)},
		{ID: "o-6b", Call: "c-6", Operator: "op-ann", State: callcenter.OfferAnswered, OfferedAt: at(5*time.Minute + time.Second)},
	}
	return calls, offers
}

func (st suite) SearchCalls(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	config(t, db)
	calls, offers := drillCalls()
	must(t, db.Apply(ctx, callcenter.Changes{Calls: calls, Offers: offers}))
	ids := func(q callcenter.CallQuery) []callcenter.CallID {
		t.Helper()
		if q.Limit == 0 {
			q.Limit = 50
		}
		got, err := db.SearchCalls(ctx, q)
		must(t, err)
		out := []callcenter.CallID{}
		for _, c := range got {
			out = append(out, c.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    callcenter.CallQuery
		want []callcenter.CallID
	}{
		{"every ended call, newest first", callcenter.CallQuery{}, []callcenter.CallID{"c-6", "c-5", "c-4", "c-3", "c-2", "c-1"}},
		{"number prefix", callcenter.CallQuery{Number: "+1555111"}, []callcenter.CallID{"c-6", "c-5", "c-1"}},
		{"number prefix is no contains", callcenter.CallQuery{Number: "5551111"}, []callcenter.CallID{}},
		{"number contains", callcenter.CallQuery{Number: "5551111", NumberContains: true}, []callcenter.CallID{"c-6", "c-1"}},
		{"number with like wildcards is literal", callcenter.CallQuery{Number: "+1555_", NumberContains: true}, []callcenter.CallID{}},
		{"operator", callcenter.CallQuery{Operator: "op-ann"}, []callcenter.CallID{"c-6", "c-3", "c-1"}},
		// op-bob's leg of c-3 before he transferred it, and of c-1 that he joined; not c-6,
		// whose offer he declined and where he never joined.
		{"any operator who had a leg", callcenter.CallQuery{Operator: "op-bob"}, []callcenter.CallID{"c-3", "c-1"}},
		{"queue", callcenter.CallQuery{Queue: "support"}, []callcenter.CallID{"c-4", "c-3"}},
		{"time range of ends", callcenter.CallQuery{From: at(time.Minute + 30*time.Second), To: at(3*time.Minute + 30*time.Second)},
			[]callcenter.CallID{"c-3", "c-2"}},
		{"answered", callcenter.CallQuery{Outcome: callcenter.OutcomeAnswered}, []callcenter.CallID{"c-6", "c-3", "c-1"}},
		{"abandoned", callcenter.CallQuery{Outcome: callcenter.OutcomeAbandoned}, []callcenter.CallID{"c-2"}},
		{"lost", callcenter.CallQuery{Outcome: callcenter.OutcomeLost}, []callcenter.CallID{"c-5"}},
		{"transferred", callcenter.CallQuery{Outcome: callcenter.OutcomeTransferred}, []callcenter.CallID{"c-3"}},
		{"at a spare", callcenter.CallQuery{Outcome: callcenter.OutcomeAtSpare}, []callcenter.CallID{"c-4"}},
		{"declined", callcenter.CallQuery{Outcome: callcenter.OutcomeDeclined}, []callcenter.CallID{"c-6"}},
		{"took a queue exit", callcenter.CallQuery{ExitKind: callcenter.ExitQueue}, []callcenter.CallID{"c-2"}},
		{"took any exit", callcenter.CallQuery{ExitKind: callcenter.ExitAny}, []callcenter.CallID{"c-2"}},
		{"took a message exit", callcenter.CallQuery{ExitKind: callcenter.ExitMessage}, []callcenter.CallID{}},
		{"ended by an exit (a queue exit moves a call on)", callcenter.CallQuery{Outcome: callcenter.OutcomeExited}, []callcenter.CallID{}},
		{"filters together", callcenter.CallQuery{Queue: "sales", Outcome: callcenter.OutcomeAnswered, Number: "+1555"},
			[]callcenter.CallID{"c-6", "c-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) { equal(t, "calls", ids(tc.q), tc.want) })
	}

	t.Run("pages follow one another without gaps or repeats", func(t *testing.T) {
		var all []callcenter.CallID
		q := callcenter.CallQuery{Limit: 4}
		for range 3 {
			got, err := db.SearchCalls(ctx, q)
			must(t, err)
			for _, c := range got {
				all = append(all, c.ID)
			}
			if len(got) < q.Limit {
				break
			}
			last := got[len(got)-1]
			q.After = callcenter.CallCursor{EndedAt: last.EndedAt, Call: last.ID}
		}
		equal(t, "pages", all, []callcenter.CallID{"c-6", "c-5", "c-4", "c-3", "c-2", "c-1"})
	})
	t.Run("ties on the end time are ordered by id", func(t *testing.T) {
		tie := callcenter.Call{ID: "c-0", Queue: "sales", State: callcenter.CallAbandoned, CallerNumber: "+7000", ArrivedAt: at(0), EndedAt: calls[5].EndedAt}
		must(t, db.Apply(ctx, callcenter.Changes{Calls: []callcenter.Call{tie}}))
		got, err := db.SearchCalls(ctx, callcenter.CallQuery{Limit: 1, After: callcenter.CallCursor{EndedAt: calls[5].EndedAt, Call: "c-6"}})
		must(t, err)
		equal(t, "after c-6", got[0].ID, callcenter.CallID("c-0"))
	})
	t.Run("a call its queue's exit ended", func(t *testing.T) {
		closed := callcenter.Call{ID: "c-x", Queue: "support", State: callcenter.CallEnded, HungUpBy: callcenter.HangupSystem, CallerNumber: "+15559999",
			ArrivedAt: at(7 * time.Minute), EndedAt: at(7 * time.Minute),
			Exit: callcenter.CallExit{Kind: callcenter.ExitMessage, Cause: callcenter.ExitClosed, Queue: "support", Why: "closed: New Year", At: at(7 * time.Minute)}}
		must(t, db.Apply(ctx, callcenter.Changes{Calls: []callcenter.Call{closed}}))
		equal(t, "exited", ids(callcenter.CallQuery{Outcome: callcenter.OutcomeExited}), []callcenter.CallID{"c-x"})
		equal(t, "message exits", ids(callcenter.CallQuery{ExitKind: callcenter.ExitMessage}), []callcenter.CallID{"c-x"})
		equal(t, "answered", ids(callcenter.CallQuery{Outcome: callcenter.OutcomeAnswered, Queue: "support"}), []callcenter.CallID{"c-3"})
	})
}

func (st suite) OperatorDrillDown(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	config(t, db)
	status := func(d time.Duration, state callcenter.OperatorState, reason string, answerRate float64) callcenter.OperatorStatus {
		m := callcenter.NewMarks()
		m.AnswerRate, m.RingTime = answerRate, 4*time.Second
		return callcenter.OperatorStatus{Operator: "op-ann", State: state, Since: at(d), Reason: reason, Marks: m}
	}
	// The day before, then three changes today; the status row rewritten for the same state
	// (a new mark, same since) keeps one entry.
	steps := []callcenter.OperatorStatus{
		status(-20*time.Hour, callcenter.OperatorReady, "", 1),
		status(time.Hour, callcenter.OperatorReserved, "", 1),
		status(time.Hour+20*time.Second, callcenter.OperatorBanned, "3 misses in a row", 0.5),
		status(time.Hour+20*time.Second, callcenter.OperatorBanned, "3 misses in a row", 0.4),
		status(2*time.Hour, callcenter.OperatorReady, "", 0.4),
	}
	for _, s := range steps {
		must(t, db.Apply(ctx, callcenter.Changes{Statuses: []callcenter.OperatorStatus{s}}))
	}
	// A status never in a state with a start writes no log.
	must(t, db.Apply(ctx, callcenter.Changes{Statuses: []callcenter.OperatorStatus{{Operator: "op-bob", State: callcenter.OperatorOffline}}}))
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	got, err := db.OperatorStates(ctx, "op-ann", day, day.Add(24*time.Hour))
	must(t, err)
	equal(t, "states of the day, with the one he was in when it began", got, []callcenter.StateSpan{
		{Operator: "op-ann", Since: at(-20 * time.Hour), State: callcenter.OperatorReady},
		{Operator: "op-ann", Since: at(time.Hour), State: callcenter.OperatorReserved},
		{Operator: "op-ann", Since: at(time.Hour + 20*time.Second), State: callcenter.OperatorBanned, Reason: "3 misses in a row"},
		{Operator: "op-ann", Since: at(2 * time.Hour), State: callcenter.OperatorReady},
	})
	got, err = db.OperatorStates(ctx, "op-bob", day, day.Add(24*time.Hour))
	must(t, err)
	equal(t, "bob's states", len(got), 0)

	scores, err := db.DayScores(ctx, "op-ann", day.Add(-24*time.Hour), day.Add(24*time.Hour))
	must(t, err)
	m := callcenter.NewMarks()
	m.RingTime = 4 * time.Second
	yesterday := m.ComputeScore()
	m.AnswerRate = 0.4
	today := m.ComputeScore()
	equal(t, "one score a day, the day's last", scores, []callcenter.DayScore{
		{Operator: "op-ann", Day: day.Unix()/86400 - 1, At: at(-20 * time.Hour), Score: yesterday},
		{Operator: "op-ann", Day: day.Unix() / 86400, At: at(2 * time.Hour), Score: today},
	})
	scores, err = db.DayScores(ctx, "op-ann", day, day.Add(time.Hour))
	must(t, err)
	equal(t, "a range within a day reads that day", len(scores), 1)

	// The same steps stored in one batch (group commit) log the same states and scores: each
	// state entered, not only the last status of the batch.
	batched := st.openTest(t)
	config(t, batched)
	must(t, batched.Apply(ctx, callcenter.Changes{Statuses: steps}))
	states, err := db.OperatorStates(ctx, "op-ann", day.Add(-24*time.Hour), day.Add(24*time.Hour))
	must(t, err)
	got, err = batched.OperatorStates(ctx, "op-ann", day.Add(-24*time.Hour), day.Add(24*time.Hour))
	must(t, err)
	equal(t, "states stored in one batch", got, states)
	scores, err = db.DayScores(ctx, "op-ann", day.Add(-24*time.Hour), day.Add(24*time.Hour))
	must(t, err)
	batchedScores, err := batched.DayScores(ctx, "op-ann", day.Add(-24*time.Hour), day.Add(24*time.Hour))
	must(t, err)
	equal(t, "scores stored in one batch", batchedScores, scores)

	events := []callcenter.CallEvent{
		{Call: "c-1", At: at(time.Hour), Kind: callcenter.EventOffered, Operator: "op-ann", Offer: "o-1"},
		{Call: "c-1", At: at(time.Hour + 20*time.Second), Kind: callcenter.EventOfferExpired, Operator: "op-ann", Offer: "o-1", Text: "no answer"},
		{Call: "c-1", At: at(time.Hour + 21*time.Second), Kind: callcenter.EventOffered, Operator: "op-bob", Offer: "o-2"},
		{Call: "c-2", At: at(26 * time.Hour), Kind: callcenter.EventOffered, Operator: "op-ann", Offer: "o-3"},
	}
	calls, _ := drillCalls()
	must(t, db.Apply(ctx, callcenter.Changes{Calls: calls[:2], Events: events}))
	evs, err := db.OperatorEvents(ctx, "op-ann", day, day.Add(24*time.Hour))
	must(t, err)
	equal(t, "ann's events of the day", evs, events[:2])
}

// PurgeOperatorHistory: the retention purge deletes an operator's states entered before its
// bound but the last one (a later day's strip still starts with what he was doing), and his
// scores of the days before the bound's.
func (st suite) PurgeOperatorHistory(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	config(t, db)
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC) // at(0) is 09:00 of it
	for _, s := range []callcenter.OperatorStatus{
		{Operator: "op-ann", State: callcenter.OperatorReady, Since: at(-48 * time.Hour), Marks: callcenter.NewMarks()},
		{Operator: "op-ann", State: callcenter.OperatorAway, Since: at(-47 * time.Hour), Reason: "lunch", Marks: callcenter.NewMarks()},
		{Operator: "op-ann", State: callcenter.OperatorReady, Since: at(-30 * time.Hour), Marks: callcenter.NewMarks()},
		{Operator: "op-ann", State: callcenter.OperatorReserved, Since: at(time.Hour), Marks: callcenter.NewMarks()},
		{Operator: "op-bob", State: callcenter.OperatorReady, Since: at(-40 * time.Hour), Marks: callcenter.NewMarks()},
	} {
		must(t, db.Apply(ctx, callcenter.Changes{Statuses: []callcenter.OperatorStatus{s}}))
	}
	r, err := db.PurgeCallDetails(ctx, day, at(48*time.Hour))
	must(t, err)
	// ann: two states and a day's score (the two days before); bob: his day's score only.
	equal(t, "purged", r.OperatorHistory, 2+2+1)
	got, err := db.OperatorStates(ctx, "op-ann", day, day.Add(24*time.Hour))
	must(t, err)
	equal(t, "ann's day still starts ready", got, []callcenter.StateSpan{
		{Operator: "op-ann", Since: at(-30 * time.Hour), State: callcenter.OperatorReady},
		{Operator: "op-ann", Since: at(time.Hour), State: callcenter.OperatorReserved},
	})
	got, err = db.OperatorStates(ctx, "op-ann", day.Add(-72*time.Hour), day)
	must(t, err)
	equal(t, "the days before, purged", got, []callcenter.StateSpan{{Operator: "op-ann", Since: at(-30 * time.Hour), State: callcenter.OperatorReady}})
	got, err = db.OperatorStates(ctx, "op-bob", day, day.Add(24*time.Hour))
	must(t, err)
	equal(t, "bob's only state kept", len(got), 1)
	scores, err := db.DayScores(ctx, "op-ann", day.Add(-72*time.Hour), day.Add(24*time.Hour))
	must(t, err)
	equal(t, "scores from the bound's day on", len(scores), 1)
	again, err := db.PurgeCallDetails(ctx, day, at(49*time.Hour))
	must(t, err)
	equal(t, "a second purge", again.OperatorHistory, 0)
}
