package rpc

import (
	"errors"
	"math"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
)

// wantField fails unless err is a Connect error with code whose BadRequest detail names field.
func wantField(t *testing.T, err error, code connect.Code, field string) {
	t.Helper()
	if connect.CodeOf(err) != code {
		t.Fatalf("error %v: code %v, want %v", err, connect.CodeOf(err), code)
	}
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v: not a Connect error", err)
	}
	for _, d := range ce.Details() {
		v, derr := d.Value()
		if br, ok := v.(*errdetails.BadRequest); ok && derr == nil {
			for _, fv := range br.GetFieldViolations() {
				if fv.GetField() == field {
					return
				}
			}
		}
	}
	t.Fatalf("error %v names no field %q", err, field)
}

func TestCalculateStaffing(t *testing.T) {
	a := newTestAPI(t, limits.Limits{})
	api := a.admin().Analytics
	ctx := t.Context()
	// Call Centre Helper's example (see simulate's tests): 10 erlangs, 80/20 → 14 operators.
	good := func() *analyticsv1.CalculateStaffingRequest {
		return &analyticsv1.CalculateStaffingRequest{CallsPerHour: 200, AhtS: 180, TargetPercent: 80, ThresholdS: 20}
	}
	res, err := api.CalculateStaffing(ctx, connect.NewRequest(good()))
	if err != nil {
		t.Fatal(err)
	}
	out := res.Msg
	if out.GetOperatorsNeeded() != 14 || out.GetTrafficErlangs() != 10 || out.OperatorsNeededErlangA != nil {
		t.Errorf("needed %d (Erlang A %v) for %v erlangs", out.GetOperatorsNeeded(), out.OperatorsNeededErlangA, out.GetTrafficErlangs())
	}
	if len(out.GetRows()) != 7 || out.GetRows()[0].GetOperators() != 11 || out.GetRows()[6].GetOperators() != 17 {
		t.Fatalf("rows %v", out.GetRows())
	}
	r := out.GetRows()[3] // 14
	if math.Abs(r.GetServiceLevel()-0.8884) > 1e-4 || math.Abs(r.GetProbabilityOfWaiting()-0.1741) > 1e-4 ||
		math.Abs(r.GetOccupancy()-10.0/14) > 1e-9 || r.AbandonmentRate != nil || r.ServiceLevelErlangA != nil {
		t.Errorf("14 operators: %v", r)
	}

	req := good()
	req.PatienceS, req.ExtraRows = 60, 1
	res, err = api.CalculateStaffing(ctx, connect.NewRequest(req))
	if err != nil {
		t.Fatal(err)
	}
	out = res.Msg
	if out.OperatorsNeededErlangA == nil || out.GetOperatorsNeededErlangA() > 14 || len(out.GetRows()) != 5 {
		t.Errorf("with patience: Erlang A %v, %d rows", out.OperatorsNeededErlangA, len(out.GetRows()))
	}
	for _, r := range out.GetRows() {
		if r.AbandonmentRate == nil || r.ServiceLevelErlangA == nil {
			t.Errorf("%d operators: no Erlang A figures", r.GetOperators())
		}
	}

	bad := []struct {
		field string
		edit  func(*analyticsv1.CalculateStaffingRequest)
	}{
		{"calls_per_hour", func(r *analyticsv1.CalculateStaffingRequest) { r.CallsPerHour = 0 }},
		{"calls_per_hour", func(r *analyticsv1.CalculateStaffingRequest) { r.CallsPerHour = math.Inf(1) }},
		{"calls_per_hour", func(r *analyticsv1.CalculateStaffingRequest) { r.CallsPerHour = 1e7 }},
		{"aht_s", func(r *analyticsv1.CalculateStaffingRequest) { r.AhtS = -1 }},
		{"aht_s", func(r *analyticsv1.CalculateStaffingRequest) { r.AhtS = math.NaN() }},
		{"target_percent", func(r *analyticsv1.CalculateStaffingRequest) { r.TargetPercent = 100 }},
		{"target_percent", func(r *analyticsv1.CalculateStaffingRequest) { r.TargetPercent = 0 }},
		{"threshold_s", func(r *analyticsv1.CalculateStaffingRequest) { r.ThresholdS = 0 }},
		{"patience_s", func(r *analyticsv1.CalculateStaffingRequest) { r.PatienceS = -5 }},
		{"extra_rows", func(r *analyticsv1.CalculateStaffingRequest) { r.ExtraRows = 100_000 }},
	}
	for _, tc := range bad {
		req := good()
		tc.edit(req)
		_, err := api.CalculateStaffing(ctx, connect.NewRequest(req))
		wantField(t, err, connect.CodeInvalidArgument, tc.field)
	}
}

