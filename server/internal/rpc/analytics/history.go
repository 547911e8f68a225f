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

// history is a history request's rows and the service-level rules to judge them by.
type history struct {
	rows  []stats.Row
	width stats.Width
	// rule is the total's rule: the queue's, the default for the center, none for an operator.
	rule *cc.ServiceLevel
	// queues are the rules of the queues there are now, for rows split by queue.
	queues map[cc.QueueID]*cc.ServiceLevel
}

// ruleOf is the rule a row is judged by: its own queue's when split by queue.
func (hs history) ruleOf(r stats.Row) *cc.ServiceLevel {
	if r.Queue != "" {
		if rule := hs.queues[r.Queue]; rule != nil {
			return rule
		}
		d := cc.DefaultServiceLevel
		return &d
	}
	return hs.rule
}

// widths are the proto's intervals.
var widths = map[analyticsv1.Interval]stats.Width{analyticsv1.Interval_INTERVAL_15_MINUTES: stats.Quarter,
	analyticsv1.Interval_INTERVAL_HOUR: stats.Hour, analyticsv1.Interval_INTERVAL_DAY: stats.Day,
	analyticsv1.Interval_INTERVAL_RANGE: stats.Whole}

// history checks a history request and reads its rows.
func (h *Handler) history(ctx context.Context, m *analyticsv1.GetHistoryRequest, field string) (history, error) {
	var hs history
	queue, op := cc.QueueID(m.GetQueueId()), cc.OperatorID(m.GetOperatorId())
	if queue != "" && op != "" {
		return hs, cc.Invalid(field+"operator_id", "give a queue or an operator, not both")
	}
	if (m.GetByQueue() || m.GetByOperator()) && (queue != "" || op != "") {
		return hs, cc.Invalid(field+"by_queue", "rows are split only for the whole center")
	}
	if m.GetByQueue() && m.GetByOperator() {
		return hs, cc.Invalid(field+"by_operator", "split by queue or by operator, not both")
	}
	w, ok := widths[m.GetInterval()]
	if !ok {
		return hs, cc.Invalid(field+"interval", "required: 15 minutes, hour, day or the whole range")
	}
	hs.width = w
	loc, err := zoneIn(field+"time_zone", m.GetTimeZone())
	if err != nil {
		return hs, err
	}
	if m.GetRange().GetFrom() == nil || m.GetRange().GetTo() == nil {
		return hs, cc.Invalid(field+"range", "from and to are required")
	}
	from, to := convert.TimeOf(m.GetRange().GetFrom()), convert.TimeOf(m.GetRange().GetTo())
	if !from.Before(to) {
		return hs, cc.Invalid(field+"range", "from must be before to")
	}
	if w.TooLong(from, to, loc) {
		return hs, cc.Invalid(field+"range", "longer than %d days: too long for rows of %s (choose wider rows or a shorter range)",
			stats.MaxDays[w], map[stats.Width]string{stats.Quarter: "15 minutes", stats.Hour: "an hour", stats.Day: "a day", stats.Whole: "the whole range"}[w])
	}
	floor, err := h.floor(ctx, queue, op)
	if err != nil {
		return hs, err
	}
	hs.queues = map[cc.QueueID]*cc.ServiceLevel{}
	for _, q := range floor.Queues {
		hs.queues[q.ID] = &q.ServiceLevel
	}
	lo, hi := w.Span(from, to, loc)
	// The whole range's rows are added up by the store: one per queue or operator.
	read := h.store.Tallies
	if w == stats.Whole {
		read = h.store.TallyTotals
	}
	var ts []cc.Tally
	switch {
	case queue != "":
		hs.rule = hs.queues[queue]
		ts, err = read(ctx, cc.ScopeQueue, string(queue), lo, hi)
	case op != "":
		ts, err = read(ctx, cc.ScopeOperator, string(op), lo, hi)
	case m.GetByOperator():
		ts, err = read(ctx, cc.ScopeOperator, "", lo, hi)
	default:
		d := cc.DefaultServiceLevel
		hs.rule = &d
		ts, err = read(ctx, cc.ScopeQueue, "", lo, hi)
		if err == nil && !m.GetByQueue() {
			var center []cc.Tally
			center, err = read(ctx, cc.ScopeCenter, "", lo, hi)
			ts = stats.Center(ts, center)
		}
	}
	if err != nil {
		return hs, err
	}
	split := m.GetByQueue() || m.GetByOperator() || queue != "" || op != ""
	hs.rows = stats.Group(ts, w, loc, lo, split)
	return hs, nil
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
	hs, err := h.history(ctx, req.Msg, "")
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &analyticsv1.GetHistoryResponse{Total: figuresOut(stats.Total(hs.rows), hs.rule)}
	for _, r := range hs.rows {
		out.Rows = append(out.Rows, &analyticsv1.HistoryRow{Start: convert.Timestamp(r.Start), QueueId: string(r.Queue),
			OperatorId: string(r.Operator), Figures: figuresOut(r.Figures, hs.ruleOf(r))})
	}
	return connect.NewResponse(out), nil
}

