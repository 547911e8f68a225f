package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// base is a whole second, so times and sums in milliseconds are exact.
var base = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return base.Add(d) }

// wantErr fails unless err is a callcenter error with code and field.
func wantErr(t *testing.T, err error, code callcenter.Code, field string) {
	t.Helper()
	if got := callcenter.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
	if code == "" || code == callcenter.CodeInternal {
		return
	}
	var e *callcenter.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v: not a *callcenter.Error", err)
	}
	if e.Field != field {
		t.Fatalf("error %v: field %q, want %q", err, e.Field, field)
	}
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
	return callcenter.Operator{ID: "op-bob", Name: "bob", Contact: callcenter.Contact{Kind: callcenter.ContactUser, Target: "bob"},
		SoftphoneHA1: "5f4dcc3b5aa765d61d8327deb882cf99"}
}

func salesQueue() callcenter.Queue {
	return callcenter.Queue{
		ID: "sales", Name: "Sales", DialedNumbers: []string{"+15550002", "+15550001"},
		Strategy: callcenter.StrategyLongestIdle, OfferTimeout: 20 * time.Second, WrapUp: 1500 * time.Millisecond,
		Priority: 3, HoldMusicURL: "https://example.com/hold.mp3", Greeting: "Hello", IsDefault: true,
		RecordCalls: true, RecordingNotice: "This call is recorded.",
		Rules: callcenter.QueueRules{Alerts: callcenter.AlertThresholds{ServiceLevelUnder: 70, LongestWaitOver: 90 * time.Second,
			WaitingOver: 3, MissesInRow: 2, AbandonmentOver: 10, Window: 30 * time.Minute, Hold: 5 * time.Second}},
	}
}

func supportQueue() callcenter.Queue {
	return callcenter.Queue{ID: "support", Name: "Support", DialedNumbers: []string{"+15550003"}}
}

// config stores ann, bob, sales and support.
func config(t *testing.T, db Store) {
	t.Helper()
	ctx := t.Context()
	must(t, db.CreateQueue(ctx, salesQueue()))
	must(t, db.CreateQueue(ctx, supportQueue()))
	must(t, db.CreateOperator(ctx, ann()))
	must(t, db.CreateOperator(ctx, bob()))
}

// Configuration ----------------------------------------------------------------------------

// roundTrip is a record written and read back; want is zero where it reads back as in.
type roundTrip[T any] struct {
	name     string
	in, want T
}

// roundTrips creates each case's record on a database of its own and checks what the reads
// give.
func roundTrips[T any](t *testing.T, st suite, tests []roundTrip[T], create func(Store, context.Context, T) error,
	check func(t *testing.T, db Store, in, want T)) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := st.openTest(t)
			want := tt.want
			if reflect.ValueOf(want).IsZero() {
				want = tt.in
			}
			must(t, create(db, t.Context(), tt.in))
			check(t, db, tt.in, want)
		})
	}
}

func (st suite) OperatorRoundTrip(t *testing.T) {
	roundTrips(t, st, []roundTrip[callcenter.Operator]{
		{name: "every field", in: ann()},
		{name: "zero fields", in: callcenter.Operator{ID: "op-min", Name: "min"}},
		{name: "disabled", in: callcenter.Operator{ID: "op-off", Name: "off", Disabled: true, CreatedAt: time.Unix(0, 0).UTC()}},
		{
			name: "empty queues read back as nil",
			in:   callcenter.Operator{ID: "op-empty", Name: "empty", Queues: []callcenter.QueueSkill{}},
			want: callcenter.Operator{ID: "op-empty", Name: "empty"},
		},
		{
			name: "times come back in UTC, to the millisecond",
			in: callcenter.Operator{ID: "op-tz", Name: "tz",
				CreatedAt: time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.FixedZone("MSK", 3*3600))},
			want: callcenter.Operator{ID: "op-tz", Name: "tz", CreatedAt: time.Date(2025, 3, 1, 9, 0, 0, 123000000, time.UTC)},
		},
	}, Store.CreateOperator, func(t *testing.T, db Store, in, want callcenter.Operator) {
		got, err := db.Operator(t.Context(), in.ID)
		must(t, err)
		equal(t, "Operator", got, want)
		got, err = db.OperatorByName(t.Context(), in.Name)
		must(t, err)
		equal(t, "OperatorByName", got, want)
		all, err := db.Operators(t.Context())
		must(t, err)
		equal(t, "Operators", all, []callcenter.Operator{want})
	})
}

func (st suite) OperatorsOrderedByName(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	zed := callcenter.Operator{ID: "op-a", Name: "zed", Queues: []callcenter.QueueSkill{{Queue: "x", Level: 1}}}
	must(t, db.CreateOperator(ctx, zed))
	must(t, db.CreateOperator(ctx, bob()))
	must(t, db.CreateOperator(ctx, ann()))
	all, err := db.Operators(ctx)
	must(t, err)
	equal(t, "Operators", all, []callcenter.Operator{ann(), bob(), zed})
}