func TestReplayDay(t *testing.T) {
	a := newTestAPI(t, limits.Limits{})
	a.setup()
	api := a.admin().Analytics
	ctx := t.Context()
	// 2026-03-01 in New York: 05:00 UTC to 05:00 UTC the next day. Three calls a minute apart
	// from 9:00 local, talking 10 minutes each; the middle one was abandoned after 30 s. One
	// call of the evening before (local) and one of another queue are left out.
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	nine := time.Date(2026, 3, 1, 9, 0, 0, 0, ny)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(a.db.CreateQueue(ctx, cc.Queue{ID: "other", Name: "Other"}))
	call := func(id string, q cc.QueueID, st cc.CallState, arrived time.Time, wait, talk time.Duration) cc.Call {
		c := cc.Call{ID: cc.CallID(id), Queue: q, State: st, ArrivedAt: arrived, TalkTime: talk, EndedAt: arrived.Add(wait + talk)}
		if st == cc.CallEnded {
			c.AnsweredAt = arrived.Add(wait)
		}
		return c
	}
	must(a.db.Apply(ctx, cc.Changes{Calls: []cc.Call{
		call("c1", "support", cc.CallEnded, nine, 2*time.Second, 10*time.Minute),
		call("c2", "support", cc.CallAbandoned, nine.Add(time.Minute), 30*time.Second, 0),
		call("c3", "support", cc.CallEnded, nine.Add(2*time.Minute), 40*time.Second, 10*time.Minute),
		call("before", "support", cc.CallEnded, nine.Add(-9*time.Hour-time.Second), time.Second, time.Minute),
		call("elsewhere", "other", cc.CallEnded, nine, time.Second, time.Minute),
	}}))

	replay := func(ops uint32) *analyticsv1.ReplayDayResponse {
		t.Helper()
		res, err := api.ReplayDay(ctx, connect.NewRequest(&analyticsv1.ReplayDayRequest{QueueId: "support", Date: "2026-03-01", TimeZone: "America/New_York", Operators: ops}))
		if err != nil {
			t.Fatal(err)
		}
		return res.Msg
	}
	many := replay(10)
	rec := many.GetRecorded()
	if many.GetCalls() != 3 || rec.GetCallsReceived() != 3 || rec.GetCallsAnswered() != 2 || rec.GetCallsAbandoned() != 1 ||
		rec.GetAnswerTimeTotalMs() != 42_000 || rec.GetAsaMs() != 21_000 || rec.GetServiceLevel() != 1.0/3 {
		t.Errorf("recorded: %d calls, %v", many.GetCalls(), rec)
	}
	if many.GetAnswered() != 3 || many.GetAbandoned() != 0 || many.GetServiceLevel() != 1 || many.GetAsaMs() != 0 {
		t.Errorf("10 operators: %v", many)
	}
	one := replay(1)
	if one.GetAnswered()+one.GetAbandoned() != 3 || one.GetServiceLevel() >= 1 || one.GetOccupancy() <= many.GetOccupancy() {
		t.Errorf("1 operator: %v (10: %v)", one, many)
	}

	bad := []struct {
		field string
		code  connect.Code
		req   *analyticsv1.ReplayDayRequest
	}{
		{"queue_id", connect.CodeNotFound, &analyticsv1.ReplayDayRequest{QueueId: "nope", Date: "2026-03-01", Operators: 1}},
		{"queue_id", connect.CodeInvalidArgument, &analyticsv1.ReplayDayRequest{Date: "2026-03-01", Operators: 1}},
		{"date", connect.CodeInvalidArgument, &analyticsv1.ReplayDayRequest{QueueId: "support", Date: "1 March", Operators: 1}},
		{"date", connect.CodeInvalidArgument, &analyticsv1.ReplayDayRequest{QueueId: "support", Date: "2026-02-30", Operators: 1}},
		{"time_zone", connect.CodeInvalidArgument, &analyticsv1.ReplayDayRequest{QueueId: "support", Date: "2026-03-01", TimeZone: "Mars/Olympus", Operators: 1}},
		{"time_zone", connect.CodeInvalidArgument, &analyticsv1.ReplayDayRequest{QueueId: "support", Date: "2026-03-01", TimeZone: "Local", Operators: 1}},
		{"operators", connect.CodeInvalidArgument, &analyticsv1.ReplayDayRequest{QueueId: "support", Date: "2026-03-01"}},
		{"operators", connect.CodeInvalidArgument, &analyticsv1.ReplayDayRequest{QueueId: "support", Date: "2026-03-01", Operators: 1001}},
	}
	for _, tc := range bad {
		_, err := api.ReplayDay(ctx, connect.NewRequest(tc.req))
		wantField(t, err, tc.code, tc.field)
	}

	// A day with nothing recorded replays nothing.
	res, err := api.ReplayDay(ctx, connect.NewRequest(&analyticsv1.ReplayDayRequest{QueueId: "support", Date: "2026-03-05", Operators: 3}))
	if err != nil || res.Msg.GetCalls() != 0 || res.Msg.GetRecorded().GetCallsReceived() != 0 {
		t.Errorf("empty day: %v, %v", res, err)
	}
}
