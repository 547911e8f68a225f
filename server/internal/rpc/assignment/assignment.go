// Package assignment serves the Assignment service: supervisors see the calls in line, why each
// went where it did, and step in (withdraw an offer, requeue a call, lift a ban).
package assignment

import (
	"context"

	"connectrpc.com/connect"

	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

// Store is what Assignment reads of stored calls.
type Store interface {
	Call(ctx context.Context, id cc.CallID) (cc.Call, []cc.Offer, error)
	Offer(ctx context.Context, id cc.OfferID) (cc.Offer, error)
	Decisions(ctx context.Context, id cc.CallID) ([]cc.Decision, error)
}

// Switchboard is what Assignment asks of the engine.
type Switchboard interface {
	Calls(ctx context.Context, q cc.QueueID) ([]cc.WaitingCall, error)
	WithdrawOffer(ctx context.Context, id cc.OfferID, reason string) (cc.Call, error)
	Requeue(ctx context.Context, r cc.Requeue) (cc.Call, error)
	LiftBan(ctx context.Context, id cc.OperatorID) (cc.OperatorView, error)
	DeclineOffer(ctx context.Context, d cc.Decline) (cc.OperatorView, error)
	HoldCall(ctx context.Context, id cc.CallID, by cc.OperatorID) (cc.Call, error)
	ResumeCall(ctx context.Context, id cc.CallID, by cc.OperatorID) (cc.Call, error)
	AddToCall(ctx context.Context, id cc.CallID, by cc.OperatorID, contact cc.Contact, target cc.OperatorID) (cc.Party, cc.Call, error)
	RemoveFromCall(ctx context.Context, id cc.CallID, pid cc.PartyID, by cc.OperatorID, bySupervisor bool) (cc.Call, error)
	MonitorCall(ctx context.Context, id cc.CallID, mode cc.PartyMode, contact cc.Contact, supervisor string) (cc.Party, cc.Call, error)
	StopMonitor(ctx context.Context, id cc.CallID) (cc.Call, error)
	TransferCall(ctx context.Context, r cc.TransferRequest) (cc.Call, error)
	CompleteTransfer(ctx context.Context, id cc.CallID, by cc.OperatorID) (cc.Call, error)
	CancelTransfer(ctx context.Context, id cc.CallID, by cc.OperatorID) (cc.Call, error)
	TransferTargets(ctx context.Context, by cc.OperatorID) (cc.TransferTargets, error)
}

// Handler serves Assignment.
type Handler struct {
	store Store
	board Switchboard
}

// New returns Assignment on store and board.
func New(store Store, board Switchboard) *Handler { return &Handler{store: store, board: board} }

func (h *Handler) ListCalls(ctx context.Context, req *connect.Request[assignmentv1.ListCallsRequest]) (*connect.Response[assignmentv1.ListCallsResponse], error) {
	calls, err := h.board.Calls(ctx, cc.QueueID(req.Msg.GetQueueId()))
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &assignmentv1.ListCallsResponse{}
	hears := auth.HearsRecordings(ctx)
	for _, w := range calls {
		var offers []cc.Offer
		if w.Offer != nil {
			offers = append(offers, *w.Offer)
		}
		c := convert.CallOut(w.Call, w.Position, offers)
		if hears { // a callback's voicemail, played from the supervisor's list
			convert.HearRecordings(c, w.Call)
		}
		out.Calls = append(out.Calls, c)
	}
	return connect.NewResponse(out), nil
}

func (h *Handler) GetCall(ctx context.Context, req *connect.Request[assignmentv1.GetCallRequest]) (*connect.Response[assignmentv1.GetCallResponse], error) {
	if err := convert.Required("call_id", req.Msg.GetCallId()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	c, offers, err := h.store.Call(ctx, cc.CallID(req.Msg.GetCallId()))
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	position := 0
	if live, err := h.board.Calls(ctx, c.Queue); err == nil {
		for _, w := range live {
			if w.Call.ID == c.ID {
				position = w.Position
			}
		}
	}
	out := convert.CallOut(c, position, offers)
	if auth.HearsRecordings(ctx) {
		convert.HearRecordings(out, c)
	}
	return connect.NewResponse(&assignmentv1.GetCallResponse{Call: out}), nil
}

func (h *Handler) ExplainCall(ctx context.Context, req *connect.Request[assignmentv1.ExplainCallRequest]) (*connect.Response[assignmentv1.ExplainCallResponse], error) {
	if err := convert.Required("call_id", req.Msg.GetCallId()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	id := cc.CallID(req.Msg.GetCallId())
	if _, _, err := h.store.Call(ctx, id); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	ds, err := h.store.Decisions(ctx, id)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &assignmentv1.ExplainCallResponse{}
	for _, d := range ds {
		out.Decisions = append(out.Decisions, convert.DecisionOut(d))
	}
	return connect.NewResponse(out), nil
}

func (h *Handler) WithdrawOffer(ctx context.Context, req *connect.Request[assignmentv1.WithdrawOfferRequest]) (*connect.Response[assignmentv1.WithdrawOfferResponse], error) {
	if err := convert.Required("offer_id", req.Msg.GetOfferId()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	id := cc.OfferID(req.Msg.GetOfferId())
	if _, err := h.store.Offer(ctx, id); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	c, err := h.board.WithdrawOffer(ctx, id, req.Msg.GetReason())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&assignmentv1.WithdrawOfferResponse{Call: convert.CallOut(c, 0, nil)}), nil
}

func (h *Handler) RequeueCall(ctx context.Context, req *connect.Request[assignmentv1.RequeueCallRequest]) (*connect.Response[assignmentv1.RequeueCallResponse], error) {
	m := req.Msg
	r := cc.Requeue{Call: cc.CallID(m.GetCallId()), Queue: cc.QueueID(m.GetQueueId())}
	if m.Priority != nil {
		p := int(min(m.GetPriority(), 1<<20)) // out of range either way: Check names it
		r.Priority = &p
	}
	if err := r.Check(); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	stored, _, err := h.store.Call(ctx, r.Call)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	if stored.State.Finished() {
		return nil, codes.ToConnect(ctx, cc.NotWaiting(r.Call, stored.State))
	}
	c, err := h.board.Requeue(ctx, r)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&assignmentv1.RequeueCallResponse{Call: convert.CallOut(c, 0, nil)}), nil
}

func (h *Handler) LiftBan(ctx context.Context, req *connect.Request[assignmentv1.LiftBanRequest]) (*connect.Response[assignmentv1.LiftBanResponse], error) {
	if err := convert.Required("operator_id", req.Msg.GetOperatorId()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	v, err := h.board.LiftBan(ctx, cc.OperatorID(req.Msg.GetOperatorId()))
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	st := convert.StatusOut(v)
	return connect.NewResponse(&assignmentv1.LiftBanResponse{State: st.GetState(), Marks: st.GetMarks()}), nil
}

// DeclineOffer is the operator saying no to the offer out to him; only he may (the policy lets
// operators alone call it, and the engine checks the offer is his).
func (h *Handler) DeclineOffer(ctx context.Context, req *connect.Request[assignmentv1.DeclineOfferRequest]) (*connect.Response[assignmentv1.DeclineOfferResponse], error) {
	p, _ := auth.From(ctx)
	m := req.Msg
	err := convert.Required("offer_id", m.GetOfferId())
	if err == nil {
		err = convert.MaxLen("reason", m.GetReason(), cc.MaxDeclineReasonBytes)
	}
	var v cc.OperatorView
	if err == nil {
		v, err = h.board.DeclineOffer(ctx, cc.Decline{Offer: cc.OfferID(m.GetOfferId()), Operator: p.Operator, Reason: m.GetReason()})
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	st := convert.StatusOut(v)
	return connect.NewResponse(&assignmentv1.DeclineOfferResponse{State: st.GetState(), Marks: st.GetMarks()}), nil
}

// HoldCall puts the caller of the operator's own call on hold; only he may.
func (h *Handler) HoldCall(ctx context.Context, req *connect.Request[assignmentv1.HoldCallRequest]) (*connect.Response[assignmentv1.HoldCallResponse], error) {
	c, err := h.hold(ctx, req.Msg.GetCallId(), h.board.HoldCall)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&assignmentv1.HoldCallResponse{Call: c}), nil
}

// ResumeCall ends the hold of the operator's own call.
func (h *Handler) ResumeCall(ctx context.Context, req *connect.Request[assignmentv1.ResumeCallRequest]) (*connect.Response[assignmentv1.ResumeCallResponse], error) {
	c, err := h.hold(ctx, req.Msg.GetCallId(), h.board.ResumeCall)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&assignmentv1.ResumeCallResponse{Call: c}), nil
}

func (h *Handler) hold(ctx context.Context, id string, step func(context.Context, cc.CallID, cc.OperatorID) (cc.Call, error)) (*assignmentv1.Call, error) {
	if err := convert.Required("call_id", id); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	p, _ := auth.From(ctx)
	c, err := step(ctx, cc.CallID(id), p.Operator)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return h.callOut(ctx, c), nil
}

// AddToCall brings a third party into the operator's own connected call.
func (h *Handler) AddToCall(ctx context.Context, req *connect.Request[assignmentv1.AddToCallRequest]) (*connect.Response[assignmentv1.AddToCallResponse], error) {
	m := req.Msg
	if err := convert.Required("call_id", m.GetCallId()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	p, _ := auth.From(ctx)
	party, c, err := h.board.AddToCall(ctx, cc.CallID(m.GetCallId()), p.Operator, convert.OptionalContactIn(m.GetContact()), cc.OperatorID(m.GetOperatorId()))
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&assignmentv1.AddToCallResponse{Call: h.callOut(ctx, c), Party: convert.PartyOut(party)}), nil
}

// RemoveFromCall ends one party's leg: the operator's on his own call, a supervisor's on any.
func (h *Handler) RemoveFromCall(ctx context.Context, req *connect.Request[assignmentv1.RemoveFromCallRequest]) (*connect.Response[assignmentv1.RemoveFromCallResponse], error) {
	m := req.Msg
	if err := convert.Required("call_id", m.GetCallId()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	if err := convert.Required("party_id", m.GetPartyId()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	p, _ := auth.From(ctx)
	c, err := h.board.RemoveFromCall(ctx, cc.CallID(m.GetCallId()), cc.PartyID(m.GetPartyId()), p.Operator, p.Role != auth.RoleOperator)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&assignmentv1.RemoveFromCallResponse{Call: h.callOut(ctx, c)}), nil
}

// MonitorCall rings the supervisor into a call, or switches his monitoring mode.
func (h *Handler) MonitorCall(ctx context.Context, req *connect.Request[assignmentv1.MonitorCallRequest]) (*connect.Response[assignmentv1.MonitorCallResponse], error) {
	m := req.Msg
	if err := convert.Required("call_id", m.GetCallId()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	mode := convert.MonitorModeIn(m.GetMode())
	if err := cc.CheckMonitorMode(mode); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	p, _ := auth.From(ctx)
	party, c, err := h.board.MonitorCall(ctx, cc.CallID(m.GetCallId()), mode, convert.OptionalContactIn(m.GetContact()), p.Name)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&assignmentv1.MonitorCallResponse{Call: h.callOut(ctx, c), Party: convert.PartyOut(party)}), nil
}

// StopMonitor ends the monitoring of a call.
func (h *Handler) StopMonitor(ctx context.Context, req *connect.Request[assignmentv1.StopMonitorRequest]) (*connect.Response[assignmentv1.StopMonitorResponse], error) {
	if err := convert.Required("call_id", req.Msg.GetCallId()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	c, err := h.board.StopMonitor(ctx, cc.CallID(req.Msg.GetCallId()))
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&assignmentv1.StopMonitorResponse{Call: h.callOut(ctx, c)}), nil
}

// callOut is call c as its requester may see it: an operator is not told of a supervisor who
// only listens.
func (h *Handler) callOut(ctx context.Context, c cc.Call) *assignmentv1.Call {
	out := convert.CallOut(c, 0, nil)
	if p, _ := auth.From(ctx); p.Role == auth.RoleOperator {
		out.Parties = convert.PartiesOut(c.Parties, cc.Party.HeardByOperator)
	}
	return out
}

// TransferCall hands the operator's own call to another operator, a queue or a number; only he
// may.
func (h *Handler) TransferCall(ctx context.Context, req *connect.Request[assignmentv1.TransferCallRequest]) (*connect.Response[assignmentv1.TransferCallResponse], error) {
	p, _ := auth.From(ctx)
	m := req.Msg
	r := cc.TransferRequest{Call: cc.CallID(m.GetCallId()), By: p.Operator, Mode: convert.TransferModeIn(m.GetMode()), Priority: int(min(m.GetPriority(), 1000))}
	var err error
	switch t := m.GetTarget().(type) {
	case *assignmentv1.TransferCallRequest_OperatorId:
		if err = convert.Required("operator_id", t.OperatorId); err == nil {
			r.Target.Operator = cc.OperatorID(t.OperatorId)
		}
	case *assignmentv1.TransferCallRequest_QueueId:
		if err = convert.Required("queue_id", t.QueueId); err == nil {
			r.Target.Queue = cc.QueueID(t.QueueId)
		}
	case *assignmentv1.TransferCallRequest_Number:
		r.Target.Number, err = convert.ContactIn("number", t.Number)
		if err == nil && r.Target.Number == (cc.Contact{}) {
			err = cc.Invalid("number", "required")
		}
	}
	if err == nil {
		err = convert.Required("call_id", m.GetCallId())
	}
	var c cc.Call
	if err == nil {
		c, err = h.board.TransferCall(ctx, r)
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&assignmentv1.TransferCallResponse{Call: h.callOut(ctx, c)}), nil
}

// CompleteTransfer hands the caller to the consulted target of the operator's warm transfer.
func (h *Handler) CompleteTransfer(ctx context.Context, req *connect.Request[assignmentv1.CompleteTransferRequest]) (*connect.Response[assignmentv1.CompleteTransferResponse], error) {
	c, err := h.hold(ctx, req.Msg.GetCallId(), h.board.CompleteTransfer)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&assignmentv1.CompleteTransferResponse{Call: c}), nil
}

// CancelTransfer ends the operator's warm transfer: the caller is back with him.
func (h *Handler) CancelTransfer(ctx context.Context, req *connect.Request[assignmentv1.CancelTransferRequest]) (*connect.Response[assignmentv1.CancelTransferResponse], error) {
	c, err := h.hold(ctx, req.Msg.GetCallId(), h.board.CancelTransfer)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&assignmentv1.CancelTransferResponse{Call: c}), nil
}

// ListTransferTargets lists whom the operator may transfer his call to now.
func (h *Handler) ListTransferTargets(ctx context.Context, _ *connect.Request[assignmentv1.ListTransferTargetsRequest]) (*connect.Response[assignmentv1.ListTransferTargetsResponse], error) {
	p, _ := auth.From(ctx)
	tt, err := h.board.TransferTargets(ctx, p.Operator)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(convert.TransferTargetsOut(tt)), nil
}
