package rpc

import (
	"context"

	"connectrpc.com/connect"

	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

type assignmentHandler struct{ s *Server }

func (h assignmentHandler) ListCalls(ctx context.Context, req *connect.Request[assignmentv1.ListCallsRequest]) (*connect.Response[assignmentv1.ListCallsResponse], error) {
	calls, err := h.s.board.Calls(ctx, cc.QueueID(req.Msg.GetQueueId()))
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	out := &assignmentv1.ListCallsResponse{}
	for _, w := range calls {
		var offers []cc.Offer
		if w.Offer != nil {
			offers = append(offers, *w.Offer)
		}
		out.Calls = append(out.Calls, callOut(w.Call, w.Position, offers))
	}
	return connect.NewResponse(out), nil
}

func (h assignmentHandler) GetCall(ctx context.Context, req *connect.Request[assignmentv1.GetCallRequest]) (*connect.Response[assignmentv1.GetCallResponse], error) {
	if err := required("call_id", req.Msg.GetCallId()); err != nil {
		return nil, toConnect(ctx, err)
	}
	c, offers, err := h.s.store.Call(ctx, cc.CallID(req.Msg.GetCallId()))
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	position := 0
	if live, err := h.s.board.Calls(ctx, c.Queue); err == nil {
		for _, w := range live {
			if w.Call.ID == c.ID {
				position = w.Position
			}
		}
	}
	return connect.NewResponse(&assignmentv1.GetCallResponse{Call: callOut(c, position, offers)}), nil
}

func (h assignmentHandler) ExplainCall(ctx context.Context, req *connect.Request[assignmentv1.ExplainCallRequest]) (*connect.Response[assignmentv1.ExplainCallResponse], error) {
	if err := required("call_id", req.Msg.GetCallId()); err != nil {
		return nil, toConnect(ctx, err)
	}
	id := cc.CallID(req.Msg.GetCallId())
	if _, _, err := h.s.store.Call(ctx, id); err != nil {
		return nil, toConnect(ctx, err)
	}
	ds, err := h.s.store.Decisions(ctx, id)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	out := &assignmentv1.ExplainCallResponse{}
	for _, d := range ds {
		out.Decisions = append(out.Decisions, decisionOut(d))
	}
	return connect.NewResponse(out), nil
}

func (h assignmentHandler) WithdrawOffer(ctx context.Context, req *connect.Request[assignmentv1.WithdrawOfferRequest]) (*connect.Response[assignmentv1.WithdrawOfferResponse], error) {
	if err := required("offer_id", req.Msg.GetOfferId()); err != nil {
		return nil, toConnect(ctx, err)
	}
	id := cc.OfferID(req.Msg.GetOfferId())
	if _, err := h.s.store.Offer(ctx, id); err != nil {
		return nil, toConnect(ctx, err)
	}
	c, err := h.s.board.WithdrawOffer(ctx, id, req.Msg.GetReason())
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&assignmentv1.WithdrawOfferResponse{Call: callOut(c, 0, nil)}), nil
}

func (h assignmentHandler) RequeueCall(ctx context.Context, req *connect.Request[assignmentv1.RequeueCallRequest]) (*connect.Response[assignmentv1.RequeueCallResponse], error) {
	if err := required("call_id", req.Msg.GetCallId()); err != nil {
		return nil, toConnect(ctx, err)
	}
	id := cc.CallID(req.Msg.GetCallId())
	if _, _, err := h.s.store.Call(ctx, id); err != nil {
		return nil, toConnect(ctx, err)
	}
	c, err := h.s.board.Requeue(ctx, id, cc.QueueID(req.Msg.GetQueueId()))
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&assignmentv1.RequeueCallResponse{Call: callOut(c, 0, nil)}), nil
}

func (h assignmentHandler) LiftBan(ctx context.Context, req *connect.Request[assignmentv1.LiftBanRequest]) (*connect.Response[assignmentv1.LiftBanResponse], error) {
	if err := required("operator_id", req.Msg.GetOperatorId()); err != nil {
		return nil, toConnect(ctx, err)
	}
	v, err := h.s.board.LiftBan(ctx, cc.OperatorID(req.Msg.GetOperatorId()))
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	st := statusOut(v)
	return connect.NewResponse(&assignmentv1.LiftBanResponse{State: st.GetState(), Marks: st.GetMarks()}), nil
}
