package analytics

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"

	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	stats "github.com/tandemcc/tandem/server/internal/analytics"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

// history checks a history request and reads its rows.
func (h *Handler) history(ctx context.Context, m *analyticsv1.GetHistoryRequest, field string) ([]stats.Row, *cc.ServiceLevel, error) {
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
	var w stats.Width
	switch m.GetInterval() {
	case analyticsv1.Interval_INTERVAL_15_MINUTES:
		w = stats.Quarter
	case analyticsv1.Interval_INTERVAL_HOUR:
		w = stats.Hour
	case analyticsv1.Interval_INTERVAL_DAY:
		w = stats.Day
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
	from, to := convert.TimeOf(m.GetRange().GetFrom()), convert.TimeOf(m.GetRange().GetTo())
	if !from.Before(to) {
		return nil, nil, cc.Invalid(field+"range", "from must be before to")
	}
	if to.Sub(from) > stats.MaxSpan[w] {
		return nil, nil, cc.Invalid(field+"range", "longer than %d days for this interval", int(stats.MaxSpan[w]/(24*time.Hour)))
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
		ts, err = h.store.Tallies(ctx, cc.ScopeQueue, string(queue), lo, hi)
	case op != "":
		ts, err = h.store.Tallies(ctx, cc.ScopeOperator, string(op), lo, hi)
	case m.GetByOperator():
		ts, err = h.store.Tallies(ctx, cc.ScopeOperator, "", lo, hi)
	default:
		d := cc.DefaultServiceLevel
		rule = &d
		ts, err = h.store.Tallies(ctx, cc.ScopeQueue, "", lo, hi)
		if err == nil && !m.GetByQueue() {
			var center []cc.Tally
			center, err = h.store.Tallies(ctx, cc.ScopeCenter, "", lo, hi)
			ts = stats.Center(ts, center)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	split := m.GetByQueue() || m.GetByOperator() || queue != "" || op != ""
	return stats.Group(ts, w, loc, split), rule, nil
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

func (h *Handler) GetHistory(ctx context.Context, req *connect.Request[analyticsv1.GetHistoryRequest]) (*connect.Response[analyticsv1.GetHistoryResponse], error) {
	rows, rule, err := h.history(ctx, req.Msg, "")
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &analyticsv1.GetHistoryResponse{Total: figuresOut(stats.Total(rows), rule)}
	for _, r := range rows {
		out.Rows = append(out.Rows, &analyticsv1.HistoryRow{Start: convert.Timestamp(r.Start), QueueId: string(r.Queue),
			OperatorId: string(r.Operator), Figures: figuresOut(r.Figures, rule)})
	}
	return connect.NewResponse(out), nil
}

func (h *Handler) ExportHistory(ctx context.Context, req *connect.Request[analyticsv1.ExportHistoryRequest]) (*connect.Response[analyticsv1.ExportHistoryResponse], error) {
	m := req.Msg.GetHistory()
	if m == nil {
		return nil, codes.ToConnect(ctx, cc.Invalid("history", "required"))
	}
	rows, rule, err := h.history(ctx, m, "history.")
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
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
	name := fmt.Sprintf("tandem-%s-%s-%s.csv", who, convert.TimeOf(m.GetRange().GetFrom()).In(loc).Format("2006-01-02"), width)
	return connect.NewResponse(&analyticsv1.ExportHistoryResponse{Csv: buf.Bytes(), FileName: name}), nil
}

// csvHeader names the CSV columns after start, queue_id and operator_id: the proto's field names.
var csvHeader = []string{"calls_received", "calls_answered", "answered_within_threshold", "calls_abandoned",
	"short_abandons", "abandoned_within_threshold", "calls_lost", "calls_overflowed", "answered_by_spare",
	"hung_up_by_caller", "hung_up_by_operator", "hung_up_by_system", "offers_made", "offers_missed",
	"manager_calls", "manager_reached", "answer_time_total_ms", "answer_time_max_ms", "talk_time_ms",
	"wrap_up_time_ms", "ready_ms", "reserved_ms", "on_call_ms", "wrap_up_ms", "away_ms",
	"service_level", "asa_ms", "aht_ms", "abandonment_rate", "occupancy", "manager_reach", "dispositions"}

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
		opt(out.Occupancy != nil, out.GetOccupancy()), opt(out.ManagerReach != nil, out.GetManagerReach()),
		dispositionsCell(out.Dispositions)}
}

// dispositionsCell is a row's dispositions in one CSV cell: "sale=3;callback=1", most first.
func dispositionsCell(ds []*analyticsv1.DispositionCount) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.GetCode() + "=" + strconv.FormatUint(uint64(d.GetCalls()), 10)
	}
	return strings.Join(parts, ";")
}