func (st suite) UpdateOperatorReplacesEverything(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	must(t, db.CreateOperator(ctx, ann()))
	changed := callcenter.Operator{
		ID: "op-ann", Name: "ann2", DisplayName: "Ann", PasswordHash: "new",
		Contact: callcenter.Contact{Kind: callcenter.ContactUser, Target: "ann2"}, SoftphoneHA1: "0cc175b9c0f1b6a831c399e269772661",
		Queues:   []callcenter.QueueSkill{{Queue: "billing", Level: 4}},
		Disabled: true,
	}
	must(t, db.UpdateOperator(ctx, changed))
	got, err := db.Operator(ctx, "op-ann")
	must(t, err)
	equal(t, "Operator", got, changed)
	if _, err := db.OperatorByName(ctx, "ann"); callcenter.ErrorCode(err) != callcenter.CodeNotFound {
		t.Errorf("old name still found: %v", err)
	}
}

func (st suite) OperatorErrors(t *testing.T) {
	tests := []struct {
		name  string
		do    func(context.Context, Store) error
		code  callcenter.Code
		field string
	}{
		{"create taken name", func(ctx context.Context, db Store) error {
			o := bob()
			o.ID, o.Name = "op-other", "ann"
			return db.CreateOperator(ctx, o)
		}, callcenter.CodeAlreadyExists, "name"},
		{"create taken id", func(ctx context.Context, db Store) error {
			o := bob()
			o.ID = "op-ann"
			return db.CreateOperator(ctx, o)
		}, callcenter.CodeAlreadyExists, "operator_id"},
		{"create queue listed twice", func(ctx context.Context, db Store) error {
			o := callcenter.Operator{ID: "op-x", Name: "x", Queues: []callcenter.QueueSkill{{Queue: "a", Level: 1}, {Queue: "a", Level: 2}}}
			return db.CreateOperator(ctx, o)
		}, callcenter.CodeInvalid, "queues"},
		{"update to taken name", func(ctx context.Context, db Store) error {
			o := bob()
			o.Name = "ann"
			return db.UpdateOperator(ctx, o)
		}, callcenter.CodeAlreadyExists, "name"},
		{"update keeping own name", func(ctx context.Context, db Store) error {
			o := ann()
			o.DisplayName = "A."
			return db.UpdateOperator(ctx, o)
		}, "", ""},
		{"update unknown", func(ctx context.Context, db Store) error {
			return db.UpdateOperator(ctx, callcenter.Operator{ID: "op-nobody", Name: "nobody"})
		}, callcenter.CodeNotFound, "operator_id"},
		{"get unknown id", func(ctx context.Context, db Store) error {
			_, err := db.Operator(ctx, "op-nobody")
			return err
		}, callcenter.CodeNotFound, "operator_id"},
		{"get unknown name", func(ctx context.Context, db Store) error {
			_, err := db.OperatorByName(ctx, "nobody")
			return err
		}, callcenter.CodeNotFound, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := st.openTest(t)
			ctx := t.Context()
			must(t, db.CreateOperator(ctx, ann()))
			must(t, db.CreateOperator(ctx, bob()))
			wantErr(t, tt.do(ctx, db), tt.code, tt.field)
			// A failed write leaves both operators as they were.
			if tt.code != "" {
				all, err := db.Operators(ctx)
				must(t, err)
				equal(t, "Operators after failure", all, []callcenter.Operator{ann(), bob()})
			}
		})
	}
}

func (st suite) QueueRoundTrip(t *testing.T) {
	roundTrips(t, st, []roundTrip[callcenter.Queue]{
		{name: "every field, numbers in given order", in: salesQueue()},
		{name: "zero fields", in: callcenter.Queue{ID: "q"}},
		{name: "ring_all rings its operators at once", in: callcenter.Queue{ID: "q", Strategy: callcenter.StrategyRingAll, RingAtOnce: 7}},
		{
			name: "empty numbers read back as nil",
			in:   callcenter.Queue{ID: "q", DialedNumbers: []string{}},
			want: callcenter.Queue{ID: "q"},
		},
		{
			name: "durations kept to the millisecond",
			in:   callcenter.Queue{ID: "q", OfferTimeout: 1500*time.Millisecond + 999*time.Microsecond},
			want: callcenter.Queue{ID: "q", OfferTimeout: 1500 * time.Millisecond},
		},
	}, Store.CreateQueue, func(t *testing.T, db Store, in, want callcenter.Queue) {
		got, err := db.Queue(t.Context(), in.ID)
		must(t, err)
		equal(t, "Queue", got, want)
		all, err := db.Queues(t.Context())
		must(t, err)
		equal(t, "Queues", all, []callcenter.Queue{want})
	})
}

