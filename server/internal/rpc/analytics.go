package rpc

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"time"

	"connectrpc.com/connect"

	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	"github.com/tandemcc/tandem/server/internal/analytics"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

type analyticsHandler struct{ s *Server }

// rangeIn resolves a TimeRange: from defaults to the start of today (UTC), to to now.
func (h analyticsHandler) rangeIn(r *analyticsv1.TimeRange) (time.Time, time.Time, error) {
	now := h.s.clock.Now().UTC()
	from, to := timeOf(r.GetFrom()), timeOf(r.GetTo())
	if from.IsZero() {
		from = analytics.DayStart(now)
	}
	if to.IsZero() {
		to = now.Add(time.Millisecond)
	}
	if !from.Before(to) {
		return from, to, cc.Invalid("range", "from must be before to")
	}
	return from, to, nil
}

// floor reads the queues and operators Tandem has now, checking that the ones named exist.
func (h analyticsHandler) floor(ctx context.Context, queue cc.QueueID, op cc.OperatorID) (analytics.Floor, error) {
	f, err := h.s.board.Floor(ctx)
	if err != nil {
		return f, err
	}
	if queue != "" && f.Queue(queue) == nil {
		return f, cc.NotFound("queue_id", "no queue %q", queue)
	}
	if op != "" && f.Operator(op) == nil {
		return f, cc.NotFound("operator_id", "no operator %q", op)
	}
	return f, nil
}

// sums adds up the stored tallies of scope in [from, to) per queue or operator.
func (h analyticsHandler) sums(ctx context.Context, scope cc.TallyScope, id string, from, to time.Time) (map[string]cc.Figures, error) {
	ts, err := h.s.store.Tallies(ctx, scope, id, cc.IntervalStart(from), to)
	if err != nil {
		return nil, err
	}
	out := map[string]cc.Figures{}
	for _, t := range ts {
		f := out[t.ID]
		f.Add(t.Figures)
		out[t.ID] = f
	}
	return out, nil
}

func (h analyticsHandler) GetQueueStats(ctx context.Context, req *connect.Request[analyticsv1.GetQueueStatsRequest]) (*connect.Response[analyticsv1.GetQueueStatsResponse], error) {
	id := cc.QueueID(req.Msg.GetQueueId())
	from, to, err := h.rangeIn(req.Msg.GetRange())
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	floor, err := h.floor(ctx, id, "")
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	sums, err := h.sums(ctx, cc.ScopeQueue, string(id), from, to)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	out := &analyticsv1.GetQueueStatsResponse{}
	for _, q := range floor.Queues {
		if id != "" && q.ID != id {
			continue
		}
		f := sums[string(q.ID)]
		asa, _ := f.ASA()
		out.Queues = append(out.Queues, &analyticsv1.QueueStats{
			QueueId:             string(q.ID),
			CallsReceived:       uint32(f.CallsReceived),
			CallsAnswered:       uint32(f.CallsAnswered),
			CallsAbandoned:      uint32(f.CallsAbandoned),
			CallsLost:           uint32(f.CallsLost),
			AverageAnswerTimeMs: ms(asa),
			MaxAnswerTimeMs:     ms(f.AnswerTimeMax),
			OffersMade:          uint32(f.OffersMade),
			OffersMissed:        uint32(f.OffersMissed),
			WaitingNow:          uint32(len(q.Waiting)),
			Figures:             figuresOut(f, &q.ServiceLevel),
			ServiceLevelRule:    slRuleOut(q.ServiceLevel),
		})
	}
	return connect.NewResponse(out), nil
}

