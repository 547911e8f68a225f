package analytics

import (
	"context"
	"time"

	"connectrpc.com/connect"

	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

func (h *Handler) GetCallTimeline(ctx context.Context, req *connect.Request[analyticsv1.GetCallTimelineRequest]) (*connect.Response[analyticsv1.GetCallTimelineResponse], error) {
	id := cc.CallID(req.Msg.GetCallId())
	if err := convert.Required("call_id", string(id)); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	c, _, err := h.store.Call(ctx, id)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	events, err := h.store.CallEvents(ctx, id)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	decisions, err := h.store.Decisions(ctx, id)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	byOffer := map[cc.OfferID]cc.Decision{}
	for _, d := range decisions {
		byOffer[d.Offer] = d
	}
	out := &analyticsv1.GetCallTimelineResponse{CallId: string(c.ID), QueueId: string(c.Queue), CallerNumber: c.CallerNumber, State: convert.CallStates[c.State],
		Exit: convert.CallExitOut(c.Exit), MenuId: string(c.Menu), MenuPath: convert.MenuPathOut(c.MenuPath), MenuExit: c.MenuExit}
	for _, e := range events {
		entry := &analyticsv1.TimelineEntry{At: convert.Timestamp(e.At), Kind: string(e.Kind), OperatorId: string(e.Operator),
			SpareId: string(e.Spare), OfferId: string(e.Offer), Text: e.Text, FailureCode: int32(e.Code),
			RingTimeMs: convert.Millis(e.RingTime), HungUpBy: convert.HangupParties[e.HungUpBy], PartyId: string(e.Party)}
		switch e.Kind {
		case cc.EventOffered:
			if d, ok := byOffer[e.Offer]; ok {
				entry.Decision = convert.DecisionOut(d)
			}
		case cc.EventArrived, cc.EventRequeued:
			entry.Text = string(e.QueueAfter)
		case cc.EventEnded:
			entry.Text = (e.TalkTime / time.Second * time.Second).String() + " talk"
		}
		out.Entries = append(out.Entries, entry)
	}
	return connect.NewResponse(out), nil
}
