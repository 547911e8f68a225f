package rpc

import (
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
)

func TestSearchCalls(t *testing.T) {
	a := newTestAPI(t, limits.Limits{})
	a.setup("anna", "boris")
	api := a.admin().Analytics
	ctx := t.Context()
	anna, err := a.db.OperatorByName(ctx, "anna")
	if err != nil {
		t.Fatal(err)
	}
	now := a.clock.Now()
	var calls []cc.Call
	for i := range 5 {
		arrived := now.Add(-time.Duration(10-i) * time.Minute)
		c := cc.Call{ID: cc.CallID("c" + string(rune('1'+i))), Queue: "support", State: cc.CallEnded, CallerNumber: "+4930555000" + string(rune('1'+i)),
			Operator: anna.ID, ArrivedAt: arrived, AnsweredAt: arrived.Add(3 * time.Second), EndedAt: arrived.Add(time.Minute), TalkTime: 57 * time.Second}
		calls = append(calls, c)
	}
	calls[4].State, calls[4].Operator, calls[4].AnsweredAt, calls[4].TalkTime, calls[4].CallerNumber = cc.CallAbandoned, "", time.Time{}, 0, "+15551234"
	if err := a.db.Apply(ctx, cc.Changes{Calls: calls}); err != nil {
		t.Fatal(err)
	}
	search := func(req *analyticsv1.SearchCallsRequest) *analyticsv1.SearchCallsResponse {
		t.Helper()
		res, err := api.SearchCalls(ctx, connect.NewRequest(req))
		if err != nil {
			t.Fatal(err)
		}
		return res.Msg
	}
	ids := func(res *analyticsv1.SearchCallsResponse) (out []string) {
		for _, c := range res.GetCalls() {
			out = append(out, c.GetCallId())
		}
		return out
	}
	if got := ids(search(&analyticsv1.SearchCallsRequest{Operator: "anna"})); len(got) != 4 || got[0] != "c4" {
		t.Errorf("anna's calls by name: %v", got)
	}
	if got := ids(search(&analyticsv1.SearchCallsRequest{Operator: string(anna.ID), CallerNumber: "+493055500"})); len(got) != 4 {
		t.Errorf("anna's calls by id and number: %v", got)
	}
	res := search(&analyticsv1.SearchCallsRequest{CallerNumber: "1234", NumberContains: true})
	if got := ids(res); len(got) != 1 || got[0] != "c5" || res.GetCalls()[0].GetOutcome() != analyticsv1.CallOutcome_CALL_OUTCOME_ABANDONED ||
		res.GetCalls()[0].GetWaitMs() != 60_000 || res.GetNextPageToken() != "" {
		t.Errorf("abandoned by number: %v", res)
	}
	res = search(&analyticsv1.SearchCallsRequest{Outcome: analyticsv1.CallOutcome_CALL_OUTCOME_ANSWERED, PageSize: 1})
	first := res.GetCalls()[0]
	if first.GetCallId() != "c4" || first.GetOperatorName() != "anna" || first.GetWaitMs() != 3000 || first.GetTalkTimeMs() != 57_000 ||
		first.GetState() != commonv1.CallState_CALL_STATE_ENDED || res.GetNextPageToken() == "" {
		t.Errorf("first answered: %v", res)
	}
	var paged []string
	for token := ""; ; {
		res := search(&analyticsv1.SearchCallsRequest{Outcome: analyticsv1.CallOutcome_CALL_OUTCOME_ANSWERED, PageSize: 3, PageToken: token})
		paged = append(paged, ids(res)...)
		if token = res.GetNextPageToken(); token == "" {
			break
		}
	}
	if len(paged) != 4 || paged[3] != "c1" {
		t.Errorf("answered, in pages of 3: %v", paged)
	}
	window := &analyticsv1.TimeRange{From: timestamppb.New(now.Add(-8 * time.Minute)), To: timestamppb.New(now.Add(-5 * time.Minute))}
	if got := ids(search(&analyticsv1.SearchCallsRequest{Range: window})); len(got) != 3 || got[0] != "c4" || got[2] != "c2" {
		t.Errorf("ended in the window: %v", got)
	}

	bad := []struct {
		field string
		code  connect.Code
		req   *analyticsv1.SearchCallsRequest
	}{
		{"range", connect.CodeInvalidArgument, &analyticsv1.SearchCallsRequest{Range: &analyticsv1.TimeRange{From: timestamppb.New(now), To: timestamppb.New(now.Add(-time.Hour))}}},
		{"page_size", connect.CodeInvalidArgument, &analyticsv1.SearchCallsRequest{PageSize: cc.MaxCallPage + 1}},
		{"page_token", connect.CodeInvalidArgument, &analyticsv1.SearchCallsRequest{PageToken: "not a token"}},
		{"page_token", connect.CodeInvalidArgument, &analyticsv1.SearchCallsRequest{PageToken: "MTIzNDU"}}, // "12345": no call id
		{"outcome", connect.CodeInvalidArgument, &analyticsv1.SearchCallsRequest{Outcome: 99}},
		{"operator", connect.CodeNotFound, &analyticsv1.SearchCallsRequest{Operator: "nobody"}},
		{"queue_id", connect.CodeNotFound, &analyticsv1.SearchCallsRequest{QueueId: "nowhere"}},
	}
	for _, tc := range bad {
		_, err := api.SearchCalls(ctx, connect.NewRequest(tc.req))
		wantField(t, err, tc.code, tc.field)
	}
}

