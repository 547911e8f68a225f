package analytics

import (
	"context"
	"math"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/erlang"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

// maxStaffingSeconds bounds the times of a staffing question: a day.
const maxStaffingSeconds = 24 * 3600

// Replay limits.
const maxReplayOperators = 1000

// staffingSeconds checks a time in seconds given as a double: finite, within [0, a day], and,
// when positive, at least a millisecond.
func staffingSeconds(field string, s float64, positive bool) (time.Duration, error) {
	switch {
	case math.IsNaN(s) || math.IsInf(s, 0):
		return 0, cc.Invalid(field, "must be a number")
	case positive && s <= 0:
		return 0, cc.Invalid(field, "must be positive")
	case s < 0:
		return 0, cc.Invalid(field, "must not be negative")
	case s > maxStaffingSeconds:
		return 0, cc.Invalid(field, "must be at most %d s", maxStaffingSeconds)
	}
	d := time.Duration(s * float64(time.Second))
	if s > 0 && d < time.Millisecond {
		return 0, cc.Invalid(field, "must be at least a millisecond")
	}
	return d, nil
}

func (h *Handler) CalculateStaffing(ctx context.Context, req *connect.Request[analyticsv1.CalculateStaffingRequest]) (*connect.Response[analyticsv1.CalculateStaffingResponse], error) {
	m := req.Msg
	in, err := staffingInput(m)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	plan, err := erlang.Staffing(in)
	if err != nil {
		return nil, codes.ToConnect(ctx, err) // the input was checked: a bug
	}
	out := &analyticsv1.CalculateStaffingResponse{
		OperatorsNeeded: uint32(plan.Needed),
		TrafficErlangs:  plan.Traffic,
	}
	if in.Patience > 0 {
		out.OperatorsNeededErlangA = proto.Uint32(uint32(plan.NeededErlangA))
	}
	for _, r := range plan.Rows {
		row := &analyticsv1.StaffingRow{
			Operators:            uint32(r.Operators),
			ProbabilityOfWaiting: r.PWait,
			ServiceLevel:         r.ServiceLevel,
			AsaS:                 r.ASA,
			Occupancy:            r.Occupancy,
		}
		if r.ErlangA != nil {
			row.AbandonmentRate = proto.Float64(r.ErlangA.AbandonRate)
			row.ServiceLevelErlangA = proto.Float64(r.ErlangA.ServiceLevel)
		}
		out.Rows = append(out.Rows, row)
	}
	return connect.NewResponse(out), nil
}

// staffingInput checks a staffing request, naming the field at fault.
func staffingInput(m *analyticsv1.CalculateStaffingRequest) (erlang.StaffingInput, error) {
	var in erlang.StaffingInput
	cph := m.GetCallsPerHour()
	if math.IsNaN(cph) || math.IsInf(cph, 0) || cph <= 0 {
		return in, cc.Invalid("calls_per_hour", "must be a positive number")
	}
	aht, err := staffingSeconds("aht_s", m.GetAhtS(), true)
	if err != nil {
		return in, err
	}
	if t := m.GetTargetPercent(); !(t > 0 && t < 100) {
		return in, cc.Invalid("target_percent", "must be between 0 and 100, both excluded")
	}
	if t := m.GetThresholdS(); t == 0 || t > maxStaffingSeconds {
		return in, cc.Invalid("threshold_s", "must be 1 to %d", maxStaffingSeconds)
	}
	patience, err := staffingSeconds("patience_s", m.GetPatienceS(), false)
	if err != nil {
		return in, err
	}
	if m.GetExtraRows() > erlang.MaxStaffingExtraRows {
		return in, cc.Invalid("extra_rows", "must be at most %d", erlang.MaxStaffingExtraRows)
	}
	if a := cph * aht.Seconds() / 3600; a > erlang.MaxStaffingErlangs {
		return in, cc.Invalid("calls_per_hour", "%.0f calls an hour of %.0f s are %.0f erlangs; at most %d are answered for", cph, aht.Seconds(), a, erlang.MaxStaffingErlangs)
	}
	return erlang.StaffingInput{
		CallsPerHour: cph,
		AHT:          aht,
		Target:       m.GetTargetPercent() / 100,
		Threshold:    time.Duration(m.GetThresholdS()) * time.Second,
		Patience:     patience,
		ExtraRows:    int(m.GetExtraRows()),
	}, nil
}

func (h *Handler) ReplayDay(ctx context.Context, req *connect.Request[analyticsv1.ReplayDayRequest]) (*connect.Response[analyticsv1.ReplayDayResponse], error) {
	m := req.Msg
	if m.GetQueueId() == "" {
		return nil, codes.ToConnect(ctx, cc.Invalid("queue_id", "required"))
	}
	loc := time.UTC
	if tz := m.GetTimeZone(); tz != "" {
		var err error
		if loc, err = time.LoadLocation(tz); err != nil || tz == "Local" {
			return nil, codes.ToConnect(ctx, cc.Invalid("time_zone", "%q is not an IANA time zone", tz))
		}
	}
	day, err := time.ParseInLocation(time.DateOnly, m.GetDate(), loc)
	if err != nil {
		return nil, codes.ToConnect(ctx, cc.Invalid("date", "%q is not a date like 2026-11-26", m.GetDate()))
	}
	if n := m.GetOperators(); n < 1 || n > maxReplayOperators {
		return nil, codes.ToConnect(ctx, cc.Invalid("operators", "must be 1 to %d", maxReplayOperators))
	}
	q, err := h.store.Queue(ctx, cc.QueueID(m.GetQueueId()))
	if cc.ErrorCode(err) == cc.CodeNotFound {
		return nil, codes.ToConnect(ctx, cc.NotFound("queue_id", "no queue %q", m.GetQueueId()))
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	// The day in its zone: 23 or 25 hours when the clocks change.
	from := day
	to := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
	calls, err := h.store.DayArrivals(ctx, q.ID, from, to)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	sl := q.Rules.ServiceLevel.OrDefaults()
	r, err := h.replay(ctx, cc.Replay{
		Operators:    int(m.GetOperators()),
		Calls:        calls,
		From:         from,
		To:           to,
		Strategy:     q.Strategy,
		WrapUp:       q.WrapUp,
		OfferTimeout: q.OfferTimeout,
		Callback:     q.Rules.Callback,
		ServiceLevel: sl,
		Seed:         uint64(from.Unix()), // the same day replays the same
	})
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&analyticsv1.ReplayDayResponse{
		Calls:           uint32(r.Calls),
		Recorded:        figuresOut(r.Recorded, &sl),
		ServiceLevel:    r.ServiceLevel,
		AsaMs:           convert.Millis(r.ASA),
		AbandonmentRate: r.AbandonRate,
		Occupancy:       r.Occupancy,
		Answered:        uint32(r.Answered),
		Abandoned:       uint32(r.Abandoned),
	}), nil
}