func (h analyticsHandler) GetOperatorStats(ctx context.Context, req *connect.Request[analyticsv1.GetOperatorStatsRequest]) (*connect.Response[analyticsv1.GetOperatorStatsResponse], error) {
	id := cc.OperatorID(req.Msg.GetOperatorId())
	if p, _ := principalFrom(ctx); p.Role == RoleOperator {
		var err error
		if id, err = self(ctx, req.Msg.GetOperatorId()); err != nil {
			return nil, toConnect(ctx, err)
		}
	}
	from, to, err := h.rangeIn(req.Msg.GetRange())
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	floor, err := h.floor(ctx, "", id)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	sums, err := h.sums(ctx, cc.ScopeOperator, string(id), from, to)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	out := &analyticsv1.GetOperatorStatsResponse{}
	for _, o := range floor.Operators {
		if id != "" && o.Operator.ID != id {
			continue
		}
		f := sums[string(o.Operator.ID)]
		ring, _ := f.AverageRingTime()
		out.Operators = append(out.Operators, &analyticsv1.OperatorStats{
			OperatorId:        string(o.Operator.ID),
			Name:              o.Operator.DisplayName,
			OffersReceived:    uint32(f.OffersMade),
			CallsAnswered:     uint32(f.CallsAnswered),
			OffersMissed:      uint32(f.OffersMissed),
			AverageRingTimeMs: ms(ring),
			TalkTimeMs:        uint64(f.TalkTime / time.Millisecond),
			Marks:             marksOut(o.Status.Marks),
			Figures:           figuresOut(f, nil),
		})
	}
	return connect.NewResponse(out), nil
}