func TestGetOperatorDrillDown(t *testing.T) {
	a := newTestAPI(t, limits.Limits{})
	a.setup("anna")
	api := a.admin().Analytics
	ctx := t.Context()
	anna, err := a.db.OperatorByName(ctx, "anna")
	if err != nil {
		t.Fatal(err)
	}
	now := a.clock.Now()
	status := func(d time.Duration, state cc.OperatorState, reason string, answerRate float64) cc.OperatorStatus {
		m := cc.NewMarks()
		m.AnswerRate = answerRate
		return cc.OperatorStatus{Operator: anna.ID, State: state, Since: now.Add(d), Reason: reason, Marks: m}
	}
	changes := cc.Changes{
		Statuses: []cc.OperatorStatus{status(-26*time.Hour, cc.OperatorReady, "", 1)},
	}
	if err := a.db.Apply(ctx, changes); err != nil {
		t.Fatal(err)
	}
	for _, s := range []cc.OperatorStatus{
		status(-2*time.Hour, cc.OperatorReserved, "", 1),
		status(-2*time.Hour+20*time.Second, cc.OperatorBanned, "missed 3 in a row", 0.5),
		status(-time.Hour, cc.OperatorReady, "", 0.5),
	} {
		if err := a.db.Apply(ctx, cc.Changes{Statuses: []cc.OperatorStatus{s}}); err != nil {
			t.Fatal(err)
		}
	}
	call := cc.Call{ID: "c1", Queue: "support", State: cc.CallWaiting, ArrivedAt: now.Add(-2 * time.Hour)}
	if err := a.db.Apply(ctx, cc.Changes{Calls: []cc.Call{call}, Events: []cc.CallEvent{
		{Call: "c1", At: now.Add(-2 * time.Hour), Kind: cc.EventOffered, Operator: anna.ID, Offer: "o1"},
		{Call: "c1", At: now.Add(-2*time.Hour + 20*time.Second), Kind: cc.EventOfferExpired, Operator: anna.ID, Offer: "o1", Text: "no answer in 20s"},
	}}); err != nil {
		t.Fatal(err)
	}

	res, err := api.GetOperatorDrillDown(ctx, connect.NewRequest(&analyticsv1.GetOperatorDrillDownRequest{Operator: "anna"}))
	if err != nil {
		t.Fatal(err)
	}
	m := res.Msg
	if m.GetOperatorId() != string(anna.ID) || m.GetName() != "anna" {
		t.Errorf("who: %v", m)
	}
	// Today (UTC) began while she was ready since yesterday; she was created (offline) at now.
	var states []commonv1.OperatorState
	for _, s := range m.GetStates() {
		states = append(states, s.GetState())
	}
	want := []commonv1.OperatorState{commonv1.OperatorState_OPERATOR_STATE_READY, commonv1.OperatorState_OPERATOR_STATE_RESERVED,
		commonv1.OperatorState_OPERATOR_STATE_BANNED, commonv1.OperatorState_OPERATOR_STATE_READY, commonv1.OperatorState_OPERATOR_STATE_OFFLINE}
	if len(states) != len(want) {
		t.Fatalf("states: %v", m.GetStates())
	}
	for i := range want {
		if states[i] != want[i] {
			t.Errorf("state %d: %v, want %v", i, states[i], want[i])
		}
	}
	if m.GetStates()[0].GetSince().AsTime() != now.Add(-26*time.Hour) || m.GetStates()[1].GetUntil().AsTime() != now.Add(-2*time.Hour+20*time.Second) ||
		m.GetStates()[3].GetUntil().AsTime() != now || m.GetStates()[4].GetUntil() != nil {
		t.Errorf("spans: %v", m.GetStates())
	}
	if len(m.GetBans()) != 1 || m.GetBans()[0].GetReason() != "missed 3 in a row" || m.GetBans()[0].GetUntil().AsTime() != now.Add(-time.Hour) {
		t.Errorf("bans: %v", m.GetBans())
	}
	if len(m.GetEvents()) != 2 || len(m.GetMisses()) != 1 || m.GetMisses()[0].GetText() != "no answer in 20s" || m.GetMisses()[0].GetCallId() != "c1" {
		t.Errorf("events %v, misses %v", m.GetEvents(), m.GetMisses())
	}
	sc := m.GetScores()
	if len(sc) != 2 || sc[0].GetDay() != "2026-03-01" || sc[0].GetPoints() != 100 || sc[1].GetDay() != "2026-03-02" ||
		sc[1].GetLostToMisses() != 50 || sc[1].GetPoints()+sc[1].GetLostToMisses()+sc[1].GetLostToSlowAnswers() != 100 {
		t.Errorf("scores: %v", sc)
	}
	if res, err := api.GetOperatorDrillDown(ctx, connect.NewRequest(&analyticsv1.GetOperatorDrillDownRequest{Operator: "anna", ScoreDays: 1})); err != nil || len(res.Msg.GetScores()) != 1 {
		t.Errorf("one day of scores: %v, %v", res, err)
	}

	bad := []struct {
		field string
		code  connect.Code
		req   *analyticsv1.GetOperatorDrillDownRequest
	}{
		{"operator", connect.CodeInvalidArgument, &analyticsv1.GetOperatorDrillDownRequest{}},
		{"operator", connect.CodeNotFound, &analyticsv1.GetOperatorDrillDownRequest{Operator: "nobody"}},
		{"range", connect.CodeInvalidArgument, &analyticsv1.GetOperatorDrillDownRequest{Operator: "anna",
			Range: &analyticsv1.TimeRange{From: timestamppb.New(now), To: timestamppb.New(now.Add(-time.Hour))}}},
		{"score_days", connect.CodeInvalidArgument, &analyticsv1.GetOperatorDrillDownRequest{Operator: "anna", ScoreDays: 367}},
	}
	for _, tc := range bad {
		_, err := api.GetOperatorDrillDown(ctx, connect.NewRequest(tc.req))
		wantField(t, err, tc.code, tc.field)
	}
}
