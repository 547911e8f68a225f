package sqlite

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/sqlstore"
)

// base is a whole second, so times and sums in milliseconds are exact.
var base = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return base.Add(d) }

func openTest(t *testing.T) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tandem.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// Fixtures ---------------------------------------------------------------------------------

func ann() callcenter.Operator {
	return callcenter.Operator{
		ID: "op-ann", Name: "ann", DisplayName: "Ann Lee", PasswordHash: "$argon2id$x",
		Contact:   callcenter.Contact{Kind: callcenter.ContactSIP, Target: "sip:ann@pbx"},
		Queues:    []callcenter.QueueSkill{{Queue: "support", Level: 5}, {Queue: "sales", Level: 2}},
		CreatedAt: at(-24 * time.Hour),
	}
}

func bob() callcenter.Operator {
	return callcenter.Operator{ID: "op-bob", Name: "bob", Contact: callcenter.Contact{Kind: callcenter.ContactUser, Target: "bob"}}
}

func salesQueue() callcenter.Queue {
	return callcenter.Queue{
		ID: "sales", Name: "Sales", DialedNumbers: []string{"+15550002", "+15550001"},
		Strategy: callcenter.StrategyLongestIdle, OfferTimeout: 20 * time.Second, WrapUp: 1500 * time.Millisecond,
		Priority: 3, HoldMusicURL: "https://example.com/hold.mp3", Greeting: "Hello", IsDefault: true,
	}
}

func supportQueue() callcenter.Queue {
	return callcenter.Queue{ID: "support", Name: "Support", DialedNumbers: []string{"+15550003"}}
}

// Configuration ----------------------------------------------------------------------------

// Runtime ----------------------------------------------------------------------------------

// changes is one of everything, with the odd shapes: empty and nil maps and slices, zero times.
func changes() callcenter.Changes {
	return callcenter.Changes{
		Operators: []callcenter.Operator{ann(), bob()},
		Queues:    []callcenter.Queue{salesQueue(), supportQueue()},
		Statuses: []callcenter.OperatorStatus{
			{Operator: "op-ann", State: callcenter.OperatorReserved, Since: at(10 * time.Second),
				Offer: "of-1", IdleSince: at(-time.Minute)},
			{Operator: "op-bob", State: callcenter.OperatorWrapUp, Since: at(5 * time.Second), Reason: "r",
				Call: "c-0", WrapUpEndsAt: at(20 * time.Second), IdleSince: at(-time.Hour)},
		},
		Calls: []callcenter.Call{
			{ID: "c-1", Queue: "sales", State: callcenter.CallWaiting, SessionID: "s1",
				AccessURL: "https://media/1", CallerNumber: "+15551111", CallerName: "Carl",
				DialedNumber: "+15550001", SIPHeaders: map[string]string{"X-Lang": "en", "X-VIP": "1"},
				CustomData: `{"a":1}`, ArrivedAt: at(0), Offer: "of-1"},
			{ID: "c-0", Queue: "support", State: callcenter.CallEnded, SIPHeaders: map[string]string{},
				ArrivedAt: at(-10 * time.Minute), Operator: "op-bob", Offer: "of-0",
				AnsweredAt: at(-9 * time.Minute), EndedAt: at(5 * time.Second),
				HungUpBy: callcenter.HangupCaller, TalkTime: 9*time.Minute + 5*time.Second},
		},
		Offers: []callcenter.Offer{
			{ID: "of-1", Call: "c-1", Operator: "op-ann", State: callcenter.OfferPending,
				OfferedAt: at(10 * time.Second), ExpiresAt: at(30 * time.Second)},
			{ID: "of-0", Call: "c-0", Operator: "op-bob", State: callcenter.OfferAnswered,
				OfferedAt: at(-595 * time.Second), ExpiresAt: at(-575 * time.Second),
				SettledAt: at(-540 * time.Second), RingTime: 55 * time.Second},
			{ID: "of-00", Call: "c-0", Operator: "op-ann", State: callcenter.OfferFailed,
				OfferedAt: at(-599 * time.Second), SettledAt: at(-598 * time.Second),
				FailureCode: 486, Reason: "busy"},
		},
		Decisions: []callcenter.Decision{
			{Call: "c-1", Offer: "of-1", DecidedAt: at(10 * time.Second), Strategy: callcenter.StrategyLongestIdle,
				Operator: "op-ann", Rule: "longest idle",
				Candidates: []callcenter.Candidate{
					{Operator: "op-ann", State: callcenter.OperatorReady, Eligible: true, Idle: 70 * time.Second, Score: 0.75, CallsToday: 3},
					{Operator: "op-bob", State: callcenter.OperatorWrapUp, ExcludedBecause: "wrap-up"},
					{Operator: "op-\"odd\"\n\x01é", State: callcenter.OperatorAway, ExcludedBecause: "away <lunch> & \\ \u2028", Value: -1.5e-7, ValueString: "idle 1m"},
				},
				EligibleCount: 40, ExcludedCount: 560,
				ExcludedByReason: map[string]int{"on_call": 500, "wrap_up": 59, "taken by an earlier call in line": 1}},
			{Call: "c-0", Rule: "no time, stored all the same"},
			{Call: "c-0", Offer: "of-00", DecidedAt: at(-599 * time.Second), Operator: "op-ann", Candidates: []callcenter.Candidate{}},
			{Call: "c-0", Offer: "of-0", DecidedAt: at(-595 * time.Second), Operator: "op-bob"},
		},
		Requests: []callcenter.CloudRequest{{ID: "req-1", Call: "c-1", At: at(time.Second), Reply: callcenter.Reply{
			Call: "c-1", Queue: "sales", Position: 1, HoldMusicURL: "https://example.com/hold.mp3", Greeting: "Hello",
			Next: &callcenter.Command{Type: callcenter.CommandDial, Call: "c-1", AccessURL: "https://media/1",
				Offer: "of-1", Contact: callcenter.Contact{Kind: callcenter.ContactSIP, Target: "sip:ann@pbx"},
				Timeout: 20 * time.Second, CallerID: "+15551111"},
		}}},
		Commands: []callcenter.Command{{Type: callcenter.CommandSay, Call: "c-1", Text: "not stored"}},
	}
}

