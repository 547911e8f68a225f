package postgres_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/pgtest"
	"github.com/tandemcc/tandem/server/internal/postgres"
	"github.com/tandemcc/tandem/server/internal/storetest"
)

// The conformance suite on the store as a leader writes to it: every write checks the fence
// (in the pipeline of Apply, separately elsewhere).
func TestConformanceFenced(t *testing.T) {
	pgtest.Server(t)
	storetest.Run(t, func(t *testing.T) storetest.OpenFunc {
		dsn := pgtest.Schema(t)
		l := campaign(t, t.Context(), dsn, "fenced")
		t.Cleanup(l.Resign)
		return func(ctx context.Context) (storetest.Store, error) {
			db, err := postgres.Open(ctx, dsn)
			if err != nil {
				return nil, err
			}
			return db.Fenced(l.Epoch), nil
		}
	})
}

// A batch of runtime rows goes in one pipeline; when one of its statements fails, none of
// the batch is stored, the error names the row, and the connection is fit for reuse.
func TestApplyPipelineFailure(t *testing.T) {
	db, dsn := openSchema(t)
	ctx := t.Context()
	l := campaign(t, ctx, dsn, "a")
	defer l.Resign()
	at := time.UnixMilli(1_700_000_000_000).UTC()
	if err := db.CreateOperator(ctx, callcenter.Operator{ID: "op-ann", Name: "ann"}); err != nil {
		t.Fatal(err)
	}
	for name, store := range map[string]*postgres.DB{"unfenced": db, "fenced": db.Fenced(l.Epoch)} {
		t.Run(name, func(t *testing.T) {
			// More failures than the pool has connections: a connection left in the aborted
			// transaction would fail a later write.
			for i := range 20 {
				call := callcenter.CallID(name + "-c" + string(rune('a'+i)))
				bad := callcenter.Changes{
					Calls:    []callcenter.Call{{ID: call, State: callcenter.CallWaiting, ArrivedAt: at}},
					Statuses: []callcenter.OperatorStatus{{Operator: "op-ann", State: callcenter.OperatorReady, Since: at}},
					Offers:   []callcenter.Offer{{ID: "of-x", Call: "c-nobody", Operator: "op-ann", State: callcenter.OfferPending, OfferedAt: at}},
				}
				err := store.Apply(ctx, bad)
				if err == nil || callcenter.ErrorCode(err) != callcenter.CodeInternal || !strings.Contains(err.Error(), `write offer of-x`) {
					t.Fatalf("an offer of an unknown call: %v (%v)", err, callcenter.ErrorCode(err))
				}
				if _, _, err := store.Call(ctx, call); callcenter.ErrorCode(err) != callcenter.CodeNotFound {
					t.Fatalf("the failed batch's call was stored: %v", err)
				}
				good := bad
				good.Offers = nil
				if err := store.Apply(ctx, good); err != nil {
					t.Fatalf("a write after a failed one: %v", err)
				}
				if _, _, err := store.Call(ctx, call); err != nil {
					t.Fatal(err)
				}
			}
			rt, err := store.LoadRuntime(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(rt.Statuses) != 1 || rt.Statuses[0].State != callcenter.OperatorReady || len(rt.Offers) != 0 {
				t.Fatalf("runtime %+v", rt)
			}
		})
	}
}

// A batch of many rows in one pipeline stores what writing its rows one by one stores, NULL
// times, summed tallies and a repeated decision (the first stands) included.
func TestApplyBatchAsRows(t *testing.T) {
	ctx := t.Context()
	at := time.UnixMilli(1_700_000_000_000).UTC()
	ms := func(n int) time.Time { return at.Add(time.Duration(n) * time.Millisecond) }
	var c callcenter.Changes
	for i, id := range []callcenter.CallID{"c-1", "c-2", "c-3"} {
		op := callcenter.OperatorID([]string{"op-ann", "op-bob", "op-ann"}[i])
		offer := callcenter.OfferID("of-" + string(id))
		call := callcenter.Call{ID: id, Queue: "q", State: callcenter.CallWaiting, ArrivedAt: ms(i),
			CallerNumber: "+1555000" + string(rune('1'+i)), Priority: i, Operator: op, Offer: offer}
		if i == 1 {
			call.State, call.AnsweredAt, call.TalkTime = callcenter.CallConnected, ms(10), 0
			call.SIPHeaders, call.CustomData, call.Note = map[string]string{"X-A": "b"}, `{"k":1}`, "a note"
		}
		c.Calls = append(c.Calls, call)
		c.Offers = append(c.Offers, callcenter.Offer{ID: offer, Call: id, Operator: op, State: callcenter.OfferPending,
			OfferedAt: ms(i + 1), ExpiresAt: ms(i + 1000), FailureCode: i})
		c.Decisions = append(c.Decisions, callcenter.Decision{Call: id, Offer: offer, DecidedAt: ms(i + 1),
			Operator: op, Rule: "r", Candidates: []callcenter.Candidate{{Operator: op, Eligible: true, Score: 0.5}},
			EligibleCount: 1, ExcludedCount: i})
		c.Events = append(c.Events, callcenter.CallEvent{Call: id, At: ms(i), Kind: callcenter.EventArrived},
			callcenter.CallEvent{Call: id, At: ms(i + 1), Kind: callcenter.EventOffered, Operator: op, Offer: offer, Code: i})
		c.Tallies = append(c.Tallies, callcenter.Tally{Scope: callcenter.ScopeQueue, ID: "q", Start: at,
			Figures: callcenter.Figures{CallsReceived: 1, AnswerTimeMax: time.Duration(i) * time.Second}},
			callcenter.Tally{Scope: callcenter.ScopeOperator, ID: string(op), Start: at, Figures: callcenter.Figures{OffersMade: 1}})
	}
	again := c.Decisions[0]
	again.Rule = "the second write"
	c.Decisions = append(c.Decisions, again)
	c.Statuses = []callcenter.OperatorStatus{
		{Operator: "op-ann", State: callcenter.OperatorReserved, Since: ms(3), Offer: "of-c-3", Call: "c-3"},
		{Operator: "op-bob", State: callcenter.OperatorOnCall, Since: ms(10), Call: "c-2", IdleSince: ms(2)},
	}

	// read is everything the stores hold of c.
	read := func(t *testing.T, db *postgres.DB) []any {
		rt, err := db.LoadRuntime(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := []any{rt}
		for _, x := range c.Calls {
			call, offers, err := db.Call(ctx, x.ID)
			if err != nil {
				t.Fatal(err)
			}
			ds, err := db.Decisions(ctx, x.ID)
			if err != nil {
				t.Fatal(err)
			}
			es, err := db.CallEvents(ctx, x.ID)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, call, offers, ds, es)
		}
		for _, scope := range []callcenter.TallyScope{callcenter.ScopeQueue, callcenter.ScopeOperator} {
			ts, err := db.Tallies(ctx, scope, "", at, at.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, ts)
		}
		return out
	}
	open := func(t *testing.T) *postgres.DB {
		db, err := postgres.Open(ctx, pgtest.Schema(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.CreateQueue(ctx, callcenter.Queue{ID: "q"}); err != nil {
			t.Fatal(err)
		}
		for _, op := range []callcenter.OperatorID{"op-ann", "op-bob"} {
			if err := db.CreateOperator(ctx, callcenter.Operator{ID: op, Name: string(op)}); err != nil {
				t.Fatal(err)
			}
		}
		return db
	}

	whole := open(t)
	if err := whole.Apply(ctx, c); err != nil {
		t.Fatal(err)
	}
	oneByOne := open(t)
	var rows []callcenter.Changes
	for _, x := range c.Calls {
		rows = append(rows, callcenter.Changes{Calls: []callcenter.Call{x}})
	}
	for _, x := range c.Statuses {
		rows = append(rows, callcenter.Changes{Statuses: []callcenter.OperatorStatus{x}})
	}
	for _, x := range c.Offers {
		rows = append(rows, callcenter.Changes{Offers: []callcenter.Offer{x}})
	}
	for _, x := range c.Decisions {
		rows = append(rows, callcenter.Changes{Decisions: []callcenter.Decision{x}})
	}
	for _, x := range c.Events {
		rows = append(rows, callcenter.Changes{Events: []callcenter.CallEvent{x}})
	}
	for _, x := range c.Tallies {
		rows = append(rows, callcenter.Changes{Tallies: []callcenter.Tally{x}})
	}
	for _, r := range rows {
		if err := oneByOne.Apply(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	got, want := read(t, whole), read(t, oneByOne)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("in one batch:\n%+v\nrow by row:\n%+v", got, want)
	}
	if ds := got[3].([]callcenter.Decision); len(ds) != 1 || ds[0].Rule != "r" {
		t.Fatalf("decisions of c-1: %+v", ds)
	}
	if ts := got[len(got)-2].([]callcenter.Tally); len(ts) != 1 || ts[0].Figures.CallsReceived != 3 || ts[0].Figures.AnswerTimeMax != 2*time.Second {
		t.Fatalf("queue tallies: %+v", ts)
	}

	// A failing row among others fails the batch, and is named.
	bad := callcenter.Changes{Offers: []callcenter.Offer{
		{ID: "of-y", Call: "c-1", Operator: "op-ann", State: callcenter.OfferPending},
		{ID: "of-x", Call: "c-nobody", Operator: "op-ann", State: callcenter.OfferPending}}}
	err := whole.Apply(ctx, bad)
	if callcenter.ErrorCode(err) != callcenter.CodeInternal || !strings.Contains(err.Error(), "write offer of-x:") {
		t.Fatalf("an offer of an unknown call among others: %v", err)
	}
	if _, err := whole.Offer(ctx, "of-y"); callcenter.ErrorCode(err) != callcenter.CodeNotFound {
		t.Fatalf("the failed batch's offer was stored: %v", err)
	}
}
