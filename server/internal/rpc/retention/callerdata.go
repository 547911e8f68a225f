package retention

import (
	"context"
	"fmt"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

func callerCallOut(c cc.Call) *adminv1.CallerCall {
	return &adminv1.CallerCall{
		CallId: string(c.ID), QueueId: string(c.Queue), State: convert.CallStates[c.State],
		ArrivedAt: convert.Timestamp(c.ArrivedAt), AnsweredAt: convert.Timestamp(c.AnsweredAt), EndedAt: convert.Timestamp(c.EndedAt),
		CallerNumber: c.CallerNumber, CallerName: c.CallerName, DialedNumber: c.DialedNumber,
		SipHeaders: c.SIPHeaders, CustomData: c.CustomData, OperatorId: string(c.Operator),
		TalkTimeMs: convert.Millis(c.TalkTime), HungUpBy: convert.HangupParties[c.HungUpBy],
		RecordingUrl: c.RecordingURL,
	}
}

func (h *Handler) ExportCallerData(ctx context.Context, req *connect.Request[adminv1.ExportCallerDataRequest]) (*connect.Response[adminv1.ExportCallerDataResponse], error) {
	n, err := cc.CheckNumber("number", req.Msg.GetNumber())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &adminv1.ExportCallerDataResponse{Number: n}
	switch cl, err := h.board.Client(ctx, n); {
	case err == nil:
		out.Client = convert.ClientOut(cl)
	case cc.ErrorCode(err) != cc.CodeNotFound:
		return nil, codes.ToConnect(ctx, err)
	}
	calls, err := h.store.CallerCalls(ctx, n)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	for _, c := range calls {
		out.Calls = append(out.Calls, callerCallOut(c))
	}
	return connect.NewResponse(out), nil
}

func (h *Handler) DeleteCallerData(ctx context.Context, req *connect.Request[adminv1.DeleteCallerDataRequest]) (*connect.Response[adminv1.DeleteCallerDataResponse], error) {
	n, err := cc.CheckNumber("number", req.Msg.GetNumber())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	calls, err := h.store.CallerCalls(ctx, n)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	for _, c := range calls {
		if !c.State.Finished() {
			return nil, codes.ToConnect(ctx, cc.Errorf(cc.CodeFailedPrecondition, "%s has a call in progress (%s): erase his data once it ended", n, c.ID))
		}
	}
	// The engine holds client records in memory: it forgets him first, so routing does at once;
	// then the stored row and his calls' details are erased.
	if err := h.board.ForgetClient(ctx, n); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	erased, client, err := h.store.EraseCaller(ctx, n, h.clock.Now())
	if err != nil {
		return nil, codes.ToConnect(ctx, fmt.Errorf("erase caller data: %w", err))
	}
	return connect.NewResponse(&adminv1.DeleteCallerDataResponse{Number: n, CallsErased: uint32(erased), ClientRemoved: client}), nil
}