// Stats ------------------------------------------------------------------------------------

// TestDecisionsOfBeforeTheBound: a record written as a JSON array of every operator (before
// records were bounded) still reads, with zero counts.
func TestDecisionsOfBeforeTheBound(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	c := changes()
	c.Decisions = nil
	must(t, db.Apply(ctx, c))
	_, err := db.w.ExecContext(ctx, `INSERT INTO decisions (`+sqlstore.DecisionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		"c-1", "of-1", int64(1000), "longest_idle", "op-ann", "ann ranks first",
		`[{"o":"op-ann","s":"ready","e":true,"i":5000000000,"v":-5,"vs":"idle 5s"},{"o":"op-bob","s":"on_call","x":"on_call"}]`)
	must(t, err)
	ds, err := db.Decisions(ctx, "c-1")
	must(t, err)
	want := []callcenter.Decision{{Call: "c-1", Offer: "of-1", DecidedAt: time.UnixMilli(1000).UTC(), Strategy: "longest_idle",
		Operator: "op-ann", Rule: "ann ranks first", Candidates: []callcenter.Candidate{
			{Operator: "op-ann", State: callcenter.OperatorReady, Eligible: true, Idle: 5 * time.Second, Value: -5, ValueString: "idle 5s"},
			{Operator: "op-bob", State: callcenter.OperatorOnCall, ExcludedBecause: "on_call"},
		}}}
	equal(t, "legacy decision", ds, want)
}

// TestDecisionJSONIsEncodingJSON: the hand-written record reads back through encoding/json
// into what encoding/json would have written.
func TestDecisionJSONIsEncodingJSON(t *testing.T) {
	for _, d := range []callcenter.Decision{
		{},
		{Candidates: []callcenter.Candidate{}},
		{Candidates: []callcenter.Candidate{{Operator: "a\x00\x1f\"\\\xff\xfe", Spare: "sp", State: "ready", Eligible: true,
			ExcludedBecause: "x\t", Idle: -3, Level: 5, Score: 1e21, CallsToday: 7, Value: math.SmallestNonzeroFloat64, ValueString: "日本"}},
			EligibleCount: 1, ExcludedCount: 2, ExcludedByReason: map[string]int{"b": 1, "a\"": 1}},
	} {
		b := appendDecisionJSON(nil, d)
		var got decisionRecord
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		want := decisionRecord{Candidates: sqlstore.CandidateRows(d.Candidates), Eligible: d.EligibleCount, Excluded: d.ExcludedCount, ByReason: d.ExcludedByReason}
		std, _ := json.Marshal(want)
		var viaStd decisionRecord
		must(t, json.Unmarshal(std, &viaStd))
		if !reflect.DeepEqual(got, viaStd) {
			t.Errorf("hand-written %s\nencoding/json %s", b, std)
		}
	}
}

func TestCallerHistoryAndDisplayNames(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	c := changes()
	c.Calls[1].CallerNumber = "+15551111" // c-0, the earlier call, from the same number
	must(t, db.Apply(ctx, c))
	for range 2 { // the second time from the prepared statement
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

// TestManyRowsAtOnce: 45 events (32 + 8 + 5 single rows) keep their order, and 45 cloud
// requests with one id twice keep the first of the two, as row-by-row writes would.
func TestManyRowsAtOnce(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	c := changes()
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