func (st suite) QueueErrors(t *testing.T) {
	tests := []struct {
		name    string
		do      func(context.Context, Store) error
		code    callcenter.Code
		field   string
		message string // the error names this
	}{
		{"create taken id", func(ctx context.Context, db Store) error {
			return db.CreateQueue(ctx, callcenter.Queue{ID: "sales"})
		}, callcenter.CodeAlreadyExists, "queue.queue_id", "sales"},
		{"create with a number of another queue", func(ctx context.Context, db Store) error {
			return db.CreateQueue(ctx, callcenter.Queue{ID: "billing", DialedNumbers: []string{"+15559999", "+15550003"}})
		}, callcenter.CodeAlreadyExists, "queue.dialed_numbers", "+15550003"},
		{"create with a number twice", func(ctx context.Context, db Store) error {
			return db.CreateQueue(ctx, callcenter.Queue{ID: "billing", DialedNumbers: []string{"+15559999", "+15559999"}})
		}, callcenter.CodeInvalid, "queue.dialed_numbers", "+15559999"},
		{"update taking a number of another queue", func(ctx context.Context, db Store) error {
			q := supportQueue()
			q.DialedNumbers = append(q.DialedNumbers, "+15550001")
			return db.UpdateQueue(ctx, q)
		}, callcenter.CodeAlreadyExists, "queue.dialed_numbers", "+15550001"},
		{"update unknown", func(ctx context.Context, db Store) error {
			return db.UpdateQueue(ctx, callcenter.Queue{ID: "billing"})
		}, callcenter.CodeNotFound, "queue.queue_id", "billing"},
		{"get unknown", func(ctx context.Context, db Store) error {
			_, err := db.Queue(ctx, "billing")
			return err
		}, callcenter.CodeNotFound, "queue_id", "billing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := st.openTest(t)
			ctx := t.Context()
			must(t, db.CreateQueue(ctx, salesQueue()))
			must(t, db.CreateQueue(ctx, supportQueue()))
			err := tt.do(ctx, db)
			wantErr(t, err, tt.code, tt.field)
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q does not name %q", err, tt.message)
			}
			all, err := db.Queues(ctx)
			must(t, err)
			equal(t, "Queues after failure", all, []callcenter.Queue{salesQueue(), supportQueue()})
		})
	}
}

func (st suite) QueueNumbersMove(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	config(t, db)
	sales := salesQueue()
	sales.DialedNumbers = []string{"+15550001"}
	must(t, db.UpdateQueue(ctx, sales))
	support := supportQueue()
	support.DialedNumbers = []string{"+15550002", "+15550003"}
	must(t, db.UpdateQueue(ctx, support))
	all, err := db.Queues(ctx)
	must(t, err)
	equal(t, "Queues", all, []callcenter.Queue{sales, support})

	// One Apply may move a number between two queues.
	sales.DialedNumbers, support.DialedNumbers = []string{"+15550003"}, []string{"+15550001", "+15550002"}
	must(t, db.Apply(ctx, callcenter.Changes{Queues: []callcenter.Queue{sales, support}}))
	all, err = db.Queues(ctx)
	must(t, err)
	equal(t, "Queues after Apply", all, []callcenter.Queue{sales, support})
}

func (st suite) OneDefaultQueue(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	defaults := func() []callcenter.QueueID {
		t.Helper()
		all, err := db.Queues(ctx)
		must(t, err)
		var ids []callcenter.QueueID
		for _, q := range all {
			if q.IsDefault {
				ids = append(ids, q.ID)
			}
		}
		return ids
	}
	must(t, db.CreateQueue(ctx, callcenter.Queue{ID: "a", IsDefault: true}))
	equal(t, "after create a", defaults(), []callcenter.QueueID{"a"})
	must(t, db.CreateQueue(ctx, callcenter.Queue{ID: "b", IsDefault: true}))
	equal(t, "after create b", defaults(), []callcenter.QueueID{"b"})
	must(t, db.UpdateQueue(ctx, callcenter.Queue{ID: "a", IsDefault: true}))
	equal(t, "after update a", defaults(), []callcenter.QueueID{"a"})
	must(t, db.Apply(ctx, callcenter.Changes{Queues: []callcenter.Queue{{ID: "c", IsDefault: true}}}))
	equal(t, "after apply c", defaults(), []callcenter.QueueID{"c"})
	must(t, db.UpdateQueue(ctx, callcenter.Queue{ID: "c"}))
	equal(t, "after clearing c", defaults(), []callcenter.QueueID(nil))
	err := db.Apply(ctx, callcenter.Changes{Queues: []callcenter.Queue{{ID: "a", IsDefault: true}, {ID: "b", IsDefault: true}}})
	wantErr(t, err, callcenter.CodeInvalid, "queue.is_default")
}

