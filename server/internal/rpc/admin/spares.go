package admin

import (
	"context"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

func (h *Handler) CreateAbsence(ctx context.Context, req *connect.Request[adminv1.CreateAbsenceRequest]) (*connect.Response[adminv1.CreateAbsenceResponse], error) {
	m := req.Msg
	a, err := cc.Absence{ID: newID("abs"), Operator: cc.OperatorID(m.GetOperatorId()), Kind: cc.AbsenceKind(m.GetKind()), From: m.GetFrom(), To: m.GetTo()}.Check()
	if err == nil {
		err = h.board.PutAbsence(ctx, a)
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.CreateAbsenceResponse{Absence: convert.AbsenceOut(a)}), nil
}

func (h *Handler) DeleteAbsence(ctx context.Context, req *connect.Request[adminv1.DeleteAbsenceRequest]) (*connect.Response[adminv1.DeleteAbsenceResponse], error) {
	err := convert.Required("absence_id", req.Msg.GetAbsenceId())
	if err == nil {
		err = h.board.DeleteAbsence(ctx, req.Msg.GetAbsenceId())
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.DeleteAbsenceResponse{}), nil
}

func (h *Handler) ListAbsences(ctx context.Context, req *connect.Request[adminv1.ListAbsencesRequest]) (*connect.Response[adminv1.ListAbsencesResponse], error) {
	absences, err := h.board.Absences(ctx, cc.OperatorID(req.Msg.GetOperatorId()))
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &adminv1.ListAbsencesResponse{}
	for _, a := range absences {
		out.Absences = append(out.Absences, convert.AbsenceOut(a))
	}
	return connect.NewResponse(out), nil
}

// spareIn reads a spare number and checks it (see cc.Spare.Check).
func spareIn(s *adminv1.Spare) (cc.Spare, error) {
	if s == nil {
		return cc.Spare{}, cc.Invalid("spare", "required")
	}
	out := cc.Spare{ID: cc.SpareID(s.GetSpareId()), Name: s.GetName(), Holidays: s.GetHolidays(), MaxConcurrent: int(s.GetMaxConcurrent()),
		DailyCap: int(s.GetDailyCap()), Priority: int(s.GetPriority()), Cooldown: convert.Seconds(s.GetCooldownS()), Disabled: s.GetDisabled()}
	var err error
	if out.Contact, err = convert.ContactIn("spare.contact", s.GetContact()); err != nil {
		return out, err
	}
	if out.Hours, err = convert.HoursIn("spare.hours", s.GetHours()); err != nil {
		return out, err
	}
	return out.Check()
}

func (h *Handler) CreateSpare(ctx context.Context, req *connect.Request[adminv1.CreateSpareRequest]) (*connect.Response[adminv1.CreateSpareResponse], error) {
	sp, err := spareIn(req.Msg.GetSpare())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	use, err := h.board.CreateSpare(ctx, sp)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.CreateSpareResponse{Spare: convert.SpareOut(sp, use)}), nil
}

func (h *Handler) UpdateSpare(ctx context.Context, req *connect.Request[adminv1.UpdateSpareRequest]) (*connect.Response[adminv1.UpdateSpareResponse], error) {
	sp, err := spareIn(req.Msg.GetSpare())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	use, err := h.board.UpdateSpare(ctx, sp)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.UpdateSpareResponse{Spare: convert.SpareOut(sp, use)}), nil
}

func (h *Handler) ListSpares(ctx context.Context, req *connect.Request[adminv1.ListSparesRequest]) (*connect.Response[adminv1.ListSparesResponse], error) {
	spares, use, err := h.board.Spares(ctx)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &adminv1.ListSparesResponse{}
	for i, sp := range spares {
		out.Spares = append(out.Spares, convert.SpareOut(sp, use[i]))
	}
	return connect.NewResponse(out), nil
}

func (h *Handler) PreviewOverflow(ctx context.Context, req *connect.Request[adminv1.PreviewOverflowRequest]) (*connect.Response[adminv1.PreviewOverflowResponse], error) {
	if err := convert.Required("queue_id", req.Msg.GetQueueId()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	d, err := h.board.PreviewOverflow(ctx, cc.QueueID(req.Msg.GetQueueId()), convert.TimeOf(req.Msg.GetAt()))
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &adminv1.PreviewOverflowResponse{SpareId: string(d.Spare), Rule: d.Rule}
	for _, c := range d.Candidates {
		out.Candidates = append(out.Candidates, &adminv1.SpareCandidate{SpareId: string(c.Spare), Eligible: c.Eligible, ExcludedBecause: c.ExcludedBecause, CallsToday: uint32(c.CallsToday)})
	}
	return connect.NewResponse(out), nil
}
