package rpc

import (
	"context"
	"time"

	"connectrpc.com/connect"

	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	"github.com/tandemcc/tandem/gen/go/tandem/analytics/v1/analyticsv1connect"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/routing"
)

type analyticsHandler struct {
	analyticsv1connect.UnimplementedAnalyticsServiceHandler // until each RPC lands
	s *Server
}

// rangeIn resolves a TimeRange: from defaults to the start of today (UTC), to to now.
func (h analyticsHandler) rangeIn(r *analyticsv1.TimeRange) (time.Time, time.Time, error) {
	now := h.s.clock.Now().UTC()
	from, to := timeOf(r.GetFrom()), timeOf(r.GetTo())
	if from.IsZero() {
		from = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	}
	if to.IsZero() {
		to = now.Add(time.Millisecond)
	}
	if !from.Before(to) {
		return from, to, cc.Invalid("range", "from must be before to")
	}
	return from, to, nil
}

func (h analyticsHandler) GetQueueStats(ctx context.Context, req *connect.Request[analyticsv1.GetQueueStatsRequest]) (*connect.Response[analyticsv1.GetQueueStatsResponse], error) {
	from, to, err := h.rangeIn(req.Msg.GetRange())
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	stats, err := h.s.store.QueueStats(ctx, cc.QueueID(req.Msg.GetQueueId()), from, to)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	out := &analyticsv1.GetQueueStatsResponse{}
	for _, s := range stats {
		out.Queues = append(out.Queues, &analyticsv1.QueueStats{
			QueueId:             string(s.Queue),
			CallsReceived:       uint32(s.CallsReceived),
			CallsAnswered:       uint32(s.CallsAnswered),
			CallsAbandoned:      uint32(s.CallsAbandoned),
			CallsLost:           uint32(s.CallsLost),
			AverageAnswerTimeMs: ms(s.AverageAnswerTime),
			MaxAnswerTimeMs:     ms(s.MaxAnswerTime),
			OffersMade:          uint32(s.OffersMade),
			OffersMissed:        uint32(s.OffersMissed),
			WaitingNow:          uint32(s.WaitingNow),
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
	stats, err := h.s.store.OperatorStats(ctx, id, from, to)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	// Everyone's marks now, read in one step of the switchboard.
	marks := make(map[cc.OperatorID]*commonv1.Marks, len(stats))
	err = h.s.board.Engine(ctx, func(_ time.Time, e *routing.Engine) (cc.Changes, error) {
		for _, s := range stats {
			if v, err := e.View(s.Operator); err == nil {
				marks[s.Operator] = marksOut(v.Status.Marks)
			}
		}
		return cc.Changes{}, nil
	})
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	out := &analyticsv1.GetOperatorStatsResponse{}
	for _, s := range stats {
		out.Operators = append(out.Operators, &analyticsv1.OperatorStats{
			Marks:             marks[s.Operator],
			OperatorId:        string(s.Operator),
			OffersReceived:    uint32(s.OffersReceived),
			CallsAnswered:     uint32(s.CallsAnswered),
			OffersMissed:      uint32(s.OffersMissed),
			AverageRingTimeMs: ms(s.AverageRingTime),
			TalkTimeMs:        uint64(s.TalkTime / time.Millisecond),
		})
	}
	return connect.NewResponse(out), nil
}