func (st suite) Sessions(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	config(t, db)
	sessions := []callcenter.Session{
		{TokenHash: "h1", Operator: "op-ann", CreatedAt: at(0), ExpiresAt: at(12 * time.Hour)},
		{TokenHash: "h2", Operator: "op-ann", CreatedAt: at(time.Minute)},
		{TokenHash: "h3", Operator: "op-bob"},
	}
	for _, s := range sessions {
		must(t, db.CreateSession(ctx, s))
	}
	for _, s := range sessions {
		got, err := db.Session(ctx, s.TokenHash)
		must(t, err)
		equal(t, "Session "+s.TokenHash, got, s)
	}
	wantErr(t, db.CreateSession(ctx, sessions[0]), callcenter.CodeAlreadyExists, "token")
	wantErr(t, db.CreateSession(ctx, callcenter.Session{TokenHash: "h4", Operator: "op-nobody"}), callcenter.CodeNotFound, "operator_id")
	_, err := db.Session(ctx, "nope")
	wantErr(t, err, callcenter.CodeNotFound, "token")

	must(t, db.DeleteSession(ctx, "h2"))
	must(t, db.DeleteSession(ctx, "h2")) // ending an ended session is fine
	_, err = db.Session(ctx, "h2")
	wantErr(t, err, callcenter.CodeNotFound, "token")

	must(t, db.DeleteOperatorSessions(ctx, "op-ann"))
	_, err = db.Session(ctx, "h1")
	wantErr(t, err, callcenter.CodeNotFound, "token")
	_, err = db.Session(ctx, "h3")
	must(t, err)
}

// Runtime ----------------------------------------------------------------------------------

// Changes is one of everything, with the odd shapes: empty and nil maps and slices, zero times.
func Changes() callcenter.Changes {
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
				CustomData: `{"a":1}`, ArrivedAt: at(0), Offer: "of-1",
				Callback: callcenter.Callback{Of: "c-9", Number: "+15551111", Attempt: 2, NotBefore: at(-time.Minute),
					VoicemailURL: "https://storage.example/records/vm-9.mp3", VoicemailLength: 7 * time.Second},
				// It came from support's full line (a queue exit): stored, and rebuilt with it.
				Exit: callcenter.CallExit{Kind: callcenter.ExitQueue, Cause: callcenter.ExitMaxWaiting, Queue: "support",
					Why: "most calls waiting: 3 calls waiting (cap 3)", Target: "sales", At: at(0)},
				Parties: []callcenter.Party{{ID: "pa-2", Call: "c-1", Mode: callcenter.PartyWhisper, State: callcenter.PartyJoined,
					Contact: callcenter.Contact{Kind: callcenter.ContactSIP, Target: "sip:olga@pbx"}, AddedBy: "olga-key", Monitor: true,
					InvitedAt: at(11 * time.Second), JoinedAt: at(14 * time.Second)}}},
			{ID: "c-0", Queue: "support", State: callcenter.CallEnded, SIPHeaders: map[string]string{},
				ArrivedAt: at(-10 * time.Minute), Operator: "op-bob", Offer: "of-0",
				AnsweredAt: at(-9 * time.Minute), EndedAt: at(5 * time.Second),
				HungUpBy: callcenter.HangupCaller, TalkTime: 9*time.Minute + 5*time.Second, HoldTime: 40 * time.Second,
				RecordingURL: "https://storage.example/records/c-0.mp3",
				VoicemailURL: "https://storage.example/records/vm-0.mp3", VoicemailLength: 12 * time.Second,
				Parties: []callcenter.Party{
					{ID: "pa-0", Call: "c-0", Mode: callcenter.PartyConference, State: callcenter.PartyLeft,
						Contact: callcenter.Contact{Kind: callcenter.ContactUser, Target: "ann"}, Operator: "op-ann", AddedBy: "op-bob",
						InvitedAt: at(-8 * time.Minute), ExpiresAt: at(-7 * time.Minute), JoinedAt: at(-450 * time.Second),
						LeftAt: at(-6 * time.Minute), Reason: "hung up", Rang: true},
					{ID: "pa-1", Call: "c-0", Mode: callcenter.PartyListen, State: callcenter.PartyFailed,
						Contact: callcenter.Contact{Kind: callcenter.ContactPSTN, Target: "+15550199"}, AddedBy: "olga-key", Monitor: true,
						InvitedAt: at(-7 * time.Minute), LeftAt: at(-419 * time.Second), Reason: "busy"},
					{ID: "pa-3", Call: "c-0", Mode: callcenter.PartyConference, State: callcenter.PartyFailed,
						Contact: callcenter.Contact{Kind: callcenter.ContactUser, Target: "ann"}, Operator: "op-ann", AddedBy: "op-bob",
						InvitedAt: at(-410 * time.Second), ExpiresAt: at(-385 * time.Second), LeftAt: at(-385 * time.Second),
						Reason: "no answer in time", Rang: true, Missed: true},
				},
				Transfer: callcenter.Transfer{From: "op-ann", Mode: callcenter.TransferWarm, Target: callcenter.TransferTarget{Queue: "support"}, Priority: 2,
					State: callcenter.TransferCompleted, Offer: "of-0", Operator: "op-bob", StartedAt: at(-595 * time.Second), Reason: "r",
					Queue: "sales", QueuePriority: 3},
				Menu: "main", MenuAt: at(-11 * time.Minute), MenuExit: "queue:support",
				MenuPath: []callcenter.MenuStep{{Node: "start", Digit: "2"}, {Node: "more", Words: "support please"}, {Node: "last", TimedOut: true}}},
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
				// A bounded record: the others counted by why they were left out.
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

