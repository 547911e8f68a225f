// Package analytics serves the Analytics service: queue and operator figures, history and its
// CSV export, a call's timeline, the call search and an operator's drill-down, the live wallboard stream, and the staffing questions (Erlang C
// and A, and a recorded day replayed with another number of operators).
package analytics

import (
	"context"
	"time"

	"connectrpc.com/connect"

	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	"github.com/tandemcc/tandem/server/internal/alerting"
	stats "github.com/tandemcc/tandem/server/internal/analytics"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

// Store is what Analytics reads of stored figures and calls.
type Store interface {
	Queue(ctx context.Context, id cc.QueueID) (cc.Queue, error)
	Call(ctx context.Context, id cc.CallID) (cc.Call, []cc.Offer, error)
	Decisions(ctx context.Context, id cc.CallID) ([]cc.Decision, error)
	CallEvents(ctx context.Context, id cc.CallID) ([]cc.CallEvent, error)
	DayArrivals(ctx context.Context, q cc.QueueID, from, to time.Time) ([]cc.RecordedCall, error)
	Tallies(ctx context.Context, scope cc.TallyScope, id string, from, to time.Time) ([]cc.Tally, error)
	TallyTotals(ctx context.Context, scope cc.TallyScope, id string, from, to time.Time) ([]cc.Tally, error)
	DisplayNames(ctx context.Context, ids []cc.OperatorID) (map[cc.OperatorID]string, error)
	SearchCalls(ctx context.Context, q cc.CallQuery) ([]cc.Call, error)
	Voicemails(ctx context.Context, q cc.VoicemailQuery) ([]cc.Voicemail, error)
	OperatorStates(ctx context.Context, op cc.OperatorID, from, to time.Time) ([]cc.StateSpan, error)
	OperatorEvents(ctx context.Context, op cc.OperatorID, from, to time.Time) ([]cc.CallEvent, error)
	DayScores(ctx context.Context, op cc.OperatorID, from, to time.Time) ([]cc.DayScore, error)
	MenuTrips(ctx context.Context, menu cc.MenuID, from, to time.Time) ([]cc.Call, error)
	alerting.Store
}

// Switchboard is what Analytics reads of the live floor, for the wallboards.
type Switchboard interface {
	Floor(ctx context.Context) (stats.Floor, error)
	WatchFloor() (changed <-chan struct{}, stop func())
}

// Replayer runs a queue's recorded day again with another number of operators
// (simulate.Replay).
type Replayer func(ctx context.Context, day cc.Replay) (cc.ReplayResult, error)

// Config is what Analytics works with.
type Config struct {
	Store       Store
	Switchboard Switchboard
	ReplayDay   Replayer
	Alerts      *alerting.Watch // raises and clears the alerts the wallboards show
	Clock       clock.Clock
	Closing     <-chan struct{} // closed when the server shuts down: streams end
}

// Handler serves Analytics.
type Handler struct {
	store   Store
	board   Switchboard
	replay  Replayer
	alerts  *alerting.Watch
	clock   clock.Clock
	closing <-chan struct{}
}

// New returns Analytics for cfg.
func New(cfg Config) *Handler {
	return &Handler{store: cfg.Store, board: cfg.Switchboard, replay: cfg.ReplayDay, alerts: cfg.Alerts, clock: cfg.Clock, closing: cfg.Closing}
}

// rangeIn resolves a TimeRange: from defaults to the start of today (UTC), to to now.
func (h *Handler) rangeIn(r *analyticsv1.TimeRange) (time.Time, time.Time, error) {
	now := h.clock.Now().UTC()
	from, to := convert.TimeOf(r.GetFrom()), convert.TimeOf(r.GetTo())
	if from.IsZero() {
		from = stats.DayStart(now)
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
func (h *Handler) floor(ctx context.Context, queue cc.QueueID, op cc.OperatorID) (stats.Floor, error) {
	f, err := h.board.Floor(ctx)
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

// sums are the stored tallies of scope in [from, to) added up per queue or operator.
func (h *Handler) sums(ctx context.Context, scope cc.TallyScope, id string, from, to time.Time) (map[string]cc.Figures, error) {
	ts, err := h.store.TallyTotals(ctx, scope, id, cc.IntervalStart(from), to)
	if err != nil {
		return nil, err
	}
	out := map[string]cc.Figures{}
	for _, t := range ts {
		out[t.ID] = t.Figures
	}
	return out, nil
}

func (h *Handler) GetQueueStats(ctx context.Context, req *connect.Request[analyticsv1.GetQueueStatsRequest]) (*connect.Response[analyticsv1.GetQueueStatsResponse], error) {
	id := cc.QueueID(req.Msg.GetQueueId())
	from, to, err := h.rangeIn(req.Msg.GetRange())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	floor, err := h.floor(ctx, id, "")
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	sums, err := h.sums(ctx, cc.ScopeQueue, string(id), from, to)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
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
			AverageAnswerTimeMs: convert.Millis(asa),
			MaxAnswerTimeMs:     convert.Millis(f.AnswerTimeMax),
			OffersMade:          uint32(f.OffersMade),
			OffersMissed:        uint32(f.OffersMissed),
			WaitingNow:          uint32(len(q.Waiting)),
			Figures:             figuresOut(f, &q.ServiceLevel),
			ServiceLevelRule:    slRuleOut(q.ServiceLevel),
		})
	}
	return connect.NewResponse(out), nil
}

func (h *Handler) GetOperatorStats(ctx context.Context, req *connect.Request[analyticsv1.GetOperatorStatsRequest]) (*connect.Response[analyticsv1.GetOperatorStatsResponse], error) {
	id := cc.OperatorID(req.Msg.GetOperatorId())
	if p, _ := auth.From(ctx); p.Role == auth.RoleOperator {
		var err error
		if id, err = auth.Self(ctx, req.Msg.GetOperatorId()); err != nil {
			return nil, codes.ToConnect(ctx, err)
		}
	}
	from, to, err := h.rangeIn(req.Msg.GetRange())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	floor, err := h.floor(ctx, "", id)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	sums, err := h.sums(ctx, cc.ScopeOperator, string(id), from, to)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
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
			AverageRingTimeMs: convert.Millis(ring),
			TalkTimeMs:        uint64(f.TalkTime / time.Millisecond),
			Marks:             convert.MarksOut(o.Status.Marks),
			Figures:           figuresOut(f, nil),
		})
	}
	return connect.NewResponse(out), nil
}