// history checks a history request and reads its rows.
func (h analyticsHandler) history(ctx context.Context, m *analyticsv1.GetHistoryRequest, field string) ([]analytics.Row, *cc.ServiceLevel, error) {
	queue, op := cc.QueueID(m.GetQueueId()), cc.OperatorID(m.GetOperatorId())
	if queue != "" && op != "" {
		return nil, nil, cc.Invalid(field+"operator_id", "give a queue or an operator, not both")
	}
	if (m.GetByQueue() || m.GetByOperator()) && (queue != "" || op != "") {
		return nil, nil, cc.Invalid(field+"by_queue", "rows are split only for the whole center")
	}
	if m.GetByQueue() && m.GetByOperator() {
		return nil, nil, cc.Invalid(field+"by_operator", "split by queue or by operator, not both")
	}
	var w analytics.Width
	switch m.GetInterval() {
	case analyticsv1.Interval_INTERVAL_15_MINUTES:
		w = analytics.Quarter
	case analyticsv1.Interval_INTERVAL_HOUR:
		w = analytics.Hour
	case analyticsv1.Interval_INTERVAL_DAY:
		w = analytics.Day
	default:
		return nil, nil, cc.Invalid(field+"interval", "required: 15 minutes, hour or day")
	}
	loc, err := zoneIn(field+"time_zone", m.GetTimeZone())
	if err != nil {
		return nil, nil, err
	}
	if m.GetRange().GetFrom() == nil || m.GetRange().GetTo() == nil {
		return nil, nil, cc.Invalid(field+"range", "from and to are required")
	}
	from, to := timeOf(m.GetRange().GetFrom()), timeOf(m.GetRange().GetTo())
	if !from.Before(to) {
		return nil, nil, cc.Invalid(field+"range", "from must be before to")
	}
	if to.Sub(from) > analytics.MaxSpan[w] {
		return nil, nil, cc.Invalid(field+"range", "longer than %d days for this interval", int(analytics.MaxSpan[w]/(24*time.Hour)))
	}
	floor, err := h.floor(ctx, queue, op)
	if err != nil {
		return nil, nil, err
	}
	lo, hi := w.Span(from, to, loc)
	var ts []cc.Tally
	var rule *cc.ServiceLevel
	switch {
	case queue != "":
		rule = &floor.Queue(queue).ServiceLevel
		ts, err = h.s.store.Tallies(ctx, cc.ScopeQueue, string(queue), lo, hi)
	case op != "":
		ts, err = h.s.store.Tallies(ctx, cc.ScopeOperator, string(op), lo, hi)
	case m.GetByOperator():
		ts, err = h.s.store.Tallies(ctx, cc.ScopeOperator, "", lo, hi)
	default:
		d := cc.DefaultServiceLevel
		rule = &d
		ts, err = h.s.store.Tallies(ctx, cc.ScopeQueue, "", lo, hi)
		if err == nil && !m.GetByQueue() {
			var center []cc.Tally
			center, err = h.s.store.Tallies(ctx, cc.ScopeCenter, "", lo, hi)
			ts = analytics.Center(ts, center)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	split := m.GetByQueue() || m.GetByOperator() || queue != "" || op != ""
	return analytics.Group(ts, w, loc, split), rule, nil
}

func zoneIn(field, name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, cc.Invalid(field, "unknown time zone %q", name)
	}
	return loc, nil
}

func (h analyticsHandler) GetHistory(ctx context.Context, req *connect.Request[analyticsv1.GetHistoryRequest]) (*connect.Response[analyticsv1.GetHistoryResponse], error) {
	rows, rule, err := h.history(ctx, req.Msg, "")
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	out := &analyticsv1.GetHistoryResponse{Total: figuresOut(analytics.Total(rows), rule)}
	for _, r := range rows {
		out.Rows = append(out.Rows, &analyticsv1.HistoryRow{Start: ts(r.Start), QueueId: string(r.Queue),
			OperatorId: string(r.Operator), Figures: figuresOut(r.Figures, rule)})
	}
	return connect.NewResponse(out), nil
}

func (h analyticsHandler) ExportHistory(ctx context.Context, req *connect.Request[analyticsv1.ExportHistoryRequest]) (*connect.Response[analyticsv1.ExportHistoryResponse], error) {
	m := req.Msg.GetHistory()
	if m == nil {
		return nil, toConnect(ctx, cc.Invalid("history", "required"))
	}
	rows, rule, err := h.history(ctx, m, "history.")
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	loc, _ := zoneIn("", m.GetTimeZone())
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(append([]string{"start", "queue_id", "operator_id"}, csvHeader...))
	for _, r := range rows {
		_ = w.Write(append([]string{r.Start.In(loc).Format(time.RFC3339), string(r.Queue), string(r.Operator)}, csvCells(r.Figures, rule)...))
	}
	w.Flush()
	who := "center"
	if m.GetQueueId() != "" {
		who = m.GetQueueId()
	} else if m.GetOperatorId() != "" {
		who = m.GetOperatorId()
	}
	width := map[analyticsv1.Interval]string{analyticsv1.Interval_INTERVAL_15_MINUTES: "15min",
		analyticsv1.Interval_INTERVAL_HOUR: "hour", analyticsv1.Interval_INTERVAL_DAY: "day"}[m.GetInterval()]
	name := fmt.Sprintf("tandem-%s-%s-%s.csv", who, timeOf(m.GetRange().GetFrom()).In(loc).Format("2006-01-02"), width)
	return connect.NewResponse(&analyticsv1.ExportHistoryResponse{Csv: buf.Bytes(), FileName: name}), nil
}

// csvHeader names the CSV columns after start, queue_id and operator_id: the proto's field names.
var csvHeader = []string{"calls_received", "calls_answered", "answered_within_threshold", "calls_abandoned",
	"short_abandons", "abandoned_within_threshold", "calls_lost", "calls_overflowed", "answered_by_spare",
	"hung_up_by_caller", "hung_up_by_operator", "hung_up_by_system", "offers_made", "offers_missed",
	"manager_calls", "manager_reached", "answer_time_total_ms", "answer_time_max_ms", "talk_time_ms",
	"wrap_up_time_ms", "ready_ms", "reserved_ms", "on_call_ms", "wrap_up_ms", "away_ms",
	"service_level", "asa_ms", "aht_ms", "abandonment_rate", "occupancy", "manager_reach"}

func csvCells(f cc.Figures, rule *cc.ServiceLevel) []string {
	out := figuresOut(f, rule)
	n := func(v uint64) string { return strconv.FormatUint(v, 10) }
	opt := func(has bool, v float64) string {
		if !has {
			return ""
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return []string{n(uint64(out.CallsReceived)), n(uint64(out.CallsAnswered)), n(uint64(out.AnsweredWithinThreshold)),
		n(uint64(out.CallsAbandoned)), n(uint64(out.ShortAbandons)), n(uint64(out.AbandonedWithinThreshold)),
		n(uint64(out.CallsLost)), n(uint64(out.CallsOverflowed)), n(uint64(out.AnsweredBySpare)),
		n(uint64(out.HungUpByCaller)), n(uint64(out.HungUpByOperator)), n(uint64(out.HungUpBySystem)),
		n(uint64(out.OffersMade)), n(uint64(out.OffersMissed)), n(uint64(out.ManagerCalls)), n(uint64(out.ManagerReached)),
		n(out.AnswerTimeTotalMs), n(uint64(out.AnswerTimeMaxMs)), n(out.TalkTimeMs), n(out.WrapUpTimeMs),
		n(out.ReadyMs), n(out.ReservedMs), n(out.OnCallMs), n(out.WrapUpMs), n(out.AwayMs),
		opt(out.ServiceLevel != nil, out.GetServiceLevel()), opt(out.AsaMs != nil, float64(out.GetAsaMs())),
		opt(out.AhtMs != nil, float64(out.GetAhtMs())), opt(out.AbandonmentRate != nil, out.GetAbandonmentRate()),
		opt(out.Occupancy != nil, out.GetOccupancy()), opt(out.ManagerReach != nil, out.GetManagerReach())}
}

// figuresOut translates figures; the service level is given only with a queue's rule.
func figuresOut(f cc.Figures, rule *cc.ServiceLevel) *analyticsv1.Figures {
	d := func(x time.Duration) uint64 { return uint64(x / time.Millisecond) }
	out := &analyticsv1.Figures{
		CallsReceived: uint32(f.CallsReceived), CallsAnswered: uint32(f.CallsAnswered),
		AnsweredWithinThreshold: uint32(f.AnsweredWithin), CallsAbandoned: uint32(f.CallsAbandoned),
		ShortAbandons: uint32(f.ShortAbandons), AbandonedWithinThreshold: uint32(f.AbandonedWithin),
		CallsLost: uint32(f.CallsLost), CallsOverflowed: uint32(f.CallsOverflowed), AnsweredBySpare: uint32(f.AnsweredBySpare),
		HungUpByCaller: uint32(f.HungUpByCaller), HungUpByOperator: uint32(f.HungUpByOperator), HungUpBySystem: uint32(f.HungUpBySys),
		OffersMade: uint32(f.OffersMade), OffersMissed: uint32(f.OffersMissed),
		ManagerCalls: uint32(f.ManagerCalls), ManagerReached: uint32(f.ManagerReached),
		AnswerTimeTotalMs: d(f.AnswerTimeTotal), AnswerTimeMaxMs: ms(f.AnswerTimeMax),
		TalkTimeMs: d(f.TalkTime), WrapUpTimeMs: d(f.WrapUpTime), RingTimeTotalMs: d(f.RingTimeTotal),
		ReadyMs: d(f.Ready), ReservedMs: d(f.Reserved), OnCallMs: d(f.OnCall), WrapUpMs: d(f.WrapUp), AwayMs: d(f.Away),
	}
	for _, n := range f.Histogram {
		out.AnswerTimeHistogram = append(out.AnswerTimeHistogram, uint32(n))
	}
	if rule != nil {
		if v, ok := f.ServiceLevel(rule.OrDefaults().Abandoned); ok {
			out.ServiceLevel = &v
		}
	}
	optMS := func(x time.Duration, ok bool) *uint32 {
		if !ok {
			return nil
		}
		v := ms(x)
		return &v
	}
	optRate := func(v float64, ok bool) *float64 {
		if !ok {
			return nil
		}
		return &v
	}
	out.AsaMs = optMS(f.ASA())
	out.AhtMs = optMS(f.AHT())
	out.AverageRingTimeMs = optMS(f.AverageRingTime())
	out.AbandonmentRate = optRate(f.AbandonmentRate())
	out.Occupancy = optRate(f.Occupancy())
	out.ManagerReach = optRate(f.ManagerReach())
	return out
}

func slRuleOut(sl cc.ServiceLevel) *analyticsv1.ServiceLevelRule {
	sl = sl.OrDefaults()
	return &analyticsv1.ServiceLevelRule{ThresholdS: uint32(sl.Threshold / time.Second), TargetPercent: uint32(sl.Target),
		Abandoned: string(sl.Abandoned), ShortAbandonS: uint32(sl.ShortAbandon / time.Second)}
}