// checkStored fails unless db holds exactly what Changes() wrote.
func checkStored(t *testing.T, db Store) {
	t.Helper()
	ctx := t.Context()
	c := Changes()

	ops, err := db.Operators(ctx)
	must(t, err)
	equal(t, "Operators", ops, c.Operators)
	qs, err := db.Queues(ctx)
	must(t, err)
	equal(t, "Queues", qs, c.Queues)

	call, offers, err := db.Call(ctx, "c-1")
	must(t, err)
	equal(t, "Call c-1", call, c.Calls[0])
	equal(t, "offers of c-1", offers, []callcenter.Offer{c.Offers[0]})
	call, offers, err = db.Call(ctx, "c-0")
	must(t, err)
	equal(t, "Call c-0", call, c.Calls[1])
	equal(t, "offers of c-0 by offered_at", offers, []callcenter.Offer{c.Offers[2], c.Offers[1]})

	for _, want := range c.Offers {
		got, err := db.Offer(ctx, want.ID)
		must(t, err)
		equal(t, "Offer "+string(want.ID), got, want)
	}

	ds, err := db.Decisions(ctx, "c-1")
	must(t, err)
	equal(t, "Decisions c-1", ds, c.Decisions[:1])
	ds, err = db.Decisions(ctx, "c-0")
	must(t, err)
	equal(t, "Decisions c-0", ds, c.Decisions[1:])

	req, ok, err := db.CloudRequest(ctx, "req-1")
	must(t, err)
	if !ok {
		t.Fatal("CloudRequest req-1 not found")
	}
	equal(t, "CloudRequest", req, c.Requests[0])

	rt, err := db.LoadRuntime(ctx)
	must(t, err)
	equal(t, "LoadRuntime", rt, callcenter.Runtime{
		Statuses:  c.Statuses,
		Calls:     c.Calls[:1],
		Offers:    c.Offers[:1],
		WrappedUp: c.Calls[1:2], // bob wraps c-0 up
	})
}

func (st suite) ApplyWritesEverythingAndIsIdempotent(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	must(t, db.Apply(ctx, Changes()))
	checkStored(t, db)
	must(t, db.Apply(ctx, Changes()))
	checkStored(t, db)
}

func (st suite) ApplyUpdates(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	must(t, db.Apply(ctx, Changes()))

	c := Changes()
	call := c.Calls[0]
	call.State, call.Operator, call.AnsweredAt = callcenter.CallConnected, "op-ann", at(15*time.Second)
	call.SIPHeaders = nil
	offer := c.Offers[0]
	offer.State, offer.SettledAt, offer.RingTime = callcenter.OfferAnswered, at(15*time.Second), 5*time.Second
	status := callcenter.OperatorStatus{Operator: "op-ann", State: callcenter.OperatorOnCall, Since: at(15 * time.Second), Call: "c-1"}
	// A retry of req-1 with another answer changes nothing: the first answer stands.
	retry := c.Requests[0]
	retry.Reply.Position = 7
	must(t, db.Apply(ctx, callcenter.Changes{
		Calls: []callcenter.Call{call}, Offers: []callcenter.Offer{offer},
		Statuses: []callcenter.OperatorStatus{status}, Requests: []callcenter.CloudRequest{retry},
	}))
	bare := callcenter.CloudRequest{ID: "req-2"}
	must(t, db.Apply(ctx, callcenter.Changes{Requests: []callcenter.CloudRequest{bare}}))
	got2, ok, err := db.CloudRequest(ctx, "req-2")
	must(t, err)
	if !ok {
		t.Fatal("req-2 not found")
	}
	equal(t, "bare CloudRequest", got2, bare)

	got, offers, err := db.Call(ctx, "c-1")
	must(t, err)
	equal(t, "Call", got, call)
	equal(t, "offers", offers, []callcenter.Offer{offer})
	rt, err := db.LoadRuntime(ctx)
	must(t, err)
	equal(t, "Runtime", rt, callcenter.Runtime{
		Statuses:  []callcenter.OperatorStatus{status, c.Statuses[1]},
		Calls:     []callcenter.Call{call},
		WrappedUp: c.Calls[1:2],
	})
	req, _, err := db.CloudRequest(ctx, "req-1")
	must(t, err)
	equal(t, "CloudRequest", req, c.Requests[0])
}