func (h *Handler) ExportHistory(ctx context.Context, req *connect.Request[analyticsv1.ExportHistoryRequest]) (*connect.Response[analyticsv1.ExportHistoryResponse], error) {
	m := req.Msg.GetHistory()
	if m == nil {
		return nil, codes.ToConnect(ctx, cc.Invalid("history", "required"))
	}
	hs, err := h.history(ctx, m, "history.")
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	loc, _ := zoneIn("", m.GetTimeZone())
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(append([]string{"start", "queue_id", "operator_id"}, csvHeader...))
	for _, r := range hs.rows {
		_ = w.Write(append([]string{r.Start.In(loc).Format(time.RFC3339), string(r.Queue), string(r.Operator)}, csvCells(r.Figures, hs.ruleOf(r))...))
	}
	w.Flush()
	who := "center"
	if m.GetQueueId() != "" {
		who = m.GetQueueId()
	} else if m.GetOperatorId() != "" {
		who = m.GetOperatorId()
	}
	if m.GetByQueue() {
		who += "-by-queue"
	} else if m.GetByOperator() {
		who += "-by-operator"
	}
	// The days the range covers: its first, and its last when it is another.
	days := convert.TimeOf(m.GetRange().GetFrom()).In(loc).Format("2006-01-02")
	if last := convert.TimeOf(m.GetRange().GetTo()).Add(-time.Millisecond).In(loc).Format("2006-01-02"); last != days {
		days += "-to-" + last
	}
	name := fmt.Sprintf("tandem-%s-%s-%s.csv", who, days, stats.Names[hs.width])
	return connect.NewResponse(&analyticsv1.ExportHistoryResponse{Csv: buf.Bytes(), FileName: name}), nil
}

// csvHeader names the CSV columns after start, queue_id and operator_id: the proto's field names.
var csvHeader = []string{"calls_received", "calls_answered", "answered_within_threshold", "calls_abandoned",
	"short_abandons", "abandoned_within_threshold", "calls_lost", "calls_overflowed", "answered_by_spare",
	"hung_up_by_caller", "hung_up_by_operator", "hung_up_by_system", "offers_made", "offers_missed",
	"manager_calls", "manager_reached", "answer_time_total_ms", "answer_time_max_ms", "talk_time_ms",
	"wrap_up_time_ms", "hold_time_ms", "ready_ms", "reserved_ms", "on_call_ms", "wrap_up_ms", "away_ms",
	"service_level", "asa_ms", "aht_ms", "abandonment_rate", "occupancy", "manager_reach",
	"exits_closed", "exits_max_waiting", "exits_longest_wait", "exits_message", "exits_number", "exits_queue",
	"exits_voicemail", "exits_callback", "callbacks_requested", "callbacks_connected", "callback_attempts_failed",
	"callbacks_given_up", "voicemails", "dispositions"}

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
		n(out.AnswerTimeTotalMs), n(uint64(out.AnswerTimeMaxMs)), n(out.TalkTimeMs), n(out.WrapUpTimeMs), n(out.HoldTimeMs),
		n(out.ReadyMs), n(out.ReservedMs), n(out.OnCallMs), n(out.WrapUpMs), n(out.AwayMs),
		opt(out.ServiceLevel != nil, out.GetServiceLevel()), opt(out.AsaMs != nil, float64(out.GetAsaMs())),
		opt(out.AhtMs != nil, float64(out.GetAhtMs())), opt(out.AbandonmentRate != nil, out.GetAbandonmentRate()),
		opt(out.Occupancy != nil, out.GetOccupancy()), opt(out.ManagerReach != nil, out.GetManagerReach()),
		n(uint64(out.ExitsClosed)), n(uint64(out.ExitsMaxWaiting)), n(uint64(out.ExitsLongestWait)),
		n(uint64(out.ExitsMessage)), n(uint64(out.ExitsNumber)), n(uint64(out.ExitsQueue)),
		n(uint64(out.ExitsVoicemail)), n(uint64(out.ExitsCallback)), n(uint64(out.CallbacksRequested)),
		n(uint64(out.CallbacksConnected)), n(uint64(out.CallbackAttemptsFailed)), n(uint64(out.CallbacksGivenUp)),
		n(uint64(out.Voicemails)), dispositionsCell(out.Dispositions)}
}

// dispositionsCell is a row's dispositions in one CSV cell: "sale=3;callback=1", most first.
func dispositionsCell(ds []*analyticsv1.DispositionCount) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.GetCode() + "=" + strconv.FormatUint(uint64(d.GetCalls()), 10)
	}
	return strings.Join(parts, ";")
}