func (st suite) ApplyIsAtomic(t *testing.T) {
	tests := []struct {
		name    string
		breakIt func(*callcenter.Changes)
		code    callcenter.Code
		field   string
	}{
		{"offer of an unknown call", func(c *callcenter.Changes) {
			c.Offers = append(c.Offers, callcenter.Offer{ID: "of-x", Call: "c-nobody", Operator: "op-ann", State: callcenter.OfferPending})
		}, callcenter.CodeInternal, ""},
		{"decision on an unknown call", func(c *callcenter.Changes) {
			c.Decisions = append(c.Decisions, callcenter.Decision{Call: "c-nobody", DecidedAt: at(0)})
		}, callcenter.CodeInternal, ""},
		{"status of an unknown operator", func(c *callcenter.Changes) {
			c.Statuses = append(c.Statuses, callcenter.OperatorStatus{Operator: "op-nobody", State: callcenter.OperatorReady})
		}, callcenter.CodeInternal, ""},
		{"two operators with one name", func(c *callcenter.Changes) {
			o := bob()
			o.ID = "op-bob2"
			c.Operators = append(c.Operators, o)
		}, callcenter.CodeAlreadyExists, "name"},
		{"two queues with one number", func(c *callcenter.Changes) {
			c.Queues = append(c.Queues, callcenter.Queue{ID: "billing", DialedNumbers: []string{"+15550003"}})
		}, callcenter.CodeAlreadyExists, "queue.dialed_numbers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := st.openTest(t)
			ctx := t.Context()
			c := Changes()
			tt.breakIt(&c)
			wantErr(t, db.Apply(ctx, c), tt.code, tt.field)

			ops, err := db.Operators(ctx)
			must(t, err)
			qs, err := db.Queues(ctx)
			must(t, err)
			rt, err := db.LoadRuntime(ctx)
			must(t, err)
			_, ok, err := db.CloudRequest(ctx, "req-1")
			must(t, err)
			if len(ops) != 0 || len(qs) != 0 || !reflect.DeepEqual(rt, callcenter.Runtime{}) || ok {
				t.Errorf("a failed Apply left rows: %d operators, %d queues, runtime %+v, request %v", len(ops), len(qs), rt, ok)
			}
			_, _, err = db.Call(ctx, "c-0")
			wantErr(t, err, callcenter.CodeNotFound, "call_id")

			// The store still works afterwards.
			must(t, db.Apply(ctx, Changes()))
			checkStored(t, db)
		})
	}
}

func (st suite) ApplyEmptyWritesNothing(t *testing.T) {
	open := st.open(t)
	db, err := open(t.Context())
	must(t, err)
	// Only commands: nothing to store, so no transaction is begun, which even a closed store
	// shows.
	must(t, db.Close())
	must(t, db.Apply(t.Context(), callcenter.Changes{Commands: []callcenter.Command{{Type: callcenter.CommandHangup}}}))
	if err := db.Apply(t.Context(), Changes()); err == nil {
		t.Fatal("Apply with changes on a closed store succeeded")
	}
}

func (st suite) LoadRuntimeFilters(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	config(t, db)
	states := []callcenter.CallState{
		callcenter.CallLost, callcenter.CallConnected, callcenter.CallEnded,
		callcenter.CallWaiting, callcenter.CallAbandoned,
	}
	var c callcenter.Changes
	var wantCalls []callcenter.Call
	// Arrival order is the reverse of id order, so the ordering is by arrived_at.
	for i, s := range states {
		call := callcenter.Call{ID: callcenter.CallID(fmt.Sprintf("c-%c", 'a'+i)), Queue: "sales", State: s,
			ArrivedAt: at(-time.Duration(i) * time.Minute)}
		c.Calls = append(c.Calls, call)
		if !s.Finished() {
			wantCalls = append([]callcenter.Call{call}, wantCalls...)
		}
	}
	offerStates := []callcenter.OfferState{
		callcenter.OfferAnswered, callcenter.OfferPending, callcenter.OfferFailed,
		callcenter.OfferExpired, callcenter.OfferWithdrawn, callcenter.OfferPending, callcenter.OfferDeclined,
	}
	var wantOffers []callcenter.Offer
	for i, s := range offerStates {
		o := callcenter.Offer{ID: callcenter.OfferID(fmt.Sprintf("of-%c", 'a'+i)), Call: "c-b", Operator: "op-ann",
			State: s, OfferedAt: at(-time.Duration(i) * time.Second)}
		c.Offers = append(c.Offers, o)
		if s == callcenter.OfferPending {
			wantOffers = append([]callcenter.Offer{o}, wantOffers...)
		}
	}
	// A declined offer of a finished call is not loaded: only calls in progress are offered.
	c.Offers = append(c.Offers, callcenter.Offer{ID: "of-z", Call: "c-c", Operator: "op-ann", State: callcenter.OfferDeclined, OfferedAt: at(0)})
	must(t, db.Apply(ctx, c))
	rt, err := db.LoadRuntime(ctx)
	must(t, err)
	equal(t, "calls", rt.Calls, wantCalls)
	equal(t, "offers", rt.Offers, wantOffers)
	equal(t, "declined offers", rt.Declined, []callcenter.Offer{c.Offers[6]})
	if len(rt.Statuses) != 0 {
		t.Errorf("statuses: %+v, want none", rt.Statuses)
	}
}

func (st suite) LookupsOfUnknown(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	_, _, err := db.Call(ctx, "c-x")
	wantErr(t, err, callcenter.CodeNotFound, "call_id")
	_, err = db.Offer(ctx, "of-x")
	wantErr(t, err, callcenter.CodeNotFound, "offer_id")
	ds, err := db.Decisions(ctx, "c-x")
	must(t, err)
	if len(ds) != 0 {
		t.Errorf("Decisions of unknown call: %+v", ds)
	}
	req, ok, err := db.CloudRequest(ctx, "req-x")
	must(t, err)
	if ok || !reflect.DeepEqual(req, callcenter.CloudRequest{}) {
		t.Errorf("CloudRequest of unknown id: %+v, %v", req, ok)
	}
}

func (st suite) ReopenKeepsData(t *testing.T) {
	ctx := t.Context()
	open := st.open(t)
	// Migrations run again on every Open and change nothing.
	for i := range 3 {
		db, err := open(ctx)
		must(t, err)
		if i == 0 {
			must(t, db.Apply(ctx, Changes()))
		}
		checkStored(t, db)
		must(t, db.Close())
	}
}

func (st suite) ConcurrentReadsAndWrites(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	config(t, db)
	done := make(chan error, 8)
	for w := range 4 {
		go func() {
			for i := range 25 {
				id := callcenter.CallID(fmt.Sprintf("c-%d-%d", w, i))
				err := db.Apply(ctx, callcenter.Changes{Calls: []callcenter.Call{{ID: id, Queue: "sales", State: callcenter.CallWaiting, ArrivedAt: at(time.Duration(i) * time.Second)}}})
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
		go func() {
			for range 25 {
				if _, err := db.LoadRuntime(ctx); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		must(t, <-done)
	}
	rt, err := db.LoadRuntime(ctx)
	must(t, err)
	if len(rt.Calls) != 100 {
		t.Errorf("calls: %d, want 100", len(rt.Calls))
	}
}

// Stats ------------------------------------------------------------------------------------

// statsData is a small day: the range is [base, base+1h).
//
//	sales:   c1 answered after 10s (talk 60s): ann expired, bob answered (ring 7s)
//	         c2 abandoned: ann failed
//	         c3 lost, no offers
//	         c4 answered after 30s (talk 45s): ann answered (ring 4s)
//	         c5 arrived before the range, waiting: bob pending (offered in the range)
//	         c6 arrived after the range, waiting
//	support: c7 answered after 5s (talk 120s): bob answered (ring 5s)
//	         c8 arrived at the end of the range (excluded), waiting: bob pending at the end
func statsData(t *testing.T, db Store) (from, to time.Time) {
	t.Helper()
	config(t, db)
	must(t, db.CreateQueue(t.Context(), callcenter.Queue{ID: "empty"}))
	call := func(id callcenter.CallID, q callcenter.QueueID, s callcenter.CallState, arrived time.Duration, answerAfter, talk time.Duration) callcenter.Call {
		c := callcenter.Call{ID: id, Queue: q, State: s, ArrivedAt: at(arrived), TalkTime: talk}
		if answerAfter > 0 {
			c.AnsweredAt = at(arrived + answerAfter)
		}
		return c
	}
	offer := func(id callcenter.OfferID, c callcenter.CallID, op callcenter.OperatorID, s callcenter.OfferState, offered, ring time.Duration) callcenter.Offer {
		return callcenter.Offer{ID: id, Call: c, Operator: op, State: s, OfferedAt: at(offered), RingTime: ring}
	}
	const s, m, h = time.Second, time.Minute, time.Hour
	must(t, db.Apply(t.Context(), callcenter.Changes{
		Calls: []callcenter.Call{
			call("c1", "sales", callcenter.CallEnded, 0, 10*s, 60*s),
			call("c2", "sales", callcenter.CallAbandoned, 1*m, 0, 0),
			call("c3", "sales", callcenter.CallLost, 2*m, 0, 0),
			call("c4", "sales", callcenter.CallEnded, 3*m, 30*s, 45*s),
			call("c5", "sales", callcenter.CallWaiting, -1*m, 0, 0),
			call("c6", "sales", callcenter.CallWaiting, 2*h, 0, 0),
			call("c7", "support", callcenter.CallEnded, 30*m, 5*s, 120*s),
			call("c8", "support", callcenter.CallWaiting, 1*h, 0, 0),
		},
		Offers: []callcenter.Offer{
			offer("o1a", "c1", "op-ann", callcenter.OfferExpired, 1*s, 0),
			offer("o1b", "c1", "op-bob", callcenter.OfferAnswered, 3*s, 7*s),
			offer("o2", "c2", "op-ann", callcenter.OfferFailed, 61*s, 0),
			offer("o4", "c4", "op-ann", callcenter.OfferAnswered, 3*m+26*s, 4*s),
			offer("o5", "c5", "op-bob", callcenter.OfferPending, 5*s, 0),
			offer("o7", "c7", "op-bob", callcenter.OfferAnswered, 30*m, 5*s),
			offer("o8", "c8", "op-bob", callcenter.OfferPending, 1*h, 0),
		},
	}))
	return at(0), at(time.Hour)
}

func (st suite) TalliesAddUp(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	q := func(id string, start time.Duration, f callcenter.Figures) callcenter.Tally {
		return callcenter.Tally{Scope: callcenter.ScopeQueue, ID: id, Start: at(start), Figures: f}
	}
	first := callcenter.Figures{CallsReceived: 2, CallsAnswered: 1, AnswerTimeTotal: 12 * time.Second,
		AnswerTimeMax: 12 * time.Second, TalkTime: time.Minute, Ready: 3 * time.Second}
	first.Histogram[2] = 1
	second := callcenter.Figures{CallsReceived: 1, CallsAnswered: 1, AnswerTimeTotal: 4 * time.Second,
		AnswerTimeMax: 4 * time.Second, CallsAbandoned: 1, ExitsClosed: 1, ExitsMaxWaiting: 2, ExitsLongestWait: 3,
		ExitsMessage: 4, ExitsNumber: 5, ExitsQueue: 6}
	second.Histogram[0] = 1
	// Two tallies of one row in one batch, one more in a later batch, other rows around it.
	must(t, db.Apply(ctx, callcenter.Changes{Tallies: []callcenter.Tally{
		q("sales", 0, first), q("sales", 0, second), q("sales", 15*time.Minute, second), q("support", 0, first),
		{Scope: callcenter.ScopeOperator, ID: "sales", Start: at(0), Figures: first},
	}}))
	must(t, db.Apply(ctx, callcenter.Changes{Tallies: []callcenter.Tally{q("sales", 0, second)}}))

	want := first
	want.Add(second)
	want.Add(second)
	got, err := db.Tallies(ctx, callcenter.ScopeQueue, "sales", at(0), at(15*time.Minute))
	must(t, err)
	equal(t, "one row", got, []callcenter.Tally{q("sales", 0, want)})
	if got[0].Figures.AnswerTimeMax != 12*time.Second {
		t.Errorf("the longest answer is the longest, not a sum: %v", got[0].Figures.AnswerTimeMax)
	}
	all, err := db.Tallies(ctx, callcenter.ScopeQueue, "", at(0), at(time.Hour))
	must(t, err)
	equal(t, "every queue in time order", all, []callcenter.Tally{q("sales", 0, want), q("support", 0, first), q("sales", 15*time.Minute, second)})
	none, err := db.Tallies(ctx, callcenter.ScopeQueue, "", at(time.Hour), at(2*time.Hour))
	must(t, err)
	equal(t, "an empty range", len(none), 0)
}

func (st suite) TallyTotalsPerID(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	q := func(id string, start time.Duration, f callcenter.Figures) callcenter.Tally {
		return callcenter.Tally{Scope: callcenter.ScopeQueue, ID: id, Start: at(start), Figures: f}
	}
	a := callcenter.Figures{CallsReceived: 2, CallsAnswered: 2, AnswerTimeTotal: 30 * time.Second,
		AnswerTimeMax: 25 * time.Second, TalkTime: time.Minute, HoldTime: 20 * time.Second, OnCall: time.Minute, Ready: 2 * time.Minute}
	a.Histogram[1], a.Histogram[4] = 1, 1
	b := callcenter.Figures{CallsReceived: 3, CallsAnswered: 1, CallsAbandoned: 2, AnswerTimeTotal: 40 * time.Second,
		AnswerTimeMax: 40 * time.Second, Away: time.Hour}
	b.Histogram[5] = 1
	must(t, db.Apply(ctx, callcenter.Changes{Tallies: []callcenter.Tally{
		q("sales", 0, a), q("sales", 15*time.Minute, b), q("sales", 2*time.Hour, b), q("support", 30*time.Minute, b),
		{Scope: callcenter.ScopeOperator, ID: "sales", Start: at(0), Figures: a},
	}}))
	sales := a
	sales.Add(b)
	got, err := db.TallyTotals(ctx, callcenter.ScopeQueue, "", at(0), at(time.Hour))
	must(t, err)
	equal(t, "one total per queue, by id, starting at from", got, []callcenter.Tally{q("sales", 0, sales), q("support", 0, b)})
	if got[0].Figures.AnswerTimeMax != 40*time.Second {
		t.Errorf("the longest answer is the longest, not a sum: %v", got[0].Figures.AnswerTimeMax)
	}
	one, err := db.TallyTotals(ctx, callcenter.ScopeQueue, "support", at(0), at(time.Hour))
	must(t, err)
	equal(t, "one queue", one, []callcenter.Tally{q("support", 0, b)})
	none, err := db.TallyTotals(ctx, callcenter.ScopeQueue, "", at(time.Hour), at(2*time.Hour))
	must(t, err)
	equal(t, "an empty range", len(none), 0)
}

func (st suite) CallEventsInOrder(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	ev := []callcenter.CallEvent{
		{Call: "c1", At: at(0), Kind: callcenter.EventArrived, QueueAfter: "sales"},
		{Call: "c1", At: at(time.Second), Kind: callcenter.EventOffered, Operator: "op-ann", Offer: "o1"},
		{Call: "c1", At: at(time.Second), Kind: callcenter.EventOfferFailed, Operator: "op-ann", Offer: "o1", Code: 486, Text: "busy", RingTime: 2 * time.Second},
		{Call: "c2", At: at(0), Kind: callcenter.EventArrived},
	}
	must(t, db.Apply(ctx, callcenter.Changes{Events: ev[:2]}))
	must(t, db.Apply(ctx, callcenter.Changes{Events: ev[2:]}))
	got, err := db.CallEvents(ctx, "c1")
	must(t, err)
	equal(t, "c1's timeline", got, ev[:3])
}
